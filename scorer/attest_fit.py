"""Attest-type fit: questions that need a consultation, asked in a journal-based certificate.

The guide: "der kan ikke stilles spørgsmål, som forudsætter en konsultation, hvis der bestilles en
statusattest". LÆ 105 and LÆ 115 are journal extracts and LÆ 125 is written from the journal without
seeing the citizen; LÆ 135, 145 and 155 follow a consultation. A question is flagged when it asks for
an examination, a test or measurement, or a consultation now, and not for what the journal already
holds ("Hvad viste undersøgelsen i marts?", "Er der planlagt yderligere undersøgelser?").
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from scorer.api import normalize_attest_type
from scorer.privacy import mask
from scorer.questions import Question, split_questions

#: certificate types written from the journal, with how the reason names them
JOURNAL_BASED = {
    "LÆ 105": "journaloplysninger fra sygehuset",
    "LÆ 115": "journaloplysninger fra speciallægen",
    "LÆ 125": "en statusattest",
}
#: (what the question asks for, how the reason says it)
CUES = [
    (r"funktionsundersøg\w*|funktionstest\w*|gangtest\w*|konditest\w*|kondital|spirometri|dynamometer"
     r"|gribe(funktion|styrke|kraft)|grebsstyrke|håndkraft",
     "en funktionsundersøgelse eller test"),
    (r"\bundersøge\b|\bundersøger\b|\bundersøg (hende|ham|borgeren)"
     r"|\b(ved|efter|gennem|på baggrund af|i) (en |din |jeres )?"
     r"(aktuel |klinisk |objektiv |fysisk |grundig |ny )?"
     r"undersøgelse\b(?! (i|fra|på|under|hos) )"
     r"|\b(aktuel|klinisk|objektiv|fysisk|grundig|ny)e? undersøgelse|\bobjektiv\w* (fund|undersøg\w*|vurdering)"
     r"|\bved undersøgelse",
     "en undersøgelse af borgeren"),
    (r"\b(test(e|er)?|afprøv\w*|mål(e|er)?|målt|tjekke?)\b.{0,40}"
     r"(hende|ham|hans|hendes|borgeren|om|hvor|det|blodtryk|lungefunktion|kraft|styrke|kondi)"
     r"|bevægelighed\w*|bevægeindskrænk\w*|\bmålt i grader",
     "en test eller måling"),
    (r"konsultation\w*|(ved|til|efter) (et )?fremmøde\w*|fremmøde (hos|i klinikken|i praksis)|\bmøde op\b"
     r"|indkald\w*|\b(se|ser) (borgeren|hende|ham|\w+ og)\b|\btilse\b"
     r"|\bi en samtale\b|til (en )?samtale|ved (et )?besøg|\bobserver(e|er)\b|\blader (ham|hende)\b",
     "en konsultation, hvor lægen ser borgeren"),
]
_CUES = [(re.compile(p, re.IGNORECASE), why) for p, why in CUES]
#: the question is about what the journal already holds (past findings, plans, referrals)
JOURNAL = re.compile(
    r"journal|epikrise|notat|tidligere|seneste|sidste (år|gang|konsultation|kontrol|attest)|sidst til|ved sidste"
    r"|hvad viste|\bviste\b|resultat(et|er)? (af|på)|resultater"
    r"|\bblev\b.{0,30}(undersøgt|testet|målt|foretaget)"
    r"|er blevet|har været|foretaget|planlagt|planer|henvist|under indlæggelsen|ved udskrivelsen|i forløbet"
    r"|(fra|på) sygehuset|har (du|i|hun|han) (målt|testet|undersøgt|fået)"
    r"|\b(i|fra) (marts|foråret|efteråret|20\d\d)"
    r"|ergoterapeut|fysioterapeut|kendskab til|fremgår|ifølge|\bfandt\b|\bvar\b|noteret",
    re.IGNORECASE)
QUOTE_CHARS = 90


@dataclass(frozen=True)
class FitFlag:
    """A question that needs a consultation in a journal-based certificate, the cue and a Danish reason."""

    question: Question
    cue: str
    reason: str


def needs_consultation(question: str, lead: str = "") -> tuple[str, str] | None:
    """(the words that ask for seeing the citizen, what they ask for), or None when the question can be
    answered from the journal. ``lead`` is the lead-in of the question's list, read with it."""
    asked = f"{lead} {question}".strip()
    if JOURNAL.search(asked):
        return None
    for pattern, why in _CUES:
        match = pattern.search(asked)
        if match:
            return match.group(0), why
    return None


def _quote(text: str) -> str:
    text = mask(" ".join(text.split()))
    return text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS - 1].rstrip() + "…"


def reason(question: str, why: str, attest_type: str) -> str:
    """The Danish explanation shown to the caseworker."""
    return (f"Spørgsmålet «{_quote(question)}» beder om {why}, men {attest_type} er "
            f"{JOURNAL_BASED[attest_type]}, som lægen udfylder ud fra journalen uden konsultation. "
            "Bestil en attest med konsultation (fx LÆ 135/145) eller spørg til oplysninger i journalen.")


def attest_fit(request_text: str, attest_type: str | None,
               questions: list[Question] | None = None) -> list[FitFlag]:
    """Flags for the request's questions that its journal-based certificate type cannot answer;
    empty for types written after a consultation or an unknown type. ``questions``: the request's
    questions when the caller has split them already."""
    kind = normalize_attest_type(attest_type)
    if kind not in JOURNAL_BASED:
        return []
    flags = []
    for question in questions if questions is not None else split_questions(request_text):
        found = needs_consultation(question.clean, question.lead)
        if found:
            cue, why = found
            flags.append(FitFlag(question, cue, reason(question.clean, why, kind)))
    return flags
