"""OCR quality and speed of `attestscore ingest` on scanned PDFs: N held-out documents (test split)
are rendered as 300-dpi page images without a text layer, ingested, and compared with the original.

    python bench/ocr_cer.py --docs 20

Prints the character error rate (edit distance / length, whitespace collapsed) against the
original's layout-normalized text (mean, median, max), the share of documents whose segments are
exactly those of the original, seconds per page, and with ``--model`` how far the scores of the OCR
text are from those of the original. Figures depend on the machine: publish them with its description.
"""
from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scorer.evaluation import character_error_rate  # noqa: E402
from scorer.ingest import ingest_folder  # noqa: E402
from scorer.ingest.ocr import tesseract_available  # noqa: E402
from scorer.text import normalize_layout, segment  # noqa: E402
from training.corpus.exports import write_scanned_pdf  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20)
    parser.add_argument("--source", type=Path, default=ROOT / "data" / "annotated" / "test.jsonl")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--model", type=Path, help="also compare scores of OCR text and original with this model")
    args = parser.parse_args()
    if not tesseract_available():
        sys.exit("tesseract with the Danish model is not installed: make ocr")
    rows = [json.loads(line) for line in args.source.read_text(encoding="utf-8").splitlines() if line.strip()]
    docs = random.Random(args.seed).sample(rows, min(args.docs, len(rows)))
    with tempfile.TemporaryDirectory(prefix="ocr-cer-") as tmp:
        folder = Path(tmp) / "scans"
        folder.mkdir()
        for doc in docs:
            write_scanned_pdf(folder / f"{doc['id']}.pdf", doc["text"])
        from pypdf import PdfReader

        n_pages = sum(len(PdfReader(p).pages) for p in folder.glob("*.pdf"))
        start = time.perf_counter()
        summary = ingest_folder(folder, Path(tmp) / "archive.jsonl", ocr=True, progress=False)
        seconds = time.perf_counter() - start
        out = {r["source_file"]: r["text"] for r in map(json.loads, summary.output.read_text("utf-8").splitlines())}
    cers, same = [], 0
    texts = [out.get(f"{doc['id']}.pdf", "") for doc in docs]
    for doc, text in zip(docs, texts):
        reference = normalize_layout(doc["text"])
        cers.append(character_error_rate(reference, text))
        same += [s.text for s in segment(text)] == [s.text for s in segment(doc["text"])]
    print(f"machine: {platform.machine()}, {platform.system()}, python {platform.python_version()}")
    print(f"documents {len(docs)} ({args.source.name}, seed {args.seed}), pages {n_pages}, "
          f"rejected {summary.rejected}")
    print(f"CER mean {statistics.mean(cers):.4f}  median {statistics.median(cers):.4f}  max {max(cers):.4f}")
    print(f"documents with exactly the original's segments: {same}/{len(docs)}")
    if args.model:
        from scorer.api import load

        scorer = load(args.model)
        kept = [(doc, text) for doc, text in zip(docs, texts) if text]
        original = scorer.score_many([doc for doc, _ in kept])
        read = scorer.score_many([{**doc, "text": text} for doc, text in kept])
        gaps = [abs(a.probability - b.probability) for a, b in zip(original, read)]
        agree = sum(a.label == b.label for a, b in zip(original, read))
        print(f"{args.model.name}: |probability(OCR) - probability(original)| mean {statistics.mean(gaps):.4f} "
              f"max {max(gaps):.4f}; same overall label {agree}/{len(gaps)}")
    print(f"seconds per page {seconds / n_pages:.2f} (ingest wall time {seconds:.1f} s, OCR included)")


if __name__ == "__main__":
    main()
