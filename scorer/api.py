"""The Python API: ``scorer.load()`` returns a :class:`Scorer`; everything else is built on it.

    >>> import scorer
    >>> s = scorer.load()                        # the shipped default model
    >>> r = s.score_request("Kære læge ...", attest_type="LÆ 125")
    >>> r.label, round(r.probability, 2), [f.criterion for f in r.feedback]
"""
from __future__ import annotations

import hashlib
import os
import re
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

import numpy as np

from scorer.bundle import Bundle, load_bundle
from scorer.feedback import attest_fit_feedback, request_feedback, reuse_feedback
from scorer.labels import (ATTEST_TYPES, CERTIFICATE_CRITERIA, CERTIFICATE_OVERALL, DOMAINS, KINDS,
                           REQUEST_CRITERIA, REQUEST_OVERALL)
from scorer.results import CertificateScore, Evidence, PairScore, RequestScore
from scorer.text import Segment, segment

if TYPE_CHECKING:
    from scorer.boilerplate import BoilerplateIndex

DEFAULT_MODEL_NAME = "attestscore-e5"
EVIDENCE_PER_LABEL = 3
#: share of a request's words that recur in other citizens' requests from which the feedback says so.
#: A product rule, not a tuned value: on the corpus, archive reuse and the annotated "generic wording"
#: are different things (models/signals/boilerplate.json: reuse alone F1 0.53; max(model, reuse) 0.82
#: against 0.97 for the model), so reuse adds evidence and feedback but leaves the criterion's probability.
REUSE_THRESHOLD = 0.5
#: documents whose model outputs are remembered: archives repeat texts (standard letters, copies)
CACHE_SIZE = 4096


def default_model_path() -> Path:
    """``ATTESTSCORE_MODEL`` if set, else the shipped model in the repository's ``models/``."""
    env = os.environ.get("ATTESTSCORE_MODEL")
    return Path(env) if env else Path(__file__).resolve().parents[1] / "models" / DEFAULT_MODEL_NAME


def normalize_attest_type(value: Any) -> str | None:
    """'LÆ 125', 'LÆ125', 'LAE 125' or '125' -> 'LÆ 125'; None stays None; others raise ValueError."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value == "":
        return None
    match = re.fullmatch(r"\s*(?:L(?:Æ|AE|E)\.?\s*)?(\d{3})\s*", str(value), flags=re.IGNORECASE)
    if match and f"LÆ {match.group(1)}" in ATTEST_TYPES:
        return f"LÆ {match.group(1)}"
    raise ValueError(f"unknown attest type {str(value)[:40]!r}; expected one of {', '.join(ATTEST_TYPES)}")


def check_text(text: Any) -> str:
    """The text itself, or a ``ValueError`` saying why it cannot be scored."""
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {type(text).__name__}")
    if not text.strip():
        raise ValueError("text is empty")
    return text


def document_segments(text: str) -> list[Segment]:
    """Segments a model reads; a text of pure furniture still yields one segment, never none."""
    found = segment(text)
    if found:
        return found
    start = len(text) - len(text.lstrip())
    return [Segment(start, len(text.rstrip()), " ".join(text.split()))]


class Scorer:
    """Scores requests and certificates with one trained model. Thread-safe; build it with
    :func:`load`."""

    def __init__(self, bundle: Bundle):
        self.bundle = bundle
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()

    @property
    def model_path(self) -> Path:
        return self.bundle.folder

    def _predict(self, kind: str, texts: list[str]) -> tuple[np.ndarray, list[list[Segment]], list[np.ndarray]]:
        docs = [document_segments(t) for t in texts]
        keys = [(kind, hashlib.sha1(t.encode("utf-8", "surrogatepass")).hexdigest()) for t in texts]
        with self._lock:
            todo = {k: i for i, k in enumerate(keys) if k not in self._cache}
            if todo:
                probs, contributions = self.bundle.predict(kind, [docs[i] for i in todo.values()])
                for j, key in enumerate(todo):
                    self._cache[key] = (probs[j], contributions[j])
            outputs = []
            for key in keys:
                self._cache.move_to_end(key)
                outputs.append(self._cache[key])
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return np.stack([o[0] for o in outputs]), docs, [o[1] for o in outputs]

    def _evidence(self, text: str, labels: tuple[str, ...], decisions: dict[str, int],
                  segs: list[Segment], contrib: np.ndarray) -> dict[str, list[Evidence]]:
        out: dict[str, list[Evidence]] = {}
        for j, name in enumerate(labels):
            sign = 1.0 if decisions[name] else -1.0
            order = np.argsort(-sign * contrib[:, j]) if len(segs) else []
            picked = [i for i in order if sign * contrib[i, j] > 0][:EVIDENCE_PER_LABEL]
            out[name] = [Evidence(name, segs[i].start, segs[i].end, text[segs[i].start:segs[i].end],
                                  round(float(contrib[i, j]), 4)) for i in picked]
        return out

    def _build(self, kind: str, text: str, attest_type: str | None, probs: np.ndarray, segs: list[Segment],
               contrib: np.ndarray, reuse_index: BoilerplateIndex | None = None,
               request_text: str | None = None) -> RequestScore | CertificateScore:
        model = self.bundle.kinds[kind]
        p = {name: float(probs[j]) for j, name in enumerate(model.labels)}
        decisions = {name: int(p[name] >= model.thresholds.get(name, 0.5)) for name in model.labels}
        evidence = self._evidence(text, model.labels, decisions, segs, contrib)
        if kind == "request":
            from scorer.attest_fit import attest_fit
            from scorer.questions import split_questions

            criteria = {c: p[c] for c in REQUEST_CRITERIA}
            questions = split_questions(text)
            flags = attest_fit(text, attest_type, questions)
            reuse = reuse_index.reuse(text) if reuse_index is not None else None
            feedback = (request_feedback(criteria, model.thresholds) + attest_fit_feedback(flags)
                        + reuse_feedback(reuse, REUSE_THRESHOLD, bool(decisions["boilerplate"])))
            return RequestScore(decisions[REQUEST_OVERALL], p[REQUEST_OVERALL], criteria, evidence, feedback,
                                attest_type, questions, flags, reuse)
        answers = None
        if request_text is not None and request_text.strip():
            from scorer.answers import match_answers

            answers = match_answers(request_text, text)
        return CertificateScore(decisions[CERTIFICATE_OVERALL], p[CERTIFICATE_OVERALL],
                                {c: p[c] for c in CERTIFICATE_CRITERIA}, {d: p[d] for d in DOMAINS},
                                evidence, attest_type, answers)

    def _score(self, kind: str, texts: list[str], attest_types: list[str | None],
               reuse_index: BoilerplateIndex | None = None,
               request_texts: list[str | None] | None = None) -> list:
        probs, docs, contributions = self._predict(kind, texts)
        requests = request_texts or [None] * len(texts)
        return [self._build(kind, t, a, probs[i], docs[i], contributions[i], reuse_index, requests[i])
                for i, (t, a) in enumerate(zip(texts, attest_types))]

    def score_request(self, text: str, attest_type: str | None = None,
                      reuse_index: BoilerplateIndex | None = None) -> RequestScore:
        """Specificity of one request (anmodning), with criteria, evidence, feedback, its questions and
        attest-type flags; with ``reuse_index`` (fitted on the archive) also its reused text."""
        return self._score("request", [check_text(text)], [normalize_attest_type(attest_type)], reuse_index)[0]

    def score_certificate(self, text: str, attest_type: str | None = None,
                          request_text: str | None = None) -> CertificateScore:
        """Whether one certificate describes functional capacity in depth, with criteria and domains;
        given its ``request_text``, also whether it answers that request's questions."""
        return self._score("certificate", [check_text(text)], [normalize_attest_type(attest_type)],
                           request_texts=[request_text])[0]

    def score_pair(self, request_text: str, certificate_text: str, attest_type: str | None = None,
                   reuse_index: BoilerplateIndex | None = None) -> PairScore:
        """A request and the certificate that answers it, with per-question answers."""
        return PairScore(self.score_request(request_text, attest_type, reuse_index),
                         self.score_certificate(certificate_text, attest_type, request_text))

    def score_many(self, records: Iterable[Mapping[str, Any]], reuse_index: BoilerplateIndex | None = None,
                   request_text: Callable[[str], str | None] | None = None) -> list[RequestScore | CertificateScore]:
        """Score records with ``kind`` and ``text`` (optional ``attest_type``, ``pair_id``), batched per
        kind, in input order. ``request_text(pair_id)`` finds a certificate's request (e.g.
        ``RequestStore.get``). Raises ``ValueError`` naming the first bad record."""
        records = list(records)
        by_kind: dict[str, list[int]] = {k: [] for k in KINDS}
        types = []
        for i, record in enumerate(records):
            if not isinstance(record, Mapping):
                raise ValueError(f"record {i}: expected a mapping with kind and text, got {type(record).__name__}")
            kind = record.get("kind")
            if kind not in KINDS:
                raise ValueError(f"record {i}: kind must be one of {KINDS}, got {str(kind)[:40]!r}")
            try:
                check_text(record.get("text"))
                types.append(normalize_attest_type(record.get("attest_type")))
            except ValueError as exc:
                raise ValueError(f"record {i}: {exc}") from None
            by_kind[kind].append(i)
        out: list[Any] = [None] * len(records)
        for kind, idx in by_kind.items():
            if idx:
                requests = None
                if kind == "certificate" and request_text is not None:
                    requests = [request_text(str(records[i]["pair_id"])) if records[i].get("pair_id") not in (None, "")
                                else None for i in idx]
                scored = self._score(kind, [records[i]["text"] for i in idx], [types[i] for i in idx], reuse_index,
                                     requests)
                for i, result in zip(idx, scored):
                    out[i] = result
        return out


_cache: dict[tuple[str, str | None], Scorer] = {}
_cache_lock = threading.Lock()


def load(path: str | Path | None = None, base_model: str | Path | None = None) -> Scorer:
    """The scorer for a trained model folder (default: the shipped model), loaded once per path."""
    folder = Path(path) if path else default_model_path()
    key = (str(folder.resolve()), str(base_model) if base_model else None)
    with _cache_lock:
        if key not in _cache:
            _cache[key] = Scorer(load_bundle(folder, base_model))
        return _cache[key]
