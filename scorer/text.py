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
#: "Side 1 af 2", "s. 1/1"; no closing \b, since OCR reads "Side 1 af 1" as "Side 1af1l".
PAGE_MARK = re.compile(r"(\b(side|page)\s+|\bs\.\s*)\d+\s*(af|of|/)\s*\d+", re.IGNORECASE)
#: A print stamp inside a footer line ("Lægehuset …   Udskrevet 13.01.2026 kl. 14:07").
PRINT_STAMP = re.compile(r"\b(udskrevet|printet|print(dato)?)\b:?\s*(d\.\s*)?\d{1,2}[./-]\d{1,2}[./-]\d{2,4}",
                         re.IGNORECASE)
FURNITURE_MAX_WORDS = 12
BULLET = re.compile(r"^\s*([-•*▪◦·]|\d{1,2}[.)]|[a-h][.)])\s+")
LABEL_MAX_WORDS = 7
MAX_SEGMENT_WORDS = 120
CONTINUED_MIN_WORDS = 8
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
    """Short lines that recur verbatim (page headers/footers repeated on every page). A recurring
    sentence tail ("måneder?" wrapped twice) is not furniture: headers have two words or more and
    end neither in a colon nor in a sentence end."""
    counts = Counter(_shape(line) for _, _, line in lines if line.strip())
    return {shape for shape, n in counts.items()
            if n >= 2 and 2 <= len(shape.split()) <= FURNITURE_MAX_WORDS
            and not shape.endswith((":", ".", "?", "!"))}


def _shape(line: str) -> str:
    """A line with its digits blanked, so 'Side 1 af 2' and 'Side 2 af 2' look alike."""
    return re.sub(r"\d+", "#", line.strip())


def _is_furniture(line: str, furniture: set[str]) -> bool:
    stripped = line.strip()
    short = len(stripped.split()) <= FURNITURE_MAX_WORDS
    return bool(DEBRIS.match(stripped) or (short and (PAGE_MARK.search(stripped) or PRINT_STAMP.search(stripped)))
                or _shape(stripped) in furniture)


def _is_label(line: str) -> bool:
    """A short line ending in a colon. The caller does not count a lower-case line that continues a
    paragraph: that is the wrapped tail of a sentence ("… og vi skal have / tilrettelagt praktikken:")."""
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


def _blocks(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, is_label) of each paragraph, label or bullet item; furniture and blank lines
    end a block, so a block's line breaks are layout, never structure."""
    lines = _lines(text)
    furniture = _repeated_furniture(lines)
    blocks: list[tuple[int, int, bool]] = []
    current: list[int] | None = None
    for start, end, line in lines:
        stripped = line.strip()
        if not stripped or _is_furniture(stripped, furniture):
            current = None
            continue
        if _is_label(stripped) and not (current is not None and stripped[:1].islower()):
            blocks.append((start, end, True))
            current = None
            continue
        if current is None or BULLET.match(line):
            blocks.append((start, end, False))
            current = [len(blocks) - 1]
        else:
            b_start, _, _ = blocks[current[0]]
            blocks[current[0]] = (b_start, end, False)
    return blocks


def segment(text: str) -> list[Segment]:
    """Segments of a document in reading order; page furniture is left out."""
    blocks = _blocks(text)
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


def normalize_layout(text: str) -> str:
    """The text with its export layout undone, for storing what was extracted from a file: each
    paragraph, label or bullet item on one line (line breaks joined, hyphenation undone), page
    furniture dropped, a paragraph cut by a page break joined again, and a blank line wherever a
    block break must survive. Segmenting the result gives the segments of the text typed clean."""
    lines: list[str] = []
    prev_label, last_end = True, 0
    for start, end, is_label in _blocks(text):
        body, gap = _clean(text[start:end]), text[last_end:start]
        if lines and _continues_across_page(lines[-1], body, gap, prev_label or is_label):
            lines[-1] = _clean(f"{lines[-1]}\n{body}")
        else:
            if lines and (_has_blank_line(gap) or not (prev_label or is_label or BULLET.match(body))):
                lines.append("")
            lines.append(body)
        prev_label, last_end = is_label, end
    return "\n".join(lines)


def _has_blank_line(gap: str) -> bool:
    return re.search(r"\n[ \t\r]*\n", gap) is not None


def _continues_across_page(previous: str, body: str, gap: str, label: bool) -> bool:
    """A sentence cut by page furniture: text between the blocks, no sentence end before it, a
    lower-case word after it, or a whole paragraph before it (headings are short)."""
    return (not label and bool(gap.strip()) and not BULLET.match(body)
            and (body[:1].islower() or len(previous.split()) >= CONTINUED_MIN_WORDS)
            and not previous.rstrip().endswith((".", "!", "?", ":", "…")))
