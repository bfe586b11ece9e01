"""Documents as PDF (fpdf2, DejaVu Sans): the one renderer of the Markdown the platform writes
for documents (the minutes, the partner overview), and that Markdown's structure.

The Markdown is a small subset, each line one block: ``# `` title, ``## `` heading, ``- `` item,
``  - `` sub-item, else a paragraph; ``**bold**`` only as the document's own markup (everything
people wrote went through ``shared.outputs.markdown_text``: every markup character has a
backslash, ``&``, ``<`` and ``>`` are entities); a line ending in two spaces continues in the next.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from datetime import datetime
from pathlib import Path

from fpdf import FPDF

# The PDF's font (Debian: fonts-dejavu-core); without it a core font, text transliterated.
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}

ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])")
BOLD = re.compile(r"\*\*(.+?)\*\*")


def lines(markdown: str) -> list[str]:
    """The document's lines, a hard line break inside what people wrote joined with ``\\n``."""
    out: list[str] = []
    for line in markdown.split("\n"):
        if out and out[-1].endswith("  "):
            out[-1] = out[-1][:-2] + "\n" + line
        else:
            out.append(line)
    return out


def block(line: str) -> tuple[str, str]:
    """(kind, text) of a line: h1, h2, item, subitem, text."""
    for prefix, kind in (("  - ", "subitem"), ("- ", "item"), ("## ", "h2"), ("# ", "h1")):
        if line.startswith(prefix):
            return kind, line[len(prefix) :]
    return "text", line


# What a core font (latin-1) cannot show, as the nearest it can.
_LATIN1 = str.maketrans(
    {
        "\u2013": "-",
        "\u2014": "-",
        "\u201e": '"',
        "\u201c": '"',
        "\u201d": '"',
        "\u2019": "'",
        "\u201a": "'",
        "\u2018": "'",
        "\u2026": "...",
        "\u2022": "-",
        "\u20ac": "EUR",
    }
)


def _latin1(text: str) -> str:
    text = text.translate(_LATIN1)
    if all(ord(c) < 256 for c in text):
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFKC", plain).encode("latin-1", "replace").decode("latin-1")


def _spans(text: str) -> list[tuple[str, str]]:
    """(style, plain text) of a line: the document's own bold, every escape and entity resolved
    (what people wrote is shown as they wrote it)."""
    out = []
    for n, part in enumerate(BOLD.split(text)):
        if part:
            out.append(("B" if n % 2 else "", html.unescape(ESCAPED.sub(r"\1", part))))
    return out


def _fonts(pdf: FPDF) -> tuple[str, bool]:
    """Register the Unicode font where it is installed: (family, unicode)."""
    regular = FONT_DIR / FONT_FILES[""]
    if not regular.is_file():
        return "helvetica", False
    for style, name in FONT_FILES.items():
        path = FONT_DIR / name
        pdf.add_font("dejavu", style, str(path if path.is_file() else regular))
    return "dejavu", True


PAGE_OF = {
    "de": "Seite {page} von {pages}",
    "en": "Page {page} of {pages}",
    "ar": "صفحة {page} من {pages}",
}


class _Document(FPDF):
    """A4 with a running head (the network and the document's date) and page numbers."""

    running_head = ""
    page_of = PAGE_OF["de"]
    family = "helvetica"

    def header(self):
        if not self.running_head:
            return
        self.set_font(self.family, "", 8)
        self.set_text_color(80)
        self.cell(0, 5, self.running_head, align="L")
        self.ln(8)
        self.set_text_color(0)

    def footer(self):
        self.set_y(-14)
        self.set_font(self.family, "", 8)
        self.set_text_color(80)
        self.cell(0, 5, self.page_of.format(page=self.page_no(), pages="{nb}"), align="C")
        self.set_text_color(0)


@functools.lru_cache(maxsize=64)
def markdown_pdf(
    markdown: str, title: str, created: datetime, lang: str = "de", network: str | None = None
) -> bytes:
    """The document's Markdown as a PDF (A4), the same bytes for the same document: its date is
    ``created`` (e.g. the publication), never the moment it is rendered; each page carries the
    network's name and that date at the top (when ``network`` is given) and "Seite n von m" at
    the bottom; raises nothing."""
    pdf = _Document(format="A4")
    pdf.set_creation_date(created)
    pdf.set_title(title)
    pdf.set_lang(lang)
    pdf.set_creator("Knotenpunkt")
    pdf.set_auto_page_break(auto=True, margin=20)
    family, unicode = _fonts(pdf)
    pdf.family = family
    pdf.page_of = PAGE_OF.get(lang, PAGE_OF["de"])
    if not unicode:
        pdf.page_of = PAGE_OF["de"] if lang not in ("en",) else PAGE_OF["en"]
    if network:
        head = f"{network} · {created:%d.%m.%Y}"
        pdf.running_head = head if unicode else _latin1(head)
    pdf.add_page()
    left = pdf.l_margin
    sizes = {"h1": (16, 9), "h2": (13, 7.5), "item": (11, 6), "subitem": (10, 5.5), "text": (11, 6)}
    indents = {"item": 6, "subitem": 12}
    for line in lines(markdown):
        kind, text = block(line)
        size, height = sizes[kind]
        if not text.strip():
            pdf.ln(height / 2)
            continue
        if kind in ("h1", "h2"):
            pdf.ln(height / 3)
        pdf.set_left_margin(left + indents.get(kind, 0))
        pdf.set_x(pdf.l_margin)
        if kind in indents:
            pdf.set_font(family, "", size)
            pdf.set_x(pdf.l_margin - 4)
            pdf.cell(4, height, "\u2022" if unicode else "-")
        for style, span in _spans(text):
            pdf.set_font(family, "B" if kind in ("h1", "h2") else style, size)
            pdf.write(height, span if unicode else _latin1(span))
        pdf.ln(height)
        pdf.set_left_margin(left)
    return bytes(pdf.output())
