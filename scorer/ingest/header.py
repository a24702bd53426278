"""Kind (request or certificate) and LÆ number read from a document's form header.

Used where neither the manifest nor the file name says what a file is. The cues are those of the
letterheads in ``data/annotated``: a jobcenter asking ("ANMODNING OM LÆGEATTEST", "Kære læge",
"Emne: …") against a doctor answering ("Patient:", "Lægehuset …", "Konsultation", "Dx:").
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from scorer.labels import ATTEST_TYPES

HEADER_CHARS = 600
ATTEST_NUMBER = re.compile(r"\bL(?:Æ|AE|E)\.?[ \t]*-?[ \t]*(\d{3})\b", re.IGNORECASE)
#: Form names that identify the LÆ number without it (LÆ 105 and 115 share 'journaloplysninger').
FORM_NAMES = {"statusattest": "LÆ 125", "specifik helbredsattest": "LÆ 135", "generel helbredsattest": "LÆ 145",
              "speciallægeerklæring": "LÆ 155", "speciallægeattest": "LÆ 155"}
REQUEST_CUES = [
    (r"\banmod(ning|er|e)\b|\banm\.|\bbestilling\b|\bønske[sr]\b|\bvi (vil gerne |skal )?bede\b|\bbedes\b", 3),
    (r"^\s*(kære|hej|til (egen |\w+' )?læge(n)?\b)", 3),
    (r"^\s*(emne|sendt|fra)\s*:", 2),
    (r"^\s*(?!til\b)(\w+ )?(kommune|jobcenter)\b", 2),
    (r"^\s*(borger|modtager|sagsbeh\w*)\s*:", 1),
    (r"^\s*(til|att)\b\.?\s*:?\s*(?!jobcent|\w+ kommune)\w", 3),
    (r"\bvi (vil gerne have|skal bruge)\b|\bjeg skriver\b|\bsagsbehandler\b", 3),
    (r"\?", 2),
    (r"\bteam\b", 1),
]
CERTIFICATE_CUES = [
    (r"\b(patient\w*|pt\.)\s*:?", 3),
    ((r"\b(lægehus\w*|lægerne|lægeklinik\w*|lægepraksis|speciallægepraksis|klinik\w*|ambulatori\w*|afdeling"
     r"|sygehus)\b"), 2),
    ((r"\b(konsultation\w*|kons\.|us\.|undersøgt|attestudsteder|grundlag|udarb\w*|udfærdiget|afgivet"
     r"|attesten er|erkl\.|journalen|fra journal)\b"), 2),
    (r"^\s*(dx|diagn\w*|anamnese)\b", 3),
    (r"\b(set|us\.)\s+\d", 3),
    (r"\b(svar )?til jobcenter\b", 2),
    (r"\b(rekv\w*|indgå\w*|modt\.)", 2),
    (r"\bjournaloplysninger\b(?!.*\banm)", 1),
]


@dataclass(frozen=True)
class Header:
    """What the header says: ``kind`` and ``attest_type`` (``LÆ 125``), each None when it does not."""

    kind: str | None
    attest_type: str | None


def read_header(text: str) -> Header:
    """Kind and LÆ number from the first lines of ``text``."""
    head = text.strip()[:HEADER_CHARS]
    return Header(_kind(head), attest_type(head) or attest_type(text))


def attest_type(text: str) -> str | None:
    """The first valid LÆ number (``LÆ 125``, ``LAE125``, ``LÆ-145``) or form name in ``text``."""
    for match in ATTEST_NUMBER.finditer(text):
        if f"LÆ {match.group(1)}" in ATTEST_TYPES:
            return f"LÆ {match.group(1)}"
    lowered = " ".join(text.lower().split())
    found = [(lowered.find(name), form) for name, form in FORM_NAMES.items() if name in lowered]
    return min(found)[1] if found else None


def _kind(head: str) -> str | None:
    request = _weight(head, REQUEST_CUES)
    certificate = _weight(head, CERTIFICATE_CUES)
    if request == certificate:
        return None
    return "request" if request > certificate else "certificate"


def _weight(head: str, cues: list[tuple[str, int]]) -> int:
    return sum(weight for pattern, weight in cues
               if re.search(pattern, head, flags=re.IGNORECASE | re.MULTILINE))
