"""A person's rights (DSGVO): the readable summary of an access request and the roles that must be
handed over before an erasure. Pure functions, no I/O."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from jinja2 import Environment, StrictUndefined

SERVICE_DE = {
    "membership": "Mitgliederverwaltung",
    "voting": "Abstimmungen",
    "events": "Termine und Beteiligung",
    "notifications": "Benachrichtigungen",
}
TABLE_DE = {
    "contacts": "Kontaktdaten",
    "applications": "Beitrittserklärungen",
    "body_memberships": "Mitgliedschaften in Gremien",
    "working_groups": "Mitgliedschaften in Arbeitsgruppen",
    "working_papers": "Fassungen von Arbeitspapieren",
    "working_group_proposals": "Vorschläge für Arbeitsgruppen",
    "responsibilities": "Zuständigkeiten",
    "votes": "Stimmen",
    "ballot_electorate": "Stimmberechtigungen",
    "invitations": "Einladungen und Rückmeldungen",
    "poll_answers": "Antworten auf Terminumfragen",
    "notifications": "Versandte Benachrichtigungen",
    "recipients": "Empfängerlisten",
    "preferences": "Einstellungen und Abbestellungen",
}

# German, escaped, no script, no style (the services' CSP is default-src 'none'): plain HTML.
_SUMMARY = """<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Auskunft nach Art. 15 DSGVO – {{ network }}</title>
</head>
<body>
<main>
<h1>Auskunft nach Art. 15 DSGVO</h1>
<p>Diese Übersicht nennt alle Daten, die über die betroffene Person gespeichert sind
({{ network }}), je Dienst mit Zweck, Rechtsgrundlage, Speicherdauer und Empfängern.</p>
<dl>
<dt>Betroffene Person</dt><dd>{{ subject or "–" }}</dd>
<dt>Ersuchen</dt><dd>{{ request_id }}</dd>
<dt>Angefordert am</dt><dd>{{ requested_at }}</dd>
<dt>Zusammengestellt am</dt><dd>{{ completed_at }}</dd>
<dt>Verantwortliche Stelle</dt><dd>{% for line in controller %}{{ line }}{% if not loop.last %}<br>
{% endif %}{% endfor %}</dd>
</dl>
{% if not services %}<p>Über diese Person sind keine Daten gespeichert.</p>
{% endif %}{% for service in services %}<section>
<h2>{{ service.title }}</h2>
{% for part in service.parts %}<section>
<h3>{{ part.title }}</h3>
<dl>
<dt>Zweck</dt><dd>{{ part.purpose or "–" }}</dd>
<dt>Rechtsgrundlage</dt><dd>{{ part.legal_basis or "–" }}</dd>
<dt>Speicherdauer</dt><dd>{{ part.retention or "–" }}</dd>
<dt>Empfänger</dt><dd>{{ part.recipients or "–" }}</dd>
</dl>
<table>
<caption>{{ part.title }}: {{ part.rows | length }} {{ "Eintrag" if part.rows | length == 1 else "Einträge" }}</caption>
<thead><tr>{% for c in part.columns %}<th scope="col">{{ c }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in part.rows %}<tr>{% for cell in row %}<td>{{ cell }}</td>{% endfor %}</tr>
{% endfor %}</tbody>
</table>
</section>
{% endfor %}</section>
{% endfor %}</main>
</body>
</html>
"""
_PAGES = Environment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)


def summary_html(export: dict, network: str, tz: ZoneInfo) -> str:
    """The access request's export (privacy_export) as a German HTML page of the network: a
    heading per service, a table per kind of data with its purpose, legal basis, retention and
    recipients. Every text is escaped; no script, no style (works under CSP default-src 'none')."""
    data = [d for d in export.get("data", []) if d["rows"]]
    services = [
        {
            "title": SERVICE_DE.get(service, service),
            "parts": [_part(d, tz) for d in data if d["service"] == service],
        }
        for service in dict.fromkeys(d["service"] for d in data)
    ]
    subject = export.get("subject") or {}
    return _PAGES.from_string(_SUMMARY).render(
        network=network,
        subject=subject.get("email") or ", ".join(subject.get("person_ids") or []),
        request_id=export.get("request_id", ""),
        requested_at=_moment(export.get("requested_at"), tz),
        completed_at=_moment(export.get("completed_at"), tz),
        controller=_controller(export.get("controller") or {}),
        services=services,
    )


def _part(entry: dict, tz: ZoneInfo) -> dict:
    """One kind of data: its catalogue entry and its rows as a table (columns in first-seen order)."""
    columns: list[str] = []
    for row in entry["rows"]:
        columns += [k for k in row if k not in columns]
    return {
        "title": TABLE_DE.get(entry["table"], entry["table"]),
        "purpose": entry.get("purpose"),
        "legal_basis": entry.get("legal_basis"),
        "retention": entry.get("retention"),
        "recipients": ", ".join(entry.get("recipients") or []),
        "columns": columns,
        "rows": [[_cell(row.get(c), tz) for c in columns] for row in entry["rows"]],
    }


def _cell(value, tz: ZoneInfo) -> str:
    """A value as text: nested values spelled out, moments in the network's time zone."""
    if value is None or value == "" or value == [] or value == {}:
        return "–"
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_cell(v, tz)}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(_cell(v, tz) for v in value)
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] in "T ":
        return _moment(value, tz)
    return str(value)


def _moment(value, tz: ZoneInfo) -> str:
    """An ISO moment as "01.12.2026, 10:00 Uhr" in the time zone (the text itself if it is none)."""
    if not value:
        return "–"
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if moment.tzinfo is None:
        return str(value)
    return moment.astimezone(tz).strftime("%d.%m.%Y, %H:%M Uhr")


def _controller(cp: dict) -> list[str]:
    """The controller's contact point as lines (name, organisation, address, e-mail)."""
    place = " ".join(x for x in (cp.get("postcode"), cp.get("city")) if x)
    lines = [
        cp.get("name"),
        cp.get("organisation"),
        cp.get("department"),
        cp.get("street"),
        place,
        f"E-Mail: {cp['email']}" if cp.get("email") else None,
    ]
    return [line for line in lines if line]


def open_roles(body_memberships: list[dict], led_groups: list[str]) -> str | None:
    """Why an erasure must wait (the person chairs a body or leads an active working group, a
    role to hand over first), in German; None when nothing stands in the way."""
    chairs = sorted({m["body"] for m in body_memberships if m["role"] == "chair"})
    groups = sorted(set(led_groups))
    if not chairs and not groups:
        return None
    roles = []
    if chairs:
        roles.append(f"den Vorsitz im Gremium {', '.join(chairs)}")
    if groups:
        named = ", ".join(f"„{g}“" for g in groups)
        roles.append(f"die Leitung der Arbeitsgruppe {named}")
    what = " und ".join(roles)
    handed = " und ".join(x for x, on in (("den Vorsitz", chairs), ("die Leitung", groups)) if on)
    return (
        f"Die Person hat {what}. Bitte übergeben Sie {handed} zuerst an ein anderes Mitglied; "
        "erst dann lassen sich ihre Daten löschen."
    )
