"""The documents as tagged PDF (PDF/UA-1): a screen reader finds the language, the title,
headings, lists and real text in the structure tree (pikepdf reads it); the same document gives
the same bytes; nothing outside the page's own stylesheet is fetched."""

from __future__ import annotations

from datetime import UTC, datetime

from knotenpunkt.shared.pdf import document, html_pdf, markdown_html, markdown_pdf
from tests.pdf_structure import structure

MINUTES = (
    "# Protokoll: Netzwerktreffen\n\nAnwesend: Anna A., Ben B.\n\n## Tagesordnung\n\n"
    "- Berichte\n  - AG Wohnen\n- **Beschluss:** angenommen\n\nGez. die Koordinierungsstelle\n"
)
WHEN = datetime(2026, 12, 1, 10, tzinfo=UTC)


def test_the_minutes_are_tagged_with_language_title_headings_and_lists():
    s = structure(markdown_pdf(MINUTES, "Protokoll: Netzwerktreffen", WHEN))
    assert s.tagged and s.lang == "de" and s.title == "Protokoll: Netzwerktreffen"
    assert s.display_title
    assert s.roles[0] == "Document"
    assert [r for r in s.roles if r in ("H1", "H2")] == ["H1", "H2"]
    assert s.roles.count("L") == 2 and s.roles.count("LI") == 3  # a list inside a list
    assert s.roles.index("H1") < s.roles.index("P") < s.roles.index("H2") < s.roles.index("L")
    assert " Tj" in s.text or " TJ" in s.text  # text, not a picture of it


def test_the_same_document_gives_the_same_bytes_and_english_is_tagged_en():
    one = markdown_pdf(MINUTES + "\n", "Minutes", WHEN, "en")
    markdown_pdf.cache_clear()
    assert markdown_pdf(MINUTES + "\n", "Minutes", WHEN, "en") == one
    assert structure(one).lang == "en"


def test_what_people_wrote_is_text_not_markup():
    page = markdown_html("- \\<b\\>fett\\</b\\> \\*x\\* &amp; y\n", "T", WHEN)
    assert "<li>&lt;b&gt;fett&lt;/b&gt; *x* &amp; y</li>" in page


def test_a_table_keeps_its_header_cells_and_nothing_is_fetched_from_elsewhere(tmp_path):
    (tmp_path / "page.css").write_text("th { font-weight: bold; }")
    body = (
        '<link rel="stylesheet" href="/static/page.css">'
        '<link rel="stylesheet" href="http://elsewhere.invalid/x.css">'
        "<h1>Partnerübersicht</h1><table><thead><tr><th scope='col'>Name</th>"
        "<th scope='col'>Ort</th></tr></thead><tbody><tr><th scope='row'>Kulturverein</th>"
        "<td>Chemnitz</td></tr></tbody></table>"
    )
    s = structure(html_pdf(document("Partnerübersicht", body, WHEN, "de"), tmp_path))
    assert s.tagged and s.lang == "de"
    assert {"Table", "THead", "TBody", "TR", "TH", "TD"} <= set(s.roles)
    assert s.roles.count("TH") == 3
