"""Masking of direct identifiers (CPR numbers, phone numbers, e-mail addresses) in anything the
project writes besides the scored rows: reports, logs, rejects and error messages."""
from __future__ import annotations

import re

CPR = re.compile(r"(?<!\d)(0[1-9]|[12]\d|3[01])(0[1-9]|1[0-2])\d{2}[- ]?\d{4}(?!\d)")
PHONE = re.compile(r"(?<![\d-])(\+45[ ]?)?\d{2}[ ]?\d{2}[ ]?\d{2}[ ]?\d{2}(?![\d-])")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def mask(text: str) -> str:
    """The text with CPR numbers, phone numbers and e-mail addresses replaced by placeholders."""
    text = CPR.sub("[CPR]", text)
    text = EMAIL.sub("[E-MAIL]", text)
    return PHONE.sub("[TLF]", text)
