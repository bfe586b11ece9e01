"""Public pages of each network (no login): home, partners, overview, doctors, offers, matrix,
events, the application (Beitrittserklärung) with its status page, consultations."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from . import labels, publications, zone
from .application_form import FormValues, application_body, application_order, form_values
from .client import api, public
from .forms import Errors
from .nav import PAGE_SIZE, network_of_url, one_of, page_number, paged, pages
from .tenants import networks

bp = Blueprint("public", __name__)
bp.url_value_preprocessor(network_of_url)

# Languages offered as filters (the directory's own values are ISO 639-1 codes).
FILTER_LANGUAGES = (
    "de",
    "en",
    "ar",
    "fa",
    "ps",
    "ku",
    "tr",
    "ru",
    "uk",
    "pl",
    "ro",
    "fr",
    "es",
    "vi",
    "ti",
    "so",
)


@bp.route("/")
def index():
    return render_template("index.html", networks=networks())


@bp.route("/<tenant>/")
def home(tenant):
    consultations = public("events", tenant, "consultations")
    return render_template(
        "home.html",
        consultations=consultations.data if consultations.ok else [],
    )


@bp.route("/<tenant>/partner")
def partners(tenant):
    args = request.args
    page = page_number()
    query = {
        "q": args.get("q", "").strip()[:200],
        "kind": one_of(args.get("art", ""), labels.PARTNER_KINDS),
        "topic": args.get("thema", "").strip()[:200],
        "language": one_of(args.get("sprache", ""), FILTER_LANGUAGES),
    }
    reply = public("membership", tenant, "partners", page=page, page_size=PAGE_SIZE, **query)
    result = paged(reply)
    return render_template(
        "partners.html",
        result=result,
        query=query,
        page=page,
        pages=pages(result.get("total", 0)),
        filter_languages=FILTER_LANGUAGES,
        problem=None if reply.ok else reply.detail,
    )


@bp.route("/<tenant>/partner/<partner_id>")
def partner(tenant, partner_id):
    return render_template(
        "partner.html", partner=public("membership", tenant, f"partners/{partner_id}").or_404()
    )


@bp.route("/<tenant>/partneruebersicht")
def overview(tenant):
    publication = publications.latest(tenant)
    table = None
    if publication is not None:
        table = publications.rendered(
            "overview-table",
            tenant,
            str(publication["id"]),
            str(get_locale() or "de"),
            lambda: Markup(render_template("_overview_table.html", publication=publication)),
        )
    return render_template("overview.html", publication=publication, table=table)


@bp.route("/<tenant>/aerzte")
def doctors(tenant):
    if not g.rules.get("directory", {}).get("doctors"):
        abort(404)
    language = request.args.get("sprache", "").strip()[:20]
    specialty = request.args.get("fachrichtung", "").strip()[:100]
    reply = public("membership", tenant, "doctors", language=language, specialty=specialty)
    everyone = public("membership", tenant, "doctors")
    all_doctors = everyone.data if everyone.ok else []
    langs = sorted({code for d in all_doctors for code in d.get("languages", [])})
    specialties = sorted({d.get("specialty") for d in all_doctors if d.get("specialty")})
    return render_template(
        "doctors.html",
        doctors=reply.data if reply.ok else [],
        language=language,
        specialty=specialty,
        languages_found=langs,
        specialties=specialties,
    )


@bp.route("/<tenant>/angebote")
def offers(tenant):
    if not g.rules.get("directory", {}).get("offers"):
        abort(404)
    reply = public("membership", tenant, "offers")
    return render_template("offers.html", offers=reply.data if reply.ok else [])


@bp.route("/<tenant>/zustaendigkeiten")
def matrix(tenant):
    if not g.rules.get("directory", {}).get("responsibility_matrix"):
        abort(404)
    reply = public("membership", tenant, "responsibilities")
    data = reply.data if reply.ok else {"cells": []}
    cells = sorted(data.get("cells", []), key=lambda c: (c["topic"].lower(), c["actor"].lower()))
    return render_template("matrix.html", cells=cells)


def _passthrough(reply, mimetype: str, filename: str) -> Response:
    if not reply.ok:
        abort(404)
    return Response(
        reply.content,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/<tenant>/zustaendigkeiten.csv")
def matrix_csv(tenant):
    reply = public("membership", tenant, "responsibilities.csv")
    return _passthrough(reply, "text/csv", f"zustaendigkeiten-{tenant}.csv")


@bp.route("/<tenant>/termine")
def events(tenant):
    reply = public("events", tenant, "events", page_size=50)
    return render_template("events.html", events=reply.data if reply.ok else [])


@bp.route("/<tenant>/termine/<event_id>")
def event(tenant, event_id):
    return render_template(
        "event.html", event=public("events", tenant, f"events/{event_id}").or_404()
    )


@bp.route("/<tenant>/termine/<event_id>.ics")
def event_ics(tenant, event_id):
    reply = public("events", tenant, f"events/{event_id}.ics")
    return _passthrough(reply, "text/calendar", f"termin-{event_id}.ics")


@bp.route("/<tenant>/kalender.ics")
def calendar_ics(tenant):
    reply = public("events", tenant, "calendar.ics")
    return _passthrough(reply, "text/calendar", f"{tenant}.ics")


# --- The application (Beitrittserklärung) ------------------------------------------------


@bp.route("/<tenant>/beitritt", methods=["GET", "POST"])
def apply(tenant):
    rules = g.rules
    mode = rules.get("membership", {}).get("mode")
    if mode != "application":
        return render_template("apply_closed.html", mode=mode)
    errors = Errors(application_order(rules))
    values = FormValues()
    if request.method == "POST":
        values = FormValues.of(request.form)
        body = application_body(request.form, rules, errors)
        if not errors:
            reply = api().call("POST", "membership", tenant, "applications", json=body)
            if reply.status == 201:
                flash(_("Ihre Beitrittserklärung ist eingegangen."), "success")
                return _to_status(tenant, reply.data["id"], reply.data["token"])
            errors.from_reply(reply)
    return render_template("apply.html", errors=errors, values=values), (422 if errors else 200)


def _to_status(tenant: str, application_id: str, token: str):
    """To the application's status page (its link with the applicant's token)."""
    return redirect(
        url_for("public.status", tenant=tenant, application_id=application_id, token=token)
    )


def _application(tenant, application_id, token):
    if not token:
        abort(404)
    reply = public("membership", tenant, f"applications/{application_id}", token=token)
    if reply.status in (401, 403, 404, 422):
        abort(404)
    return reply.data


@bp.route("/<tenant>/antrag/<application_id>")
def status(tenant, application_id):
    token = request.args.get("token", "")
    app = _application(tenant, application_id, token)
    return render_template(
        "status.html",
        app=app,
        token=token,
        errors=Errors(application_order(g.rules)),
        values=FormValues(form_values(app)),
    )


@bp.post("/<tenant>/antrag/<application_id>/ergaenzen")
def correct(tenant, application_id):
    token = request.form.get("token", "")
    app = _application(tenant, application_id, token)
    errors = Errors(application_order(g.rules))
    body = application_body(request.form, g.rules, errors)
    if not errors:
        reply = api().call(
            "PATCH",
            "membership",
            tenant,
            f"applications/{application_id}",
            params={"token": token},
            json=body,
        )
        if reply.ok:
            flash(
                _(
                    "Ihre Ergänzung ist eingegangen; die Koordinierungsstelle prüft den Antrag erneut."
                ),
                "success",
            )
            return _to_status(tenant, application_id, token)
        errors.from_reply(reply)
    values = FormValues.of(request.form)
    return render_template("status.html", app=app, token=token, errors=errors, values=values), 422


@bp.post("/<tenant>/antrag/<application_id>/zurueckziehen")
def withdraw(tenant, application_id):
    token = request.form.get("token", "")
    app = _application(tenant, application_id, token)
    errors = Errors(["confirm"])
    if request.form.get("confirm") != "yes":
        errors.add("confirm", _("Bitte bestätigen Sie, dass Sie den Antrag zurückziehen möchten."))
    else:
        reply = api().call(
            "POST",
            "membership",
            tenant,
            f"applications/{application_id}/withdraw",
            params={"token": token},
        )
        if reply.ok:
            flash(_("Ihr Antrag ist zurückgezogen."), "success")
            return _to_status(tenant, application_id, token)
        errors.from_reply(reply)
    return render_template(
        "status.html",
        app=app,
        token=token,
        errors=Errors(application_order(g.rules)),
        withdraw_errors=errors,
        values=FormValues(form_values(app)),
    ), 422


# --- Consultations ------------------------------------------------------------------------


def _window(consultation: dict) -> str:
    """'open', 'before' or 'after' on today's date in the network's time zone."""
    today = zone.now().date()
    opens = date.fromisoformat(str(consultation["opens"])[:10])
    closes = date.fromisoformat(str(consultation["closes"])[:10])
    if today < opens:
        return "before"
    if today > closes:
        return "after"
    return "open"


@bp.route("/<tenant>/beteiligung/<consultation_id>", methods=["GET", "POST"])
def consultation(tenant, consultation_id):
    reply = public("events", tenant, "consultations")
    found = (
        next((c for c in (reply.data or []) if c["id"] == consultation_id), None)
        if reply.ok
        else None
    )
    if found is None:
        abort(404)
    window = _window(found)
    errors = Errors(["topic", "text", "author"])
    values = request.form if request.method == "POST" else {}
    if request.method == "POST":
        topic, text = request.form.get("topic", ""), request.form.get("text", "").strip()
        if topic not in found.get("topics", []):
            errors.add("topic", _("Bitte wählen Sie ein Thema."))
        if not text:
            errors.add("text", _("Bitte schreiben Sie Ihre Idee auf."))
        if not errors:
            body = {"topic": topic, "text": text}
            author = request.form.get("author", "").strip()
            if author:
                body["author"] = author
            sent = api().call(
                "POST", "events", tenant, f"consultations/{consultation_id}/ideas", json=body
            )
            if sent.ok:
                flash(_("Danke! Ihre Idee ist eingegangen."), "success")
                return redirect(
                    url_for("public.consultation", tenant=tenant, consultation_id=consultation_id)
                )
            errors.from_reply(sent)
    return render_template(
        "consultation.html", consultation=found, window=window, errors=errors, values=values
    ), (422 if errors else 200)


# --- The unsubscribe link of the mails -------------------------------------------------------


@bp.route("/<tenant>/abbestellen", methods=["GET", "POST"])
def unsubscribe(tenant):
    """The mail's link to stop a category of messages: GET asks (mail scanners follow links, so
    it changes nothing), the form's POST unsubscribes. The notifications API checks the token."""
    link, said = _follow_link(tenant, "unsubscribe", ("email", "category", "token"))
    if not said.ok:
        return render_template("unsubscribe.html", invalid=True, link=link), _refused(said)
    return render_template(
        "unsubscribe.html",
        invalid=False,
        done=request.method == "POST",
        link=link,
        category=labels.label(labels.CATEGORIES, link["category"]),
    )


@bp.route("/<tenant>/einwilligung-widerrufen", methods=["GET", "POST"])
def withdraw_consent(tenant):
    """The link in every mail to a contact held on consent: GET asks (changes nothing), the
    form's POST withdraws the consent, and the contact is erased. The notifications API checks
    the token."""
    link, said = _follow_link(tenant, "consent/withdraw", ("email", "token"))
    if not said.ok:
        return render_template("consent_withdrawal.html", invalid=True, link=link), _refused(said)
    return render_template(
        "consent_withdrawal.html", invalid=False, done=request.method == "POST", link=link
    )


def _follow_link(tenant: str, path: str, names: tuple[str, ...]):
    """A mail link's fields (from the query on GET, the form on POST) and the notifications
    API's answer to the same method with them (its query, as one-click links send it)."""
    source = request.form if request.method == "POST" else request.args
    link = {k: source.get(k, "") for k in names}
    return link, api().call(request.method, "notifications", tenant, path, params=link)


def _refused(said) -> int:
    """The page's status when the API refused a link: 403 for a wrong token, 404, else 400."""
    return 403 if said.status in (401, 403) else 404 if said.status == 404 else 400
