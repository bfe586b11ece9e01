"""Documents as tagged PDF (PDF/UA-1, WeasyPrint): the one renderer of the platform's documents,
from HTML (the printable pages' own, or the HTML of the Markdown the platform writes for the
minutes), so that a screen reader gets what the page shows: the document's language and title,
headings, lists, tables with header cells, reading order and real text (issue 25, point 5).

The Markdown is a small subset, each line one block: ``# `` title, ``## `` heading, ``- `` item,
``  - `` sub-item, else a paragraph; ``**bold**`` only as the document's own markup (everything
people wrote went through ``shared.outputs.markdown_text``: every markup character has a
backslash, ``&``, ``<`` and ``>`` are entities); a line ending in two spaces continues in the next.
"""

from __future__ import annotations

import functools
import html
import re
from datetime import datetime
from pathlib import Path

# The page of a document from Markdown (the printable pages bring their own stylesheet).
STYLE = (
    "@page { size: A4; margin: 20mm 18mm; } body { font-family: 'DejaVu Sans', sans-serif;"
    " font-size: 11pt; line-height: 1.4; } h1 { font-size: 16pt; } h2 { font-size: 13pt; }"
)

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


def _spans(text: str) -> str:
    """A line as HTML: the document's own bold as <strong>, every escape and entity resolved
    and the text escaped again (what people wrote is shown as they wrote it)."""
    out = []
    for n, part in enumerate(BOLD.split(text)):
        if part:
            shown = html.escape(html.unescape(ESCAPED.sub(r"\1", part)), quote=False)
            out.append(f"<strong>{shown}</strong>" if n % 2 else shown)
    return "".join(out).replace("\n", "<br>")


def markdown_html(markdown: str, title: str, created: datetime, lang: str = "de") -> str:
    """The document's Markdown as an HTML document: h1/h2, nested lists, paragraphs."""
    body: list[str] = []
    depth = 0  # how many lists are open; each holds an open <li>

    def close_to(level: int) -> None:
        nonlocal depth
        while depth > level:
            body.append("</li></ul>")
            depth -= 1

    for line in lines(markdown):
        kind, text = block(line)
        if not text.strip():
            close_to(0)
            continue
        level = min({"item": 1, "subitem": 2}.get(kind, 0), depth + 1)
        if level == 0:
            close_to(0)
            tag = kind if kind in ("h1", "h2") else "p"
            body.append(f"<{tag}>{_spans(text)}</{tag}>")
            continue
        if level > depth:
            body.append("<ul>")
            depth = level
        else:
            close_to(level)
            body.append("</li>")
        body.append(f"<li>{_spans(text)}")
    close_to(0)
    return document(title, "".join(body), created, lang, STYLE)


def document(title: str, body: str, created: datetime, lang: str, style: str = "") -> str:
    """An HTML document with language, title and dates (the PDF's metadata)."""
    moment = created.isoformat()
    return (
        f'<!doctype html><html lang="{html.escape(lang)}"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        f'<meta name="dcterms.created" content="{moment}">'
        f'<meta name="dcterms.modified" content="{moment}">'
        f'<meta name="generator" content="Knotenpunkt">'
        f"<style>{style}</style></head><body>{body}</body></html>"
    )


BASE_URL = "http://document.invalid/"

PAGE_OF = {
    "de": ("Seite ", " von "),
    "en": ("Page ", " of "),
    "ar": ("صفحة ", " من "),
}


def _css_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def page_margins(lang: str = "de", running_head: str | None = None) -> str:
    """CSS for every page: the running head (the network and the document's date) atop, and
    "Seite n von m" below (in the margin boxes: artifacts, not the document's text)."""
    page, of = PAGE_OF.get(lang, PAGE_OF["de"])
    css = (
        "@page { @bottom-center { content: "
        f"{_css_text(page)} counter(page) {_css_text(of)} counter(pages);"
        " font-size: 8pt; color: #444; } "
    )
    if running_head:
        css += f"@top-left {{ content: {_css_text(running_head)}; font-size: 8pt; color: #444; }} "
    return css + "}"


def html_pdf(
    page: str, static_dir: Path | None = None, lang: str = "de", running_head: str | None = None
) -> bytes:
    """An HTML document as tagged PDF/UA-1 (A4), the same bytes for the same page, with page
    numbers and (given) a running head on every page. Its links to ``/static/<file>`` are read
    from `static_dir` (the page's stylesheet); nothing else is fetched, from no network."""
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):
        def fetch(self, url, headers=None):
            name = url.removeprefix(BASE_URL + "static/") if url.startswith(BASE_URL) else ""
            path = (static_dir / name).resolve() if static_dir and name else None
            if path is None or static_dir.resolve() not in path.parents or not path.is_file():
                raise ValueError(f"not fetched: {url}")
            kind = "text/css" if path.suffix == ".css" else "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": kind})

    margins = CSS(string=page_margins(lang, running_head))
    return HTML(string=page, base_url=BASE_URL, url_fetcher=StaticOnly()).write_pdf(
        pdf_variant="pdf/ua-1", stylesheets=[margins]
    )


def running_head(network: str | None, created: datetime) -> str | None:
    """The line atop each page: the network and the document's date."""
    return f"{network} · {created:%d.%m.%Y}" if network else None


@functools.lru_cache(maxsize=64)
def markdown_pdf(
    markdown: str, title: str, created: datetime, lang: str = "de", network: str | None = None
) -> bytes:
    """The document's Markdown as a tagged PDF (A4), the same bytes for the same document: its
    date is ``created`` (e.g. the publication), never the moment it is rendered; the network's
    name and that date atop each page (when ``network`` is given), "Seite n von m" below;
    raises nothing."""
    return html_pdf(
        markdown_html(markdown, title, created, lang),
        lang=lang,
        running_head=running_head(network, created),
    )
