"""TF-IDF word and character n-grams -> one logistic regression per label (the baseline)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from scorer.text import Segment

WORD = {"analyzer": "word", "ngram_range": (1, 2), "min_df": 2, "max_features": 40000, "sublinear_tf": True,
        "lowercase": True, "token_pattern": r"(?u)\b\w[\w.-]*\b"}
CHAR = {"analyzer": "char_wb", "ngram_range": (2, 5), "min_df": 2, "max_features": 60000, "sublinear_tf": True,
        "lowercase": True}


def _vectorizer(params: dict):
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(**params)


class LinearModel:
    """Per-label logistic regressions over shared TF-IDF features."""

    family = "tfidf-linear"

    def __init__(self, labels: tuple[str, ...], C: float = 4.0):
        self.labels = tuple(labels)
        self.C = C
        self.word = _vectorizer(WORD)
        self.char = _vectorizer(CHAR)
        self.coef = np.zeros((len(labels), 0), dtype=np.float32)
        self.intercept = np.zeros(len(labels), dtype=np.float32)

    def _features(self, texts: list[str]):
        from scipy.sparse import hstack

        return hstack([self.word.transform(texts), self.char.transform(texts)]).tocsr()

    @staticmethod
    def _doc_text(segments: list[Segment]) -> str:
        return "\n".join(s.text for s in segments)

    def fit(self, docs: list[list[Segment]], y: np.ndarray, seed: int = 0) -> "LinearModel":
        from sklearn.linear_model import LogisticRegression

        texts = [self._doc_text(d) for d in docs]
        self.word.fit(texts)
        self.char.fit(texts)
        x = self._features(texts)
        self.coef = np.zeros((len(self.labels), x.shape[1]), dtype=np.float32)
        for j in range(len(self.labels)):
            target = y[:, j]
            if target.min() == target.max():
                self.intercept[j] = 10.0 if target[0] == 1 else -10.0
                continue
            lr = LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000, random_state=seed)
            lr.fit(x, target)
            self.coef[j] = lr.coef_[0]
            self.intercept[j] = lr.intercept_[0]
        return self

    def predict(self, docs: list[list[Segment]]) -> tuple[np.ndarray, list[np.ndarray]]:
        """Logits (docs × labels) and, per document, each segment's contribution (segments × labels)."""
        logits = np.asarray(self._features([self._doc_text(d) for d in docs]) @ self.coef.T) + self.intercept
        contributions = []
        for d in docs:
            if not d:
                contributions.append(np.zeros((0, len(self.labels)), dtype=np.float32))
                continue
            contributions.append(np.asarray(self._features([s.text for s in d]) @ self.coef.T, dtype=np.float32))
        return logits.astype(np.float32), contributions

    def save(self, folder: Path, prefix: str) -> None:
        from safetensors.numpy import save_file

        vocab = {"word": {k: int(v) for k, v in self.word.vocabulary_.items()},
                 "char": {k: int(v) for k, v in self.char.vocabulary_.items()}}
        (folder / f"{prefix}.vocab.json").write_text(json.dumps(vocab, ensure_ascii=False))
        save_file({"coef": self.coef, "intercept": self.intercept,
                   "word_idf": self.word.idf_.astype(np.float64), "char_idf": self.char.idf_.astype(np.float64)},
                  str(folder / f"{prefix}.safetensors"))

    @classmethod
    def load(cls, folder: Path, prefix: str, labels: tuple[str, ...]) -> "LinearModel":
        from safetensors.numpy import load_file

        model = cls(labels)
        vocab = json.loads((folder / f"{prefix}.vocab.json").read_text(encoding="utf-8"))
        weights = load_file(str(folder / f"{prefix}.safetensors"))
        for vec, name in ((model.word, "word"), (model.char, "char")):
            vec.vocabulary_ = vocab[name]
            vec.idf_ = weights[f"{name}_idf"]
        model.coef, model.intercept = weights["coef"], weights["intercept"]
        return model
