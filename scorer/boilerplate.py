"""Boilerplate across an archive: text that caseworkers reuse in requests about different citizens.

The guide warns against "generelle og standardiserede formuleringer". Reuse is visible only across
an archive, so an index is fitted by streaming over the archive's request texts once: every window
of ``ngram`` consecutive normalized words (lowercase, numbers and month names replaced by ``0`` so
"siden 11. marts 2024" matches "siden 3. maj 2023") is hashed to 64 bits with vectorized numpy
arithmetic, deduplicated within its document, and counted in a count-min sketch of fixed size
(``depth`` rows of ``width`` saturating uint8 counters). Memory is ``depth * width`` bytes whatever the
archive's size; only the error grows with it (see :attr:`BoilerplateIndex.false_reuse_rate`).

A word of a request is reused when a window covering it occurs in at least ``min_documents``
documents. :meth:`BoilerplateIndex.reuse` gives the share of a request's words that are reused, the
reused character spans of the caller's own text, and the sentences (``scorer.text.segment``) that
are mostly reused. :meth:`BoilerplateIndex.top_phrases` counts the most reused sentences of an
archive in a bounded table; excerpts keep only reused words (seen in ``min_documents`` documents),
masked, digits blanked, at most ``EXCERPT_WORDS`` words.
"""
from __future__ import annotations

import heapq
import json
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from scorer.privacy import mask
from scorer.text import segment

TOKEN = re.compile(r"[^\W_]+")
DIGITS = re.compile(r"\d+")
MONTHS = re.compile(r"\b(?:januar|februar|marts|april|maj|juni|juli|august|september|oktober|november|december)\b")
EXCERPT_WORDS = 12
FORMAT_VERSION = 1

_U64 = np.uint64
_TOKEN_PRIME = 0x100000001B3  # odd, so it has an inverse modulo 2**64
_TOKEN_PRIME_INV = pow(_TOKEN_PRIME, -1, 2 ** 64)
_WINDOW_PRIME = 0x9E3779B97F4A7C15
#: Odd multipliers of the multiply-shift hash that picks a counter in each sketch row.
_ROW_MULTIPLIERS = (0xD6E8FEB86659FD93, 0xA0761D6478BD642F, 0xE7037ED1A0B428DB, 0x8EBC6AF09C88C6E3,
                    0x589965CC75374CC3, 0x1D8E4E27C47D124F, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9)


@dataclass(frozen=True)
class BoilerplateConfig:
    """Parameters of the index. Memory is ``depth * width`` bytes."""

    ngram: int = 7
    min_documents: int = 5
    width: int = 2 ** 26
    depth: int = 4
    #: a sentence is reused when at least this share of its words is reused
    sentence_share: float = 0.5

    def __post_init__(self) -> None:
        if self.ngram < 2:
            raise ValueError("ngram must be at least 2")
        if not 2 <= self.min_documents <= 255:
            raise ValueError("min_documents must be within 2..255 (counters saturate at 255)")
        if self.width < 2 or self.width & (self.width - 1):
            raise ValueError("width must be a power of two")
        if not 1 <= self.depth <= len(_ROW_MULTIPLIERS):
            raise ValueError(f"depth must be within 1..{len(_ROW_MULTIPLIERS)}")
        if not 0.0 < self.sentence_share <= 1.0:
            raise ValueError("sentence_share must be in (0, 1]")


@dataclass(frozen=True)
class ReusedSpan:
    """A passage of the caller's own text (``text == input[start:end]``)."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class ReuseResult:
    """``share``: fraction of the request's words in reused windows; ``spans``: maximal runs of reused
    words; ``sentences``: segments whose words are mostly reused."""

    share: float
    spans: list[ReusedSpan]
    sentences: list[ReusedSpan]


@dataclass(frozen=True)
class Phrase:
    """A reused phrase of an archive: a short masked excerpt and in how many documents it was found
    (space-saving estimate: at most ``overestimate`` too high; 0 means exact)."""

    excerpt: str
    documents: int
    overestimate: int


def _splitmix(x: np.ndarray) -> np.ndarray:
    """Spread the bits of 64-bit values (splitmix64 finalizer), so every bit range is uniform."""
    x = x + _U64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> _U64(30))) * _U64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> _U64(27))) * _U64(0x94D049BB133111EB)
    return x ^ (x >> _U64(31))


def _normalized(tokens: list[str]) -> str:
    """Tokens joined by single spaces, lowercased, numbers and month names made a placeholder."""
    return MONTHS.sub("0", DIGITS.sub("0", " ".join(tokens).lower()))


def _powers(base: int, n: int) -> np.ndarray:
    out = np.full(n, base, dtype=_U64)
    if n:
        out[0] = 1
    return np.cumprod(out, dtype=_U64)


@dataclass(frozen=True)
class _Windows:
    """The ngram windows of a batch of documents: hashes, owning document and first token (global)."""

    hashes: np.ndarray
    docs: np.ndarray
    starts: np.ndarray
    tokens_per_doc: np.ndarray


def _windows(normalized_docs: list[str], ngram: int) -> _Windows:
    """Hash every token of a batch at once (a polynomial hash over the UTF-8 bytes, read through
    prefix sums), then every window of ``ngram`` tokens that stays inside one document."""
    data = np.frombuffer("\n".join(normalized_docs).encode("utf-8"), dtype=np.uint8)
    seps = np.flatnonzero((data == 32) | (data == 10))
    starts = np.concatenate(([0], seps + 1))
    ends = np.concatenate((seps, [len(data)]))
    doc_of_token = np.concatenate(([0], np.cumsum(data[seps] == 10)))
    keep = ends > starts  # an empty document leaves one empty token behind
    starts, ends, doc_of_token = starts[keep], ends[keep], doc_of_token[keep]
    tokens_per_doc = np.bincount(doc_of_token, minlength=len(normalized_docs))

    prefix = np.zeros(len(data) + 1, dtype=_U64)
    np.cumsum(data.astype(_U64) * _powers(_TOKEN_PRIME, len(data)), dtype=_U64, out=prefix[1:])
    inverse = _powers(_TOKEN_PRIME_INV, len(data) + 1)
    tokens = _splitmix((prefix[ends] - prefix[starts]) * inverse[starts])

    count = len(tokens) - ngram + 1
    if count <= 0:
        empty = np.zeros(0, dtype=np.int64)
        return _Windows(np.zeros(0, dtype=_U64), empty, empty, tokens_per_doc)
    hashes = np.zeros(count, dtype=_U64)
    for k, factor in enumerate(_powers(_WINDOW_PRIME, ngram)):
        hashes += tokens[k:k + count] * factor
    inside = doc_of_token[:count] == doc_of_token[ngram - 1:]
    return _Windows(_splitmix(hashes[inside]), doc_of_token[:count][inside],
                    np.flatnonzero(inside), tokens_per_doc)


def _batches(texts: Iterable[str], size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for text in texts:
        batch.append(text)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class _SpaceSaving:
    """Space-saving heavy hitters: at most ``capacity`` keys; a new key evicts the smallest and
    inherits its count, so counts are upper bounds at most ``error`` too high."""

    def __init__(self, capacity: int):
        self.capacity = capacity
        self.counts: dict[str, tuple[int, int, str]] = {}  # key -> (count, error, excerpt)
        self._heap: list[tuple[int, str]] = []  # (count, key), stale entries skipped lazily

    def add(self, key: str, excerpt: str) -> None:
        if key in self.counts:
            count, error, first = self.counts[key]
            self.counts[key] = (count + 1, error, first)
        elif len(self.counts) < self.capacity:
            self.counts[key] = (1, 0, excerpt)
        else:
            floor, evicted = self._pop_min()
            del self.counts[evicted]
            self.counts[key] = (floor + 1, floor, excerpt)
        heapq.heappush(self._heap, (self.counts[key][0], key))
        if len(self._heap) > 4 * self.capacity:
            self._heap = [(c, k) for k, (c, _, _) in self.counts.items()]
            heapq.heapify(self._heap)

    def _pop_min(self) -> tuple[int, str]:
        while True:
            count, key = heapq.heappop(self._heap)
            if key in self.counts and self.counts[key][0] == count:
                return count, key

    def top(self, k: int) -> list[Phrase]:
        ranked = sorted(self.counts.values(), key=lambda v: (-v[0], v[2]))[:k]
        return [Phrase(excerpt, count, error) for count, error, excerpt in ranked]


class BoilerplateIndex:
    """Count-min sketch of how many documents of an archive share each word window."""

    def __init__(self, config: BoilerplateConfig | None = None):
        self.config = config or BoilerplateConfig()
        self.counters = np.zeros((self.config.depth, self.config.width), dtype=np.uint8)
        #: documents and distinct (document, window) pairs fitted: the sketch's load
        self.documents = 0
        self.windows = 0
        self._shift = _U64(64 - int(math.log2(self.config.width)))

    @property
    def memory_bytes(self) -> int:
        return int(self.counters.nbytes)

    @property
    def false_reuse_rate(self) -> float:
        """Chance that a window seen in one document is estimated at ``min_documents`` or more: each
        row adds Poisson(windows / width) collisions, and the estimate is the minimum over rows."""
        load = self.windows / self.config.width
        need = self.config.min_documents - 1
        below = sum(math.exp(-load) * load ** i / math.factorial(i) for i in range(need))
        return max(0.0, 1.0 - below) ** self.config.depth

    def _rows(self, hashes: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for row, multiplier in zip(self.counters, _ROW_MULTIPLIERS):
            yield row, ((hashes * _U64(multiplier)) >> self._shift).astype(np.int64)

    def fit(self, texts: Iterable[str], batch_size: int = 2048) -> BoilerplateIndex:
        """Add an archive's request texts (streamed; may be called again to add more)."""
        for batch in _batches(texts, batch_size):
            found = _windows([_normalized(TOKEN.findall(t)) for t in batch], self.config.ngram)
            order = np.lexsort((found.hashes, found.docs))
            hashes, docs = found.hashes[order], found.docs[order]
            first = np.ones(len(hashes), dtype=bool)
            first[1:] = (hashes[1:] != hashes[:-1]) | (docs[1:] != docs[:-1])
            hashes = hashes[first]
            for row, index in self._rows(hashes):
                slots, counts = np.unique(index, return_counts=True)
                row[slots] = np.minimum(row[slots].astype(np.int64) + counts, 255).astype(np.uint8)
            self.documents += len(batch)
            self.windows += len(hashes)
        return self

    def _estimates(self, hashes: np.ndarray) -> np.ndarray:
        estimate = np.full(len(hashes), 255, dtype=np.uint8)
        for row, index in self._rows(hashes):
            np.minimum(estimate, row[index], out=estimate)
        return estimate

    def reuse(self, text: str) -> ReuseResult:
        """Reused share, spans and sentences of one request."""
        return next(self.reuse_many([text]))

    def reuse_many(self, texts: Iterable[str], batch_size: int = 2048) -> Iterator[ReuseResult]:
        """:meth:`reuse` for many texts, hashed a batch at a time; results in input order."""
        for batch, words, covered in self._covered(texts, batch_size):
            for text, matches, flags in zip(batch, words, covered):
                yield self._result(text, matches, flags)

    def _covered(self, texts: Iterable[str], batch_size: int
                 ) -> Iterator[tuple[list[str], list[list[re.Match]], list[np.ndarray]]]:
        """Per batch: texts, their word matches and which words lie in a reused window."""
        n = self.config.ngram
        for batch in _batches(texts, batch_size):
            words = [list(TOKEN.finditer(t)) for t in batch]
            found = _windows([_normalized([m.group() for m in ms]) for ms in words], n)
            reused = found.starts[self._estimates(found.hashes) >= self.config.min_documents]
            total = int(found.tokens_per_doc.sum())
            depth = (np.bincount(reused, minlength=total + n)
                     - np.bincount(reused + n, minlength=total + n)).cumsum()[:total]
            bounds = np.cumsum(found.tokens_per_doc)[:-1]
            yield batch, words, np.split(depth > 0, bounds)

    def _result(self, text: str, matches: list[re.Match], covered: np.ndarray) -> ReuseResult:
        if not matches:
            return ReuseResult(0.0, [], [])
        spans = [ReusedSpan(a, b, text[a:b]) for a, b in _runs(matches, covered)]
        starts = np.fromiter((m.start() for m in matches), dtype=np.int64, count=len(matches))
        sentences = []
        for seg in segment(text):
            lo, hi = np.searchsorted(starts, [seg.start, seg.end])
            if hi > lo and covered[lo:hi].mean() >= self.config.sentence_share:
                sentences.append(ReusedSpan(seg.start, seg.end, text[seg.start:seg.end]))
        return ReuseResult(float(covered.mean()), spans, sentences)

    def top_phrases(self, texts: Iterable[str], k: int = 20, capacity: int = 4096) -> list[Phrase]:
        """The ``k`` reused sentences found in most documents of ``texts`` (each counted once per
        document), in a table of at most ``capacity`` phrases. Excerpts hold only reused words, so
        nothing shown occurs in fewer than ``min_documents`` documents."""
        table = _SpaceSaving(capacity)
        for batch, words, covered in self._covered(texts, 2048):
            for text, matches, flags in zip(batch, words, covered):
                seen: set[str] = set()
                for sentence in self._result(text, matches, flags).sentences:
                    inside = [(m, f) for m, f in zip(matches, flags)
                              if sentence.start <= m.start() < sentence.end]
                    key = _normalized([m.group() for m, f in inside if f])
                    if key not in seen:
                        seen.add(key)
                        table.add(key, _excerpt(text, inside))
        return table.top(k)

    def save(self, path: str | Path) -> None:
        """Write the index as a pickle-free ``.npz``: the counters and a JSON header."""
        header = {"format": FORMAT_VERSION, "config": asdict(self.config), "documents": self.documents,
                  "windows": self.windows}
        np.savez(path, counters=self.counters, header=np.array(json.dumps(header)))

    @classmethod
    def load(cls, path: str | Path) -> BoilerplateIndex:
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(str(data["header"]))
            if header.get("format") != FORMAT_VERSION:
                raise ValueError(f"unsupported boilerplate index format {header.get('format')!r}")
            index = cls(BoilerplateConfig(**header["config"]))
            index.counters[...] = data["counters"]
        index.documents, index.windows = header["documents"], header["windows"]
        return index


def _runs(words: Iterable[re.Match], covered: Iterable[bool]) -> list[tuple[int, int]]:
    """Character spans of the maximal runs of covered words."""
    runs: list[tuple[int, int]] = []
    run: tuple[int, int] | None = None
    for match, flag in zip(words, covered):
        if flag:
            run = (run[0] if run else match.start(), match.end())
        elif run:
            runs.append(run)
            run = None
    return runs + [run] if run else runs


def _excerpt(text: str, words: list[tuple[re.Match, bool]]) -> str:
    """The runs of reused words of a sentence in the caller's spelling, joined by "…", masked, digits
    blanked and cut to ``EXCERPT_WORDS`` words."""
    runs = _runs((m for m, _ in words), (f for _, f in words))
    parts = DIGITS.sub("#", mask(" … ".join(text[a:b] for a, b in runs))).split()
    return " ".join(parts[:EXCERPT_WORDS] + (["…"] if len(parts) > EXCERPT_WORDS else []))
