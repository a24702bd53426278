"""Text out of one exported file (PDF, DOCX, TXT, RTF), or an :class:`ExtractionError` saying why not.

Libraries are imported inside the functions: ``import scorer`` stays cheap, and only ingest needs
the optional ``ingest`` extra.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scorer.ingest.ocr import ocr_image

SUFFIXES = (".pdf", ".docx", ".txt", ".rtf")
NO_OCR = "ingen tekst (scannet side; OCR ikke installeret)"
ENCODINGS = ("cp1252", "latin_1", "iso8859_15", "cp850", "mac_roman", "utf_16")
DANISH_LETTERS = "æøåÆØÅ"


class ExtractionError(Exception):
    """A file that yields no text; ``reason`` is what the rejects file says."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Extracted:
    """Raw text of a file as laid out, and how it was read (``text``, ``ocr``, ``docx``, ``plain``, ``rtf``)."""

    text: str
    method: str
    pages: int = 1


def extract(path: Path, ocr: bool) -> Extracted:
    """The text of ``path``; scanned PDF pages are read by OCR when ``ocr`` is true."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ExtractionError(f"filtype ikke understøttet ({suffix or 'uden endelse'})")
    if path.stat().st_size == 0:
        raise ExtractionError("tom fil")
    if suffix == ".pdf":
        found = _pdf(path, ocr)
    elif suffix == ".docx":
        found = Extracted(_docx(path), "docx")
    elif suffix == ".rtf":
        found = Extracted(_rtf(path.read_bytes()), "rtf")
    else:
        found = Extracted(decode(path.read_bytes()), "plain")
    if not found.text.strip():
        raise ExtractionError("ingen tekst i filen")
    return found


def decode(data: bytes) -> str:
    """Bytes of a text file in any common Western encoding: a BOM or valid UTF-8 first, else among
    charset-normalizer's readings (cp1252, latin-1, ISO-8859-15, DOS cp850, Mac Roman, UTF-16) the one
    with the most Danish letters; byte statistics alone mistake cp850 for cp1252 on short texts."""
    from charset_normalizer import from_bytes

    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(codec)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    readings = [str(match) for match in from_bytes(data, cp_isolation=list(ENCODINGS))]
    if not readings:
        raise ExtractionError("ukendt tegnsæt (binær fil?)")
    return max(readings, key=lambda text: sum(text.count(ch) for ch in DANISH_LETTERS))


def _pdf(path: Path, ocr: bool) -> Extracted:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, PdfReadError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except (DependencyError, NotImplementedError):
                opened = 0
            if not opened:
                raise ExtractionError("krypteret PDF (kræver adgangskode)")
        pages, used_ocr = [], False
        for page in reader.pages:
            text = page.extract_text(extraction_mode="layout") or ""
            if not text.strip():
                images = list(page.images)
                if images and not ocr:
                    raise ExtractionError(NO_OCR)
                text = "\n\n".join(ocr_image(img.image) for img in images)
                used_ocr = used_ocr or bool(images)
            pages.append(text)
    except ExtractionError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise ExtractionError(f"beskadiget PDF ({type(exc).__name__})") from None
    return Extracted("\n\n".join(pages), "ocr" if used_ocr else "text", len(pages))


def _docx(path: Path) -> str:
    """Paragraphs and table rows in document order (form fields often sit in tables); page headers
    and footers live outside the body and stay out."""
    import zipfile

    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ExtractionError(f"beskadiget DOCX ({type(exc).__name__})") from None
    lines = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.append(block.text)
        elif isinstance(block, Table):
            for row in block.rows:
                cells = list(dict.fromkeys(c.text.strip() for c in row.cells if c.text.strip()))
                lines.append(" ".join(cells))
    return "\n".join(lines)


def _rtf(data: bytes) -> str:
    """RTF is 7-bit with ``\\'e6`` escapes in the document's code page (``\\ansicpgN``, default cp1252)."""
    import re

    from striprtf.striprtf import rtf_to_text

    raw = data.decode("latin-1")
    if not raw.lstrip().startswith("{\\rtf"):
        raise ExtractionError("beskadiget RTF (mangler {\\rtf-hoved)")
    page = re.search(r"\\ansicpg(\d+)", raw)
    try:
        return rtf_to_text(raw, encoding=f"cp{page.group(1)}" if page else "cp1252", errors="replace")
    except (LookupError, ValueError) as exc:
        raise ExtractionError(f"beskadiget RTF ({type(exc).__name__})") from None
