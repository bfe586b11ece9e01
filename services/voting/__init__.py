"""Voting service: ballots of bodies under each network's decision rules."""
