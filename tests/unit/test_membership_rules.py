"""Membership rules as pure functions: applications, checks, working groups, directories, monitoring."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.membership import domain
from shared.auth import Principal
from shared.config import Settings
from shared.errors import Conflict, Forbidden, NotFound, RuleViolation
from shared.tenants import TenantRegistry

REG = TenantRegistry.load(Settings().tenants_dir)
CHEMNITZ, SAALEKREIS, MAGDEBURG, MITTELSACHSEN = (
    REG.get(k).rules for k in ("chemnitz", "saalekreis", "magdeburg", "mittelsachsen")
)


def who(*roles, sub="u1"):
    return Principal(sub=sub, tenant="x", roles=frozenset(roles))


def test_who_may_apply():
    domain.ensure_applications_accepted(CHEMNITZ)
    with pytest.raises(Conflict, match="keine Mitgliedschaft"):
        domain.ensure_applications_accepted(SAALEKREIS)
    with pytest.raises(Conflict, match="benannt"):
        domain.ensure_applications_accepted(MAGDEBURG)


def test_statements_must_affirm_every_criterion():
    domain.check_statements(CHEMNITZ, {"migrant_interests": True, "non_commercial": True})
    with pytest.raises(RuleViolation) as e:
        domain.check_statements(CHEMNITZ, {"migrant_interests": True})
    assert e.value.field == "statements.non_commercial"
    with pytest.raises(RuleViolation, match="Unbekannte"):
        domain.check_statements(
            CHEMNITZ, {"migrant_interests": True, "non_commercial": True, "rich": True}
        )


@given(
    complete=st.booleans(), plausible=st.booleans(), note=st.one_of(st.none(), st.text(max_size=5))
)
def test_check_outcome(complete, plausible, note):
    if complete and plausible:
        assert domain.check_outcome("submitted", complete, plausible, note) == "in_vote"
    elif (note or "").strip():
        assert domain.check_outcome("submitted", complete, plausible, note) == "returned"
    else:
        with pytest.raises(RuleViolation):
            domain.check_outcome("submitted", complete, plausible, note)


@pytest.mark.parametrize("status", ["returned", "in_vote", "admitted", "rejected", "withdrawn"])
def test_only_submitted_applications_are_checked(status):
    with pytest.raises(Conflict):
        domain.check_outcome(status, True, True, None)


def test_correction_and_withdrawal_states():
    domain.ensure_correctable("returned")
    with pytest.raises(Conflict):
        domain.ensure_correctable("in_vote")
    for s in ("submitted", "returned", "in_vote"):
        domain.ensure_withdrawable(s)
    with pytest.raises(Conflict):
        domain.ensure_withdrawable("admitted")
    assert domain.admission_result("adopted") == "admitted"
    assert domain.admission_result("rejected") == "rejected"
    assert domain.admission_result("no_quorum") == "rejected"


def test_working_group_rules_come_from_the_file():
    assert domain.proposal_route(CHEMNITZ) == "body"
    assert domain.proposal_route(MAGDEBURG) == "coordinator"
    assert domain.proposal_route(SAALEKREIS) == "anyone"
    domain.ensure_may_join(SAALEKREIS, who("member"))
    with pytest.raises(Forbidden):
        domain.ensure_may_join(CHEMNITZ, who("member"))
    domain.ensure_may_join(CHEMNITZ, who("partner"))
    with pytest.raises(Forbidden):
        domain.ensure_may_propose(MAGDEBURG, who("partner"))
    domain.ensure_may_propose(CHEMNITZ, who("partner"))


def test_body_lookup():
    assert domain.body_of(MAGDEBURG, "projektgruppe")["decision_rule"] == "consensus"
    with pytest.raises(NotFound, match="projektgruppe"):
        domain.body_of(MAGDEBURG, "stadtrat")


def test_publication_interval():
    jan = datetime(2026, 1, 31, tzinfo=UTC)
    assert domain.publication_due(CHEMNITZ, None, jan)
    assert not domain.publication_due(CHEMNITZ, jan, datetime(2026, 7, 30, tzinfo=UTC))
    assert domain.publication_due(CHEMNITZ, jan, datetime(2026, 7, 31, tzinfo=UTC))
    assert not domain.publication_due(SAALEKREIS, None, jan)  # no interval configured


@given(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1)),
    st.integers(min_value=-60, max_value=60),
)
def test_add_months_keeps_day_within_month(moment, months):
    out = domain.add_months(moment, months)
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
    entries = domain.overview_entries(partners, since)
    assert [(e["name"], e["new"]) for e in entries] == [("A", False), ("b", True)]


def test_doctor_verification_flag():
    assert domain.verification_overdue(date(2025, 1, 1), 12, date(2026, 1, 1))
    assert not domain.verification_overdue(date(2025, 6, 1), 12, date(2026, 1, 1))


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
    report = domain.measures_report(measures, fields)
    assert report[0]["measures"] == 2 and report[0]["mean_progress"] == 0.75
    assert report[0]["by_status"]["done"] == 1
    assert report[1]["mean_progress"] is None
    with pytest.raises(RuleViolation):
        domain.ensure_policy_field(MAGDEBURG, "Verkehr")
    with pytest.raises(NotFound):
        domain.ensure_directory(CHEMNITZ, "doctors", "Ärzte")
    domain.ensure_directory(MITTELSACHSEN, "responsibility_matrix", "Matrix")
