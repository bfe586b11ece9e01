"""OParl 1.1 (https://schema.oparl.org/1.1/): public events as Meetings with their agenda items,
the decisions of published minutes as Papers and Consultations, the minutes as Files.

Pure functions over what the store found: only public events (an event withdrawn from the
public stays as a tombstone), minutes only once published, decisions only as far as they are
public (an admission only once the applicant may be told). Of a ballot only its title, kind
and outcome leave, never a tally, a name or a reason; the minutes themselves are the document
the events API publishes (``minutes.md``), also as HTML and PDF.
"""

from __future__ import annotations

import hashlib
import html
from datetime import datetime
from zoneinfo import ZoneInfo

from knotenpunkt.services.events.domain import oparl_papers
from knotenpunkt.services.events.domain.minutes import minutes_markdown
from knotenpunkt.shared import pdf
from knotenpunkt.shared.oparl import stamp

OPARL = "https://schema.oparl.org/1.1/"
KINDS = ("meeting", "agendaitem", "paper", "consultation", "file", "location")
MEETING_STATES = {
    "planned": "terminiert",
    "invited": "eingeladen",
    "held": "durchgeführt",
    "cancelled": "abgesagt",
}
SUBJECT_PAPER_TYPES = {
    "admission": "Aufnahmeantrag",
    "working_group_founding": "Gründung einer Arbeitsgruppe",
}
KIND_PAPER_TYPES = {"resolution": "Beschluss", "recommendation": "Empfehlung"}
# The formats of the minutes: Markdown is the master, the others are derived from it.
FORMATS = {
    "markdown": ("text/markdown", "md"),
    "html": ("text/html", "html"),
    "pdf": ("application/pdf", "pdf"),
}
MASTER = "markdown"


def _moment(value) -> datetime | None:
    """A moment from a row (datetime) or from event data (ISO text)."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _stamp(value) -> str | None:
    return stamp(_moment(value))


def _clean(obj: dict) -> dict:
    return {k: v for k, v in obj.items() if v not in (None, "", [])}


def disclosed(decision: dict, rules: dict, now: datetime, announced: set[str]) -> bool:
    """Whether a decision may be public: an admission only once membership announced its
    outcome (announced: the ballots of announced admissions), and never before the end of the
    voting period where the network says so (Chemnitz' Leitlinie 3)."""
    if (decision.get("subject") or {}).get("kind") != "admission":
        return True
    if str(decision.get("ballot_id")) not in announced:
        return False
    if rules["membership"].get("inform_applicant") != "after_deadline":
        return True
    deadline = _moment(decision.get("deadline"))
    return deadline is None or deadline <= now


def _resolution(decision: dict | None) -> str | None:
    """The wording decided (the ballot's text, else its title) with the outcome."""
    if not decision:
        return None
    wording = decision.get("text") or decision.get("title")
    outcome = decision.get("outcome_text") or decision.get("outcome")
    return f"{wording} – {outcome}" if wording and outcome else wording or outcome


def paper_type(decision: dict) -> str:
    """What the decided subject is, in the words of council information systems."""
    kind = (decision.get("subject") or {}).get("kind")
    return SUBJECT_PAPER_TYPES.get(kind) or KIND_PAPER_TYPES.get(decision.get("kind"), "Beschluss")


class Urls:
    """The ids of one tenant's OParl objects (membership's on the same host)."""

    def __init__(self, root: str, tenant: str):
        self.root, self.tenant = root, tenant

    def of(self, kind: str, key) -> str:
        return f"{self.root}/{kind}/{key}"

    def body(self) -> str:
        return self.of("body", self.tenant)

    def organizations(self, event_or_decision: dict) -> list[str]:
        out = []
        if event_or_decision.get("body"):
            out.append(self.of("organization", f"gremium/{event_or_decision['body']}"))
        if event_or_decision.get("working_group_id"):
            out.append(
                self.of("organization", f"arbeitsgruppe/{event_or_decision['working_group_id']}")
            )
        return out

    def item(self, item: dict) -> str:
        return self.of("agendaitem", f"{item['event_id']}/{item['position']}")

    def file(self, event_id, fmt: str) -> str:
        return self.of("file", f"{event_id}/{fmt}")


# --- The minutes as files ----------------------------------------------------------------


def _inline(text: str) -> str:
    # Everything people wrote went through markdown_text: &, < and > are entities already and
    # every markup character has a backslash, so ** is only ever the document's own bold.
    return pdf.ESCAPED.sub(r"\1", pdf.BOLD.sub(r"<strong>\1</strong>", text)).replace(
        "\n", "<br>\n"
    )


def markdown_to_html(markdown: str, title: str) -> str:
    """The minutes' Markdown (as minutes_markdown writes it) as an HTML document."""
    out: list[str] = []
    depth = 0  # 0: no list, 1: in an item of the list, 2: in its sub-list

    def close(to: int) -> None:
        nonlocal depth
        while depth > to:
            out.append("</ul>" if depth == 2 else "</li></ul>")
            depth -= 1

    for line in pdf.lines(markdown):
        kind, text = pdf.block(line)
        if kind == "subitem":
            if depth == 1:
                out.append("<ul>")
                depth = 2
            out.append(f"<li>{_inline(text)}</li>")
        elif kind == "item":
            close(1)
            out.append(("</li><li>" if depth == 1 else "<ul><li>") + _inline(text))
            depth = 1
        else:
            close(0)
            if kind in ("h1", "h2"):
                out.append(f"<{kind}>{_inline(text)}</{kind}>")
            elif text.strip():
                out.append(f"<p>{_inline(text)}</p>")
    close(0)
    return (
        '<!DOCTYPE html>\n<html lang="de">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n</head>\n<body>\n"
        + "\n".join(out)
        + "\n</body>\n</html>\n"
    )


def minutes_files(
    event: dict, agenda: list[dict], tz: ZoneInfo, network: str | None = None
) -> dict[str, bytes]:
    """The published minutes as {format: content}: Markdown (the master), HTML and PDF (the
    network's name and the date atop each page, page numbers below); the event's decisions:
    those that may be public (an admission only once announced)."""
    minutes = {k: event[k] or [] for k in ("attendees", "notes", "decisions")}
    minutes |= {k: event.get(k) for k in ("taken_by", "approved_at")}
    markdown = minutes_markdown(event, minutes, agenda, tz)
    title = f"Protokoll: {event['title']}"
    return {
        "markdown": markdown.encode(),
        "html": markdown_to_html(markdown, title).encode(),
        "pdf": pdf.markdown_pdf(
            markdown, title, _moment(event["minutes_published_at"]), network=network
        ),
    }


def _file(
    urls: Urls, event: dict, fmt: str, content: bytes, tz: ZoneInfo, about: tuple = ((), ())
) -> dict:
    """One format of the published minutes; about: the papers and agenda items decided."""
    mime, ext = FORMATS[fmt]
    published = _moment(event["minutes_published_at"])
    return _clean(
        {
            "id": urls.file(event["id"], fmt),
            "type": OPARL + "File",
            "name": f"Protokoll: {event['title']}",
            "fileName": f"protokoll-{event['starts_at'].astimezone(tz):%Y-%m-%d}.{ext}",
            "mimeType": mime,
            "date": published.astimezone(tz).date().isoformat(),
            "size": len(content),
            "sha512Checksum": hashlib.sha512(content).hexdigest(),
            "accessUrl": urls.file(event["id"], f"{fmt}/content"),
            "masterFile": urls.file(event["id"], MASTER) if fmt != MASTER else None,
            "derivativeFile": [urls.file(event["id"], f) for f in FORMATS if f != MASTER]
            if fmt == MASTER
            else None,
            "meeting": [urls.of("meeting", event["id"])],
            "paper": list(about[0]),
            "agendaItem": list(about[1]),
            "created": _stamp(published),
            "modified": _stamp(max(published, event["modified_at"])),
        }
    )


# --- The catalogue -------------------------------------------------------------------------


def _tombstone(urls: Urls, event: dict) -> dict:
    return {
        "id": urls.of("meeting", event["id"]),
        "type": OPARL + "Meeting",
        "deleted": True,
        "created": _stamp(event["created_at"]),
        "modified": _stamp(event["withdrawn_at"]),
    }


def _paper_key(decision: dict, theirs: dict) -> str:
    """The Paper a decision is about: a founding proposal's own where it is public, else the
    ballot's."""
    subject = decision.get("subject") or {}
    if subject.get("kind") == "working_group_founding":
        own = f"{oparl_papers.PREFIX['proposal']}/{subject.get('id')}"
        if own in theirs:
            return own
    return str(decision["ballot_id"])


def catalogue(
    urls: Urls,
    events: list[dict],
    items: list[dict],
    rules: dict,
    tz: ZoneInfo,
    now: datetime,
    membership_papers: list[dict] = (),
) -> tuple[dict[str, list[dict]], dict[str, bytes]]:
    """Every OParl object of the events service by kind, and the files' contents by file id.

    events: visible events with their minutes (store.visible_events); items: the agenda items
    of the public ones; membership_papers: the copies of proposals and working papers and the
    announcements of admissions.
    """
    out: dict[str, list[dict]] = {kind: [] for kind in KINDS}
    announced = {r["key"] for r in membership_papers if r["kind"] == "announcement"}
    theirs, their_files, contents = oparl_papers.papers(urls, list(membership_papers), tz)
    out["file"] += their_files
    papers: dict[str, dict] = {}
    by_event: dict = {}
    for item in items:
        by_event.setdefault(item["event_id"], []).append(item)
    for event in events:
        if not event["public"]:
            out["meeting"].append(_tombstone(urls, event))
            continue
        meeting_url = urls.of("meeting", event["id"])
        agenda = by_event.get(event["id"], [])
        published = event["minutes_status"] == "published"
        modified = max(
            event["modified_at"],
            event["minutes_updated_at"] if published else event["modified_at"],
        )
        common = {"created": _stamp(event["created_at"]), "modified": _stamp(modified)}
        # decisions of ballots (a decision by show of hands has no ballot and no Paper of its
        # own: it stands in the published minutes' files)
        # what of the minutes may be public; of that, the decisions of ballots are Papers (a
        # decision by show of hands has no ballot: it stands in the minutes' files)
        shown = [
            d
            for d in (event["decisions"] or [])
            if published and disclosed(d, rules, now, announced)
        ]
        decisions = [d for d in shown if d.get("ballot_id")]
        item_of = {i["ballot_id"]: i for i in agenda if i.get("ballot_id")}
        consultations = []
        for d in decisions:
            ballot, item = str(d["ballot_id"]), item_of.get(str(d["ballot_id"]))
            paper_key = _paper_key(d, theirs)
            consultation = _clean(
                {
                    "id": urls.of("consultation", f"{event['id']}/{ballot}"),
                    "type": OPARL + "Consultation",
                    "paper": urls.of("paper", paper_key),
                    "meeting": meeting_url,
                    "agendaItem": urls.item(item) if item else None,
                    "organization": urls.organizations(d),
                    "authoritative": bool(d.get("binding")),
                    "role": "Beschlussfassung" if d.get("binding") else "Empfehlung",
                    **common,
                }
            )
            consultations.append(consultation)
            paper = papers.setdefault(
                paper_key, {"decision": d, "consultations": [], "at": [], "files": []}
            )
            paper["consultations"].append(consultation)
            paper["at"].append(_moment(event["minutes_published_at"]))
        results = {str(d["ballot_id"]): d for d in decisions}
        about = (
            [urls.of("paper", _paper_key(d, theirs)) for d in decisions],
            [urls.item(i) for i in agenda if str(i.get("ballot_id") or "") in results],
        )
        agenda_items = [
            _clean(
                {
                    "id": urls.item(i),
                    "type": OPARL + "AgendaItem",
                    "meeting": meeting_url,
                    "number": str(i["position"]),
                    "order": i["position"],
                    "name": i["title"],
                    "public": True,
                    "result": (results.get(str(i.get("ballot_id") or "")) or {}).get(
                        "outcome_text"
                    ),
                    "resolutionText": _resolution(results.get(str(i.get("ballot_id") or ""))),
                    "consultation": urls.of("consultation", f"{event['id']}/{i['ballot_id']}")
                    if str(i.get("ballot_id") or "") in results
                    else None,
                    **common,
                }
            )
            for i in agenda
        ]
        files = []
        if published:
            for fmt, content in minutes_files(
                {**event, "decisions": shown}, agenda, tz, rules.get("name")
            ).items():
                files.append(_file(urls, event, fmt, content, tz, about))
                contents[files[-1]["id"]] = content
            for d in decisions:
                papers[_paper_key(d, theirs)]["files"].append(files[0])
        location = None
        if event.get("place"):
            location = _clean(
                {
                    "id": urls.of("location", event["id"]),
                    "type": OPARL + "Location",
                    "description": event["place"],
                    "meetings": [meeting_url],
                    **common,
                }
            )
            out["location"].append(location)
        out["meeting"].append(
            _clean(
                {
                    "id": meeting_url,
                    "type": OPARL + "Meeting",
                    "name": event["title"],
                    "meetingState": MEETING_STATES.get(event["status"], event["status"]),
                    "cancelled": event["status"] == "cancelled",
                    "start": _stamp(event["starts_at"]),
                    "end": _stamp(event["ends_at"]),
                    "location": location,
                    "organization": urls.organizations(event),
                    "agendaItem": agenda_items,
                    "resultsProtocol": files[0] if files else None,
                    "auxiliaryFile": files[1:],
                    **common,
                }
            )
        )
        out["agendaitem"] += agenda_items
        out["consultation"] += consultations
        out["file"] += files
    for key, paper in papers.items():
        if key in theirs:  # a proposal decided in a meeting: its consultations and minutes
            theirs[key]["consultation"] = paper["consultations"]
            theirs[key]["auxiliaryFile"] = paper["files"]
            theirs[key]["modified"] = _stamp(max([_moment(theirs[key]["modified"]), *paper["at"]]))
            continue
        ballot = key
        d, first = paper["decision"], _moment(paper["decision"].get("closed_at"))
        out["paper"].append(
            _clean(
                {
                    "id": urls.of("paper", ballot),
                    "type": OPARL + "Paper",
                    "body": urls.body(),
                    "name": d.get("title"),
                    "date": first.astimezone(tz).date().isoformat() if first else None,
                    "paperType": paper_type(d),
                    "underDirectionOf": urls.organizations(d),
                    "consultation": paper["consultations"],
                    "auxiliaryFile": paper["files"],
                    "created": _stamp(first or min(paper["at"])),
                    "modified": _stamp(max(paper["at"])),
                }
            )
        )
    out["paper"] += [_clean(p) for p in theirs.values()]
    return out, contents
