"""Notification rules as pure functions (no I/O), one module per aggregate: ``deliveries`` (who
is told what, in which order, the retry schedule), ``links`` (the tokens of the links in a mail),
``webhooks`` (subscriptions, signatures, allowed hosts)."""
