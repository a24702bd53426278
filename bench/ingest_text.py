"""The text side of `attestscore ingest` on a corpus split, no files involved:

* header: how often the kind and the LÆ number read from the letterhead match the annotation
  (right / unknown / wrong), the fallback when neither manifest nor file name says;
* layout: how often a wrapped, hyphenated, paginated export of a document typed clean (documents
  of format ``export`` are left out: they have no clean twin) gives exactly the clean text's segments.

    python bench/ingest_text.py --split test
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scorer.ingest.header import read_header  # noqa: E402
from scorer.text import normalize_layout, segment  # noqa: E402
from training.corpus.exports import pages  # noqa: E402


def _export(text: str) -> str:
    return "\n".join(line for page in pages(text, "Jobcenter · sagsakt", "03.02.2025 kl. 10:14") for line in page)


def _segments(text: str) -> list[str]:
    return [s.text for s in segment(text)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="test")
    args = parser.parse_args()
    path = ROOT / "data" / "annotated" / f"{args.split}.jsonl"
    docs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    kind, lae = Counter(), Counter()
    for doc in docs:
        found = read_header(doc["text"])
        kind["unknown" if found.kind is None else "right" if found.kind == doc["kind"] else "wrong"] += 1
        lae["unknown" if found.attest_type is None else "right" if found.attest_type == doc["attest_type"]
            else "wrong"] += 1
    typed = [d for d in docs if d["meta"].get("format") != "export"]
    same = sum(_segments(normalize_layout(_export(d["text"]))) == _segments(d["text"]) for d in typed)
    print(f"{args.split}: {len(docs)} documents")
    print(f"header kind: right {kind['right']}, unknown {kind['unknown']}, wrong {kind['wrong']}")
    print(f"header LÆ number: right {lae['right']}, unknown {lae['unknown']}, wrong {lae['wrong']}")
    print(f"export layout undone to the clean text's exact segments: {same}/{len(typed)} documents typed clean")


if __name__ == "__main__":
    main()
