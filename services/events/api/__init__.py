"""HTTP API of the events service (blueprints under /api/v1/<tenant>/), one module per aggregate."""

from __future__ import annotations

from flask import Response

from knotenpunkt.services.events.privacy_catalogue import CATALOGUE, NOTICES
from knotenpunkt.shared.privacy_statement import statement_blueprint

statement_bp = statement_blueprint("events", CATALOGUE, NOTICES)


def blueprints() -> tuple:
    """The events blueprints, in the order of the OpenAPI document."""
    from knotenpunkt.services.events.api import consultations, meetings, planning

    return (
        meetings.events_bp,
        meetings.submissions_bp,
        planning.planning_bp,
        consultations.consult_bp,
        planning.polls_bp,
        planning.processes_bp,
        statement_bp,
    )


def calendar_response(document: str, filename: str) -> Response:
    """An iCalendar document, shown inline under the file name."""
    return Response(
        document,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )
