"""Held-out metrics for binary labels: precision, recall, F1, confusion matrix, calibration error."""
from __future__ import annotations

import numpy as np

from scorer.models.calibration import expected_calibration_error


def binary_metrics(y: np.ndarray, p: np.ndarray, threshold: float) -> dict:
    """Metrics of one label at one threshold; ``confusion`` is [[tn, fp], [fn, tp]]."""
    y = y.astype(int)
    pred = (p >= threshold).astype(int)
    tp = int(((pred == 1) & (y == 1)).sum())
    fp = int(((pred == 1) & (y == 0)).sum())
    fn = int(((pred == 0) & (y == 1)).sum())
    tn = int(((pred == 0) & (y == 0)).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"n": int(len(y)), "support": int(y.sum()), "threshold": round(float(threshold), 3),
            "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "accuracy": round((tp + tn) / len(y), 4) if len(y) else 0.0,
            "ece": round(expected_calibration_error(p, y), 4), "confusion": [[tn, fp], [fn, tp]]}


def label_report(labels: tuple[str, ...], y: np.ndarray, p: np.ndarray, thresholds: dict[str, float]) -> dict:
    """Per-label metrics and their macro average of F1."""
    per_label = {name: binary_metrics(y[:, j], p[:, j], thresholds.get(name, 0.5)) for j, name in enumerate(labels)}
    return {"labels": per_label, "macro_f1": round(float(np.mean([m["f1"] for m in per_label.values()])), 4)}


def character_error_rate(reference: str, hypothesis: str) -> float:
    """Edit distance (insertions, deletions, substitutions) over the reference's length, both with
    whitespace collapsed: how OCR output is judged, since layout spaces carry no meaning."""
    ref, hyp = " ".join(reference.split()), " ".join(hypothesis.split())
    if not ref:
        return float(bool(hyp))
    codes = np.frombuffer(hyp.encode("utf-32-le"), dtype=np.uint32)
    steps = np.arange(len(hyp) + 1)
    row = steps.copy()
    for i, ch in enumerate(ref, start=1):
        # deletion and substitution in one vectorised step, then insertions as a running minimum
        best = np.minimum(row + 1, np.concatenate(([i], row[:-1] + (codes != ord(ch)))))
        best[0] = i
        row = np.minimum.accumulate(best - steps) + steps
    return float(row[-1]) / len(ref)
