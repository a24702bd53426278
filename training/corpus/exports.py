"""Write corpus documents as the files a case system exports: text PDF with page headers, footers
and hyphenated line breaks, scanned PDF (page images, no text layer), DOCX, TXT and RTF.

Tests, ``bench/ocr_cer.py`` and the ingest demo build their folders with these writers, so what
ingest is checked on is real files made by real libraries (fpdf2, Pillow, python-docx).
"""
from __future__ import annotations

import re
from pathlib import Path

from scorer.text import BULLET, LABEL_MAX_WORDS

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
LINE_CHARS = 88
LINES_PER_PAGE = 46
SCAN_DPI = 300
MIN_SPLIT = 4  # letters each side of a hyphenation break


def wrap(text: str, width: int = LINE_CHARS) -> list[str]:
    """Lines of at most ``width`` characters, as an export lays them out: long words hyphenated
    (``arbej-`` / ``de``), blank lines kept. Three breaks that no reader can tell from structure are
    avoided (see docs/ingest.md): after a word that ends in a hyphen ("angst- og …"), before a
    list number ("… 300 mg x" / "3. Fys.-træning"), and a wrapped tail that looks like a field label."""
    out: list[str] = []
    for source in text.splitlines():
        pieces: list[str] = []
        line = ""
        for word in source.split():
            if not line or len(line) + 1 + len(word) <= width or line.endswith("-") or BULLET.match(f"{word} x"):
                line = f"{line} {word}" if line else word
                continue
            room = width - len(line) - 2
            if room >= MIN_SPLIT and len(word) - room >= MIN_SPLIT and re.fullmatch(r"[a-zæøå]+", word):
                pieces.append(f"{line} {word[:room]}-")
                line = word[room:]
            else:
                pieces.append(line)
                line = word
        pieces.append(line)
        for i in range(len(pieces) - 1, 0, -1):
            if _label_like(pieces[i]) or (i == 1 and _label_like(pieces[0])):
                pieces[i - 1:i + 1] = [f"{pieces[i - 1]} {pieces[i]}"]
        out += pieces
    return out


def _label_like(line: str) -> bool:
    return line.endswith(":") and len(line.split()) <= LABEL_MAX_WORDS and not line[:1].islower()


def pages(text: str, header: str, stamp: str) -> list[list[str]]:
    """The wrapped text cut into pages, each with a running header ("Side i af n") and a print stamp."""
    lines = wrap(text)
    chunks = [lines[i:i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)] or [[]]
    return [[f"{header}    Side {i} af {len(chunks)}", "", *chunk, "", f"Udskrevet {stamp}"]
            for i, chunk in enumerate(chunks, start=1)]


def write_text_pdf(path: Path, text: str, header: str = "Jobcenter · sagsakt", stamp: str = "03.02.2025 kl. 10:14"
                   ) -> Path:
    """A PDF with a text layer, laid out like a case-system print."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("dejavu", "", str(FONT))
    pdf.set_font("dejavu", size=9)
    pdf.set_auto_page_break(False)
    for page in pages(text, header, stamp):
        pdf.add_page()
        for line in page:
            pdf.cell(w=0, h=5.2, text=line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def write_scanned_pdf(path: Path, text: str, header: str = "Jobcenter · sagsakt",
                      stamp: str = "03.02.2025 kl. 10:14") -> Path:
    """A PDF of page images only (a scan): text drawn on white A4 pages at SCAN_DPI, no text layer."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = int(8.27 * SCAN_DPI), int(11.69 * SCAN_DPI)
    font = ImageFont.truetype(str(FONT), size=int(SCAN_DPI * 11 / 72))
    step, margin = int(font.size * 1.45), int(SCAN_DPI * 0.8)
    images = []
    for page in pages(text, header, stamp):
        image = Image.new("L", (width, height), 255)
        draw = ImageDraw.Draw(image)
        for i, line in enumerate(page):
            draw.text((margin, margin + i * step), line, font=font, fill=0)
        images.append(image)
    images[0].save(path, "PDF", resolution=SCAN_DPI, save_all=True, append_images=images[1:])
    return path


def write_docx(path: Path, text: str) -> Path:
    """A Word file, one paragraph per line of the text (blank lines as empty paragraphs)."""
    from docx import Document

    document = Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    document.save(str(path))
    return path


def write_txt(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """A plain-text export in ``encoding`` (``utf-8-sig`` writes a BOM), Windows line ends."""
    path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    return path


def write_rtf(path: Path, text: str) -> Path:
    """An RTF file as Word writes it: cp1252 with ``\\'e6`` escapes, one ``\\par`` a line."""
    def escape(line: str) -> str:
        line = line.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}")
        return "".join(ch if ord(ch) < 128 else _rtf_char(ch) for ch in line)

    body = "\\par\n".join(escape(line) for line in text.splitlines())
    path.write_text("{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0 Calibri;}}\\f0\\fs22\n" + body + "\\par\n}",
                    encoding="ascii")
    return path


def _rtf_char(ch: str) -> str:
    try:
        return "".join(f"\\'{b:02x}" for b in ch.encode("cp1252"))
    except UnicodeEncodeError:
        return f"\\u{ord(ch)}?"
