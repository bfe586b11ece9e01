"""Turnout and quorum as the console shows them before closing a ballot early."""

from __future__ import annotations


def test_turnout_counts_the_quorum_in_voters():
    from knotenpunkt.services.portal.console import turnout

    open_ballot = {"voted": 3, "electorate_size": 57, "quorum": 0.5}
    assert turnout(open_ballot) == {
        "voted": 3,
        "electorate": 57,
        "quorum_percent": 50,
        "needed": 29,
        "reached": False,
    }
    closed = {"tally": {"yes": 2, "voted": 4, "electorate": 6}, "quorum": 2 / 3}
    assert turnout(closed)["needed"] == 4 and turnout(closed)["reached"] is True
    assert turnout({"voted": 0, "electorate_size": 5, "quorum": 0})["needed"] == 0
