"""Writing user input into documents other programs open: CSV for spreadsheets, Markdown for minutes."""

from __future__ import annotations

import csv
import io
import re

# A spreadsheet runs a cell that begins with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_cell(value) -> str:
    """A cell a spreadsheet shows as text: formula starters are neutralised with a leading '."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_document(header: list[str], rows) -> str:
    """A CSV document (semicolon-separated, as German spreadsheets expect), every cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return out.getvalue()


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def markdown_text(value) -> str:
    """Plain text for Markdown: markup, raw HTML and links are shown, not interpreted."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", "  \n")
