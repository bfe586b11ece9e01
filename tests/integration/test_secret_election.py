"""A secret election end to end against real PostgreSQL, under Chemnitz's own tenant file: the
working group Sprache und Bildung elects its leadership by secret ballot (deploy/tenants/
chemnitz.yaml, body ag-sprache-bildung), opened by hand. Nothing links a voter to a choice:
no answer of any GET route of the voting OpenAPI document (walked, as coordinator, member and
voter, while open and when closed), no answer to a cast, no event in the outbox, no privacy
answer (access), no log line, no record entry, and no order, id, transaction id or time of
the stored rows."""

from __future__ import annotations

import logging
import re
import uuid

import psycopg
import pytest

from knotenpunkt.services.voting.handlers import privacy
from knotenpunkt.shared.groupcommit import GroupCommit
from knotenpunkt.shared.privacy import AnswerPrivacyRequest
from tests.integration import test_voting as tv
from tests.integration.test_voting_batches import cast_all

voting_app, clock, clients, voting_db, context, body = (
    tv.voting_app,
    tv.clock,
    tv.clients,
    tv.voting_db,
    tv.context,
    tv.body,
)
TENANT, BODY = "chemnitz", "ag-sprache-bildung"
# cast in this order: the content's order (abstain, no, no, yes, yes, yes) is another one
CHOICES = ["no", "yes", "abstain", "no", "yes", "yes"]


def walk(value, found: list[dict]) -> list[dict]:
    """Every JSON object in a value, nested ones too."""
    if isinstance(value, dict):
        found.append(value)
        for v in value.values():
            walk(v, found)
    elif isinstance(value, list):
        for v in value:
            walk(v, found)
    return found


def linked(values, voters: list[str], reasons: list[str]) -> list[str]:
    """Objects that name a voter together with a choice or a reason (or a reason anywhere
    beside a voter's id)."""
    problems = []
    for obj in walk(values, []):
        named = [v for v in voters if v in map(str, obj.values())]
        if not named:
            continue
        if obj.get("choice") is not None or obj.get("reason") is not None:
            problems.append(f"{named}: {obj}")
        if any(r in repr(obj) for r in reasons):
            problems.append(f"{named} beside a reason: {obj}")
    return problems


def get_routes(app) -> list[str]:
    """The GET paths of the voting OpenAPI document."""
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    return sorted(p for p, ops in spec["paths"].items() if "get" in ops)


def read_everything(clients, headers: dict, paths: list[str], bid: str) -> dict[str, object]:
    """Every GET route's answer, path parameters filled with this ballot, tenant and body."""
    answers = {}
    fill = {"tenant": TENANT, "ballot_id": bid, "body": BODY}
    for path in paths:
        params = re.findall(r"{(\w+)}", path)
        assert set(params) <= set(fill), f"{path}: a route this test does not read yet"
        url = path.format(**{p: fill[p] for p in params})
        resp = clients["voting"].get(url, headers=headers)
        assert resp.status_code < 500, (url, resp.get_json())
        answers[url] = resp.get_json(silent=True)
    return answers


def test_a_secret_election_opened_by_hand_links_no_voter_to_a_choice(
    clients, token, body, settings, voting_app, voting_db, context, monkeypatch, caplog
):
    caplog.set_level(logging.DEBUG)
    people = body(TENANT, BODY, len(CHOICES))
    reasons = [f"Begründung-{uuid.uuid4().hex[:8]}" for _ in CHOICES]
    coord = token(TENANT, "coordinator")
    ballots = f"/api/v1/{TENANT}/ballots"
    title = "Wahl der Leitung der AG Sprache und Bildung"

    # the body's rules say secret: a secret ballot opens by hand, a named one does not
    named = clients["voting"].post(
        ballots, json={"body": BODY, "title": title, "secret": False}, headers=coord
    )
    assert named.status_code == 422 and named.mimetype == "application/problem+json"
    assert "secret" in named.get_json()["errors"] and "geheim" in named.get_json()["detail"]
    refused = clients["voting"].post(
        ballots,
        json={"body": "vorbereitungsgremium", "title": title, "secret": True},
        headers=coord,
    )
    assert refused.status_code == 422 and "secret" in refused.get_json()["errors"]
    assert "namentlich" in refused.get_json()["detail"]
    opened = clients["voting"].post(
        ballots, json={"body": BODY, "title": title, "secret": True}, headers=coord
    )
    assert opened.status_code == 201, opened.get_json()
    assert opened.get_json()["secret"] is True
    bid = opened.get_json()["id"]

    paths = get_routes(voting_app)
    assert "/api/v1/{tenant}/ballots/{ballot_id}/record" in paths
    readers = [coord, token(TENANT, "member", sub=people[0], bodies=[BODY])]
    seen: list = []

    def read_all(phase: str) -> None:
        for headers in readers:
            answers = read_everything(clients, headers, paths, bid)
            seen.append(answers)
            if phase == "open":
                for answer in answers.values():
                    for obj in walk(answer, []):
                        if bid in (obj.get("id"), obj.get("ballot_id")):  # this ballot
                            assert obj.get("tally") is None and obj.get("dissent") is None
                assert not any(r in repr(answers) for r in reasons), "a reason while open"

    casts = [(p, c, reasons[i]) for i, (p, c) in enumerate(zip(people, CHOICES, strict=True))]
    deps = voting_app.extensions["knotenpunkt"].deps
    # the first three in one batch, the rest alone; everything readable read after each step
    monkeypatch.setitem(deps, "cast_batch", GroupCommit(3, 30.0))
    answers = cast_all(clients, token, bid, casts[:3])
    assert deps["cast_batch"].batches == 1
    read_all("open")
    monkeypatch.setitem(deps, "cast_batch", GroupCommit(0, 0.0))
    for cast in casts[3:]:
        answers += cast_all(clients, token, bid, [cast])
        if cast is not casts[-1]:
            read_all("open")
    assert [a.status_code for a in answers] == [200] * len(CHOICES)
    # the answers to the casts say nothing of the choice, nor when it was stored
    shapes = [{k: v for k, v in a.get_json().items() if k != "person_id"} for a in answers]
    assert shapes[:-1] == [{"choice": None, "secret": True, "ballot_status": "open"}] * 5
    assert shapes[-1]["ballot_status"] == "closed"
    read_all("closed")

    closed = clients["voting"].get(f"{ballots}/{bid}", headers=coord).get_json()
    assert closed["status"] == "closed" and closed["tally"]["voted"] == len(CHOICES)
    assert [v["name"] for v in closed["voters"]] == sorted(v["name"] for v in closed["voters"])
    assert {(d["person_id"], d["name"]) for d in closed["dissent"]} == {(None, None)}
    record = clients["voting"].get(f"{ballots}/{bid}/record", headers=coord).get_json()
    assert record["valid"], record["problems"]
    took_part = [e["entry"] for e in record["entries"] if e["entry"]["type"] == "participation"]
    assert all(set(e) == {"type", "person_id"} for e in took_part) and len(took_part) == 6
    (votes,) = [
        e["entry"]["votes"] for e in record["entries"] if e["entry"]["type"] == "secret_votes"
    ]
    # the record's votes come in the order of their content, not of the casts
    by_content = sorted(votes, key=lambda v: (v["choice"], v["reason"]))
    assert votes == by_content and [v["choice"] for v in votes] != CHOICES

    # nothing any reader saw, no event and no privacy answer names a voter beside a choice
    with voting_db.transaction(TENANT) as conn:
        events = [
            r["envelope"]
            for r in conn.execute(
                "select envelope from outbox where envelope->'data'->>'ballot_id' = %s", (bid,)
            ).fetchall()
        ]
        access = privacy.answer_privacy_request(
            AnswerPrivacyRequest("r1", "access", person_ids=tuple(people)), conn, context(TENANT)
        )
    assert {e["type"].rsplit(".", 1)[-1] for e in events} >= {"opened", "closed"}
    assert linked(seen, people, reasons) == []
    assert linked(events, people, reasons) == []
    assert linked(access, people, reasons) == [] and not any(r in repr(access) for r in reasons)
    # no log line names a voter or a reason
    lines = [r.getMessage() + repr(getattr(r, "__dict__", {})) for r in caplog.records]
    assert not [line for line in lines if any(p in line for p in people + reasons)]

    # the stored rows: no person and no time beside a vote; their order, ids and transaction
    # ids follow the content, not the casts
    with psycopg.connect(settings.admin_url("knotenpunkt_voting")) as conn:
        columns = {
            (r[0], r[1], r[2])
            for r in conn.execute(
                "select table_name, column_name, data_type from information_schema.columns"
                " where table_name in ('secret_votes', 'participation')"
            )
        }
        stored = conn.execute(
            "select id, choice, reason, xmin::text from secret_votes where ballot_id = %s"
            " order by ctid",
            (bid,),
        ).fetchall()
        took_part_xmins = {
            r[0]
            for r in conn.execute(
                "select xmin::text from participation where ballot_id = %s", (bid,)
            )
        }
    assert {c for t, c, _ in columns if t == "secret_votes"} == {
        "tenant",
        "ballot_id",
        "id",
        "choice",
        "reason",
    }
    assert not [c for c in columns if "time" in c[2] or "date" in c[2]]
    assert [(c, r) for _, c, r, _ in stored] == [(v["choice"], v["reason"]) for v in by_content]
    assert all(uuid.UUID(str(i)).version == 4 for i, *_ in stored)
    # all of them written by one transaction (the closing one, which is also the last voter's:
    # it names every vote alike), none by the cast that brought it
    assert len({x for *_, x in stored}) == 1
    assert len(took_part_xmins) == 4  # the batch of three, then three alone


@pytest.mark.parametrize("secret", [None, True])
def test_a_secret_body_opens_secret_ballots_as_its_rules_say(clients, token, body, secret):
    body(TENANT, BODY, 2)
    data = {"body": BODY, "title": "Wahl der Leitung"}
    if secret is not None:
        data["secret"] = secret
    resp = clients["voting"].post(
        f"/api/v1/{TENANT}/ballots", json=data, headers=token(TENANT, "coordinator")
    )
    assert resp.status_code == 201 and resp.get_json()["secret"] is True
