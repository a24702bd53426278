"""Tesseract OCR for scanned pages, called as a plain subprocess (no Python binding to install).

Tesseract and its Danish model are Debian packages (``make ocr`` installs them); where they are
missing, ingest rejects scanned pages with a reason instead of failing.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.Image import Image

LANGUAGE = "dan"
TIMEOUT_S = 120


def tesseract_available(language: str = LANGUAGE) -> bool:
    """Whether ``tesseract`` is on PATH and has the model for ``language``."""
    exe = shutil.which("tesseract")
    if exe is None:
        return False
    try:
        listed = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30,
                                check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return language in (listed.stdout + listed.stderr).split()


def ocr_image(image: Image, language: str = LANGUAGE) -> str:
    """The text Tesseract reads on one page image."""
    with tempfile.TemporaryDirectory(prefix="attestscore-ocr-") as tmp:
        page = Path(tmp) / "page.png"
        image.save(page)
        done = subprocess.run(["tesseract", str(page), "stdout", "-l", language], capture_output=True,
                              timeout=TIMEOUT_S, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"tesseract exited with status {done.returncode}")
    return done.stdout.decode("utf-8", errors="replace")
