"""Score a labelled JSON Lines file (or a block-format file) with a trained model and print per-label
metrics at the model's own thresholds. For evaluation only: nothing here feeds back into a model.

    python training/evaluate.py --model models/attestscore-e5 --data challenge/set_a.txt challenge/set_b.txt
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import scorer  # noqa: E402
from scorer.api import document_segments  # noqa: E402
from scorer.evaluation import label_report  # noqa: E402
from scorer.labels import KINDS  # noqa: E402
from training.corpus.assemble import parse_blocks  # noqa: E402


def load_documents(paths: list[Path]) -> list[dict]:
    docs = []
    for path in paths:
        if path.suffix == ".jsonl":
            docs += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        else:
            docs += parse_blocks(path)[0]
    return docs


def evaluate(model_path: Path, docs: list[dict], base_model: Path | None = None) -> dict:
    s = scorer.load(model_path, base_model=base_model)
    out = {}
    for kind in KINDS:
        subset = [d for d in docs if d["kind"] == kind]
        if not subset:
            continue
        model = s.bundle.kinds[kind]
        probs, _ = s.bundle.predict(kind, [document_segments(d["text"]) for d in subset])
        y = np.array([[d["labels"][n] for n in model.labels] for d in subset])
        out[kind] = label_report(model.labels, y, probs, model.thresholds)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, nargs="+", required=True)
    parser.add_argument("--data", type=Path, nargs="+", required=True)
    parser.add_argument("--base-model", type=Path, help="local encoder folder instead of the model's own")
    parser.add_argument("--json", type=Path, help="also write the metrics here")
    args = parser.parse_args()
    docs = load_documents(args.data)
    results = {}
    for model in args.model:
        results[model.name] = evaluate(model, docs, args.base_model)
        for kind, report in results[model.name].items():
            overall = next(iter(report["labels"]))
            m = report["labels"][overall]
            print(f"{model.name:22s} {kind:12s} n={m['n']:3d} {overall}: P {m['precision']:.2f} R {m['recall']:.2f} "
                  f"F1 {m['f1']:.2f} acc {m['accuracy']:.2f}   macro-F1 all labels {report['macro_f1']:.2f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
