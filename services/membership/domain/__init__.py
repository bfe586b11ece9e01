"""Membership rules as pure functions (no I/O), one module per aggregate."""
