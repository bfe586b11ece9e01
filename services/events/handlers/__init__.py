"""The use cases of the events service, one module per aggregate.

meetings (events), agendas, calendars, submissions (topics for an agenda), invitations (and
replies), minutes, introductions, planning (cadence, time polls, processes), consultations,
copies (of other services' data), oparl, privacy.

A write takes a command (a frozen dataclass with an imperative name), the open connection and
the use-case context: ``plan_event(cmd, conn, ctx)``; a read takes the connection, the context
and keyword filters. The SQL is reached through ``ctx.store`` only, the events go out through
``shared.usecase.emit``.
"""
