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
reused character spans of the caller's own text, and the sentences (``scorer.text.sentence_spans``,
cheap enough for a whole archive) that are mostly reused. :meth:`BoilerplateIndex.top_phrases`
counts the most reused sentences of an archive in a bounded table; excerpts keep only reused words
(seen in ``min_documents`` documents), masked, digits blanked, at most ``EXCERPT_WORDS`` words.
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
from scorer.text import sentence_spans

TOKEN = re.compile(r"[^\W_]+")
TOKEN_SPLIT = re.compile(r"([^\W_]+)")
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
    #: runs of reused words shorter than this are ignored: one window of a common phrasing
    #: ("samtidig med at hun har svært ved at") recurs by chance in a large archive; copied text
    #: runs on for longer
    min_span_words: int = 10

    def __post_init__(self) -> None:
        if self.ngram < 2:
            raise ValueError("ngram must be at least 2")
        if not 2 <= self.min_documents <= 255:
            raise ValueError("min_documents must be within 2..255 (counters saturate at 255)")
        if self.width < 2 or self.width & (self.width - 1):
            raise ValueError("width must be a power of two")
        if not 1 <= self.depth <= len(_ROW_MULTIPLIERS):
            raise ValueError(f"depth must be within 1..{len(_ROW_MULTIPLIERS)}")
        if self.min_span_words < self.ngram:
            raise ValueError("min_span_words must be at least ngram")
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
    words; ``sentences``: sentences whose words are mostly reused."""

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
        """:meth:`reuse` for many texts, a batch at a time with array arithmetic; in input order."""
        for batch in _batches(texts, batch_size):
            yield from self._batch_results(batch)

    def _covered(self, pieces: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
        """Whether each word of a batch lies in a window seen in ``min_documents`` documents, and
        the number of words of each document."""
        n = self.config.ngram
        found = _windows([_normalized(p[1::2]) for p in pieces], n)
        total = int(found.tokens_per_doc.sum())
        reused = found.starts[self._estimates(found.hashes) >= self.config.min_documents]
        depth = np.bincount(reused, minlength=total + n) - np.bincount(reused + n, minlength=total + n)
        return depth.cumsum()[:total] > 0, found.tokens_per_doc

    def _batch_results(self, batch: list[str]) -> Iterator[ReuseResult]:
        """Sentence by sentence, keep the runs of covered words of ``min_span_words`` or more (or
        the whole sentence): a run that spills over from copied text next to a sentence, or one
        common phrasing, says nothing about it. Then shares, spans and mostly reused sentences."""
        pieces = [TOKEN_SPLIT.split(t) for t in batch]  # separator, word, separator, word, ...
        covered, words_per_doc = self._covered(pieces)
        starts, ends = _word_bounds(pieces)
        sentences = [sentence_spans(t) for t in batch]
        sentence_cuts = np.cumsum([0, *map(len, sentences)])
        sentence_of = _sentence_of_word(starts, words_per_doc, sentences)
        kept = _keep_long_runs(covered, sentence_of, self.config.min_span_words)
        words_in = np.bincount(sentence_of, minlength=sentence_cuts[-1])
        sentence_share = np.bincount(sentence_of, weights=kept, minlength=len(words_in)) / np.maximum(words_in, 1)
        flagged = (sentence_share >= self.config.sentence_share) & (words_in > 0)
        doc_of = np.repeat(np.arange(len(batch)), words_per_doc)
        shares = np.bincount(doc_of, weights=kept, minlength=len(batch)) / np.maximum(words_per_doc, 1)
        run_heads, run_tails = _run_bounds(kept, doc_of)
        run_cuts = np.searchsorted(doc_of[run_heads], np.arange(len(batch) + 1))
        for i, text in enumerate(batch):
            runs = slice(run_cuts[i], run_cuts[i + 1])
            spans = [ReusedSpan(a, b, text[a:b])
                     for a, b in zip(starts[run_heads[runs]].tolist(), ends[run_tails[runs] - 1].tolist())]
            own = flagged[sentence_cuts[i]:sentence_cuts[i + 1]]
            reused = [ReusedSpan(a, b, text[a:b]) for (a, b), f in zip(sentences[i], own) if f]
            yield ReuseResult(float(shares[i]), spans, reused)

    def top_phrases(self, texts: Iterable[str], k: int = 20, capacity: int = 4096) -> list[Phrase]:
        """The ``k`` reused sentences found in most documents of ``texts`` (each counted once per
        document), in a table of at most ``capacity`` phrases. Excerpts hold only reused words, so
        nothing shown occurs in fewer than ``min_documents`` documents."""
        table = _SpaceSaving(capacity)
        for result in self.reuse_many(texts):
            seen: set[str] = set()
            for sentence in result.sentences:
                pieces = [sentence.text[max(span.start, sentence.start) - sentence.start:
                                        min(span.end, sentence.end) - sentence.start]
                          for span in result.spans if span.start < sentence.end and span.end > sentence.start]
                key = _normalized(TOKEN.findall(" ".join(pieces)))
                if key not in seen:
                    seen.add(key)
                    table.add(key, _excerpt(pieces))
        return table.top(k)

    def save(self, path: str | Path) -> None:
        """Write the index as a pickle-free ``.npz`` at exactly ``path``: the counters and a JSON header."""
        header = {"format": FORMAT_VERSION, "config": asdict(self.config), "documents": self.documents,
                  "windows": self.windows}
        with open(path, "wb") as out:
            np.savez(out, counters=self.counters, header=np.array(json.dumps(header)))

    @classmethod
    def load(cls, path: str | Path) -> BoilerplateIndex:
        """An index written by :meth:`save` (no pickle is read)."""
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(str(data["header"]))
            if header.get("format") != FORMAT_VERSION:
                raise ValueError(f"unsupported boilerplate index format {header.get('format')!r}")
            index = cls(BoilerplateConfig(**header["config"]))
            index.counters[...] = data["counters"]
        index.documents, index.windows = header["documents"], header["windows"]
        return index


def _word_bounds(pieces: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """Start and end offsets of every word of a batch, from each document's alternating separators
    and words (``re.split`` with a group: cheaper than a match object per word)."""
    bounds = np.concatenate([np.cumsum([0, *map(len, p)]) for p in pieces])
    first = np.cumsum([0, *(len(p) + 1 for p in pieces)])[:-1]
    heads = np.concatenate([f + np.arange(1, len(p), 2) for f, p in zip(first, pieces)]).astype(np.int64)
    return bounds[heads], bounds[heads + 1]


def _sentence_of_word(starts: np.ndarray, words_per_doc: np.ndarray,
                       sentences: list[list[tuple[int, int]]]) -> np.ndarray:
    """Batch-wide sentence number of every word (sentences numbered across the batch)."""
    out = np.empty(len(starts), dtype=np.int64)
    first_token = first_sentence = 0
    for count, spans in zip(words_per_doc, sentences):
        heads = np.fromiter((a for a, _ in spans), dtype=np.int64, count=len(spans))
        local = np.searchsorted(heads, starts[first_token:first_token + count], side="right") - 1
        out[first_token:first_token + count] = first_sentence + np.maximum(local, 0)
        first_token += count
        first_sentence += len(spans)
    return out


def _run_bounds(flags: np.ndarray, group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and one-past-last index of every maximal run of set ``flags`` within one ``group``."""
    same = np.zeros(len(flags), dtype=bool)
    same[1:] = flags[1:] & flags[:-1] & (group[1:] == group[:-1])  # continues the run before it
    heads = np.flatnonzero(flags & ~same)
    tails = np.flatnonzero(flags & ~np.append(same[1:], False))
    return heads, tails + 1


def _keep_long_runs(covered: np.ndarray, sentence_of: np.ndarray, min_words: int) -> np.ndarray:
    """Covered words whose run inside their sentence has ``min_words`` words or fills the sentence."""
    heads, tails = _run_bounds(covered, sentence_of)
    lengths = tails - heads
    sentence_words = np.bincount(sentence_of, minlength=int(sentence_of.max(initial=0)) + 1)
    long_enough = lengths >= np.minimum(min_words, sentence_words[sentence_of[heads]])
    marks = (np.bincount(heads[long_enough], minlength=len(covered) + 1)
             - np.bincount(tails[long_enough], minlength=len(covered) + 1))
    return np.cumsum(marks)[:-1] > 0


def _excerpt(pieces: list[str]) -> str:
    """Reused pieces of a sentence in the caller's spelling, joined by "…", masked, digits blanked
    and cut to ``EXCERPT_WORDS`` words."""
    parts = DIGITS.sub("#", mask(" … ".join(pieces))).split()
    return " ".join(parts[:EXCERPT_WORDS] + (["…"] if len(parts) > EXCERPT_WORDS else []))
