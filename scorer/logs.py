"""Logging for the CLI and batch runs: logger ``attestscore``, every line masked for identifiers.

Log records carry counts, row numbers and paths, never document text; the masking formatter is the
second line of defence for identifiers that reach a message through a path or an error."""
from __future__ import annotations

import logging
import sys
from typing import TextIO

from scorer.privacy import mask

LOGGER_NAME = "attestscore"


class MaskingFormatter(logging.Formatter):
    """Formats as usual, then masks CPR numbers, phone numbers and e-mails in the whole line
    (tracebacks included)."""

    def format(self, record: logging.LogRecord) -> str:
        return mask(super().format(record))


class _CurrentStderr(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a record comes, not the one at set-up time
    (redirections and test capture swap it and close the old one)."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        """Ignored: the stream is always the current stderr."""


def get_logger() -> logging.Logger:
    return logging.getLogger(LOGGER_NAME)


def configure(level: str | int = "INFO", stream: TextIO | None = None) -> logging.Handler:
    """Send ``attestscore`` records at ``level`` to ``stream`` (default: the current stderr) through
    the masking formatter, replacing a handler an earlier call installed."""
    logger = get_logger()
    for old in [h for h in logger.handlers if isinstance(h.formatter, MaskingFormatter)]:
        logger.removeHandler(old)
    handler = logging.StreamHandler(stream) if stream else _CurrentStderr()
    handler.setFormatter(MaskingFormatter("attestscore %(levelname)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level.upper() if isinstance(level, str) else level)
    logger.propagate = False
    return handler
