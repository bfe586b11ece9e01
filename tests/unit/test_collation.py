"""German order (DIN 5007 variant 1) with numbers by value: shared/collation.py."""

from __future__ import annotations

from knotenpunkt.shared.collation import german_key, german_sorted


def test_umlauts_sort_with_their_base_letter():
    names = ["Zentrum", "Ärztehaus", "Apotheke", "Bäckerei", "Azubi", "Öffentlich", "Ofen"]
    assert german_sorted(names) == [
        "Apotheke", "Ärztehaus", "Azubi", "Bäckerei", "Ofen", "Öffentlich", "Zentrum",
    ]  # fmt: skip


def test_sharp_s_is_ss_and_plain_letter_before_umlaut_when_equal():
    assert german_sorted(["Straße", "Strasse", "Strand"]) == ["Strand", "Strasse", "Straße"]
    assert german_sorted(["Müller", "Muller"]) == ["Muller", "Müller"]


def test_numbers_by_value():
    names = ["Verein Nummer 100", "Verein Nummer 76", "Verein Nummer 9", "Verein Nummer 76a"]
    assert german_sorted(names) == [
        "Verein Nummer 9", "Verein Nummer 76", "Verein Nummer 76a", "Verein Nummer 100",
    ]  # fmt: skip


def test_case_and_accents_do_not_decide_first():
    assert german_sorted(["b", "A", "a", "é", "e"]) == ["a", "A", "b", "e", "é"]
    assert german_key(None) == german_key("")
