"""The platform's PDFs carry the network and the date atop each page and page numbers below."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from pypdf import PdfReader

from knotenpunkt.shared import pdf


def test_running_head_and_page_numbers():
    markdown = "# Protokoll\n\n" + "\n".join(f"- Punkt {n}" for n in range(120))
    created = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
    document = pdf.markdown_pdf(markdown, "Protokoll", created, "de", "Netzwerk Chemnitz")
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(document)).pages]
    assert len(pages) >= 2
    for n, text in enumerate(pages, start=1):
        assert "Netzwerk Chemnitz · 02.12.2026" in text
        assert f"Seite {n} von {len(pages)}" in text
    english = PdfReader(io.BytesIO(pdf.markdown_pdf(markdown, "Minutes", created, "en")))
    first = english.pages[0].extract_text()
    assert "Page 1 of " in first and "Netzwerk Chemnitz" not in first
