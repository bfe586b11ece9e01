"""Events service: meetings, agendas, invitations, minutes, cadence, calendars, consultations."""
