"""Membership rules as pure functions: applications, checks, working groups, directories, monitoring."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knotenpunkt.services.membership.domain import (
    applications,
    directories,
    monitoring,
    working_groups,
)
from knotenpunkt.shared.auth import Principal
from knotenpunkt.shared.config import Settings
from knotenpunkt.shared.errors import Conflict, Forbidden, NotFound, RuleViolation, Unauthorized
from knotenpunkt.shared.tenants import TenantRegistry
from knotenpunkt.shared.usecase import add_months

REG = TenantRegistry.load(Settings().tenants_dir)
CHEMNITZ, SAALEKREIS, MAGDEBURG, MITTELSACHSEN = (
    REG.get(k).rules for k in ("chemnitz", "saalekreis", "magdeburg", "mittelsachsen")
)


def who(*roles, sub="u1"):
    return Principal(sub=sub, tenant="x", roles=frozenset(roles))


def test_who_may_apply():
    applications.ensure_applications_accepted(CHEMNITZ)
    with pytest.raises(Conflict, match="keine Mitgliedschaft"):
        applications.ensure_applications_accepted(SAALEKREIS)
    with pytest.raises(Conflict, match="benannt"):
        applications.ensure_applications_accepted(MAGDEBURG)


def test_statements_must_affirm_every_criterion():
    applications.check_statements(CHEMNITZ, {"migrant_interests": True, "non_commercial": True})
    with pytest.raises(RuleViolation) as e:
        applications.check_statements(CHEMNITZ, {"migrant_interests": True})
    assert e.value.field == "statements.non_commercial"
    with pytest.raises(RuleViolation, match="Unbekannte"):
        applications.check_statements(
            CHEMNITZ, {"migrant_interests": True, "non_commercial": True, "rich": True}
        )


@given(
    complete=st.booleans(), plausible=st.booleans(), note=st.one_of(st.none(), st.text(max_size=5))
)
def test_check_outcome(complete, plausible, note):
    if complete and plausible:
        assert applications.check_outcome("submitted", complete, plausible, note) == "in_vote"
    elif (note or "").strip():
        assert applications.check_outcome("submitted", complete, plausible, note) == "returned"
    else:
        with pytest.raises(RuleViolation):
            applications.check_outcome("submitted", complete, plausible, note)


@pytest.mark.parametrize("status", ["returned", "in_vote", "admitted", "rejected", "withdrawn"])
def test_only_submitted_applications_are_checked(status):
    with pytest.raises(Conflict):
        applications.check_outcome(status, True, True, None)


def test_correction_and_withdrawal_states():
    applications.ensure_correctable("returned")
    with pytest.raises(Conflict):
        applications.ensure_correctable("in_vote")
    for s in ("submitted", "returned", "in_vote"):
        applications.ensure_withdrawable(s)
    with pytest.raises(Conflict):
        applications.ensure_withdrawable("admitted")
    assert applications.admission_result("adopted") == "admitted"
    assert applications.admission_result("rejected") == "rejected"
    assert applications.admission_result("no_quorum") == "rejected"


def test_working_group_rules_come_from_the_file():
    assert working_groups.proposal_route(CHEMNITZ) == "body"
    assert working_groups.proposal_route(MAGDEBURG) == "coordinator"
    assert working_groups.proposal_route(SAALEKREIS) == "anyone"
    working_groups.ensure_may_join(SAALEKREIS, who("member"))
    with pytest.raises(Forbidden):
        working_groups.ensure_may_join(CHEMNITZ, who("member"))
    working_groups.ensure_may_join(CHEMNITZ, who("partner"))
    with pytest.raises(Forbidden):
        working_groups.ensure_may_propose(MAGDEBURG, who("partner"))
    working_groups.ensure_may_propose(CHEMNITZ, who("partner"))


def test_body_lookup():
    magdeburg = REG.get("magdeburg")
    assert magdeburg.body_or_404("projektgruppe")["decision_rule"] == "consensus"
    with pytest.raises(NotFound, match="projektgruppe"):
        magdeburg.body_or_404("stadtrat")


def test_publication_interval():
    jan = datetime(2026, 1, 31, tzinfo=UTC)
    assert directories.publication_due(CHEMNITZ, None, jan)
    assert not directories.publication_due(CHEMNITZ, jan, datetime(2026, 7, 30, tzinfo=UTC))
    assert directories.publication_due(CHEMNITZ, jan, datetime(2026, 7, 31, tzinfo=UTC))
    assert not directories.publication_due(SAALEKREIS, None, jan)  # no interval configured


@given(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1)),
    st.integers(min_value=-60, max_value=60),
)
def test_add_months_keeps_day_within_month(moment, months):
    out = add_months(moment, months)
    assert (out.year * 12 + out.month) - (moment.year * 12 + moment.month) == months
    assert out.day <= moment.day


def test_overview_marks_new_and_hides_non_public():
    since = datetime(2026, 6, 1, tzinfo=UTC)
    partners = [
        {
            "id": 1,
            "name": "b",
            "kind": "other",
            "status": "active",
            "public": True,
            "admitted_at": datetime(2026, 7, 1, tzinfo=UTC),
        },
        {
            "id": 2,
            "name": "A",
            "kind": "other",
            "status": "active",
            "public": True,
            "admitted_at": datetime(2026, 1, 1, tzinfo=UTC),
        },
        {
            "id": 3,
            "name": "c",
            "kind": "other",
            "status": "left",
            "public": True,
            "admitted_at": None,
        },
        {
            "id": 4,
            "name": "d",
            "kind": "other",
            "status": "active",
            "public": False,
            "admitted_at": None,
        },
    ]
    entries = directories.overview_entries(partners, since)
    assert [(e["name"], e["new"]) for e in entries] == [("A", False), ("b", True)]


def test_doctor_verification_flag():
    assert directories.verification_overdue(date(2025, 1, 1), 12, date(2026, 1, 1))
    assert not directories.verification_overdue(date(2025, 6, 1), 12, date(2026, 1, 1))


def test_monitoring_report():
    fields = MAGDEBURG["policy_fields"][:2]
    measures = [
        {
            "policy_field": fields[0],
            "status": "running",
            "baseline": 0,
            "target": 100,
            "current_value": 50,
        },
        {
            "policy_field": fields[0],
            "status": "done",
            "baseline": 0,
            "target": 10,
            "current_value": 20,
        },
        {
            "policy_field": fields[1],
            "status": "planned",
            "baseline": None,
            "target": None,
            "current_value": None,
        },
    ]
    report = monitoring.measures_report(measures, fields)
    assert report[0]["measures"] == 2 and report[0]["mean_progress"] == 0.75
    assert report[0]["by_status"]["done"] == 1
    assert report[1]["mean_progress"] is None
    with pytest.raises(RuleViolation):
        monitoring.ensure_policy_field(MAGDEBURG, "Verkehr")
    with pytest.raises(NotFound):
        directories.ensure_directory(CHEMNITZ, "doctors", "Ärzte")
    directories.ensure_directory(MITTELSACHSEN, "responsibility_matrix", "Matrix")


def test_rules_moved_out_of_the_routes():
    from knotenpunkt.services.membership.domain import partners

    coordinator, stranger = who("coordinator", sub="k1"), Principal()
    hidden = {"id": "p1", "name": "X", "public": False, "email": "x@example.org"}
    now = datetime(2026, 6, 1, tzinfo=UTC)
    assert partners.partner_for(who("member"), hidden, CHEMNITZ, now) is hidden
    with pytest.raises(NotFound, match="p1"):
        partners.partner_for(stranger, hidden, CHEMNITZ, now)
    assert "email" not in partners.partner_for(stranger, {**hidden, "public": True}, CHEMNITZ, now)
    with pytest.raises(NotFound):
        partners.contact_for(who("partner"), {"id": "c1", "public": False})
    # applications: staff see everything, the applicant needs the token
    token_hash = applications.hash_token("geheim")
    assert applications.viewer_is_staff(coordinator, None, token_hash) is True
    assert applications.viewer_is_staff(stranger, "geheim", token_hash) is False
    with pytest.raises(Unauthorized):
        applications.viewer_is_staff(stranger, "falsch", token_hash)
    with pytest.raises(Unauthorized):
        applications.viewer_is_staff(stranger, None, token_hash)
    # working groups: who joins as whom, who removes, who edits the paper
    named = {"person_id": "p9", "name": "Petra", "partner_id": None, "role": "leader"}
    assert working_groups.joining_member(coordinator, named, CHEMNITZ) == named
    partner = Principal(sub="v1", tenant="x", roles=frozenset({"partner"}), partner_id="pid")
    assert working_groups.joining_member(partner, named, CHEMNITZ) == {
        "person_id": "v1",
        "name": "Petra",
        "partner_id": "pid",
        "role": "member",
    }
    with pytest.raises(Forbidden):
        working_groups.joining_member(who("member"), named, CHEMNITZ)
    with pytest.raises(RuleViolation):
        working_groups.joining_member(coordinator, {**named, "name": None}, CHEMNITZ)
    working_groups.ensure_may_remove(who("member", sub="me"), "me")
    with pytest.raises(Forbidden):
        working_groups.ensure_may_remove(who("member", sub="me"), "you")
    leaders = [{"person_id": "lead", "role": "leader"}, {"person_id": "m", "role": "member"}]
    working_groups.ensure_may_edit_paper(who("member", sub="lead"), leaders)
    working_groups.ensure_may_edit_paper(coordinator, [])
    with pytest.raises(Forbidden):
        working_groups.ensure_may_edit_paper(who("member", sub="m"), leaders)
    with pytest.raises(Conflict, match="Gremium"):
        working_groups.ensure_coordinator_decides(CHEMNITZ)
    working_groups.ensure_coordinator_decides(MAGDEBURG)


def test_new_since_the_previous_overview_or_the_interval():
    now = datetime(2026, 8, 31, tzinfo=UTC)
    before = datetime(2026, 5, 1, tzinfo=UTC)
    assert directories.new_since(CHEMNITZ, before, now) == before
    assert directories.new_since(CHEMNITZ, None, now) == datetime(2026, 2, 28, tzinfo=UTC)
    assert directories.new_since(SAALEKREIS, None, now) == datetime(2026, 2, 28, tzinfo=UTC)
    view = directories.publication_view({"entries": [{"new": True}, {"new": False}]})
    assert (view["partners"], view["new"]) == (2, 1)
    with pytest.raises(NotFound):
        monitoring.ensure_monitoring(CHEMNITZ)
    monitoring.ensure_monitoring(MAGDEBURG)


# --- admission: only the application's own ballot decides (issue 10, point 6) -------------

CHECKED = "4f1c2a9e-0000-4000-8000-000000000001"


def in_vote(**changes):
    return {"status": "in_vote", "checked_event": CHECKED, "ballot_id": None, **changes}


def closed(**changes):
    return {
        "ballot_id": "b-1",
        "body": "vorbereitungsgremium",
        "opened_by": f"event:{CHECKED}",
        "origin": "application.checked",
        **changes,
    }


def test_the_application_s_own_ballot_decides():
    assert applications.foreign_ballot(in_vote(), CHEMNITZ, closed()) is None
    assert applications.foreign_ballot(in_vote(ballot_id="b-1"), CHEMNITZ, closed()) is None


@pytest.mark.parametrize(
    ("ballot", "says"),
    [
        (closed(body="netzwerkkonferenz"), "netzwerkkonferenz"),
        (closed(origin="manual", opened_by="coordinator-1"), "von Hand"),
        (closed(origin=None, opened_by=None), "von Hand"),
        (closed(opened_by="event:00000000-0000-4000-8000-000000000002"), "anderen"),
    ],
)
def test_ballots_of_another_body_by_hand_or_of_another_check_decide_nothing(ballot, says):
    assert says in applications.foreign_ballot(in_vote(), CHEMNITZ, ballot)


def test_a_second_ballot_decides_nothing_once_one_is_known():
    assert "b-1" in applications.foreign_ballot(
        in_vote(ballot_id="b-1"), CHEMNITZ, closed(ballot_id="b-2")
    )


def test_applications_checked_before_the_event_id_was_kept_match_by_body_and_origin():
    assert applications.foreign_ballot(in_vote(checked_event=None), CHEMNITZ, closed()) is None
    assert applications.foreign_ballot(
        in_vote(checked_event=None), CHEMNITZ, closed(origin="manual")
    )


# --- admission: the outcome is told after the voting period (point 11) ---------------------

NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
DEADLINE = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def test_chemnitz_announces_at_the_deadline_even_when_the_ballot_closes_early():
    assert CHEMNITZ["membership"]["inform_applicant"] == "after_deadline"
    assert applications.announce_at(CHEMNITZ, DEADLINE.isoformat(), NOW) == DEADLINE
    assert applications.announce_at(CHEMNITZ, "2026-11-01T00:00:00+00:00", NOW) == NOW
    assert applications.announce_at(CHEMNITZ, None, NOW) == NOW
    at_close = {
        **CHEMNITZ,
        "membership": {**CHEMNITZ["membership"], "inform_applicant": "at_close"},
    }
    assert applications.announce_at(at_close, DEADLINE.isoformat(), NOW) == NOW


def decided(status="admitted", **changes):
    return {
        "status": status,
        "announced_at": None,
        "partner_id": "p-1",
        "decision": {"outcome": "adopted", "tally": {"yes": 3}, "decided_at": NOW.isoformat()},
        "history": [
            {"status": "submitted", "at": "t0", "note": None, "by": None},
            {"status": "in_vote", "at": "t1", "note": None, "by": "koordination"},
            {"status": status, "at": "t2", "note": None, "by": "ballot b-1"},
        ],
        **changes,
    }


@pytest.mark.parametrize("status", ["admitted", "rejected"])
def test_the_applicant_sees_the_vote_running_until_the_outcome_is_announced(status):
    view = applications.applicant_view(decided(status=status))
    assert view["status"] == "in_vote" and view["decision"] is None and view["partner_id"] is None
    assert [h["status"] for h in view["history"]] == ["submitted", "in_vote"]
    told = applications.applicant_view(decided(status=status, announced_at=DEADLINE))
    assert told["status"] == status and told["decision"]["tally"] == {"yes": 3}
    assert [h["status"] for h in told["history"]] == ["submitted", "in_vote", status]


def test_a_decided_but_unannounced_application_cannot_be_withdrawn_or_changed_revealingly():
    for status in ("admitted", "rejected"):
        shown = applications.shown_status(decided(status=status))
        with pytest.raises(Conflict) as e:
            applications.ensure_withdrawable(status, shown=shown)
        assert status not in str(e.value) and "Frist" in str(e.value)
        with pytest.raises(Conflict) as e:
            applications.ensure_correctable(shown)
        assert status not in str(e.value)
    assert applications.shown_status(decided()) == "in_vote"
    assert applications.shown_status(decided(announced_at=DEADLINE)) == "admitted"


def test_a_partner_announced_after_an_overview_is_new_in_the_next():
    earlier = datetime(2026, 1, 1, tzinfo=UTC)
    admitted = datetime(
        2026, 6, 20, tzinfo=UTC
    )  # decided before the June overview, announced after
    june = datetime(2026, 6, 25, tzinfo=UTC)
    partner = {
        "id": "p-1",
        "name": "Verein",
        "status": "active",
        "public": True,
        "since": None,
        "admitted_at": admitted,
    }
    hidden = directories.overview_entries([{**partner, "embargoed_until": june}], earlier)
    assert hidden == []
    previous = {"entries": hidden, "new_since": earlier}
    (entry,) = directories.overview_entries([partner], june, previous)
    assert entry["new"] is True
    listed = {"entries": [{"id": "p-1"}], "new_since": earlier}
    (entry,) = directories.overview_entries([partner], june, listed)
    assert entry["new"] is False


def test_embargoed_partners_are_seen_by_the_deciding_body_and_the_coordinators_only():
    """Issue 27 point 2: the Netzwerkkonferenz did not decide; it sees no embargoed partner."""
    from knotenpunkt.services.membership.domain import partners

    deciding = CHEMNITZ["membership"]["admitting_body"]
    now = datetime(2026, 6, 1, tzinfo=UTC)
    waiting = {
        "id": "p2",
        "name": "Y",
        "public": True,
        "embargoed_until": datetime(2026, 6, 10, tzinfo=UTC),
    }

    def member(*bodies):
        return Principal(
            sub="m", tenant="chemnitz", roles=frozenset({"member"}), bodies=frozenset(bodies)
        )

    insiders = [
        who("coordinator"),
        who("admin"),
        member(deciding),
        member("netzwerkkonferenz", deciding),
    ]
    outsiders = [Principal(), who("partner"), member("netzwerkkonferenz"), member()]
    for caller in insiders:
        assert partners.sees_embargoed(caller, CHEMNITZ)
        assert partners.list_view(caller, CHEMNITZ) == "everyone"
        assert partners.partner_for(caller, waiting, CHEMNITZ, now) is waiting
    for caller in outsiders:
        assert not partners.sees_embargoed(caller, CHEMNITZ)
        with pytest.raises(NotFound):
            partners.partner_for(caller, waiting, CHEMNITZ, now)
    assert [partners.list_view(c, CHEMNITZ) for c in outsiders] == [
        "public",
        "internal",
        "internal",
        "internal",
    ]
    # the embargo's moment passed: listed for everyone, without a write
    after = datetime(2026, 6, 10, tzinfo=UTC)
    assert partners.partner_for(Principal(), waiting, CHEMNITZ, after)["name"] == "Y"


def test_the_applicant_is_refused_a_withdrawal_alike_whether_the_vote_runs_or_closed_early():
    """Issue 27 point 1: during the voting period the answer does not tell that it ended."""
    assert applications.tells_after_deadline(CHEMNITZ)
    said = []
    for status in ("in_vote", "admitted", "rejected"):
        row = decided(status=status)
        with pytest.raises(Conflict) as e:
            applications.ensure_withdrawable(
                status, shown=applications.shown_status(row), embargo=True
            )
        said.append(str(e.value))
    assert len(set(said)) == 1 and "abgestimmt" not in said[0]
    assert "Frist" in said[0]
    # the Koordinierungsstelle still withdraws a running one; other networks' applicants too
    applications.ensure_withdrawable("in_vote", shown=None, embargo=True)
    applications.ensure_withdrawable("in_vote", shown="in_vote", embargo=False)


def test_informed_after_is_the_deadline_where_the_network_tells_after_it():
    """Issue 23.12: the status page's date; the ballot's deadline once decided, else the
    check's day plus decision_days; nothing where the network tells at once."""
    checked = datetime(2026, 12, 7, 10, tzinfo=UTC)
    running = {"status": "in_vote", "checked_at": checked, "decision": None}
    assert applications.informed_after(CHEMNITZ, running) == datetime(2026, 12, 21, 10, tzinfo=UTC)
    decided = {
        "status": "admitted",
        "announced_at": None,
        "checked_at": checked,
        "decision": {"deadline": "2026-12-20T12:00:00+00:00"},
    }
    assert applications.informed_after(CHEMNITZ, decided) == datetime(2026, 12, 20, 12, tzinfo=UTC)
    told = {**decided, "announced_at": checked}
    assert applications.informed_after(CHEMNITZ, told) is None
    at_close = {
        **CHEMNITZ,
        "membership": {**CHEMNITZ["membership"], "inform_applicant": "at_close"},
    }
    assert applications.informed_after(at_close, running) is None
