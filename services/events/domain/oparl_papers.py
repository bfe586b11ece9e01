"""OParl 1.1 Papers of what membership owns, from events' copies (paper_copies): the founding
proposals of working groups once decided (Gründungsantrag, Anlage 5) and the working papers
(Arbeitspapier, Anlage 6), each with its text as a Markdown File.

Pure functions. Never who proposed or changed a paper; a proposal only once decided (before,
it is the proposer's and the coordinators' matter).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from zoneinfo import ZoneInfo

from knotenpunkt.shared.oparl import OPARL, moment, stamp
from knotenpunkt.shared.outputs import markdown_text as md

DECIDED = {"approved": "angenommen", "declined": "abgelehnt"}
PREFIX = {"proposal": "gruendungsantrag", "working_paper": "arbeitspapier"}
TYPES = {"proposal": "Gründungsantrag (Arbeitsgruppe)", "working_paper": "Arbeitspapier"}


def public(row: dict) -> bool:
    """A working paper always (as in membership), a proposal once decided."""
    if row["kind"] == "proposal":
        return row["data"].get("status") in DECIDED
    return row["kind"] == "working_paper"


def key(row: dict) -> str:
    """The paper's key below ``paper/`` (and its file's below ``file/``)."""
    return f"{PREFIX[row['kind']]}/{row['key']}"


def title(row: dict) -> str:
    d = row["data"]
    if row["kind"] == "proposal":
        return f"Gründungsantrag: AG {d.get('topic') or ''}".strip()
    return f"Arbeitspapier: {d.get('name') or ''}".strip()


def markdown(row: dict) -> str:
    """The paper's text as Markdown (everything people wrote shown, not interpreted)."""
    d, out = row["data"], [f"# {md(title(row))}", ""]
    if row["kind"] == "proposal":
        if d.get("aims"):
            out += ["## Ziele", "", md(d["aims"]), ""]
        if d.get("planned_months"):
            out += [f"Geplante Dauer: {int(d['planned_months'])} Monate", ""]
        out += [f"Entscheidung: {DECIDED.get(d.get('status'), 'offen')}"]
        return "\n".join(out) + "\n"
    content = d.get("content") or {}
    out += [f"Fassung {int(d.get('version') or 1)}", ""]
    goals = content.get("goals") or []
    if goals:
        out += ["## Ziele", ""]
        for g in goals:
            extra = "; ".join(
                f"{label}: {md(g[k])}"
                for k, label in (("measure", "Messgröße"), ("due", "bis"))
                if g.get(k)
            )
            out.append(f"- {md(g.get('text'))}" + (f" ({extra})" if extra else ""))
        out.append("")
    for name, label in (("measures", "Maßnahmen"), ("timeline", "Zeitplan")):
        entries = content.get(name) or []
        if entries:
            out += [f"## {label}", ""]
            for e in entries:
                text = ", ".join(f"{k}: {v}" for k, v in e.items()) if isinstance(e, dict) else e
                out.append(f"- {md(text)}")
            out.append("")
    if content.get("results"):
        out += ["## Ergebnisse", "", md(content["results"]), ""]
    return "\n".join(out).rstrip() + "\n"


def papers(
    urls, rows: list[dict], tz: ZoneInfo
) -> tuple[dict[str, dict], list[dict], dict[str, bytes]]:
    """The public membership papers by key, their Files, and the files' contents by id.

    urls: the events domain's Urls; rows: store.membership_papers.
    """
    found: dict[str, dict] = {}
    files: list[dict] = []
    contents: dict[str, bytes] = {}
    for row in rows:
        if not public(row):
            continue
        k, d = key(row), row["data"]
        content = markdown(row).encode()
        at = moment(d.get("changed_at") or d.get("decided_at")) or row["modified_at"]
        group = d.get("working_group_id")
        file = {
            "id": urls.of("file", k),
            "type": OPARL + "File",
            "name": title(row),
            "fileName": f"{PREFIX[row['kind']]}-{row['key']}.md",
            "mimeType": "text/markdown",
            "date": _day(at, tz),
            "size": len(content),
            "sha512Checksum": hashlib.sha512(content).hexdigest(),
            "accessUrl": urls.of("file", f"{k}/content"),
            "paper": [urls.of("paper", k)],
            "created": stamp(row["created_at"]),
            "modified": stamp(row["modified_at"]),
        }
        files.append(file)
        contents[file["id"]] = content
        organizations = [urls.of("organization", f"arbeitsgruppe/{group}")] if group else []
        body = d.get("body")
        found[k] = {
            "id": urls.of("paper", k),
            "type": OPARL + "Paper",
            "body": urls.body(),
            "name": title(row),
            "date": _day(at, tz),
            "paperType": TYPES[row["kind"]],
            "mainFile": file,
            "originatorOrganization": organizations if row["kind"] == "working_paper" else [],
            "underDirectionOf": [urls.of("organization", f"gremium/{body}")] if body else [],
            "consultation": [],
            "auxiliaryFile": [],
            "created": stamp(row["created_at"]),
            "modified": stamp(row["modified_at"]),
        }
    return found, files, contents


def _day(at: datetime, tz: ZoneInfo) -> str:
    return at.astimezone(tz).date().isoformat()
