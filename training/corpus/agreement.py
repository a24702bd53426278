"""Inter-annotator agreement on a blind second annotation.

    # 1. sample pairs and write their texts without labels for the second annotator
    python training/corpus/agreement.py blind --n 88 --parts 2   # blind_pairs_a.txt, blind_pairs_b.txt
    # 2. after the second annotation: Cohen's kappa per label, and the list of disagreements
    python training/corpus/agreement.py kappa   # reads agreement/second_*.txt

The second annotator sees only the texts and the codebook, never the first labels.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from scorer.labels import KINDS, label_names  # noqa: E402

SPLITS = ("train", "dev", "test")
LINE = re.compile(r"^(P\d{4}) (request|certificate) (.+)$")


def load_first(data: Path) -> dict[tuple[str, str], dict]:
    docs = {}
    for split in SPLITS:
        for line in (data / f"{split}.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                docs[(r["pair_id"], r["kind"])] = r
    return docs


def blind(args: argparse.Namespace) -> None:
    docs = load_first(args.data)
    pairs = sorted({pid for pid, _ in docs})
    chosen = random.Random(args.seed).sample(pairs, args.n)
    args.out.mkdir(parents=True, exist_ok=True)
    size = -(-len(chosen) // args.parts)
    for part in range(args.parts):
        blocks = [f"=== {pid} {kind} ({docs[(pid, kind)]['attest_type']})\n{docs[(pid, kind)]['text']}\n"
                  for pid in chosen[part * size:(part + 1) * size] for kind in KINDS]
        (args.out / f"blind_pairs_{'abcdefgh'[part]}.txt").write_text("".join(blocks), encoding="utf-8")
    print(f"wrote {len(chosen)} pairs in {args.parts} parts to {args.out}")


def parse_second(path: Path) -> dict[tuple[str, str], dict]:
    out = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        match = LINE.match(line.strip())
        if not match:
            raise ValueError(f"{path}:{number}: expected 'Pnnnn kind key=value …'")
        pid, kind, rest = match.groups()
        labels = {}
        for item in rest.split():
            key, _, value = item.partition("=")
            labels[key] = None if value == "null" else int(value)
        out[(pid, kind)] = labels
    return out


def first_annotation(batches: Path) -> dict[tuple[str, str], dict]:
    """The writers' own labels, before adjudication: what the second annotator is compared with."""
    from training.corpus.assemble import parse_blocks

    docs = {}
    for path in sorted(batches.glob("batch_*.txt")):
        for doc in parse_blocks(path)[0]:
            docs[(doc["pair_id"], doc["kind"])] = doc
    return docs


def kappa(args: argparse.Namespace) -> None:
    from sklearn.metrics import cohen_kappa_score

    first = first_annotation(args.data / "batches")
    second = {}
    for path in args.second:
        second.update(parse_second(path))
    report: dict = {"pairs": len({pid for pid, _ in second}), "labels": {}}
    disagreements = []
    for kind in KINDS:
        for name in label_names(kind):
            keys = [k for k in second if k[1] == kind and name in second[k]]
            a = [first[k]["labels"][name] for k in keys]
            b = [second[k][name] for k in keys]
            if name == "answers_questions":  # null (no questions) is a category of its own
                a = [-1 if v is None else v for v in a]
                b = [-1 if v is None else v for v in b]
            agree = sum(x == y for x, y in zip(a, b)) / len(a) if a else None
            k = cohen_kappa_score(a, b) if len(set(a) | set(b)) > 1 else 1.0
            report["labels"][f"{kind}.{name}"] = {"n": len(a), "agreement": round(agree, 3),
                                                  "kappa": round(float(k), 3)}
            disagreements += [f"{pid} {kind} {name}: first={x} second={y}" for (pid, _), x, y in zip(keys, a, b)
                              if x != y]
    args.report.write_text(json.dumps(report, indent=2))
    args.disagreements.write_text("\n".join(disagreements) + "\n")
    for key, row in report["labels"].items():
        print(f"{key:45s} n={row['n']:3d} agreement={row['agreement']:.3f} kappa={row['kappa']:.3f}")
    print(f"{len(disagreements)} disagreements -> {args.disagreements}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("data/annotated"))
    sub = parser.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("blind")
    b.add_argument("--n", type=int, default=88)
    b.add_argument("--seed", type=int, default=11)
    b.add_argument("--parts", type=int, default=2)
    b.add_argument("--out", type=Path, default=Path("data/annotated/agreement"))
    b.set_defaults(func=blind)
    k = sub.add_parser("kappa")
    k.add_argument("--second", type=Path, nargs="+", default=sorted(Path("data/annotated/agreement").glob("second_*.txt")))
    k.add_argument("--report", type=Path, default=Path("data/annotated/agreement/kappa.json"))
    k.add_argument("--disagreements", type=Path, default=Path("data/annotated/agreement/disagreements.txt"))
    k.set_defaults(func=kappa)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
