"""Build the demo archive ``data/sample/archive.jsonl``: unlabelled pairs from the dev split in the
archive format `attestscore score` reads, plus three broken rows that must land in the rejects file.

    python training/corpus/make_sample.py --pairs 15
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=Path("data/annotated/dev.jsonl"))
    parser.add_argument("--out", type=Path, default=Path("data/sample/archive.jsonl"))
    parser.add_argument("--pairs", type=int, default=15)
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.source.read_text(encoding="utf-8").splitlines() if line.strip()]
    keep = sorted({r["pair_id"] for r in rows})[: args.pairs]
    out = []
    for r in rows:
        if r["pair_id"] in keep:
            meta = {k: r["meta"][k] for k in ("municipality", "team", "caseworker_id", "date", "caseload")}
            out.append({"id": r["id"], "kind": r["kind"], "pair_id": r["pair_id"], "attest_type": r["attest_type"],
                        "text": r["text"], **meta})
    out += [{"id": "DEMO-BAD-1", "kind": "request", "pair_id": "DEMO-BAD", "text": "   "},
            {"id": "DEMO-BAD-2", "kind": "notat", "pair_id": "DEMO-BAD", "text": "Journalnotat uden attest."},
            {"id": None, "kind": "certificate", "pair_id": "DEMO-BAD", "text": "Attest uden id."}]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in out), encoding="utf-8")
    print(f"wrote {len(out)} rows to {args.out}")


if __name__ == "__main__":
    main()
