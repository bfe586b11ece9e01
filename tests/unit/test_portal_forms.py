"""The portal's own rules without the services: a record's form and the API's body (by its
kind's fields), the network's time zone, paging, the agenda's moves and the guest lines."""

from __future__ import annotations

import pytest
from flask import Flask, g
from flask_babel import Babel
from werkzeug.datastructures import MultiDict

from knotenpunkt.services.portal import nav, zone
from knotenpunkt.services.portal.console_events.agenda import _moved
from knotenpunkt.services.portal.console_events.invitations import _guests
from knotenpunkt.services.portal.console_manage.kinds import KINDS
from knotenpunkt.services.portal.console_manage.record_form import api_body, form_values, shown
from knotenpunkt.services.portal.forms import Errors

RULES = {"timezone": "Europe/Berlin", "policy_fields": ["Arbeit", "Wohnen"]}


@pytest.fixture
def request_context():
    app = Flask(__name__)
    Babel(app)
    with app.test_request_context("/?seite=3"):
        g.rules = RULES
        g.tenant = "chemnitz"
        yield


def test_a_new_partner_leaves_empty_fields_out_and_a_change_clears_them(request_context):
    kind = KINDS["partner"]
    form = MultiDict(
        {"name": " Tafel ", "kind": "initiative", "languages": "DE; ar", "public": "yes"}
    )
    form.setlist("topics", ["Arbeit", "Erfunden"])
    errors = Errors()
    created = api_body(kind, form, errors, creating=True)
    assert not errors
    assert created == {
        "name": "Tafel",
        "kind": "initiative",
        "topics": ["Arbeit"],
        "languages": ["de", "ar"],
        "public": True,
        "shared": False,
    }
    changed = api_body(kind, form, Errors(), creating=False)
    assert changed["city"] is None and changed["website"] is None


def test_required_fields_are_asked_for_in_plain_words(request_context):
    errors = Errors()
    api_body(KINDS["aerzte"], MultiDict({"name": "Dr. A"}), errors, creating=True)
    assert set(errors.fields) == {"specialty", "languages", "last_verified"}
    assert errors.get("languages") == ["Bitte geben Sie mindestens einen Eintrag an."]


def test_a_moment_is_read_and_shown_in_the_network_zone(request_context):
    kind = KINDS["kontakte"]
    body = api_body(
        kind,
        MultiDict({"name": "A", "legal_basis": "consent", "consent_at": "2026-07-01T09:30"}),
        Errors(),
        creating=True,
    )
    assert body["consent_at"] == "2026-07-01T09:30:00+02:00"
    values = form_values(kind, {"consent_at": "2026-07-01T07:30:00+00:00", "languages": ["de"]})
    assert values["consent_at"] == "2026-07-01T09:30" and values["languages"] == "de"
    errors = Errors()
    api_body(kind, MultiDict({"name": "A", "consent_at": "gestern"}), errors, creating=True)
    assert errors.get("consent_at") == ["Bitte geben Sie Datum und Uhrzeit an."]


def test_a_list_shows_the_words_of_its_fixed_choices(request_context):
    partner = shown(KINDS["partner"], {"kind": "chamber", "status": "left", "languages": []})
    assert partner["kind_label"] == "Kammer" and partner["status_label"] == "ausgetreten"
    contact = shown(KINDS["kontakte"], {"legal_basis": "public_task"})
    assert contact["legal_basis_label"] == "öffentliche Aufgabe"
    offer = shown(KINDS["angebote"], {"kind": "housing"})
    assert offer["kind_label"] == "Wohnen"


def test_the_kinds_say_how_they_are_listed_and_saved():
    assert [k for k, kind in KINDS.items() if kind.paged] == ["partner"]
    assert [k for k, kind in KINDS.items() if kind.upsert] == ["zustaendigkeiten"]


def test_the_zone_and_the_pages(request_context):
    assert zone.when("2026-09-03T12:00:00+00:00") == "03.09.2026, 14:00 Uhr"
    assert zone.when("2026-09-03", "date") == "03.09.2026"
    assert zone.input_value(None) == ""
    assert nav.page_number() == 3
    assert (nav.pages(0), nav.pages(20), nav.pages(21)) == (1, 1, 2)
    assert nav.one_of("x", ("a", "b"), "a") == "a" and nav.one_of("b", ("a", "b")) == "b"
    assert nav.is_coordinator({"roles": ["admin"]}) and not nav.is_coordinator({"roles": []})
    assert not nav.is_coordinator(None)


def test_agenda_moves_and_guest_lines():
    items = [{"title": "a"}, {"title": "b"}, {"title": "c"}]
    assert [i["title"] for i in _moved(items, "up", 1)] == ["b", "a", "c"]
    assert [i["title"] for i in _moved(items, "remove", 2)] == ["a", "b"]
    assert _moved(items, "down", 2) is None and _moved(items, "up", 5) is None
    guests, wrong = _guests("Ada Lovelace, ada@example.org\nBob <bob@example.org>\n\nnur ein Name")
    assert guests == [
        {"name": "Ada Lovelace", "email": "ada@example.org"},
        {"name": "Bob", "email": "bob@example.org"},
    ]
    assert wrong == ["nur ein Name"]
