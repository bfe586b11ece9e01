"""The notifications use cases against the fake store: the deliveries an event causes (a
ballot opened: one e-mail per member of the body, opted out ones suppressed, once per event,
the webhooks that want it) and the consent withdrawal's event. No database, no broker."""

from __future__ import annotations

import json

import pytest

from knotenpunkt.services.notifications import handlers
from knotenpunkt.services.notifications.domain import links
from knotenpunkt.shared.errors import Forbidden
from knotenpunkt.shared.messaging import envelope
from tests.fakes import NO_CONNECTION, NOW, FakeOutbox, context
from tests.fakes.notifications import FakeNotificationsStore, FakeRenderer

CHEMNITZ = "chemnitz"
BODY = "vorbereitungsgremium"


class Notifications:
    """One tenant's notifications service over the fake store, renderer and outbox."""

    def __init__(self, tenant: str = CHEMNITZ):
        self.store = FakeNotificationsStore()
        self.renderer = FakeRenderer()
        self.outbox = FakeOutbox()
        self.tenant = tenant

    def ctx(self):
        return context(
            "notifications",
            self.tenant,
            self.store,
            outbox=self.outbox,
            renderer=self.renderer,
        )

    def member(self, person: str, body: str = BODY) -> str:
        email = f"{person}@x.example"
        cmd = handlers.AddBodyMember(body, person, f"Name {person}", email)
        handlers.add_body_member(cmd, NO_CONNECTION, self.ctx())
        return email

    def notify(self, env: dict) -> int:
        return handlers.notify(handlers.Notify(env), NO_CONNECTION, self.ctx())

    def emails(self) -> list[dict]:
        return [r for r in self.store.deliveries.rows if r["channel"] == "email"]


def ballot_opened(tenant: str = CHEMNITZ, body: str = BODY) -> dict:
    data = {
        "ballot_id": "b-1",
        "body": body,
        "title": "Aufnahme Kulturverein",
        "decision_rule": "simple_majority",
        "deadline": "2026-03-16T09:00:00+00:00",
        "electorate": [],
    }
    return envelope("voting", tenant, "ballot", "opened", data, "b-1")


@pytest.fixture
def notifications() -> Notifications:
    return Notifications()


def test_a_ballot_opened_queues_one_mail_per_member_of_the_body(notifications):
    anna, ben = notifications.member("anna"), notifications.member("ben")
    notifications.member("cem", body="netzwerkkonferenz")
    env = ballot_opened()
    assert notifications.notify(env) == 2
    mails = notifications.emails()
    assert sorted(m["recipient"] for m in mails) == [anna, ben]
    for m in mails:
        assert (m["template"], m["category"], m["mandatory"]) == ("ballot_opened", "ballots", False)
        assert (m["status"], m["next_attempt_at"], m["language"]) == ("queued", NOW, "de")
        assert (m["event_id"], m["event_type"]) == (env["id"], env["type"])
        assert m["subject"] == "ballot_opened (de)"
        assert m["attachments"] == []
    # the text links the portal's unsubscribe page, signed for the address and category
    [(_, _, _, shown)] = [
        r for r in notifications.renderer.rendered if r[3]["recipient_name"] == "Name anna"
    ]
    token = links.unsubscribe_token(
        notifications.ctx().settings.link_secret, CHEMNITZ, anna, "ballots"
    )
    assert f"/{CHEMNITZ}/abbestellen?" in shown["unsubscribe_url"]
    assert token in shown["unsubscribe_url"]
    assert shown["withdraw_url"] is None  # a body member is no contact held on consent


def test_who_opted_out_of_ballots_gets_the_mail_suppressed(notifications):
    anna, ben = notifications.member("anna"), notifications.member("ben")
    handlers.set_preference(
        handlers.SetPreference(anna, "ballots", opted_out=True), NO_CONNECTION, notifications.ctx()
    )
    notifications.notify(ballot_opened())
    status = {m["recipient"]: m["status"] for m in notifications.emails()}
    assert status == {anna: "suppressed", ben: "queued"}


def test_the_language_a_member_chose_is_the_mails_language(notifications):
    anna = notifications.member("anna")
    handlers.set_preference(
        handlers.SetPreference(anna, "ballots", language="en"), NO_CONNECTION, notifications.ctx()
    )
    notifications.notify(ballot_opened())
    [mail] = notifications.emails()
    assert (mail["language"], mail["subject"]) == ("en", "ballot_opened (en)")


def test_the_same_event_twice_queues_nothing_new(notifications):
    notifications.member("anna")
    env = ballot_opened()
    assert notifications.notify(env) == 1
    assert notifications.notify(env) == 0
    assert len(notifications.emails()) == 1


def test_a_webhook_that_wants_the_event_gets_it_as_a_cloudevent(notifications):
    wanted = notifications.store.webhooks.create_webhook(
        NO_CONNECTION, CHEMNITZ, "https://hooks.example/a", "s" * 20, ["voting.*"]
    )
    notifications.store.webhooks.create_webhook(
        NO_CONNECTION, CHEMNITZ, "https://hooks.example/b", "s" * 20, ["events.*"]
    )
    env = ballot_opened()
    assert notifications.notify(env) == 1
    [call] = [r for r in notifications.store.deliveries.rows if r["channel"] == "webhook"]
    assert (call["recipient"], call["recipient_name"]) == (
        "https://hooks.example/a",
        str(wanted["id"]),
    )
    assert (call["mandatory"], call["status"]) == (True, "queued")
    assert json.loads(call["body"])["id"] == env["id"]


def test_an_event_nobody_is_told_about_queues_nothing(notifications):
    notifications.member("anna")
    env = envelope("membership", CHEMNITZ, "partner", "updated", {"id": "p1"}, "p1")
    assert notifications.notify(env) == 0
    assert notifications.store.deliveries.rows == []


def test_withdrawing_the_consent_announces_it_with_a_valid_link_only(notifications):
    ctx = notifications.ctx()
    email = "kontakt@x.example"
    with pytest.raises(Forbidden):
        handlers.withdraw_consent(handlers.WithdrawConsent(email, "falsch"), NO_CONNECTION, ctx)
    assert notifications.outbox.events == []
    token = links.withdrawal_token(ctx.settings.link_secret, CHEMNITZ, email)
    said = handlers.withdraw_consent(handlers.WithdrawConsent(email, token), NO_CONNECTION, ctx)
    assert said["email"] == email
    assert notifications.outbox.names() == ["notifications.consent.withdrawn"]
    assert notifications.outbox.of("notifications.consent.withdrawn") == [{"email": email}]
