"""Validation messages: German by default, English on request."""

from __future__ import annotations

import pytest

from knotenpunkt.shared.i18n import german, prefers_english


@pytest.mark.parametrize(
    ("english", "expected"),
    [
        ("Missing data for required field.", "Pflichtfeld fehlt."),
        ("Unknown field.", "Unbekanntes Feld."),
        ("Not a valid integer.", "Keine gültige ganze Zahl."),
        ("Not a valid datetime.", "Kein gültiger Wert für Zeitpunkt (ISO 8601)."),
        ("Must be one of: yes, no.", "Erlaubt ist nur: yes, no."),
        ("Longer than maximum length 200.", "Länger als erlaubt (höchstens 200)."),
        ("Length must be between 1 and 200.", "Die Länge muss zwischen 1 und 200 liegen."),
        (
            "Must be greater than or equal to 1 and less than or equal to 100.",
            "Muss zwischen 1 und 100 liegen.",
        ),
        ("Must be greater than or equal to 1.", "Muss mindestens 1 sein."),
        ("Ein Grund ist nötig.", "Ein Grund ist nötig."),
    ],
)
def test_marshmallow_messages_in_german(english, expected):
    assert german(english) == expected


@pytest.mark.parametrize(
    ("header", "english"),
    [
        (None, False),
        ("", False),
        ("de-DE,de;q=0.9,en;q=0.8", False),
        ("en", True),
        ("en-US,en;q=0.9", True),
        ("fr, en;q=0.5, de;q=0.4", True),
        ("ar, de;q=0.5", False),
        ("en;q=abc, de", False),
    ],
)
def test_english_only_when_ranked_above_german(header, english):
    assert prefers_english(header) is english


@pytest.mark.parametrize(
    ("english", "german_text"),
    [
        ("must be after starts_at", "Muss nach starts_at liegen."),
        ("is required when status is 'left'", "Pflichtfeld, wenn der Status 'left' ist."),
        ("the range may span one year at most", "Der Zeitraum darf höchstens ein Jahr umfassen."),
    ],
)
def test_the_services_own_rule_messages_are_german(english, german_text):
    assert german(english) == german_text
