"""Train one model family on the annotated corpus and write a model folder.

    python training/train.py --family e5 --out models/attestscore-e5 --base-model models/e5-small
    python training/train.py --family tfidf --out models/attestscore-tfidf

Choices (hyper-parameters, calibration, thresholds) use train and dev only: Platt scaling is fitted
on 5-fold out-of-fold predictions on train, thresholds on dev. The test split is scored once, after
the model is frozen, and only written to ``metrics.json`` and the model card.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from scorer.bundle import KindModel, save_bundle  # noqa: E402
from scorer.evaluation import label_report  # noqa: E402
from scorer.models.attention import embed  # noqa: E402
from scorer.labels import CERTIFICATE_LABELS, KINDS, PAIR_CRITERION, REQUEST_LABELS  # noqa: E402
from scorer.models.calibration import Platt, best_threshold  # noqa: E402
from scorer.api import document_segments  # noqa: E402
from training.model_card import write_card  # noqa: E402

SPLITS = ("train", "dev", "test")
MODEL_LABELS = {"request": REQUEST_LABELS,
                "certificate": tuple(x for x in CERTIFICATE_LABELS if x != PAIR_CRITERION)}
GRIDS = {"tfidf": [{"C": c} for c in (1.0, 4.0, 16.0)],
         "e5": [{"contextual": c, "epochs": e} for c in (True, False) for e in (200, 400)]}


def load_splits(data: Path) -> dict[str, list[dict]]:
    from datasets import load_dataset

    files = {s: str(data / f"{s}.jsonl") for s in SPLITS}
    ds = load_dataset("json", data_files=files)
    return {s: ds[s].to_list() for s in SPLITS}


def average_precision(y: np.ndarray, s: np.ndarray) -> float:
    from sklearn.metrics import average_precision_score

    scores = [average_precision_score(y[:, j], s[:, j]) for j in range(y.shape[1]) if 0 < y[:, j].sum() < len(y)]
    return float(np.mean(scores))


class Family:
    """Fits and predicts one classifier family on segmented documents (embeddings cached)."""

    def __init__(self, name: str, base_model: Path | None, cache: Path, seed: int):
        self.name, self.seed = name, seed
        self.encoder = None
        self.cache_file = None
        self.cache: dict[str, np.ndarray] = {}
        if name == "e5":
            from scorer.models.encoder import SentenceEncoder

            self.encoder = SentenceEncoder(base_model)
            key = hashlib.sha1(str(Path(base_model).resolve()).encode()).hexdigest()[:10]
            cache.mkdir(parents=True, exist_ok=True)
            self.cache_file = cache / f"documents-{key}.npz"
            if self.cache_file.exists():
                with np.load(self.cache_file) as data:
                    self.cache = {k: data[k] for k in data.files}

    def embed(self, docs, contextual: bool):
        """Segment embeddings per document (in context or one by one), cached by segment texts."""
        mode = "ctx" if contextual else "iso"
        keys = [mode + hashlib.sha1("\x1e".join(s.text for s in d).encode()).hexdigest() for d in docs]
        todo = {k: d for k, d in zip(keys, docs) if k not in self.cache}
        if todo:
            t0 = time.time()
            vectors = embed(self.encoder, [[s.text for s in d] for d in todo.values()], contextual)
            self.cache.update(zip(todo, vectors))
            print(f"  embedded {len(todo)} documents in {time.time() - t0:.0f}s", flush=True)
            np.savez(self.cache_file, **{k: v for k, v in self.cache.items()})
        return [self.cache[k] for k in keys]

    def make(self, labels, params):
        if self.name == "tfidf":
            from scorer.models.linear import LinearModel

            return LinearModel(labels, **params)
        from scorer.models.attention import AttentionModel

        return AttentionModel(labels, self.encoder.dim, **params)

    def features(self, docs, params):
        return docs if self.name == "tfidf" else self.embed(docs, params.get("contextual", True))

    def fit_predict(self, labels, params, x_train, y_train, x_eval):
        model = self.make(labels, params).fit(x_train, y_train, seed=self.seed)
        return model, self.predict(model, x_eval)

    def predict(self, model, x):
        return model.predict(x)[0] if self.name == "tfidf" else model.predict_embedded(x)[0]


def train_kind(family: Family, kind: str, splits: dict[str, list[dict]], log: dict) -> tuple[KindModel, dict]:
    from sklearn.model_selection import KFold

    labels = MODEL_LABELS[kind]
    docs = {s: [r for r in splits[s] if r["kind"] == kind] for s in SPLITS}
    segmented = {s: [document_segments(r["text"]) for r in docs[s]] for s in SPLITS}
    y = {s: np.array([[r["labels"][n] for n in labels] for r in docs[s]], dtype=np.int64) for s in SPLITS}
    grid = []
    for params in GRIDS[family.name]:
        x = {s: family.features(segmented[s], params) for s in ("train", "dev")}
        _, dev_logits = family.fit_predict(labels, params, x["train"], y["train"], x["dev"])
        grid.append({"params": params, "dev_mean_average_precision": round(average_precision(y["dev"], dev_logits), 4)})
        print(f"  {kind} {params}: dev mAP {grid[-1]['dev_mean_average_precision']}", flush=True)
    best = max(grid, key=lambda g: g["dev_mean_average_precision"])["params"]
    x = {s: family.features(segmented[s], best) for s in SPLITS}
    n_train = len(docs["train"])
    oof = np.zeros((n_train, len(labels)), dtype=np.float32)
    for fold_train, fold_eval in KFold(5, shuffle=True, random_state=family.seed).split(np.arange(n_train)):
        pick = (lambda xs, idx: [xs[i] for i in idx])
        _, oof[fold_eval] = family.fit_predict(labels, best, pick(x["train"], fold_train), y["train"][fold_train],
                                               pick(x["train"], fold_eval))
    platt = {n: Platt.fit(oof[:, j], y["train"][:, j]) for j, n in enumerate(labels)}
    model = family.make(labels, best).fit(x["train"], y["train"], seed=family.seed)
    kind_model = KindModel(labels, model, platt, {})
    dev_p = kind_model.probabilities(family.predict(model, x["dev"]))
    kind_model.thresholds = {n: best_threshold(dev_p[:, j], y["dev"][:, j]) for j, n in enumerate(labels)}
    test_p = kind_model.probabilities(family.predict(model, x["test"]))
    log[kind] = {"grid": grid, "chosen": best}
    metrics = {"dev": label_report(labels, y["dev"], dev_p, kind_model.thresholds),
               "test": label_report(labels, y["test"], test_p, kind_model.thresholds),
               "test_subsets": subset_reports(labels, docs["test"], y["test"], test_p, kind_model.thresholds)}
    return kind_model, metrics


def subset_reports(labels, docs, y, p, thresholds) -> dict:
    """The overall label on the hard parts of the test split: exports, long documents, hard cases."""
    overall = labels[0]
    masks = {"export": [r["meta"].get("format") == "export" for r in docs],
             "over_600_words": [len(r["text"].split()) > 600 for r in docs],
             "hard_case_pairs": [bool(r["meta"].get("hard_case")) for r in docs]}
    out = {}
    for name, mask in masks.items():
        mask = np.array(mask, dtype=bool)
        if mask.sum():
            sub = label_report((overall,), y[mask][:, :1], p[mask][:, :1], thresholds)
            out[name] = sub["labels"][overall]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", choices=("tfidf", "e5"), required=True)
    parser.add_argument("--data", type=Path, default=Path("data/annotated"))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--base-model", type=Path, default=Path("models/e5-small"))
    parser.add_argument("--cache", type=Path, default=Path("training/cache"))
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    np.random.seed(args.seed)
    t0 = time.time()
    splits = load_splits(args.data)
    family = Family(args.family, args.base_model if args.family == "e5" else None, args.cache, args.seed)
    kinds, metrics, log = {}, {}, {}
    for kind in KINDS:
        kinds[kind], metrics[kind] = train_kind(family, kind, splits, log)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    manifest = {"name": args.out.name, "family": "e5-attention" if args.family == "e5" else "tfidf-linear",
                "seed": args.seed, "selection": log, "git_commit": commit,
                "command": " ".join(["python"] + sys.argv),
                "corpus": {s: len(splits[s]) for s in SPLITS}}
    if args.family == "e5":
        base = args.base_model.resolve()
        models_dir = args.out.resolve().parent
        manifest["base_model"] = str(base.relative_to(models_dir)) if base.is_relative_to(models_dir) else str(base)
        manifest["dim"] = family.encoder.dim
    save_bundle(args.out, manifest, kinds)
    metrics["training_seconds"] = round(time.time() - t0, 1)
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    write_card(args.out)
    for kind in KINDS:
        print(f"{kind}: dev macro-F1 {metrics[kind]['dev']['macro_f1']}  test macro-F1 {metrics[kind]['test']['macro_f1']}")
    print(f"wrote {args.out} in {metrics['training_seconds']}s")


if __name__ == "__main__":
    main()
