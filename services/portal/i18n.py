"""Languages: German by default, English complete, Arabic (right to left) as a test of the layout.

Messages are written in German in the templates and code (the msgid); the
catalogues under translations/ translate them. Compiled .mo files are committed
and rebuilt at start-up when a .po is newer.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import has_request_context, session

log = logging.getLogger(__name__)

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
# (code, the language's name in itself)
LANGUAGES = (("de", "Deutsch"), ("en", "English"), ("ar", "العربية"))
CODES = tuple(code for code, _ in LANGUAGES)
RTL = frozenset({"ar"})
DEFAULT = "de"


def current_language() -> str:
    if has_request_context():
        lang = session.get("lang")
        if lang in CODES:
            return lang
    return DEFAULT


def select_locale() -> str:
    return current_language()


def compile_catalogues(folder: Path = TRANSLATIONS) -> list[Path]:
    """Compile every messages.po whose .mo is missing or older; returns the files written."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(folder.glob("*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        try:
            with po.open("rb") as f:
                catalog = read_po(f, locale=po.parent.parent.name)
            with mo.open("wb") as f:
                write_mo(f, catalog)
            written.append(mo)
        except OSError as exc:  # a read-only installation keeps the committed .mo
            log.warning("cannot compile %s: %s", po, exc)
    return written
