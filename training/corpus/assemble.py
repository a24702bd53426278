"""Assemble hand-written batch files into the corpus JSON Lines.

Writers author documents in a plain block format (no JSON escaping to get wrong)::

    === P0001 request
    specific=1 focus=1 purpose=0 ...
    ---
    the text, as many lines as it needs
    === P0001 certificate
    in_depth=0 diagnosis=1 ... answers_questions=null
    ---
    the text

The batch files hold the first annotation. ``agreement/adjudication.txt`` (lines
``P0379 request caseworker_assessment=0 | kept|changed | reason``) holds the labels settled after the
blind second annotation; they override the batch labels. This script joins those blocks with the slot metadata from the plan files and writes the fixed
splits ``train.jsonl``, ``dev.jsonl`` and ``test.jsonl`` (≈ 70/15/15 by pair, stratified by the
pair's overall labels and LÆ 125 or not). ``--check FILE`` only parses one batch file.

    python training/corpus/assemble.py --batches data/annotated/batches --out data/annotated
"""
from __future__ import annotations

import argparse
import json
import random
import re
from collections import defaultdict
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from scorer.labels import KINDS, consistency_errors  # noqa: E402

HEADER = re.compile(r"^=== ([PX]\d{4}) (request|certificate)\s*$")


def parse_labels(line: str) -> dict[str, int | None]:
    labels: dict[str, int | None] = {}
    for item in line.split():
        key, _, value = item.partition("=")
        labels[key] = None if value == "null" else int(value)
    return labels


def parse_blocks(path: Path) -> tuple[list[dict], list[str]]:
    """Documents and problems (with line numbers) of one batch file."""
    docs, problems = [], []
    lines = path.read_text(encoding="utf-8").splitlines()
    starts = [i for i, line in enumerate(lines) if HEADER.match(line)]
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        pair_id, kind = HEADER.match(lines[start]).groups()
        where = f"{path.name}:{start + 1}"
        if start + 2 >= end or lines[start + 2].strip() != "---":
            problems.append(f"{where}: expected a label line and then '---'")
            continue
        try:
            labels = parse_labels(lines[start + 1])
        except ValueError as exc:
            problems.append(f"{where}: unreadable label line ({exc})")
            continue
        problems += [f"{where} {pair_id} {kind}: {e}" for e in consistency_errors(kind, labels)]
        text = "\n".join(lines[start + 3:end]).strip("\n")
        if not text.strip():
            problems.append(f"{where}: empty text")
        docs.append({"pair_id": pair_id, "kind": kind, "labels": labels, "text": text})
    if not starts:
        problems.append(f"{path.name}: no '=== Pnnnn kind' headers found")
    return docs, problems


def load_adjudication(path: Path) -> dict[tuple[str, str], dict[str, int | None]]:
    """(pair, kind) -> settled labels, from the adjudication file (absent file: nothing settled)."""
    settled: dict[tuple[str, str], dict[str, int | None]] = {}
    if not path.exists():
        return settled
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            pair_id, kind, assignment = line.split("|")[0].split()
            settled.setdefault((pair_id, kind), {}).update(parse_labels(assignment))
    return settled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=Path, default=Path("data/annotated/batches"))
    parser.add_argument("--out", type=Path, default=Path("data/annotated"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--check", type=Path, help="only parse this batch file and report problems")
    args = parser.parse_args()
    if args.check:
        docs, problems = parse_blocks(args.check)
        print("\n".join(problems) or f"ok: {len(docs)} documents")
        sys.exit(1 if problems else 0)
    plan = {s["pair_id"]: s for f in sorted(args.batches.glob("plan_*.json"))
            for s in json.loads(f.read_text(encoding="utf-8"))}
    records, problems = {}, []
    adjudicated = load_adjudication(args.batches.parent / "agreement" / "adjudication.txt")
    for path in sorted(args.batches.glob("batch_*.txt")):
        docs, file_problems = parse_blocks(path)
        problems += file_problems
        for doc in docs:
            key = (doc["pair_id"], doc["kind"])
            if key in records:
                problems.append(f"{path.name}: {key} written twice")
            records[key] = doc
    for key, labels in adjudicated.items():
        records[key]["labels"] = {**records[key]["labels"], **labels}
        problems += [f"adjudication {key}: {e}" for e in consistency_errors(key[1], records[key]["labels"])]
    out = []
    for pair_id, slot in plan.items():
        if not all((pair_id, k) in records for k in KINDS):
            continue
        for kind in KINDS:
            doc = records[(pair_id, kind)]
            m = slot["meta"]
            meta = {"municipality": m["municipality"], "team": m["team"],
                    "caseworker_id": m["caseworker_id"], "citizen_id": m["citizen_id"],
                    "date": m["request_date"] if kind == "request" else m["certificate_date"],
                    "caseload": m["caseload"], "condition_group": slot["condition_group"],
                    "hard_case": slot["hard_case"],
                    "format": slot[f"{kind}_format"]}
            out.append({"id": f"{pair_id}-{'R' if kind == 'request' else 'C'}", "kind": kind,
                        "pair_id": pair_id, "attest_type": slot["attest_type"], "text": doc["text"],
                        "labels": doc["labels"], "meta": meta})
    split_of = assign_splits(out, args.seed, existing_splits(args.out))
    args.out.mkdir(parents=True, exist_ok=True)
    for split in SPLITS:
        with (args.out / f"{split}.jsonl").open("w", encoding="utf-8") as fh:
            for rec in out:
                if split_of[rec["pair_id"]] == split:
                    fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print("\n".join(problems))
    counts = {s: sum(v == s for v in split_of.values()) for s in SPLITS}
    print(f"wrote {len(out)} documents ({len(out) // 2} pairs) to {args.out} {counts}; {len(problems)} problems")


SPLITS = ("train", "dev", "test")
SHARES = (0.70, 0.15, 0.15)


def existing_splits(folder: Path) -> dict[str, str]:
    """Pair -> split as already written: splits are fixed once made, whatever labels change later."""
    found = {}
    for split in SPLITS:
        path = folder / f"{split}.jsonl"
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    found[json.loads(line)["pair_id"]] = split
    return found


def assign_splits(records: list[dict], seed: int, fixed: dict[str, str] | None = None) -> dict[str, str]:
    """Pair -> split, stratified by (specific, in_depth, LÆ 125 or not); pairs in ``fixed`` keep
    their split, so adjudicated labels never move a pair between splits."""
    fixed = fixed or {}
    strata: dict[tuple, list[str]] = defaultdict(list)
    labels = {(r["pair_id"], r["kind"]): r["labels"] for r in records}
    for r in records:
        if r["kind"] == "request" and r["pair_id"] not in fixed:
            key = (r["labels"]["specific"], labels[(r["pair_id"], "certificate")]["in_depth"],
                   r["attest_type"] == "LÆ 125")
            strata[key].append(r["pair_id"])
    rng = random.Random(seed)
    split_of = {pid: split for pid, split in fixed.items() if (pid, "request") in labels}
    for key in sorted(strata):
        pairs = sorted(strata[key])
        rng.shuffle(pairs)
        n = len(pairs)
        n_dev, n_test = round(n * SHARES[1]), round(n * SHARES[2])
        for i, pid in enumerate(pairs):
            split_of[pid] = "test" if i < n_test else "dev" if i < n_test + n_dev else "train"
    return split_of


if __name__ == "__main__":
    main()
