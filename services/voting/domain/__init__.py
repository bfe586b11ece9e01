"""Voting rules as pure functions (no I/O), one module per aggregate: ``ballots`` (choices,
tally, quorum, dissent, deadlines, who reads a body's data), ``votes`` (a vote's choice and
reason, closing early), ``record`` (the hash chain)."""
