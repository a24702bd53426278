"""Finding and masking direct identifiers (CPR numbers, phone numbers, e-mail addresses) in anything
the project writes besides the scored rows: reports, logs, rejects and error messages.

CPR numbers are masked whether or not the modulus-11 check holds (numbers issued since 2007 need not
satisfy it); the check is reported so callers can tell likely CPRs from other ten-digit dates.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

CPR = re.compile(r"(?<![\d+])(?P<dd>\d{2})(?P<mm>\d{2})(?P<yy>\d{2})[- ]?(?P<seq>\d{4})(?![\d])")
PHONE = re.compile(r"(?<![\d+])(?:(?:\+|00)45[ ]?)?\d{2}[ ]?\d{2}[ ]?\d{2}[ ]?\d{2}(?!\d)")
EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")
PLACEHOLDERS = {"cpr": "[CPR]", "phone": "[TLF]", "email": "[E-MAIL]"}
MOD11_WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


@dataclass(frozen=True)
class Identifier:
    """One identifier in a text: ``kind`` is cpr, phone or email; ``text[start:end]`` is the match.
    ``mod11`` says whether a CPR number passes the modulus-11 check (None for other kinds)."""

    kind: str
    start: int
    end: int
    mod11: bool | None = None


def valid_cpr_date(day: int, month: int, year: int) -> bool:
    """A real day of the month; 29 February only in years divisible by four (the century is unknown)."""
    if not 1 <= month <= 12 or day < 1:
        return False
    return day <= (28 if month == 2 and year % 4 else DAYS_IN_MONTH[month - 1])


def cpr_mod11(digits: str) -> bool:
    """The classic CPR check: weighted digit sum divisible by 11."""
    return sum(int(d) * w for d, w in zip(digits, MOD11_WEIGHTS)) % 11 == 0


def find_identifiers(text: str) -> list[Identifier]:
    """All identifiers in ``text``, ordered by position, without overlaps (a CPR number wins over a
    phone number found inside it, the longer match over the shorter)."""
    found: list[Identifier] = []
    for m in CPR.finditer(text):
        if valid_cpr_date(int(m["dd"]), int(m["mm"]), int(m["yy"])):
            found.append(Identifier("cpr", m.start(), m.end(), cpr_mod11(m["dd"] + m["mm"] + m["yy"] + m["seq"])))
    found += [Identifier("email", m.start(), m.end()) for m in EMAIL.finditer(text)]
    found += [Identifier("phone", m.start(), m.end()) for m in PHONE.finditer(text)]
    priority = {"cpr": 0, "email": 1, "phone": 2}
    found.sort(key=lambda i: (i.start, priority[i.kind], -i.end))
    kept: list[Identifier] = []
    for ident in found:
        if kept and ident.start < kept[-1].end:
            continue
        kept.append(ident)
    return kept


def mask(text: str) -> str:
    """The text with CPR numbers, phone numbers and e-mail addresses replaced by placeholders."""
    parts, last = [], 0
    for ident in find_identifiers(text):
        parts += [text[last:ident.start], PLACEHOLDERS[ident.kind]]
        last = ident.end
    parts.append(text[last:])
    return "".join(parts)
