"""Split a request into the questions it asks the doctor.

Requests ask in three ways: numbered or bulleted lists under a heading ("Spørgsmål:", "... om
følgende:"), sentences ending in "?" inside the prose, and Danish imperative asks ("Lægen bedes
beskrive ...", "Vi beder dig vurdere ..."). Exported text breaks questions over lines and pages;
the splitter works on :func:`scorer.text.segment`, which already joins those lines and drops page
furniture, so each question's span still points at the caller's own characters.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from scorer.text import Segment, segment

#: a list marker at the start of a line: scorer.text's bullets plus the en dash of word processors
LIST_ITEM = re.compile(r"^[ \t]*([-–•*▪◦·]|\d{1,2}[.)]|[a-h][.)])[ \t]+", re.MULTILINE)
#: a heading that opens a list of questions
SECTION_HEAD = re.compile(
    r"spørgsmål|følgende|besvar|indeholde|anmodes|omfatte|\bønske|\bbeder\b|\bbedes\b|vil gerne|\bvide\b"
    r"|gerne (vil )?have|brug for", re.IGNORECASE)
#: an ask phrased as an instruction rather than with "?"
IMPERATIVE = re.compile(
    r"\b(bedes|beder|bede|anmoder|ønsker|vil gerne (vide|høre|bede)|gerne have|har brug for)\b.{0,80}?"
    r"\w*(vurder\w*|beskriv\w*|oplys\w*|redegør\w*|angiv\w*|besvar\w*|udtal\w*|belys\w*|svar\w*"
    r"|tage stilling|forholde|opdatering|status (på|over)|vurdering\w*|beskrivelse\w*|oplysning\w*"
    r"|redegørelse\w*|udtalelse\w*)"
    r"|^(beskriv|vurder|oplys|angiv|redegør|uddyb|forklar)\b"
    r"|\b(beskriv|vurder|oplys|angiv|redegør|uddyb)\w* venligst\b"
    r"|\bønskes (oplyst|beskrevet|vurderet|besvaret|belyst)\b|\bønskes\s*[.:]?$"
    r"|^[\w ]{0,30}\b(ønskes|bedes)\b|^(ønsked\w* oplysninger|spørgsmål|vi ønsker)\s*:\s*\S"
    r"|\b(gerne vide|brug for at vide|gerne høre|spørge om)\b"
    r"|^kan (du|i|de|lægen)( også)? (beskrive|vurdere|oplyse|udtale|redegøre|angive|skrive)",
    re.IGNORECASE)
#: practical asks about the paperwork itself (deadline, fee, contact), never a question to answer
ADMIN = re.compile(
    r"\bfrist|honor|\bkontakte? (mig|os|jobcent|undertegnede|sagsbehandler)|ringe til|\bbesked\b|udebl|returner"
    r"|fremsend|tilbagemelding|attesten bedes (returneret|sendt|sent|fremsendt|udarbejdet|udfyldt)"
    r"|spørgsmål til (anmodningen|denne)|\bvedlagt|\bbilag\b|hermed (anmod|frem)|anmoder hermed"
    r"|har modtaget|har følgende|sender (med|vi)|vedhæft|\bbedes ikke\b|ikke (skal )?tage stilling"
    r"|\bsend(e|t)? (attesten|den|anmodningen)\b|medcom|ikke bør udleveres|(^|\s)(fra|til|emne|sendt|cc)\s*:\s",
    re.IGNORECASE)
#: closing lines that end a list of questions
CLOSING = re.compile(r"^(med )?(venlig|de bedste|mange)?\s*hilsen|^tak\b|^på forhånd tak|^vh\b", re.IGNORECASE)
#: "Attest: LÆ 125", "Frist: 14 dage": a form field, not an ask
FIELD = re.compile(r"^[\wæøåÆØÅ. /-]{1,30}:\s+\S")
HEAD_MAX_WORDS = 40


@dataclass(frozen=True)
class Question:
    """One ask of a request: ``text == request[start:end]``; ``clean`` is the text as models read it
    (lines joined, hyphenation undone); ``marker`` the list marker ("1.", "a)", "•") if any; ``lead`` the
    heading or lead-in of its list ("Vi beder dig efter en undersøgelse beskrive:"), which can carry
    part of the ask."""

    start: int
    end: int
    text: str
    clean: str
    marker: str | None = None
    lead: str = ""


def _items(text: str, seg: Segment) -> list[Segment]:
    """A segment cut at list markers that scorer.text does not treat as bullets (en dash)."""
    cuts = [m.start() for m in LIST_ITEM.finditer(text, seg.start, seg.end) if m.start() > seg.start
            and text[m.start() - 1] == "\n"]
    bounds = [seg.start, *cuts, seg.end]
    if not cuts:
        return [seg]
    return [Segment(a, len(text[:b].rstrip()), " ".join(text[a:b].split()))
            for a, b in zip(bounds, bounds[1:]) if text[a:b].strip()]


def _marker(text: str, seg: Segment) -> tuple[int, str | None]:
    """Start of the question after its list marker, and the marker itself."""
    match = LIST_ITEM.match(text[seg.start:seg.end])
    if not match:
        return seg.start, None
    return seg.start + match.end(), match.group(1)


def _is_head(seg: Segment) -> bool:
    """A lead-in to a list of questions ("Spørgsmål", "Vi beder dig vurdere følgende:")."""
    words = seg.text.split()
    if seg.text.rstrip().endswith(":"):
        asks = SECTION_HEAD.search(seg.text) or IMPERATIVE.search(seg.text)
        return len(words) <= HEAD_MAX_WORDS and bool(asks)
    return len(words) <= 3 and bool(SECTION_HEAD.search(seg.text))


def _is_heading(seg: Segment, is_bullet: bool) -> bool:
    """A short line without punctuation ("Frist", "Honorar"): a form heading that opens a section."""
    return not is_bullet and len(seg.text.split()) <= 3 and not seg.text.rstrip().endswith(("?", "."))


def _is_question(clean: str, in_section: bool, is_bullet: bool) -> bool:
    """An ask: ends with "?", is phrased as an instruction, or is an item of a question list."""
    if ADMIN.search(clean):
        return False
    if clean.rstrip(" )»\"'").endswith("?"):
        return True
    words = re.findall(r"[^\W\d_]{2,}", clean)
    listed = in_section and len(words) >= (1 if is_bullet else 3) and not FIELD.match(clean)
    return listed or bool(IMPERATIVE.search(clean))


def _blank_between(text: str, a: int, b: int) -> bool:
    return bool(re.search(r"\n[ \t]*\r?\n", text[a:b]))


def _continues(text: str, out: list[Question], prev: Segment | None, seg: Segment, is_bullet: bool,
               clean: str) -> bool:
    """Whether ``seg`` carries on the last question: more sentences of the same list item, or the
    rest of a sentence that an export cut at a page break."""
    if not out or prev is None or out[-1].end != prev.end or is_bullet:
        return False
    if _blank_between(text, prev.end, seg.start):
        return False
    return out[-1].marker is not None or (clean[:1].islower() and not out[-1].clean.endswith(("?", ".")))


def split_questions(text: str) -> list[Question]:
    """The questions of a request in reading order; spans never overlap."""
    out: list[Question] = []
    in_section, lead = False, ""
    prev: Segment | None = None
    for seg in (item for whole in segment(text) for item in _items(text, whole)):
        is_bullet = bool(LIST_ITEM.match(text[seg.start:seg.end]))
        if seg.is_label or _is_head(seg) or _is_heading(seg, is_bullet):
            in_section = (_is_head(seg) or bool(SECTION_HEAD.search(seg.text))) and not ADMIN.search(seg.text)
            lead = seg.text if in_section else ""
            prev = seg
            continue
        if CLOSING.search(seg.text):
            in_section, prev = False, seg
            continue
        after_head = prev is not None and (prev.is_label or _is_head(prev))
        if in_section and prev is not None and not after_head and not is_bullet \
                and _blank_between(text, prev.end, seg.start):
            in_section = False
        start, marker = _marker(text, seg)
        clean = LIST_ITEM.sub("", seg.text, count=1) if marker else seg.text
        if _continues(text, out, prev, seg, is_bullet, clean):
            last = out[-1]
            out[-1] = Question(last.start, seg.end, text[last.start:seg.end], f"{last.clean} {clean}",
                               last.marker, last.lead)
        elif _is_question(clean, in_section, is_bullet):
            out.append(Question(start, seg.end, text[start:seg.end], clean, marker, lead if in_section else ""))
        prev = seg
    return out
