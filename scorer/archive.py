"""What scoring one document needs to know about the rest of its archive: which request texts are
reused across citizens (the boilerplate index) and which request each certificate answers.

Built by one streaming pass over the archive's rows before scoring. Each distinct request text is
counted once, so exact copies of one letter (a resend, a duplicate export) are not mistaken for a
standard text reused across citizens.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from scorer.pairstore import RequestStore

if TYPE_CHECKING:
    from scorer.boilerplate import BoilerplateIndex, Phrase

#: the sketch never gets smaller or larger than this (bytes per row)
MIN_WIDTH, MAX_WIDTH = 2 ** 16, 2 ** 26
#: counters per distinct word window: keeps chance collisions rare (see BoilerplateIndex.false_reuse_rate)
COUNTERS_PER_WINDOW = 4


@dataclass
class ArchiveContext:
    """The archive-wide signals' state for one batch run; close it to remove its temporary store."""

    requests: RequestStore
    reuse_index: BoilerplateIndex | None
    phrases: list[Phrase] = field(default_factory=list)

    def request_text(self, pair_id: str) -> str | None:
        return self.requests.get(pair_id)

    def close(self) -> None:
        self.requests.close()


def sketch_width(words: int) -> int:
    """A power-of-two sketch width for an archive of about ``words`` words."""
    width = MIN_WIDTH
    while width < COUNTERS_PER_WINDOW * words and width < MAX_WIDTH:
        width *= 2
    return width


def build_context(rows: Iterable[dict | None], reuse: bool = True, top_phrases: int = 20,
                  workdir: str | Path | None = None) -> ArchiveContext:
    """Store the archive's request texts and fit the boilerplate index over its distinct requests.
    Rows that are not requests with text are skipped here; scoring rejects what is unreadable."""
    from scorer.boilerplate import BoilerplateConfig, BoilerplateIndex

    store = RequestStore(workdir)
    words = 0
    try:
        for row in rows:
            if not isinstance(row, dict) or row.get("kind") != "request":
                continue
            text = row.get("text")
            if isinstance(text, str) and text.strip() and store.add(text, row.get("pair_id")):
                words += len(text.split())
        store.commit()
        index = None
        if reuse and len(store):
            index = BoilerplateIndex(BoilerplateConfig(width=sketch_width(words))).fit(store.texts())
        phrases = index.top_phrases(store.texts(), k=top_phrases) if index is not None and top_phrases else []
    except BaseException:
        store.close()
        raise
    return ArchiveContext(store, index, phrases)
