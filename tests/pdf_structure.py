"""What a screen reader gets from a PDF: the structure tree's roles in reading order, the
document's language and title, whether it is tagged (pikepdf reads the file)."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pikepdf


@dataclass
class Structure:
    tagged: bool
    lang: str | None
    title: str | None
    display_title: bool
    roles: list[str]
    text: str


def structure(data: bytes) -> Structure:
    pdf = pikepdf.open(io.BytesIO(data))
    root = pdf.Root
    roles: list[str] = []

    def walk(node) -> None:
        if isinstance(node, pikepdf.Dictionary):
            if "/S" in node:
                roles.append(str(node.S).lstrip("/"))
            kids = node.get("/K")
            if kids is not None:
                walk(kids)
        elif isinstance(node, pikepdf.Array):
            for kid in node:
                walk(kid)

    if "/StructTreeRoot" in root:
        walk(root.StructTreeRoot)
    mark = root.get("/MarkInfo")
    prefs = root.get("/ViewerPreferences")
    with pdf.open_metadata() as meta:
        title = meta.get("dc:title")
    text = b"".join(
        pikepdf.unparse_content_stream(pikepdf.parse_content_stream(page)) for page in pdf.pages
    ).decode("latin-1")
    return Structure(
        tagged=bool(mark and mark.get("/Marked")),
        lang=str(root.get("/Lang")) if "/Lang" in root else None,
        title=title,
        display_title=bool(prefs and prefs.get("/DisplayDocTitle")),
        roles=roles,
        text=text,
    )
