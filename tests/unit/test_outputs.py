"""User input in CSV, Markdown and iCalendar output is data, never code or structure."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from knotenpunkt.shared.ical import ics
from knotenpunkt.shared.outputs import csv_cell, csv_document, markdown_text


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+49 371 123", "'+49 371 123"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Amt 50", "Amt 50"),
        (None, ""),
        (3, "3"),
    ],
)
def test_formula_starters_are_neutralised(value, cell):
    assert csv_cell(value) == cell


def test_csv_document_round_trips_as_text():
    doc = csv_document(["a", "b"], [["=1+1", "x;y"]])
    rows = list(csv.reader(io.StringIO(doc), delimiter=";"))
    assert rows == [["a", "b"], ["'=1+1", "x;y"]]


def test_markdown_shows_html_and_links_as_text():
    out = markdown_text("<script>alert(1)</script> [klick](javascript:alert(1))")
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "](" not in out.replace("\\](", "").replace("\\(", "")


def test_ics_turns_bare_cr_into_an_escaped_line_break():
    doc = ics(
        [
            {
                "id": "e1",
                "title": "Treffen\rATTENDEE:mailto:x@example.org",
                "starts_at": datetime(2026, 7, 1, 10, tzinfo=UTC),
                "ends_at": datetime(2026, 7, 1, 11, tzinfo=UTC),
                "status": "planned",
                "online_url": "https://example.org/\r\nX-INJECTED:1",
            }
        ],
        "Kalender",
        now=datetime(2026, 6, 1, tzinfo=UTC),
        tz=ZoneInfo("Europe/Berlin"),
    )
    lines = doc.split("\r\n")
    assert "SUMMARY:Treffen\\nATTENDEE:mailto:x@example.org" in lines
    assert not any(line.startswith(("ATTENDEE", "X-INJECTED")) for line in lines)
    assert "\r" not in doc.replace("\r\n", "")
