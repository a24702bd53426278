"""A trained model on disk: ``model.json`` (labels, calibration, thresholds, base encoder) plus
small weight files in safetensors/JSON. Loading never unpickles anything."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from scorer.labels import KINDS
from scorer.models.calibration import Platt
from scorer.text import Segment

MANIFEST = "model.json"
#: weight formats that unpickle on load (arbitrary code execution): never read, refused outright
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".pkl", ".pickle", ".joblib", ".ckpt")


@dataclass
class KindModel:
    """The classifier of one document kind with its calibration and thresholds."""

    labels: tuple[str, ...]
    classifier: object
    platt: dict[str, Platt]
    thresholds: dict[str, float]

    def probabilities(self, logits: np.ndarray) -> np.ndarray:
        return np.stack([self.platt[name](logits[:, j]) for j, name in enumerate(self.labels)], axis=1)


def resolve_base_model(folder: Path, manifest: dict, base_model: str | Path | None) -> Path | None:
    """Explicit argument, then ``ATTESTSCORE_BASE_MODEL``, then the manifest's path (relative to
    the models folder)."""
    if manifest["family"] != "e5-attention":
        return None
    chosen = base_model or os.environ.get("ATTESTSCORE_BASE_MODEL")
    if chosen:
        return Path(chosen)
    recorded = Path(manifest["base_model"])
    return recorded if recorded.is_absolute() else folder.parent / recorded


class Bundle:
    """Both kinds' classifiers of one trained model; the encoder is built lazily, once."""

    def __init__(self, folder: Path, manifest: dict, kinds: dict[str, KindModel], base_model: Path | None):
        self.folder = folder
        self.manifest = manifest
        self.kinds = kinds
        self.base_model = base_model
        self._encoder = None

    @property
    def family(self) -> str:
        return self.manifest["family"]

    def encoder(self):
        if self._encoder is None:
            from scorer.models.encoder import SentenceEncoder

            self._encoder = SentenceEncoder(self.base_model)
        return self._encoder

    def predict(self, kind: str, docs: list[list[Segment]]) -> tuple[np.ndarray, list[np.ndarray]]:
        """Calibrated probabilities (docs × labels) and per-segment contributions."""
        model = self.kinds[kind]
        if self.family == "e5-attention":
            logits, contributions = model.classifier.predict(docs, self.encoder())
        else:
            logits, contributions = model.classifier.predict(docs)
        return model.probabilities(logits), contributions


def save_bundle(folder: Path, manifest: dict, kinds: dict[str, KindModel]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    manifest = dict(manifest)
    manifest["kinds"] = {kind: {"labels": list(m.labels),
                                "platt": {k: [p.a, p.b] for k, p in m.platt.items()},
                                "thresholds": m.thresholds} for kind, m in kinds.items()}
    for kind, m in kinds.items():
        m.classifier.save(folder, kind)
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))


def refuse_pickles(folder: Path) -> None:
    """Raise ``ValueError`` if ``folder`` holds pickle-based weight files: a model must be
    safetensors and JSON only, so loading one can never run code from the file."""
    found = sorted(p.name for p in folder.iterdir() if p.suffix.lower() in PICKLE_SUFFIXES)
    if found:
        raise ValueError(f"refusing to load model {folder}: pickle-based files {', '.join(found)}; "
                         "only safetensors and JSON weights are accepted")


def load_bundle(folder: str | Path, base_model: str | Path | None = None) -> Bundle:
    folder = Path(folder)
    path = folder / MANIFEST
    if not path.exists():
        raise FileNotFoundError(f"no trained model at {folder} ({MANIFEST} missing)")
    refuse_pickles(folder)
    manifest = json.loads(path.read_text(encoding="utf-8"))
    kinds = {}
    for kind in KINDS:
        spec = manifest["kinds"][kind]
        labels = tuple(spec["labels"])
        if manifest["family"] == "e5-attention":
            from scorer.models.attention import AttentionModel

            classifier = AttentionModel.load(folder, kind, labels, manifest["dim"])
        elif manifest["family"] == "tfidf-linear":
            from scorer.models.linear import LinearModel

            classifier = LinearModel.load(folder, kind, labels)
        else:
            raise ValueError(f"unknown model family {manifest['family']!r} in {path}")
        kinds[kind] = KindModel(labels, classifier, {k: Platt(*v) for k, v in spec["platt"].items()},
                                spec["thresholds"])
    return Bundle(folder, manifest, kinds, resolve_base_model(folder, manifest, base_model))
