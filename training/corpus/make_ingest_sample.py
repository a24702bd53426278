"""Build a sample export folder for `attestscore ingest` from the demo archive: pairs as text PDF,
scanned PDF, DOCX, TXT (cp1252) and RTF under both naming conventions and under a manifest, one
letter that follows no convention, and two broken files.

    python training/corpus/make_ingest_sample.py --out out/ingest-demo/folder
    attestscore ingest out/ingest-demo/folder -o out/ingest-demo/archive.jsonl \
        --manifest out/ingest-demo/folder/manifest.csv
"""
from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from training.corpus.exports import write_docx, write_rtf, write_scanned_pdf, write_text_pdf, write_txt  # noqa: E402

META = ("municipality", "team", "caseworker_id", "date", "caseload")


def cp1252(path: Path, text: str) -> Path:
    return write_txt(path, text, "cp1252")


#: (request file, writer, certificate file, writer) per pair, in the order of the archive's pairs
LAYOUT = [
    ("{pair}/anmodning.pdf", write_text_pdf, "{pair}/attest.docx", write_docx),
    ("{pair}_anmodning.txt", cp1252, "{pair}_attest.pdf", write_text_pdf),
    ("{pair}_request.docx", write_docx, "{pair}_certificate.pdf", write_scanned_pdf),
    ("sag_{n}/dok1.rtf", write_rtf, "sag_{n}/dok2.txt", write_txt),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=ROOT / "data" / "sample" / "archive.jsonl")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    pairs: dict[str, dict[str, dict]] = defaultdict(dict)
    for line in args.source.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row.get("pair_id") and row.get("kind") in ("request", "certificate") and row.get("text", "").strip():
            pairs[row["pair_id"]][row["kind"]] = row
    complete = [p for p in pairs.values() if len(p) == 2]
    if len(complete) < len(LAYOUT) + 1:
        sys.exit(f"{args.source} has {len(complete)} complete pairs; the sample needs {len(LAYOUT) + 1}")
    if args.out.exists():
        shutil.rmtree(args.out)
    manifest = []
    for n, (pair, (req_name, req_writer, cert_name, cert_writer)) in enumerate(zip(complete, LAYOUT), start=2291):
        names = [req_name.format(pair=pair["request"]["pair_id"], n=n),
                 cert_name.format(pair=pair["request"]["pair_id"], n=n)]
        for name, writer, doc in zip(names, (req_writer, cert_writer), (pair["request"], pair["certificate"])):
            (args.out / name).parent.mkdir(parents=True, exist_ok=True)
            writer(args.out / name, doc["text"])
        manifest.append({"request_file": names[0], "certificate_file": names[1], "pair_id": pair["request"]["pair_id"],
                         **{k: pair["request"].get(k, "") for k in META}})
    loose = complete[len(LAYOUT)]["request"]
    (args.out / "diverse").mkdir(parents=True, exist_ok=True)
    write_txt(args.out / "diverse" / "brev_fra_jobcentret.txt", loose["text"], "utf-8-sig")
    (args.out / "diverse" / "scanning_afbrudt.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog")
    (args.out / "diverse" / "tom.docx").write_bytes(b"")
    with (args.out / "manifest.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["request_file", "certificate_file", "pair_id", *META])
        writer.writeheader()
        writer.writerows(manifest)
    files = sum(1 for p in args.out.rglob("*") if p.is_file()) - 1
    print(f"wrote {files} files and manifest.csv to {args.out}")


if __name__ == "__main__":
    main()
