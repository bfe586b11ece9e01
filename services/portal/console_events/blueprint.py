"""The events pages' blueprints and what their pages share: the network's bodies and their
meeting rules in words (template globals too), an event by its id, the answer to a form."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, url_for
from flask_babel import gettext as _

from .. import labels
from ..client import as_user
from ..nav import network_of_url
from ..tenants import body_rules

bp = Blueprint("console_events", __name__, url_prefix="/<tenant>/console")
reply_bp = Blueprint("invitation_reply", __name__)
bp.url_value_preprocessor(network_of_url)
reply_bp.url_value_preprocessor(network_of_url)


@bp.app_template_global()
def body_name(key: str | None) -> str:
    """A body by its name in the network's rules (its key when it has none)."""
    return body_rules(g.rules, key).get("name") or key or ""


@bp.app_template_global()
def bodies_options() -> list[tuple[str, str]]:
    """(key, name) of the network's bodies, for a select."""
    return [(b["key"], b.get("name") or b["key"]) for b in g.rules.get("bodies", [])]


@bp.app_template_global()
def meeting_rules(key: str | None) -> list[str]:
    """The body's scheduling rules in plain words (weekdays, time window, length, what to avoid)."""
    meeting = body_rules(g.rules, key).get("meeting") or {}
    out = []
    if meeting.get("weekdays"):
        days = ", ".join(labels.label(labels.WEEKDAYS, d) for d in meeting["weekdays"])
        out.append(_("Wochentag: %(days)s", days=days))
    window = meeting.get("window")
    if window:
        out.append(
            _("Zeit: zwischen %(start)s und %(end)s Uhr", start=window["start"], end=window["end"])
        )
    if meeting.get("max_minutes"):
        out.append(_("Dauer: höchstens %(n)s Minuten", n=meeting["max_minutes"]))
    for avoid in meeting.get("avoid") or []:
        out.append(_("Zu meiden: %(what)s", what=avoid))
    return out


def event_of(tenant, event_id) -> dict:
    """The event as the caller may see it; 404 when there is none."""
    return as_user("GET", "events", tenant, f"events/{event_id}").or_404()


def form_status(errors) -> int:
    """A form page's status: 422 with errors, else 200."""
    return 422 if errors else 200


def redirect_to(endpoint: str, **kw):
    """A redirect to another page of the events console."""
    return redirect(url_for(f"console_events.{endpoint}", tenant=g.tenant, **kw))


def flash_reply(reply, success: str, category: str = "success") -> bool:
    """Say what an API call did: `success`, or the API's sentence (with the choices in words)."""
    if reply.ok:
        flash(success, category)
        return True
    flash(labels.quoted_choices(reply.detail) or _("Das hat nicht geklappt."), "error")
    return False
