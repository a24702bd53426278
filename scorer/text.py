"""Cut exported documents into segments (sentences, field labels, bullets) with their offsets.

Real archives are PDF exports: page headers, form labels on their own lines, line breaks in the
middle of sentences, words hyphenated across lines. Models read the clean segment text; evidence
quotes the caller's own characters through the segment's offsets, so no output ever holds text the
caller did not send.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

#: Lines that are page furniture of an export, never content.
DEBRIS = re.compile(
    r"^\s*(\d+\s*/\s*\d+|-\s*\d+\s*-|udskrevet\b.*|printet\b.*|print(dato)?:.*|[-=_*.]{4,})\s*$",
    re.IGNORECASE)
PAGE_MARK = re.compile(r"\b(side|page)\s+\d+\s*(af|of|/)\s*\d+\b", re.IGNORECASE)
FURNITURE_MAX_WORDS = 12
BULLET = re.compile(r"^\s*([-•*▪◦·]|\d{1,2}[.)]|[a-h][.)])\s+")
LABEL_MAX_WORDS = 7
MAX_SEGMENT_WORDS = 120
ABBREVIATIONS = {
    "pt", "ca", "f.eks", "fx", "bl.a", "mg", "kl", "nr", "jf", "evt", "dvs", "mht", "obj", "us", "dr",
    "hhv", "inkl", "ekskl", "vedr", "mv", "osv", "tlf", "ang", "max", "min", "mdr", "md", "uge", "sml",
    "st", "p.t", "o.l", "pga", "iflg", "ift", "mhp", "gl", "tbl", "stk", "bet", "ml", "cm", "kg", "km",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "okt", "nov", "dec", "l", "a", "e",
    "ex", "ff", "sd", "vs", "spec", "læge", "amb", "afd", "ass", "fys", "psyk", "hjemmebes", "ref",
}
SENTENCE_END = re.compile(r"[.!?…]+[\"'»)]*(?=\s+[\"'«(]?[A-ZÆØÅ0-9])")


@dataclass(frozen=True)
class Segment:
    """A unit a model scores: clean ``text`` and where it stands in the original (``start:end``)."""

    start: int
    end: int
    text: str
    is_label: bool = False


def _lines(text: str) -> list[tuple[int, int, str]]:
    out, pos = [], 0
    for raw in text.splitlines(keepends=True):
        line = raw.rstrip("\r\n")
        out.append((pos, pos + len(line), line))
        pos += len(raw)
    return out


def _repeated_furniture(lines: list[tuple[int, int, str]]) -> set[str]:
    """Short lines that recur verbatim (page headers/footers repeated on every page)."""
    counts = Counter(_shape(line) for _, _, line in lines if line.strip())
    return {shape for shape, n in counts.items()
            if n >= 2 and len(shape.split()) <= FURNITURE_MAX_WORDS and not shape.endswith(":")}


def _shape(line: str) -> str:
    """A line with its digits blanked, so 'Side 1 af 2' and 'Side 2 af 2' look alike."""
    return re.sub(r"\d+", "#", line.strip())


def _is_furniture(line: str, furniture: set[str]) -> bool:
    stripped = line.strip()
    short = len(stripped.split()) <= FURNITURE_MAX_WORDS
    return bool(DEBRIS.match(stripped) or (short and PAGE_MARK.search(stripped)) or _shape(stripped) in furniture)


def _is_label(line: str) -> bool:
    stripped = line.strip()
    return stripped.endswith(":") and 0 < len(stripped.split()) <= LABEL_MAX_WORDS


def _clean(fragment: str) -> str:
    """Undo hyphenation across line breaks and flatten whitespace."""
    fragment = re.sub(r"(\w)-\s*\n\s*([a-zæøå])", r"\1\2", fragment)
    return re.sub(r"\s+", " ", fragment).strip()


def _split_sentences(text: str, base: int) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in SENTENCE_END.finditer(text):
        before = text[start:match.start()].split()
        word = before[-1].lower().rstrip(".") if before else ""
        if match.group().startswith(".") and (word in ABBREVIATIONS or len(word) == 1):
            continue
        spans.append((start, match.end()))
        start = match.end()
        while start < len(text) and text[start].isspace():
            start += 1
    if start < len(text):
        spans.append((start, len(text)))
    return [(base + a, base + b) for a, b in spans if text[a:b].strip()]


def _cap_words(original: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split a run-on span (exports without punctuation) into pieces of at most MAX_SEGMENT_WORDS."""
    words = list(re.finditer(r"\S+", original[start:end]))
    if len(words) <= MAX_SEGMENT_WORDS:
        return [(start, end)]
    pieces = []
    for i in range(0, len(words), MAX_SEGMENT_WORDS):
        chunk = words[i:i + MAX_SEGMENT_WORDS]
        pieces.append((start + chunk[0].start(), start + chunk[-1].end()))
    return pieces


def segment(text: str) -> list[Segment]:
    """Segments of a document in reading order; page furniture is left out."""
    lines = _lines(text)
    furniture = _repeated_furniture(lines)
    blocks: list[tuple[int, int, bool]] = []  # (start, end, is_label)
    current: list[int] | None = None
    for start, end, line in lines:
        stripped = line.strip()
        if not stripped or _is_furniture(stripped, furniture):
            current = None
            continue
        if _is_label(stripped):
            blocks.append((start, end, True))
            current = None
            continue
        if current is None or BULLET.match(line):
            blocks.append((start, end, False))
            current = [len(blocks) - 1]
        else:
            b_start, _, _ = blocks[current[0]]
            blocks[current[0]] = (b_start, end, False)
    segments = []
    for b_start, b_end, is_label in blocks:
        if is_label:
            segments.append(Segment(b_start, b_end, _clean(text[b_start:b_end]), True))
            continue
        for s_start, s_end in _split_sentences(text[b_start:b_end], b_start):
            for p_start, p_end in _cap_words(text, s_start, s_end):
                cleaned = _clean(text[p_start:p_end])
                if cleaned:
                    segments.append(Segment(p_start, p_end, cleaned))
    return segments


def clean_text(text: str) -> str:
    """The document as models read it: one segment a line, furniture removed."""
    return "\n".join(s.text for s in segment(text))


PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Cheap ``(start, end)`` spans of the sentences of each paragraph, for passes over whole archives
    where :func:`segment` is too slow: no furniture removal, no clean-up, no label lines."""
    spans, start = [], 0
    for cut in [*(m.start() for m in PARAGRAPH_BREAK.finditer(text)), len(text)]:
        block = text[start:cut]
        spans += _split_sentences(block.strip(), start + len(block) - len(block.lstrip()))
        start = cut
    return spans
