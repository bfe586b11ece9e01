"""Chemnitz' embargo (Leitlinie 3: the decision is told after the voting period) against those
who poll for it: issue 27 points 1 and 2, issue 28 point 2.

The Vorbereitungsgremium's ballot on an application closes early. Until its deadline:
the anonymous partner list (GET and HEAD) keeps its ETag and its page, as do the views of a
partner and of a member of another body (the Netzwerkkonferenz); only the deciding body and
the Koordinierungsstelle see the partner, the closed ballot, its tally and reasons; the
applicant's withdrawal is refused in the same words as while the ballot still runs. When the
deadline passes, the anonymous list shows the partner and its ETag changes, with no job run.
The web apps here share the workers' clock, which the test moves.
"""

from __future__ import annotations

import pytest

from knotenpunkt.services.membership import worker as mw
from knotenpunkt.services.membership.app import create_app as membership_app
from knotenpunkt.services.voting.app import create_app as voting_app
from tests.support import Clock, unique

BODY = "vorbereitungsgremium"
OTHER_BODY = "netzwerkkonferenz"
LIST = "/api/v1/chemnitz/partners"


@pytest.fixture(scope="module")
def world(settings, tenants, flow):
    """A clock shared by the workers and by a membership and a voting app of their own."""
    clock = Clock()
    before = {service: w.clock for service, w in flow.workers.items()}
    for w in flow.workers.values():
        w.clock = clock
    apps = {
        "membership": membership_app(settings, tenants, clock=clock),
        "voting": voting_app(settings, tenants, clock=clock),
    }
    yield clock, {name: app.test_client() for name, app in apps.items()}
    for service, w in flow.workers.items():
        w.clock = before[service]
    for app in apps.values():
        app.extensions["knotenpunkt"].db.close()


def apply(c, name: str) -> dict:
    resp = c.post(
        "/api/v1/chemnitz/applications",
        json={
            "organisation": {"name": name, "kind": "initiative", "city": "Chemnitz"},
            "contact": {"name": "Amadou Diallo", "email": f"{unique('a')}@verein.example"},
            "statements": {"migrant_interests": True, "non_commercial": True},
        },
    )
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def put_to_vote(c, token, flow, app: dict) -> None:
    checked = c.post(
        f"/api/v1/chemnitz/applications/{app['id']}/check",
        json={"complete": True, "plausible": True},
        headers=token("chemnitz", "coordinator"),
    )
    assert checked.get_json()["status"] == "in_vote"
    flow.settle()


def own_ballot(v, token, app_id: str) -> dict:
    ballots = v.get(
        f"/api/v1/chemnitz/ballots?body={BODY}&page_size=200",
        headers=token("chemnitz", "coordinator"),
    ).get_json()
    return next(b for b in ballots if b["subject"] == {"kind": "admission", "id": app_id})


def etag(c, headers=None, query="") -> str:
    got = c.get(f"{LIST}{query}", headers=headers or {})
    assert got.status_code == 200
    head = c.head(f"{LIST}{query}", headers=headers or {})
    assert head.status_code == 200 and head.headers["ETag"] == got.headers["ETag"]
    return got.headers["ETag"]


def names(c, headers=None, query="?page_size=100") -> list[str]:
    return [p["name"] for p in c.get(f"{LIST}{query}", headers=headers or {}).get_json()["items"]]


def test_an_early_closed_admission_is_told_to_nobody_outside_until_the_deadline(
    world, clients, token, flow, set_body
):
    clock, own = world
    c, v = own["membership"], own["voting"]
    people = set_body("chemnitz", BODY, ["Mitglied A", "Mitglied B", "Mitglied C"])
    flow.settle()
    name = unique("Kulturverein Embargo")
    app = apply(c, name)
    running = apply(c, unique("Verein mit laufender Abstimmung"))
    put_to_vote(c, token, flow, app)
    put_to_vote(c, token, flow, running)
    ballot = own_ballot(v, token, app["id"])

    coordinator = token("chemnitz", "coordinator")
    deciding = token("chemnitz", "member", sub=unique("vg"), bodies=[BODY])
    conference = token("chemnitz", "member", sub=unique("nk"), bodies=[OTHER_BODY])
    partner = token("chemnitz", "partner")
    outside = {"anonymous": None, "partner": partner, "conference": conference}
    before = {who: etag(c, h) for who, h in outside.items()}
    before_q = etag(c, query=f"?q={name}")
    before_coord, before_deciding = etag(c, coordinator), etag(c, deciding)
    seen_before = {who: names(c, h) for who, h in outside.items()}

    for person, choice in zip(people, ["yes", "no", "yes"], strict=True):
        cast = v.post(
            f"/api/v1/chemnitz/ballots/{ballot['id']}/votes",
            json={"choice": choice, "reason": "Bezug unklar." if choice == "no" else None},
            headers=token("chemnitz", "member", sub=person),
        )
        assert cast.status_code == 200, cast.get_json()
    flow.settle()
    full = c.get(f"/api/v1/chemnitz/applications/{app['id']}", headers=coordinator).get_json()
    assert full["status"] == "admitted" and full["partner_id"]  # decided, under its embargo

    # 27.1: nothing outside changes, neither the ETag (GET, HEAD, 304) nor the page
    for who, headers in outside.items():
        assert etag(c, headers) == before[who], who
        again = c.get(LIST, headers={**(headers or {}), "If-None-Match": before[who]})
        assert again.status_code == 304, who
        assert names(c, headers) == seen_before[who], who
        assert name not in names(c, headers, f"?q={name}")
        assert c.get(f"{LIST}/{full['partner_id']}", headers=headers or {}).status_code == 404
    assert etag(c, query=f"?q={name}") == before_q
    # … the deciding body and the Koordinierungsstelle see the partner waiting
    for headers, tag in ((coordinator, before_coord), (deciding, before_deciding)):
        assert etag(c, headers) != tag
        waiting = c.get(f"{LIST}?q={name}", headers=headers).get_json()["items"]
        assert [p["embargoed_until"] is not None for p in waiting] == [True]

    # 27.1: the applicant's withdrawal is answered as while the ballot runs
    decided_answer = c.post(
        f"/api/v1/chemnitz/applications/{app['id']}/withdraw?token={app['token']}"
    )
    running_answer = c.post(
        f"/api/v1/chemnitz/applications/{running['id']}/withdraw?token={running['token']}"
    )
    assert decided_answer.status_code == running_answer.status_code == 409
    said = decided_answer.get_json()["detail"]
    assert said == running_answer.get_json()["detail"]
    assert "abgestimmt" not in said and "aufgenommen" not in said and "admitted" not in said

    # 27.2: a member of another body reads the ballot as running: no outcome, tally, reasons
    url = f"/api/v1/chemnitz/ballots/{ballot['id']}"
    seen = v.get(url, headers=conference).get_json()
    assert seen["status"] == "open"
    assert [seen[k] for k in ("tally", "outcome", "outcome_text", "dissent", "closed_at")] == [
        None
    ] * 5
    assert seen["voters"] == [] and seen["voted"] is None
    listed = v.get(f"/api/v1/chemnitz/ballots?body={BODY}&status=open", headers=conference)
    assert ballot["id"] in [b["id"] for b in listed.get_json()]
    closed = v.get(f"/api/v1/chemnitz/ballots?body={BODY}&status=closed", headers=conference)
    assert ballot["id"] not in [b["id"] for b in closed.get_json()]
    assert v.get(f"{url}/record", headers=conference).status_code == 403
    again = v.post(f"{url}/votes", json={"choice": "yes"}, headers=conference)
    assert again.status_code == 403 and "geschlossen" not in again.get_json()["detail"]
    # … the deciding body and the Koordinierungsstelle read it whole
    for headers in (deciding, coordinator):
        whole = v.get(url, headers=headers).get_json()
        assert whole["status"] == "closed" and whole["outcome"] == "adopted"
        assert whole["tally"]["yes"] == 2 and whole["dissent"][0]["reason"] == "Bezug unklar."
        assert v.get(f"{url}/record", headers=headers).status_code == 200
        closed = v.get(f"/api/v1/chemnitz/ballots?body={BODY}&status=closed", headers=headers)
        assert ballot["id"] in [b["id"] for b in closed.get_json()]

    # 28.2: the deadline passes; no job has run, yet the outside views list the partner
    clock.advance(days=15)
    for who, headers in outside.items():
        assert etag(c, headers) != before[who], who
        assert (
            c.get(LIST, headers={**(headers or {}), "If-None-Match": before[who]}).status_code
            == 200
        )
        assert name in names(c, headers, f"?q={name}"), who
    assert etag(c, query=f"?q={name}") != before_q
    told = v.get(url, headers=conference).get_json()
    assert told["status"] == "closed" and told["tally"]["yes"] == 2
    # the announcement (the job) writes the partner: a new version again, the same page
    after_deadline = etag(c)
    w = flow.workers["membership"]
    mw.announce_decisions(w, w.context("chemnitz"))
    flow.settle()
    assert etag(c) != after_deadline and name in names(c, query=f"?q={name}")


def test_a_former_partner_admitted_again_early_stays_as_it_was_until_the_announcement(
    world, clients, token, flow, set_body
):
    """The organisation left the network once; its return, decided early, changes nothing
    any outside view shows (nor their ETags) before the deadline; the announcement makes it
    active again."""
    clock, own = world
    c, v = own["membership"], own["voting"]
    coordinator = token("chemnitz", "coordinator")
    people = set_body("chemnitz", BODY, ["Mitglied A", "Mitglied B"])
    flow.settle()
    name = unique("Rückkehrverein")
    former = c.post(
        LIST, json={"name": name, "kind": "initiative", "city": "Chemnitz"}, headers=coordinator
    ).get_json()
    left = c.patch(
        f"{LIST}/{former['id']}",
        json={"status": "left", "left_on": "2025-12-31"},
        headers=coordinator,
    )
    assert left.status_code == 200
    app = apply(c, name)
    put_to_vote(c, token, flow, app)
    outside = {
        "anonymous": None,
        "partner": token("chemnitz", "partner"),
        "conference": token("chemnitz", "member", sub=unique("nk"), bodies=[OTHER_BODY]),
    }
    queries = ("", "?status=all", "?status=left", f"?q={name}&status=all")
    before = {(w, q): etag(c, h, q) for w, h in outside.items() for q in queries}
    ballot = own_ballot(v, token, app["id"])
    for person in people:
        cast = v.post(
            f"/api/v1/chemnitz/ballots/{ballot['id']}/votes",
            json={"choice": "yes"},
            headers=token("chemnitz", "member", sub=person),
        )
        assert cast.status_code == 200, cast.get_json()
    flow.settle()
    full = c.get(f"/api/v1/chemnitz/applications/{app['id']}", headers=coordinator).get_json()
    assert full["status"] == "admitted" and full["partner_id"] == former["id"]
    after = {(w, q): etag(c, h, q) for w, h in outside.items() for q in queries}
    assert after == before
    row = c.get(f"{LIST}/{former['id']}", headers=coordinator).get_json()
    assert row["status"] == "left" and row["embargoed_until"] is None

    clock.advance(days=15)
    w = flow.workers["membership"]
    mw.announce_decisions(w, w.context("chemnitz"))
    flow.settle()
    row = c.get(f"{LIST}/{former['id']}", headers=coordinator).get_json()
    assert row["status"] == "active" and row["left_on"] is None and row["admitted_at"]
    assert name in names(c, query=f"?q={name}")
    assert etag(c, query=f"?q={name}&status=all") != before[("anonymous", f"?q={name}&status=all")]
