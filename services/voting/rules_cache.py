"""The cast rules of the ballots a process has seen (``bootstrap.deps``' ``ballot_rules``).

A cast reads a ballot's rules (``domain.votes.cast_rules``) once and then only its status:
the rules never change after opening, so an entry is never stale.
"""

from __future__ import annotations


class RulesCache:
    """The cast rules of the ballots a process has seen, by tenant and ballot id (a bounded
    dict: the oldest go first). The status is not in it."""

    def __init__(self, size: int = 4096):
        self.size = size
        self._rules: dict[tuple, dict] = {}

    def get(self, tenant: str, ballot_id) -> dict | None:
        return self._rules.get((tenant, str(ballot_id)))

    def put(self, tenant: str, ballot_id, rules: dict) -> None:
        if len(self._rules) >= self.size:
            # dicts keep insertion order: drop the oldest entry (racing threads at worst
            # both drop one)
            self._rules.pop(next(iter(self._rules), None), None)
        self._rules[(tenant, str(ballot_id))] = rules
