"""HTTP API of the membership service (blueprints under /api/v1/<tenant>/)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from services.membership import domain, store
from services.membership.schemas import (
    ApplicationIn,
    ApplicationOut,
    ApplicationPatch,
    BodyOut,
    CheckIn,
    ContactIn,
    ContactOut,
    ContactPatch,
    DecisionIn,
    DoctorIn,
    DoctorOut,
    DoctorPatch,
    DoctorQuery,
    GroupMemberIn,
    GroupMemberOut,
    MatrixOut,
    MeasureIn,
    MeasureOut,
    MeasurePatch,
    MemberIn,
    MemberOut,
    OfferIn,
    OfferOut,
    OfferPatch,
    OfferQuery,
    PaperIn,
    PaperOut,
    PartnerIn,
    PartnerOut,
    PartnerPage,
    PartnerPatch,
    PartnerQuery,
    ProposalIn,
    ProposalOut,
    PublicationOut,
    PublicationSummary,
    ResponsibilityIn,
    ResponsibilityOut,
    SharedOut,
    TokenQuery,
    WorkingGroupIn,
    WorkingGroupOut,
)
from shared.errors import NotFound
from shared.web import ctx, current_tenant, principal, roles

rules_bp = Blueprint(
    "rules", __name__, url_prefix="/api/v1/<tenant>", description="Regeln des Netzwerks"
)
partners_bp = Blueprint(
    "partners", __name__, url_prefix="/api/v1/<tenant>/partners", description="Netzwerkpartner"
)
bodies_bp = Blueprint(
    "bodies",
    __name__,
    url_prefix="/api/v1/<tenant>/bodies",
    description="Gremien und ihre Mitglieder",
)


def uow():
    """The unit of work of the current request's tenant."""
    return ctx().database().transaction(current_tenant().key)


@rules_bp.route("/rules")
class Rules(MethodView):
    @rules_bp.response(200)
    def get(self, tenant):
        """Die Regeln des Netzwerks, wie sie in seiner Datei stehen (öffentlich)."""
        return tenant_rules()


def tenant_rules() -> dict:
    import json

    return json.loads(json.dumps(current_tenant().rules, default=str))


@partners_bp.route("")
class Partners(MethodView):
    @partners_bp.arguments(PartnerQuery, location="query")
    @partners_bp.response(200, PartnerPage)
    def get(self, query, tenant):
        """Partner suchen; Anonyme sehen nur öffentliche Partner und öffentliche Felder."""
        caller = principal()
        public_only = caller.anonymous or not caller.has(
            "coordinator", "admin", "member", "partner"
        )
        with uow() as conn:
            rows, total = store.find_partners(conn, public_only=public_only, **query)
        if public_only:
            rows = [domain.public_view(r) for r in rows]
        return {
            "items": rows,
            "total": total,
            "page": query["page"],
            "page_size": query["page_size"],
        }

    @roles("coordinator", "admin")
    @partners_bp.arguments(PartnerIn)
    @partners_bp.response(201, PartnerOut)
    def post(self, data, tenant):
        """Partner anlegen (Koordinierungsstelle)."""
        with uow() as conn:
            return store.create_partner(conn, tenant, data)


@partners_bp.route("/<uuid:partner_id>")
class Partner(MethodView):
    @partners_bp.response(200, PartnerOut)
    def get(self, tenant, partner_id):
        """Einen Partner lesen."""
        caller = principal()
        with uow() as conn:
            row = store.get_partner(conn, partner_id)
        if caller.anonymous or not caller.has("coordinator", "admin", "member", "partner"):
            if not row["public"]:
                raise NotFound(f"Einen Partner {partner_id} gibt es nicht.")
            return domain.public_view(row)
        return row

    @roles("coordinator", "admin")
    @partners_bp.arguments(PartnerPatch)
    @partners_bp.response(200, PartnerOut)
    def patch(self, data, tenant, partner_id):
        """Einen Partner ändern (Koordinierungsstelle)."""
        with uow() as conn:
            return store.update_partner(conn, tenant, partner_id, data)


@bodies_bp.route("")
class Bodies(MethodView):
    @bodies_bp.response(200, BodyOut(many=True))
    def get(self, tenant):
        """Die Gremien des Netzwerks, wie konfiguriert."""
        return current_tenant().bodies


@bodies_bp.route("/<key>")
class Body(MethodView):
    @bodies_bp.response(200, BodyOut)
    def get(self, tenant, key):
        """Ein Gremium; Angemeldete sehen auch seine Mitglieder."""
        body = dict(domain.body_of(tenant_rules(), key))
        if not principal().anonymous:
            with uow() as conn:
                body["members"] = store.list_members(conn, key)
        return body


@bodies_bp.route("/<key>/members")
class Members(MethodView):
    @roles()
    @bodies_bp.response(200, MemberOut(many=True))
    def get(self, tenant, key):
        """Mitglieder eines Gremiums (angemeldet)."""
        domain.body_of(tenant_rules(), key)
        with uow() as conn:
            return store.list_members(conn, key)

    @roles("coordinator", "admin")
    @bodies_bp.arguments(MemberIn)
    @bodies_bp.response(201, MemberOut)
    def post(self, data, tenant, key):
        """Eine Person in das Gremium aufnehmen (Koordinierungsstelle)."""
        domain.body_of(tenant_rules(), key)
        with uow() as conn:
            return store.add_member(conn, tenant, key, data)


@bodies_bp.route("/<key>/members/<person_id>")
class Member(MethodView):
    @roles("coordinator", "admin")
    @bodies_bp.response(204)
    def delete(self, tenant, key, person_id):
        """Eine Person aus dem Gremium entfernen (Koordinierungsstelle)."""
        domain.body_of(tenant_rules(), key)
        with uow() as conn:
            store.remove_member(conn, tenant, key, person_id)


contacts_bp = Blueprint(
    "contacts",
    __name__,
    url_prefix="/api/v1/<tenant>/contacts",
    description="Ansprechpartner (personenbezogene Daten)",
)
applications_bp = Blueprint(
    "applications",
    __name__,
    url_prefix="/api/v1/<tenant>/applications",
    description="Beitrittserklärungen und Aufnahme",
)
wg_bp = Blueprint(
    "working_groups",
    __name__,
    url_prefix="/api/v1/<tenant>",
    description="Arbeitsgruppen, Gründungsanträge und Arbeitspapiere",
)
measures_bp = Blueprint(
    "measures",
    __name__,
    url_prefix="/api/v1/<tenant>/measures",
    description="Integrationsmonitoring: Maßnahmen und Indikatoren",
)
directory_bp = Blueprint(
    "directory",
    __name__,
    url_prefix="/api/v1/<tenant>/directory",
    description="Veröffentlichte Partnerübersichten und geteiltes Verzeichnis",
)
doctors_bp = Blueprint(
    "doctors",
    __name__,
    url_prefix="/api/v1/<tenant>/doctors",
    description="Ärzte mit Sprachkompetenzen",
)
offers_bp = Blueprint(
    "offers",
    __name__,
    url_prefix="/api/v1/<tenant>/offers",
    description="Angebote für Migrantinnen und Migranten",
)
resp_bp = Blueprint(
    "responsibilities",
    __name__,
    url_prefix="/api/v1/<tenant>",
    description="Zuständigkeitsmatrix (Schnittstellenpapier)",
)

STAFF = ("coordinator", "admin")


# --- Contacts ---------------------------------------------------------------------


@contacts_bp.route("")
class Contacts(MethodView):
    @contacts_bp.response(200, ContactOut(many=True))
    def get(self, tenant):
        """Ansprechpartner; Anonyme sehen nur die als öffentlich markierten."""
        staff = principal().has(*STAFF)
        with uow() as conn:
            return store.find_contacts(conn, public_only=not staff)

    @roles(*STAFF)
    @contacts_bp.arguments(ContactIn)
    @contacts_bp.response(201, ContactOut)
    def post(self, data, tenant):
        """Ansprechpartner anlegen; Rechtsgrundlage (und bei Einwilligung deren Zeitpunkt) ist Pflicht."""
        with uow() as conn:
            return store.create_contact(conn, tenant, data)


@contacts_bp.route("/<uuid:contact_id>")
class Contact(MethodView):
    @contacts_bp.response(200, ContactOut)
    def get(self, tenant, contact_id):
        """Eine Kontaktperson."""
        with uow() as conn:
            row = store.get_contact(conn, contact_id)
        if not row["public"] and not principal().has(*STAFF):
            raise NotFound(f"Eine Kontaktperson {contact_id} gibt es nicht.")
        return row

    @roles(*STAFF)
    @contacts_bp.arguments(ContactPatch)
    @contacts_bp.response(200, ContactOut)
    def patch(self, data, tenant, contact_id):
        """Eine Kontaktperson ändern."""
        with uow() as conn:
            return store.update_contact(conn, contact_id, data)

    @roles(*STAFF)
    @contacts_bp.response(204)
    def delete(self, tenant, contact_id):
        """Die Person löschen (Recht auf Löschung); andere Dienste löschen ihre Kopien."""
        with uow() as conn:
            store.erase_contact(conn, tenant, contact_id)


@contacts_bp.route("/<uuid:contact_id>/export")
class ContactExport(MethodView):
    @roles(*STAFF)
    @contacts_bp.response(200)
    def get(self, tenant, contact_id):
        """Alles, was über die Person gespeichert ist (Auskunft nach Art. 15 DSGVO)."""
        with uow() as conn:
            return _json(store.export_contact(conn, contact_id))


def _json(value):
    import json

    return json.loads(json.dumps(value, default=str))


# --- Applications -------------------------------------------------------------------


def _applicant_view(row: dict) -> dict:
    """What the applicant sees: no voter names, no internal check details."""
    out = dict(row)
    decision = out.get("decision")
    if decision:
        out["decision"] = {k: decision.get(k) for k in ("outcome", "tally", "decided_at")}
    out["history"] = [{k: h.get(k) for k in ("status", "at", "note")} for h in row["history"]]
    return out


def _authorised_application(conn, application_id, token: str | None) -> tuple[dict, bool]:
    """The application for a coordinator or for the applicant's token; (row, is_staff)."""
    row = store.get_application(conn, application_id, lock=True)
    if principal().has(*STAFF):
        return row, True
    if token and store.hash_token(token) == row["token_hash"]:
        return row, False
    from shared.errors import Unauthorized

    raise Unauthorized(
        "Nur mit dem Status-Token des Antrags oder als Koordinierungsstelle (token required)."
    )


@applications_bp.route("")
class Applications(MethodView):
    @applications_bp.arguments(ApplicationIn)
    @applications_bp.response(201, ApplicationOut)
    def post(self, data, tenant):
        """Beitrittserklärung einreichen (ohne Anmeldung).

        Netzwerke ohne Mitgliedschaft oder mit benannten Mitgliedern antworten 409.
        """
        rules = current_tenant().rules
        domain.ensure_applications_accepted(rules)
        domain.check_statements(rules, data["statements"])
        with uow() as conn:
            row, token = store.create_application(conn, tenant, data)
        out = _applicant_view(row)
        out["token"] = token
        return out

    @roles(*STAFF)
    @applications_bp.response(200, ApplicationOut(many=True))
    def get(self, tenant):
        """Alle Anträge (Koordinierungsstelle)."""
        with uow() as conn:
            return store.list_applications(conn)


@applications_bp.route("/<uuid:application_id>")
class Application(MethodView):
    @applications_bp.arguments(TokenQuery, location="query")
    @applications_bp.response(200, ApplicationOut)
    def get(self, query, tenant, application_id):
        """Den Antrag verfolgen: mit ?token=… als Antragsteller oder als Koordinierungsstelle."""
        with uow() as conn:
            row, staff = _authorised_application(conn, application_id, query["token"])
        return row if staff else _applicant_view(row)

    @applications_bp.arguments(TokenQuery, location="query")
    @applications_bp.arguments(ApplicationPatch)
    @applications_bp.response(200, ApplicationOut)
    def patch(self, query, data, tenant, application_id):
        """Einen zurückgegebenen Antrag ergänzen (Antragsteller mit Token); er wird erneut geprüft."""
        with uow() as conn:
            row, staff = _authorised_application(conn, application_id, query["token"])
            domain.ensure_correctable(row["status"])
            if "statements" in data:
                domain.check_statements(
                    current_tenant().rules, {**row["statements"], **data["statements"]}
                )
            row = store.correct_application(conn, application_id, data)
            store.emit_application(conn, tenant, row, "resubmitted")
        return row if staff else _applicant_view(row)


@applications_bp.route("/<uuid:application_id>/withdraw")
class Withdraw(MethodView):
    @applications_bp.arguments(TokenQuery, location="query")
    @applications_bp.response(200, ApplicationOut)
    def post(self, query, tenant, application_id):
        """Den Antrag zurückziehen (Antragsteller mit Token)."""
        with uow() as conn:
            row, staff = _authorised_application(conn, application_id, query["token"])
            domain.ensure_withdrawable(row["status"])
            row = store.set_application_status(conn, application_id, "withdrawn", by="applicant")
            store.emit_application(conn, tenant, row, "withdrawn", ballot_id=row["ballot_id"])
        return row if staff else _applicant_view(row)


@applications_bp.route("/<uuid:application_id>/check")
class Check(MethodView):
    @roles(*STAFF)
    @applications_bp.arguments(CheckIn)
    @applications_bp.response(200, ApplicationOut)
    def post(self, data, tenant, application_id):
        """Prüfung durch die Koordinierungsstelle: vollständig und plausibel → Abstimmung, sonst zurück."""
        rules = current_tenant().rules
        membership = rules["membership"]
        with uow() as conn:
            row = store.get_application(conn, application_id, lock=True)
            status = domain.check_outcome(
                row["status"], data["complete"], data["plausible"], data["note"]
            )
            by = principal().sub
            row = store.set_application_status(
                conn,
                application_id,
                status,
                note=data["note"],
                by=by,
                check_note=data["note"],
                checked_by=by,
                checked_at=_now(),
            )
            if status == "in_vote":
                body = domain.body_of(rules, membership["admitting_body"])
                store.emit_application(
                    conn,
                    tenant,
                    row,
                    "checked",
                    body=body["key"],
                    decision_days=membership["decision_days"],
                    deadline=(_now() + _days(membership["decision_days"])).isoformat(),
                    subject={"kind": "admission", "id": str(row["id"])},
                    title=f"Aufnahme: {row['organisation']['name']}",
                )
            else:
                store.emit_application(conn, tenant, row, "returned", note=data["note"])
        return row


def _now():
    from datetime import UTC, datetime

    return datetime.now(UTC)


def _days(n: int):
    from datetime import timedelta

    return timedelta(days=n)


# --- Working groups -------------------------------------------------------------------


@wg_bp.route("/working-group-proposals")
class Proposals(MethodView):
    @roles()
    @wg_bp.response(200, ProposalOut(many=True))
    def get(self, tenant):
        """Gründungsanträge für Arbeitsgruppen (angemeldet)."""
        with uow() as conn:
            return store.list_proposals(conn)

    @roles()
    @wg_bp.arguments(ProposalIn)
    @wg_bp.response(201, ProposalOut)
    def post(self, data, tenant):
        """Gründung einer Arbeitsgruppe vorschlagen (Anlage 5); entschieden nach den Regeln des Netzwerks."""
        rules = current_tenant().rules
        caller = principal()
        domain.ensure_may_propose(rules, caller)
        route = domain.proposal_route(rules)
        with uow() as conn:
            status = {"body": "in_vote", "coordinator": "submitted", "anyone": "submitted"}[route]
            row = store.create_proposal(conn, tenant, data, caller.sub, caller.partner_id, status)
            if route == "anyone":
                row = store.decide_proposal(conn, tenant, row, True, "open network")
            else:
                extra = {}
                if route == "body":
                    body = rules["working_groups"]["founding_body"]
                    extra = {
                        "body": body,
                        "subject": {"kind": "working_group_founding", "id": str(row["id"])},
                        "title": f"Gründung AG {row['topic']}",
                    }
                store.add_event(
                    conn,
                    "membership",
                    tenant,
                    "working_group_proposal",
                    "submitted",
                    store._jsonable(
                        {
                            "proposal_id": row["id"],
                            "topic": row["topic"],
                            "aims": row["aims"],
                            "decided_by": route,
                            **extra,
                        }
                    ),
                    str(row["id"]),
                )
        return row


@wg_bp.route("/working-group-proposals/<uuid:proposal_id>/decision")
class ProposalDecision(MethodView):
    @roles(*STAFF)
    @wg_bp.arguments(DecisionIn)
    @wg_bp.response(200, ProposalOut)
    def post(self, data, tenant, proposal_id):
        """Über einen Gründungsantrag entscheiden, wo die Koordinierungsstelle das tut."""
        from shared.errors import Conflict

        if domain.proposal_route(current_tenant().rules) != "coordinator":
            raise Conflict(
                "In diesem Netzwerk entscheidet darüber ein Gremium per Abstimmung, nicht die Koordinierungsstelle."
            )
        with uow() as conn:
            row = store.get_proposal(conn, proposal_id, lock=True)
            if row["status"] != "submitted":
                raise Conflict(
                    f"Der Vorschlag ist im Status „{row['status']}“ und schon entschieden."
                )
            return store.decide_proposal(
                conn, tenant, row, data["approved"], principal().sub, data["note"]
            )


def _group(conn, group_id, with_members: bool) -> dict:
    row = dict(store.get_working_group(conn, group_id))
    row["members"] = store.group_members(conn, group_id) if with_members else []
    return row


@wg_bp.route("/working-groups")
class WorkingGroups(MethodView):
    @wg_bp.response(200, WorkingGroupOut(many=True))
    def get(self, tenant):
        """Die Arbeitsgruppen des Netzwerks (öffentlich)."""
        with uow() as conn:
            return store.list_working_groups(conn)

    @roles(*STAFF)
    @wg_bp.arguments(WorkingGroupIn)
    @wg_bp.response(201, WorkingGroupOut)
    def post(self, data, tenant):
        """Eine Arbeitsgruppe direkt anlegen (Koordinierungsstelle)."""
        with uow() as conn:
            row = store.create_working_group(conn, tenant, data)
            return _group(conn, row["id"], True)


@wg_bp.route("/working-groups/<uuid:group_id>")
class WorkingGroup(MethodView):
    @wg_bp.response(200, WorkingGroupOut)
    def get(self, tenant, group_id):
        """Eine Arbeitsgruppe; Angemeldete sehen die Mitglieder."""
        with uow() as conn:
            return _group(conn, group_id, not principal().anonymous)


@wg_bp.route("/working-groups/<uuid:group_id>/members")
class GroupMembers(MethodView):
    @roles()
    @wg_bp.arguments(GroupMemberIn)
    @wg_bp.response(201, GroupMemberOut)
    def post(self, data, tenant, group_id):
        """Beitreten (sich selbst, nach den Regeln des Netzwerks) oder jemanden aufnehmen (Koordinierungsstelle)."""
        caller = principal()
        rules = current_tenant().rules
        if caller.has(*STAFF) and data.get("person_id"):
            person = data
        else:
            domain.ensure_may_join(rules, caller)
            person = {
                "person_id": caller.sub,
                "name": data.get("name") or caller.sub,
                "partner_id": caller.partner_id,
                "role": "member",
            }
        if not person.get("name"):
            from shared.errors import RuleViolation

            raise RuleViolation("Der Name der Person fehlt.", field="name")
        with uow() as conn:
            return store.add_group_member(
                conn, tenant, group_id, person, rules["working_groups"].get("leaders_join_body")
            )


@wg_bp.route("/working-groups/<uuid:group_id>/members/<person_id>")
class GroupMember(MethodView):
    @roles()
    @wg_bp.response(204)
    def delete(self, tenant, group_id, person_id):
        """Austreten (selbst) oder jemanden entfernen (Koordinierungsstelle)."""
        caller = principal()
        if person_id != caller.sub and not caller.has(*STAFF):
            from shared.errors import Forbidden

            raise Forbidden("Andere Mitglieder entfernt nur die Koordinierungsstelle.")
        with uow() as conn:
            store.remove_group_member(conn, tenant, group_id, person_id)


@wg_bp.route("/working-groups/<uuid:group_id>/paper")
class Paper(MethodView):
    @wg_bp.response(200, PaperOut)
    def get(self, tenant, group_id):
        """Das aktuelle Arbeitspapier (Anlage 6) mit der Zahl seiner Fassungen."""
        with uow() as conn:
            store.get_working_group(conn, group_id)
            versions = store.paper_versions(conn, group_id)
        if not versions:
            raise NotFound("Für diese Arbeitsgruppe gibt es noch kein Arbeitspapier.")
        return {**versions[-1], "versions": len(versions)}

    @roles()
    @wg_bp.arguments(PaperIn)
    @wg_bp.response(200, PaperOut)
    def put(self, data, tenant, group_id):
        """Das Arbeitspapier ändern (Leitung der AG oder Koordinierungsstelle); jede Änderung bleibt als Fassung."""
        caller = principal()
        with uow() as conn:
            leaders = {
                m["person_id"] for m in store.group_members(conn, group_id) if m["role"] == "leader"
            }
            if caller.sub not in leaders and not caller.has(*STAFF):
                from shared.errors import Forbidden

                raise Forbidden(
                    "Das Arbeitspapier ändern die Leitung der Arbeitsgruppe oder die Koordinierungsstelle."
                )
            row = store.save_paper(conn, tenant, group_id, _json(data), caller.sub)
            return {**row, "versions": row["version"]}


@wg_bp.route("/working-groups/<uuid:group_id>/paper/versions/<int:version>")
class PaperVersion(MethodView):
    @wg_bp.response(200, PaperOut)
    def get(self, tenant, group_id, version):
        """Eine frühere Fassung des Arbeitspapiers."""
        with uow() as conn:
            versions = store.paper_versions(conn, group_id)
        match = [v for v in versions if v["version"] == version]
        if not match:
            raise NotFound(f"Eine Fassung {version} dieses Arbeitspapiers gibt es nicht.")
        return {**match[0], "versions": len(versions)}


# --- Monitoring -------------------------------------------------------------------------


def _monitoring():
    if not current_tenant().rules["monitoring"]["enabled"]:
        raise NotFound("Dieses Netzwerk führt kein Integrationsmonitoring.")


@measures_bp.route("")
class Measures(MethodView):
    @roles()
    @measures_bp.response(200, MeasureOut(many=True))
    def get(self, tenant):
        """Maßnahmen des Integrationsmonitorings."""
        _monitoring()
        with uow() as conn:
            return store.list_measures(conn)

    @roles(*STAFF)
    @measures_bp.arguments(MeasureIn)
    @measures_bp.response(201, MeasureOut)
    def post(self, data, tenant):
        """Eine Maßnahme mit Indikator und Zielwert anlegen; das Handlungsfeld muss eines des Netzwerks sein."""
        _monitoring()
        domain.ensure_policy_field(current_tenant().rules, data["policy_field"])
        with uow() as conn:
            return store.create_measure(conn, tenant, data)


@measures_bp.route("/<uuid:measure_id>")
class Measure(MethodView):
    @roles(*STAFF)
    @measures_bp.arguments(MeasurePatch)
    @measures_bp.response(200, MeasureOut)
    def patch(self, data, tenant, measure_id):
        """Stand einer Maßnahme fortschreiben."""
        _monitoring()
        if "policy_field" in data:
            domain.ensure_policy_field(current_tenant().rules, data["policy_field"])
        with uow() as conn:
            return store.update_measure(conn, measure_id, data)


@measures_bp.route("/report")
class MeasuresReport(MethodView):
    @roles()
    @measures_bp.response(200)
    def get(self, tenant):
        """Zusammenfassung je Handlungsfeld: Zahl der Maßnahmen nach Status und mittlerer Fortschritt."""
        _monitoring()
        with uow() as conn:
            measures = store.list_measures(conn)
        return {
            "policy_fields": domain.measures_report(
                measures, current_tenant().rules["policy_fields"]
            )
        }


# --- Directories --------------------------------------------------------------------------


@directory_bp.route("/publications")
class Publications(MethodView):
    @directory_bp.response(200, PublicationSummary(many=True))
    def get(self, tenant):
        """Alle veröffentlichten Partnerübersichten (öffentlich)."""
        with uow() as conn:
            return store.list_publications(conn)

    @roles(*STAFF)
    @directory_bp.response(201, PublicationOut)
    def post(self, tenant):
        """Jetzt eine Partnerübersicht veröffentlichen (neue Partner seit der letzten gekennzeichnet)."""
        with uow() as conn:
            row = store.publish_directory(conn, tenant, current_tenant().rules, "manual")
        return _publication(row)


def _publication(row: dict) -> dict:
    entries = row["entries"]
    return {**row, "partners": len(entries), "new": sum(1 for e in entries if e["new"])}


@directory_bp.route("/publications/latest")
class LatestPublication(MethodView):
    @directory_bp.response(200, PublicationOut)
    def get(self, tenant):
        """Die neueste Partnerübersicht (öffentlich)."""
        with uow() as conn:
            row = store.latest_publication(conn)
        if row is None:
            raise NotFound("Es wurde noch keine Partnerübersicht veröffentlicht.")
        return _publication(row)


@directory_bp.route("/publications/<uuid:publication_id>")
class PublicationById(MethodView):
    @directory_bp.response(200, PublicationOut)
    def get(self, tenant, publication_id):
        """Eine bestimmte Partnerübersicht (öffentlich)."""
        with uow() as conn:
            return _publication(store.get_publication(conn, publication_id))


@directory_bp.route("/shared")
class Shared(MethodView):
    @roles("federation", "coordinator", "admin")
    @directory_bp.response(200, SharedOut(many=True))
    def get(self, tenant):
        """Was die anderen Netzwerke teilen: als geteilt markierte Partner und Ansprechpartner."""
        out = []
        for other in ctx().tenants:
            if other.key == tenant or not other.rules["sharing"]:
                continue
            with ctx().database().transaction(other.key) as conn:
                partners = [
                    domain.public_view(p) | {"email": p["email"]}
                    for p in store.shared_partners(conn)
                ]
                contacts = [
                    {
                        k: c[k]
                        for k in (
                            "id",
                            "name",
                            "role",
                            "email",
                            "phone",
                            "languages",
                            "responsibilities",
                        )
                    }
                    for c in store.shared_contacts(conn)
                ]
            out.append(
                {
                    "network": other.key,
                    "network_name": other.name,
                    "partners": _json(partners),
                    "contacts": _json(contacts),
                }
            )
        return out


def _with_flag(doctor: dict) -> dict:
    from datetime import date

    months = current_tenant().rules["directory"]["doctors_verify_months"]
    return {
        **doctor,
        "verification_overdue": domain.verification_overdue(
            doctor["last_verified"], months, date.today()
        ),
    }


DOCTOR_COLUMNS = "name specialty street postcode city phone languages last_verified".split()
OFFER_COLUMNS = "title kind provider target_groups languages place contact description".split()


@doctors_bp.route("")
class Doctors(MethodView):
    @doctors_bp.arguments(DoctorQuery, location="query")
    @doctors_bp.response(200, DoctorOut(many=True))
    def get(self, query, tenant):
        """Ärzte mit Sprachkompetenzen suchen (öffentlich); lange nicht geprüfte sind markiert."""
        domain.ensure_directory(current_tenant().rules, "doctors", "Ärzte mit Sprachkompetenzen")
        with uow() as conn:
            return [_with_flag(d) for d in store.find_doctors(conn, **query)]

    @roles(*STAFF)
    @doctors_bp.arguments(DoctorIn)
    @doctors_bp.response(201, DoctorOut)
    def post(self, data, tenant):
        """Einen Arzt eintragen."""
        domain.ensure_directory(current_tenant().rules, "doctors", "Ärzte mit Sprachkompetenzen")
        with uow() as conn:
            return _with_flag(store.insert_row(conn, "doctors", tenant, data, DOCTOR_COLUMNS))


@doctors_bp.route("/<uuid:doctor_id>")
class Doctor(MethodView):
    @roles(*STAFF)
    @doctors_bp.arguments(DoctorPatch)
    @doctors_bp.response(200, DoctorOut)
    def patch(self, data, tenant, doctor_id):
        """Einen Eintrag ändern oder als geprüft bestätigen (last_verified)."""
        domain.ensure_directory(current_tenant().rules, "doctors", "Ärzte mit Sprachkompetenzen")
        with uow() as conn:
            return _with_flag(
                store.update_row(
                    conn, "doctors", doctor_id, data, DOCTOR_COLUMNS, "Einen Arzteintrag"
                )
            )

    @roles(*STAFF)
    @doctors_bp.response(204)
    def delete(self, tenant, doctor_id):
        """Einen Eintrag löschen."""
        with uow() as conn:
            store.delete_row(conn, "doctors", doctor_id, "Einen Arzteintrag")


@offers_bp.route("")
class Offers(MethodView):
    @offers_bp.arguments(OfferQuery, location="query")
    @offers_bp.response(200, OfferOut(many=True))
    def get(self, query, tenant):
        """Angebote für Migrantinnen und Migranten (öffentlich)."""
        domain.ensure_directory(current_tenant().rules, "offers", "Angebote")
        with uow() as conn:
            return store.find_offers(conn, **query)

    @roles(*STAFF)
    @offers_bp.arguments(OfferIn)
    @offers_bp.response(201, OfferOut)
    def post(self, data, tenant):
        """Ein Angebot eintragen."""
        domain.ensure_directory(current_tenant().rules, "offers", "Angebote")
        with uow() as conn:
            return store.insert_row(conn, "offers", tenant, data, OFFER_COLUMNS)


@offers_bp.route("/<uuid:offer_id>")
class Offer(MethodView):
    @roles(*STAFF)
    @offers_bp.arguments(OfferPatch)
    @offers_bp.response(200, OfferOut)
    def patch(self, data, tenant, offer_id):
        """Ein Angebot ändern."""
        with uow() as conn:
            return store.update_row(conn, "offers", offer_id, data, OFFER_COLUMNS, "Ein Angebot")

    @roles(*STAFF)
    @offers_bp.response(204)
    def delete(self, tenant, offer_id):
        """Ein Angebot löschen."""
        with uow() as conn:
            store.delete_row(conn, "offers", offer_id, "Ein Angebot")


def _matrix_enabled():
    domain.ensure_directory(current_tenant().rules, "responsibility_matrix", "Zuständigkeitsmatrix")


@resp_bp.route("/responsibilities")
class Responsibilities(MethodView):
    @resp_bp.response(200, MatrixOut)
    def get(self, tenant):
        """Die Zuständigkeitsmatrix: Akteur × Thema → Zuständigkeit und Ansprechperson (öffentlich)."""
        _matrix_enabled()
        with uow() as conn:
            cells = store.list_responsibilities(conn)
        return {
            "actors": sorted({c["actor"] for c in cells}),
            "topics": sorted({c["topic"] for c in cells}),
            "cells": cells,
        }

    @roles(*STAFF)
    @resp_bp.arguments(ResponsibilityIn)
    @resp_bp.response(200, ResponsibilityOut)
    def put(self, data, tenant):
        """Eine Zelle der Matrix setzen (Akteur und Thema bestimmen die Zelle)."""
        _matrix_enabled()
        with uow() as conn:
            return store.put_responsibility(conn, tenant, data)


@resp_bp.route("/responsibilities.csv")
class ResponsibilitiesCsv(MethodView):
    @resp_bp.response(200, content_type="text/csv")
    def get(self, tenant):
        """Die Zuständigkeitsmatrix als CSV (öffentlich, Semikolon, UTF-8)."""
        import csv
        import io

        from flask import Response

        _matrix_enabled()
        with uow() as conn:
            cells = store.list_responsibilities(conn)
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter=";")
        writer.writerow(["Akteur", "Thema", "Zuständigkeit", "Ansprechperson", "E-Mail", "Telefon"])
        for c in cells:
            writer.writerow(
                [
                    c["actor"],
                    c["topic"],
                    c["responsibility"],
                    c["contact_name"] or "",
                    c["contact_email"] or "",
                    c["contact_phone"] or "",
                ]
            )
        return Response(
            buf.getvalue(),
            mimetype="text/csv",
            headers={
                "Content-Disposition": f'attachment; filename="zustaendigkeiten-{tenant}.csv"'
            },
        )


BLUEPRINTS = (
    rules_bp,
    partners_bp,
    bodies_bp,
    contacts_bp,
    applications_bp,
    wg_bp,
    measures_bp,
    directory_bp,
    doctors_bp,
    offers_bp,
    resp_bp,
)
