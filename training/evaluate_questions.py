"""Held-out figures for the question signals: ``answers_questions`` against the corpus labels and
attest-type fit against the team-written question set.

No model is trained for these signals; thresholds are tuned on train+dev pairs (attest fit: on the
dev half of its set) and the test split is scored once with the chosen values.

    python training/evaluate_questions.py                     # lexical path; writes models/signals/*.json
    python training/evaluate_questions.py --encoder models/e5-small   # the e5 path, for comparison
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from scorer.answers import MIN_SHARE, THRESHOLD, match_answers, roll_up  # noqa: E402
from scorer.attest_fit import JOURNAL_BASED, attest_fit, needs_consultation  # noqa: E402
from scorer.corpus import load_corpus  # noqa: E402
from scorer.statistics import wilson  # noqa: E402

THRESHOLDS = [round(t, 2) for t in np.arange(0.04, 0.62, 0.02)]
SHARES = [0.25, 1 / 3, 0.5, 2 / 3, 0.75, 1.0]
FIT_SET = ROOT / "data" / "attest_fit" / "questions.jsonl"


@dataclass(frozen=True)
class Pair:
    pair_id: str
    attest_type: str | None
    label: int | None
    scores: list[float]


def load_pairs(split: str, embed=None) -> list[Pair]:
    """Every pair of a split with its label and the best answer score of each question."""
    by_pair: dict[str, dict[str, dict]] = {}
    for doc in load_corpus(ROOT / "data" / "annotated" / f"{split}.jsonl"):
        by_pair.setdefault(doc["pair_id"], {})[doc["kind"]] = doc
    pairs = []
    for pair_id, docs in sorted(by_pair.items()):
        match = match_answers(docs["request"]["text"], docs["certificate"]["text"], embed=embed)
        pairs.append(Pair(pair_id, docs["request"].get("attest_type"),
                          docs["certificate"]["labels"].get("answers_questions"),
                          [q.score for q in match.questions]))
    return pairs


def class_report(y: list[int], pred: list[int], cls: int) -> dict:
    tp = sum(a == cls and b == cls for a, b in zip(y, pred))
    n_pred, n_true = sum(b == cls for b in pred), sum(a == cls for a in y)
    precision, recall = wilson(tp, n_pred), wilson(tp, n_true)
    p, r = precision.estimate, recall.estimate
    f1 = None if not p or not r else round(2 * p * r / (p + r), 4)
    return {"support": n_true, "predicted": n_pred, "precision": precision.as_dict(), "recall": recall.as_dict(),
            "f1": f1}


def macro_f1(y: list[int], pred: list[int]) -> float:
    return float(np.mean([class_report(y, pred, c)["f1"] or 0.0 for c in (0, 1)]))


def predict(pairs: list[Pair], threshold: float, min_share: float) -> list[int | None]:
    return [roll_up(p.scores, threshold, min_share)[0] for p in pairs]


def tune(pairs: list[Pair]) -> dict:
    """The (threshold, min_share) with the best macro F1 over the 0 and 1 classes on labelled pairs
    with questions; ties go to the lower threshold."""
    asked = [p for p in pairs if p.label is not None and p.scores]
    y = [p.label for p in asked]
    grid = [(macro_f1(y, predict(asked, t, s)), -t, s) for t in THRESHOLDS for s in SHARES]
    best, neg_t, share = max(grid)
    return {"threshold": float(-neg_t), "min_share": round(share, 4), "macro_f1_train_dev": round(best, 4),
            "pairs": len(asked)}


def report(pairs: list[Pair], threshold: float, min_share: float) -> dict:
    asked = [p for p in pairs if p.label is not None and p.scores]
    y, pred = [p.label for p in asked], predict(asked, threshold, min_share)
    none_right = sum((p.label is None) == (not p.scores) for p in pairs)
    missed = [p.pair_id for p in pairs if p.label is not None and not p.scores]
    return {
        "pairs": len(pairs),
        "labels": {"1": sum(p.label == 1 for p in pairs), "0": sum(p.label == 0 for p in pairs),
                   "none": sum(p.label is None for p in pairs)},
        "class_0": class_report(y, pred, 0), "class_1": class_report(y, pred, 1),
        "accuracy": wilson(sum(a == b for a, b in zip(y, pred)), len(y)).as_dict(),
        "none_detection_accuracy": wilson(none_right, len(pairs)).as_dict(),
        "none_predicted_but_labelled": len(missed),
        "note": "class 0 and 1 figures on pairs whose request has questions by both the label and the splitter",
    }


def evaluate_answers(embed=None, name: str = "lexical") -> dict:
    tuning = load_pairs("train", embed) + load_pairs("dev", embed)
    chosen = tune(tuning)
    test = load_pairs("test", embed)
    return {"signal": "answers_questions", "path": name, "chosen": chosen,
            "module_defaults": {"threshold": THRESHOLD, "min_share": MIN_SHARE},
            "train_dev": report(tuning, chosen["threshold"], chosen["min_share"]),
            "test": report(test, chosen["threshold"], chosen["min_share"])}


def evaluate_attest_fit() -> dict:
    """Precision/recall of the consultation cue per question (dev and test halves of the team-written
    set), and how often corpus requests with a journal-based type get flagged."""
    items = load_corpus(FIT_SET)
    out: dict = {"signal": "attest_fit", "set": str(FIT_SET.relative_to(ROOT)),
                 "set_note": "team-written fictional questions, labelled by the team; "
                             "split dev/test before tuning"}
    for split in ("dev", "test"):
        subset = [i for i in items if i["split"] == split]
        y = [i["needs_consultation"] for i in subset]
        pred = [int(needs_consultation(i["question"]) is not None) for i in subset]
        flagged = [int(bool(attest_fit(i["question"], i["attest_type"]))) for i in subset]
        should = [int(i["needs_consultation"] and i["attest_type"] in JOURNAL_BASED) for i in subset]
        out[split] = {"items": len(subset), "positives": sum(y), "cue": class_report(y, pred, 1),
                      "flag": class_report(should, flagged, 1)}
    corpus = {}
    for split in ("train", "dev", "test"):
        requests = [d for d in load_corpus(ROOT / "data" / "annotated" / f"{split}.jsonl")
                    if d["kind"] == "request" and d.get("attest_type") in JOURNAL_BASED]
        corpus[split] = {"journal_based_requests": len(requests),
                         "flagged": sum(bool(attest_fit(d["text"], d["attest_type"])) for d in requests)}
    out["corpus_flag_counts"] = corpus
    return out


def encoder_embed(path: Path):
    from scorer.models.encoder import SentenceEncoder

    encoder = SentenceEncoder(path)
    cache: dict[str, np.ndarray] = {}

    def embed(texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in cache]
        if missing:
            cache.update(zip(missing, encoder.embed(missing)))
        return np.stack([cache[t] for t in texts])
    return embed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoder", type=Path, help="evaluate the embedding path with this encoder folder")
    parser.add_argument("--out", type=Path, default=ROOT / "models" / "signals")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    if args.encoder:
        results = {f"questions_{args.encoder.name}": evaluate_answers(encoder_embed(args.encoder),
                                                                      f"embedding:{args.encoder.name}")}
    else:
        results = {"questions": evaluate_answers(), "attest_fit": evaluate_attest_fit()}
    for name, figures in results.items():
        text = json.dumps(figures, indent=2, ensure_ascii=False)
        print(text)
        if not args.no_write:
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / f"{name}.json").write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
