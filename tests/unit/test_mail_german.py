"""German mails say everything in German: no enum word of the APIs (no, yes, stand_aside,
adopted, voted …) inside a German sentence; choices read „Ja“, „Nein“, „Einwand“ …; the
minutes and the partner overview mails link to their documents in the portal."""

from __future__ import annotations

import re

import pytest

from knotenpunkt.services.notifications.domain import deliveries as domain
from tests.unit.test_notification_templates import SHAPES, _render

# The APIs' enum values that must never stand in a German text (whole words, any case of
# the value as the API writes it).
ENUM_WORDS = re.compile(
    r"\b(yes|no|abstain|agree|stand[ _]aside|object|voted|electorate|adopted|rejected|"
    r"no_quorum|recommended|not_recommended|no_consensus|simple_majority|absolute_majority|"
    r"two_thirds|unanimity|overdue|due|submitted|returned|in_vote|admitted)\b"
)
GERMAN_CASES = [(t, s) for t, shapes in sorted(SHAPES.items()) for s in sorted(shapes)]


def _without_links(text: str) -> str:
    return re.sub(r"\S+@\S+|https?://\S+", "", text)


@pytest.mark.parametrize(("template", "shape"), GERMAN_CASES)
def test_no_english_enum_word_in_a_german_mail(template, shape):
    subject, body = _render(template, SHAPES[template][shape], "de")
    found = ENUM_WORDS.findall(_without_links(f"{subject}\n{body}"))
    assert found == [], (template, shape, found)


def test_reasons_are_asked_for_in_the_readers_words():
    _, body = _render("ballot_opened", SHAPES["ballot_opened"]["with-reasons"], "de")
    assert "wer mit „Nein“ stimmt, teilt dem Gremium seine Gründe mit" in body
    _, body = _render("ballot_opened", SHAPES["ballot_opened"]["consensus-with-text"], "de")
    assert "wer mit „Einwand“ oder „Enthaltung (Beiseitestehen)“ stimmt" in body
    _, english = _render("ballot_opened", SHAPES["ballot_opened"]["with-reasons"], "en")
    assert 'Rule: simple majority; a vote of "no" needs its reasons' in english


def test_a_decision_without_its_sentence_is_told_in_german():
    data = {
        "title": "Sitzung",
        "starts_at": "2027-03-31T11:00:00+00:00",
        "decisions": [{"title": "Antrag", "outcome": "no_quorum", "dissent": []}],
    }
    _, body = _render("minutes_published", data, "de")
    assert "- Antrag: nicht beschlussfähig" in body
    _, english = _render("minutes_published", data, "en")
    assert "- Antrag: no quorum" in english


def test_the_minutes_mail_links_to_the_document_and_the_pdf_of_a_public_event():
    event = {"id": "e1", "public": True, "title": "Sitzung", "starts_at": "2027-03-31T11:00:00Z"}
    links = domain.document_links("minutes_published", event, "https://k.example/", "chemnitz")
    assert links == {
        "minutes_url": "https://k.example/chemnitz/protokolle/e1",
        "minutes_pdf_url": "https://k.example/chemnitz/protokolle/e1.pdf",
    }
    _, body = _render("minutes_published", {**event, "decisions": [], **links}, "de")
    assert "Zum Lesen und Drucken: https://k.example/chemnitz/protokolle/e1\n" in body
    assert "Als PDF: https://k.example/chemnitz/protokolle/e1.pdf" in body
    private = domain.document_links(
        "minutes_published", {**event, "public": False}, "https://k.example", "chemnitz"
    )
    assert private == {"minutes_url": "https://k.example/chemnitz/protokolle/e1"}
    _, body = _render("minutes_published", {**event, "decisions": [], **private}, "de")
    assert "Als PDF" not in body and "/protokolle/e1" in body


def test_the_overview_mail_goes_to_the_coordinators_with_its_links():
    data = {"publication_id": "p1", "partners": 87, "new": 3}
    links = domain.document_links("directory_published", data, "https://k.example", "chemnitz")
    assert links == {
        "overview_url": "https://k.example/chemnitz/partneruebersicht/p1",
        "overview_pdf_url": "https://k.example/chemnitz/partneruebersicht/p1.pdf",
    }
    subject, body = _render("directory_published", {**data, **links}, "de")
    assert subject == "Partnerübersicht veröffentlicht: 87 Partner, davon 3 neu"
    assert "https://k.example/chemnitz/partneruebersicht/p1.pdf" in body
    assert domain.RULES["membership.directory.published"][1] == "coordinators"
