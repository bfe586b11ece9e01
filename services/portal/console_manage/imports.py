"""Moving in (Einzug): the Koordinierungsstelle's pages of an import — upload, the column
mapping, the preview (filtered by verdict, a choice per row), apply, undo, the log — and the
downloads (exports of the lists, the rows with errors). Every step is the membership API's."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..client import as_user
from ..nav import one_of, signed_in
from .blueprint import bp

KINDS = {
    "partners": _l("Partner (Organisationen)"),
    "contacts": _l("Ansprechpersonen"),
    "body_members": _l("Mitglieder der Gremien"),
    "working_group_members": _l("Mitglieder der Arbeitsgruppen"),
    "responsibilities": _l("Zuständigkeitsmatrix"),
    "doctors": _l("Ärzte mit Sprachkenntnissen"),
    "offers": _l("Angebote"),
}
# the kinds only some networks keep: the directory rule that says so
RULED = {"responsibilities": "responsibility_matrix", "doctors": "doctors", "offers": "offers"}
VERDICTS = {
    "new": _l("neu"),
    "update": _l("Aktualisierung"),
    "duplicate": _l("Dublette"),
    "error": _l("Fehler"),
}
ACTIONS = {"create": _l("neu anlegen"), "update": _l("aktualisieren"), "skip": _l("überspringen")}
EXPORTS = ("partners", "contacts", "body_members", "responsibilities", "doctors", "offers")


def kinds_here(rules: dict) -> dict:
    """The kinds this network may import (the matrix only where its rules keep one)."""
    keeps = rules.get("directory") or {}
    return {k: v for k, v in KINDS.items() if k not in RULED or keeps.get(RULED[k])}


@bp.route("/einzug", methods=["GET", "POST"])
@signed_in("coordinator")
def imports(tenant):
    problem = None
    if request.method == "POST":
        upload = request.files.get("file")
        kind = one_of(request.form.get("kind", ""), tuple(kinds_here(g.rules)), "")
        if not upload or not upload.filename:
            problem = _("Bitte wählen Sie eine Datei.")
        elif not kind:
            problem = _("Bitte wählen Sie, was die Tabelle enthält.")
        else:
            reply = as_user(
                "POST",
                "membership",
                tenant,
                "imports",
                data={"kind": kind},
                files={"file": (upload.filename, upload.stream.read())},
                timeout=current_app.config["IMPORT_TIMEOUT"],
            )
            if reply.ok:
                return redirect(
                    url_for("manage.import_preview", tenant=tenant, import_id=reply.data["id"])
                )
            problem = reply.detail or _("Das hat nicht geklappt.")
    log = as_user("GET", "membership", tenant, "imports")
    return render_template(
        "console/imports.html",
        kinds=kinds_here(g.rules),
        log=log.data if log.ok else [],
        problem=problem,
        KINDS=KINDS,
    ), (422 if problem else 200)


@bp.route("/einzug/<import_id>")
@signed_in("coordinator")
def import_preview(tenant, import_id):
    verdict = one_of(request.args.get("urteil", ""), tuple(VERDICTS), "")
    found = as_user(
        "GET", "membership", tenant, f"imports/{import_id}", params={"verdict": verdict}
    ).or_404()
    return render_template(
        "console/import.html",
        imp=found,
        verdict=verdict,
        VERDICTS=VERDICTS,
        ACTIONS=ACTIONS,
        KINDS=KINDS,
    )


def _back(tenant, import_id, reply, said):
    if reply.ok:
        flash(said, "success")
    else:
        flash(reply.detail or _("Das hat nicht geklappt."), "error")
    return redirect(url_for("manage.import_preview", tenant=tenant, import_id=import_id))


@bp.post("/einzug/<import_id>/zuordnung")
@signed_in("coordinator")
def import_mapping(tenant, import_id):
    columns = int(request.form.get("columns", "0") or 0)
    if not 0 < columns <= 200:
        abort(400)
    mapping = [request.form.get(f"column-{i}") or None for i in range(columns)]
    reply = as_user(
        "PUT", "membership", tenant, f"imports/{import_id}/mapping", json={"mapping": mapping}
    )
    return _back(tenant, import_id, reply, _("Die Zuordnung ist geändert."))


@bp.post("/einzug/<import_id>/anwenden")
@signed_in("coordinator")
def import_apply(tenant, import_id):
    choices = {
        key.removeprefix("row-"): value
        for key, value in request.form.items()
        if key.startswith("row-") and value in ACTIONS
    }
    reply = as_user(
        "POST",
        "membership",
        tenant,
        f"imports/{import_id}/apply",
        json={"choices": choices},
        timeout=current_app.config["IMPORT_TIMEOUT"],
    )
    return _back(tenant, import_id, reply, _("Der Import ist angewendet."))


@bp.post("/einzug/<import_id>/rueckgaengig")
@signed_in("coordinator")
def import_undo(tenant, import_id):
    reply = as_user(
        "POST",
        "membership",
        tenant,
        f"imports/{import_id}/undo",
        timeout=current_app.config["IMPORT_TIMEOUT"],
    )
    return _back(tenant, import_id, reply, _("Der Import ist rückgängig gemacht."))


def _download(reply):
    if not reply.ok:
        abort(404)
    keep = ("Content-Type", "Content-Disposition")
    return Response(
        reply.content, headers={k: reply.headers[k] for k in keep if k in reply.headers}
    )


@bp.route("/einzug/<import_id>/fehler.<any(xlsx, csv):fmt>")
@signed_in("coordinator")
def import_errors(tenant, import_id, fmt):
    return _download(
        as_user("GET", "membership", tenant, f"imports/{import_id}/errors", params={"format": fmt})
    )


@bp.route(
    "/export/<any(partners, contacts, body_members, responsibilities, doctors, offers):what>"
    ".<any(xlsx, csv):fmt>"
)
@signed_in("coordinator", "admin")
def export(tenant, what, fmt):
    return _download(
        as_user("GET", "membership", tenant, f"exports/{what}", params={"format": fmt})
    )


@bp.route("/planung/<uuid:event_id>/einladungen.<any(xlsx, csv):fmt>")
@signed_in("coordinator", "admin")
def export_invitations(tenant, event_id, fmt):
    return _download(
        as_user(
            "GET",
            "events",
            tenant,
            f"events/{event_id}/invitations/export",
            params={"format": fmt},
        )
    )
