"""A ballot's choices read the same everywhere: German words in German text, a tally as a sentence."""

from __future__ import annotations

from knotenpunkt.shared import choices


def test_every_choice_of_the_api_has_a_word_in_every_language():
    from knotenpunkt.services.voting.schemas.votes import CHOICES

    for words in choices.WORDS.values():
        assert set(words) == set(CHOICES)


def test_a_consensus_tally_in_german_and_english():
    tally = {"object": 1, "agree": 3, "voted": 5, "stand_aside": 1, "electorate": 7}
    assert choices.tally_line(tally) == (
        "Zustimmung 3, Enthaltung (Beiseitestehen) 1, Einwand 1; abgestimmt 5 von 7"
    )
    assert choices.tally_line(tally, "en") == "agree 3, stand aside 1, object 1; voted 5 of 7"


def test_a_tally_without_electorate_and_an_unknown_language():
    assert choices.tally_line({"no": 0, "yes": 1, "voted": 1}, "fr") == "Ja 1, Nein 0; abgestimmt 1"
    assert choices.tally_line({}) == ""
    assert choices.word("stand_aside") == "Enthaltung (Beiseitestehen)"
    assert choices.word("maybe") == "maybe"
