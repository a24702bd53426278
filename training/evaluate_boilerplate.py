"""Held-out figures of the archive boilerplate signal against the corpus's ``boilerplate`` label.

    python training/evaluate_boilerplate.py --model models/attestscore-tfidf --out models/signals/boilerplate.json

The index is fitted over every request of the corpus (the archive is unlabelled input). The share
threshold and ``min_documents`` are chosen by F1 on the train+dev labels; the test split is scored
once with that choice, alone and combined with the model's boilerplate probability
(``max(model_p, reuse signal)``: flagged when either says boilerplate).
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import scorer  # noqa: E402
from scorer.api import document_segments  # noqa: E402
from scorer.boilerplate import BoilerplateConfig, BoilerplateIndex  # noqa: E402
from scorer.corpus import load_corpus  # noqa: E402
from scorer.evaluation import binary_metrics  # noqa: E402

LABEL = "boilerplate"
MIN_DOCUMENTS = (2, 3, 5)
THRESHOLDS = np.round(np.arange(0.05, 1.0, 0.05), 2)


def requests(corpus: Path, split: str) -> list[dict]:
    return [d for d in load_corpus(corpus / f"{split}.jsonl") if d["kind"] == "request"]


def shares(index: BoilerplateIndex, docs: list[dict]) -> np.ndarray:
    return np.array([r.share for r in index.reuse_many(d["text"] for d in docs)])


def signal_metrics(y: np.ndarray, signal: np.ndarray, threshold: float) -> dict:
    """Metrics of a thresholded signal that is not a probability (no calibration figure)."""
    out = binary_metrics(y, signal, threshold)
    out.pop("ece")
    return out


def choose(index_for: dict[int, BoilerplateIndex], tune: list[dict]) -> dict:
    """The (min_documents, threshold) with the best train+dev F1; ties go to the stricter setting."""
    y = np.array([d["labels"][LABEL] for d in tune])
    best: dict = {}
    for min_documents, index in index_for.items():
        s = shares(index, tune)
        for threshold in THRESHOLDS:
            m = signal_metrics(y, s, float(threshold))
            key = (m["f1"], min_documents, threshold)
            if not best or key > best["key"]:
                best = {"key": key, "min_documents": min_documents, "threshold": float(threshold), "tune": m}
    best.pop("key")
    return best


def model_probabilities(model: Path, docs: list[dict]) -> tuple[np.ndarray, float]:
    bundle = scorer.load(model).bundle
    labels = bundle.kinds["request"].labels
    probs, _ = bundle.predict("request", [document_segments(d["text"]) for d in docs])
    return probs[:, labels.index(LABEL)], float(bundle.kinds["request"].thresholds[LABEL])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("data/annotated"))
    parser.add_argument("--model", type=Path, nargs="*", default=[Path("models/attestscore-tfidf")])
    parser.add_argument("--out", type=Path, default=Path("models/signals/boilerplate.json"))
    args = parser.parse_args()

    splits = {split: requests(args.data, split) for split in ("train", "dev", "test")}
    archive = [d["text"] for docs in splits.values() for d in docs]
    index_for = {m: BoilerplateIndex(BoilerplateConfig(min_documents=m, width=2 ** 20)).fit(archive)
                 for m in MIN_DOCUMENTS}
    tune, test = splits["train"] + splits["dev"], splits["test"]
    chosen = choose(index_for, tune)
    index = index_for[chosen["min_documents"]]
    y_test = np.array([d["labels"][LABEL] for d in test])
    test_shares = shares(index, test)
    flagged = (test_shares >= chosen["threshold"]).astype(float)
    all_shares = shares(index, [*tune, *test])
    results = {
        "archive": {"requests": len(archive), "with_reused_text": int((all_shares > 0).sum()),
                    "mean_share": round(float(all_shares.mean()), 4)},
        "config": asdict(index.config),
        "chosen_on_train_dev": chosen,
        "test": {"reuse_signal": signal_metrics(y_test, test_shares, chosen["threshold"])},
    }
    for model in args.model:
        p, threshold = model_probabilities(model, test)
        results["test"][model.name] = binary_metrics(y_test, p, threshold)
        results["test"][f"max({model.name}, reuse signal)"] = binary_metrics(y_test, np.maximum(p, flagged), threshold)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
