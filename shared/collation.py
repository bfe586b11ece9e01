"""German sort order (DIN 5007, variant 1, as in dictionaries) with numbers by their value.

PyICU has no wheels for this platform, so the key is made here: Ä, Ö, Ü sort with A, O, U
(an umlaut after the plain letter when all else is equal), ß as ss, accents as their base
letter, case ignored (lower case first when all else is equal), and runs of digits by their
value ("Verein Nummer 76" before "Verein Nummer 100").
"""

from __future__ import annotations

import re
import unicodedata

_DIGITS = re.compile(r"(\d+)")
_SPECIAL = str.maketrans({"ß": "ss", "ẞ": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe"})


def _base(text: str) -> str:
    """Lower case, ß as ss, accents and umlauts as their base letters."""
    text = unicodedata.normalize("NFKD", text.translate(_SPECIAL).casefold())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def _parts(text: str) -> tuple:
    out = []
    for i, part in enumerate(_DIGITS.split(text)):
        if i % 2:
            out.append((1, int(part), ""))
        elif part:
            out.append((0, 0, part))
    return tuple(out)


def german_key(value) -> tuple:
    """A sort key: primary by base letters and numbers, then accents/umlauts, then case."""
    text = "" if value is None else str(value).strip()
    primary = _parts(_base(text))
    # secondary: the plain letter before its umlaut or accented form
    secondary = unicodedata.normalize("NFKD", text.lower())
    # tertiary: lower case before upper case
    tertiary = tuple(ch.isupper() for ch in text)
    return (primary, secondary, tertiary)


def german_sorted(items, key=lambda x: x) -> list:
    """The items in German order of key(item)."""
    return sorted(items, key=lambda item: german_key(key(item)))
