"""The fault suite, reduced: 30 whole Chemnitz admission flows through the eight real processes
while each fault kind hits in a shortened form (bench/faults.py --flows 30 --short).

Its own PostgreSQL and RabbitMQ containers (the suite stops and starts them), its own SMTP
server and processes; nothing is shared with the session's containers.
"""

from __future__ import annotations

import pytest

from bench.faults import FAULTS, Stack, run_suite, table

FLOWS = 30


@pytest.fixture(scope="module")
def phases():
    with Stack(durable=False) as stack:
        done, _ = run_suite(
            stack, flows=FLOWS, faults=list(FAULTS), concurrency=6, short=True, phase_timeout=90
        )
    print(table(done))  # shown with -s or when a test fails
    return {p.fault: p for p in done}


@pytest.mark.parametrize("fault", FAULTS)
def test_every_flow_completes_and_nothing_is_lost_or_doubled(phases, fault):
    phase = phases[fault]
    r = phase.result
    assert r["flows completed"] == len(phase.flows) > 0, r["stuck"]
    assert r["outbox rows never relayed"] == 0
    assert r["events never consumed"] == 0
    assert r["applied twice"] == 0, r["applied twice (detail)"]
    assert (r["mails missing"], r["mails doubled"]) == (0, 0)
    assert r["mails received"] == 9 * len(phase.flows)  # 3 to the applicant, 2 to each member
    assert r["dead letters"] == 0, r["dead letter reasons"]
    assert r["5xx answers"] == 0
    assert r["still waiting"] == {}


def test_the_flows_add_up(phases):
    assert sum(len(p.flows) for p in phases.values()) == FLOWS


def test_while_the_database_is_down_http_answers_503_with_retry_after(phases):
    answers = phases["postgres"].result["while down"]
    assert len(answers) == 8  # /readyz and an API read of each of the four web processes
    for name, answer in answers.items():
        assert answer["status"] == 503, (name, answer)
        assert answer["type"] == "application/problem+json", (name, answer)
        # never hung: the pool gives up after DB_POOL_TIMEOUT (5 s); the rest is a busy machine
        assert answer["seconds"] < 15, (name, answer)
        if name.endswith(" api"):
            assert answer["retry_after"] == "5", (name, answer)
