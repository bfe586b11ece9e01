"""The platform's PDFs carry the network and the date atop each page and page numbers below."""

from __future__ import annotations

import re
import zlib
from datetime import UTC, datetime

from knotenpunkt.shared import pdf


def _text(document: bytes) -> str:
    """The content streams' text (core fonts write it as plain strings)."""
    out = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", document, re.S):
        try:
            out.append(zlib.decompress(raw).decode("latin-1"))
        except zlib.error:
            out.append(raw.decode("latin-1"))
    return re.sub(r"\) Tj \(", "", "\n".join(out))  # a line written in pieces, joined


def test_running_head_and_page_numbers(monkeypatch, tmp_path):
    monkeypatch.setattr(pdf, "FONT_DIR", tmp_path)  # no DejaVu: the core font, text readable
    pdf.markdown_pdf.cache_clear()
    markdown = "# Protokoll\n\n" + "\n".join(f"- Punkt {n}" for n in range(120))
    created = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
    document = pdf.markdown_pdf(markdown, "Protokoll", created, "de", "Netzwerk Chemnitz")
    text = _text(document)
    pages = len(re.findall(rb"/Type\s*/Page\b", document))
    assert pages >= 2
    assert text.count("Netzwerk Chemnitz \xb7 02.12.2026") == pages
    assert f"Seite 1 von {pages}" in text and f"Seite {pages} von {pages}" in text
    english = _text(pdf.markdown_pdf(markdown, "Minutes", created, "en"))
    assert "Page 1 of " in english and "Netzwerk Chemnitz" not in english
    pdf.markdown_pdf.cache_clear()
