"""A ballot's choices in the readers' words: one vocabulary for voting's sentences, the minutes,
the mails and the portal, so that no API enum word ("no", "stand_aside") stands in German text.
"""

from __future__ import annotations

# In the order a tally lists them: the majority rules' choices, then consensus'.
WORDS = {
    "de": {
        "yes": "Ja",
        "no": "Nein",
        "abstain": "Enthaltung",
        "agree": "Zustimmung",
        "stand_aside": "Enthaltung (Beiseitestehen)",
        "object": "Einwand",
    },
    "en": {
        "yes": "yes",
        "no": "no",
        "abstain": "abstain",
        "agree": "agree",
        "stand_aside": "stand aside",
        "object": "object",
    },
}
GERMAN = WORDS["de"]
# "voted 3 of 5" in each language of WORDS.
_VOTED = {"de": ("abgestimmt", "von"), "en": ("voted", "of")}


def word(choice: str, language: str = "de") -> str:
    """A choice as the language names it („Nein“ for no); an unknown one as it is."""
    return WORDS.get(language, GERMAN).get(choice, choice)


def tally_line(tally: dict, language: str = "de") -> str:
    """A tally as a sentence part: "Ja 2, Nein 1, Enthaltung 0; abgestimmt 3 von 5" (the counts
    of the choices in their order, then who voted of the electorate; the quorum is left out)."""
    language = language if language in WORDS else "de"
    words, (voted_word, of) = WORDS[language], _VOTED[language]
    counts = ", ".join(f"{words[c]} {tally[c]}" for c in words if c in tally)
    voted = ""
    if "voted" in tally:
        voted = f"{voted_word} {tally['voted']}"
        if tally.get("electorate"):
            voted += f" {of} {tally['electorate']}"
    return "; ".join(p for p in (counts, voted) if p)
