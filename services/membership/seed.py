"""`knotenpunkt seed-demo`: the organisations and people the networks' own documents name.

Safe to run again: what exists already is left as it is.
"""

from __future__ import annotations

from knotenpunkt.services.membership import bootstrap
from knotenpunkt.services.membership.handlers.partners import (
    AddBodyMember,
    CreatePartner,
    add_body_member,
    create_partner,
)
from knotenpunkt.services.membership.handlers.working_groups import (
    CreateWorkingGroup,
    create_working_group,
)
from knotenpunkt.services.membership.store.partners import list_members
from knotenpunkt.services.membership.store.working_groups import list_working_groups
from knotenpunkt.shared.config import Settings
from knotenpunkt.shared.db import Database
from knotenpunkt.shared.errors import Conflict
from knotenpunkt.shared.tenants import TenantRegistry
from knotenpunkt.shared.usecase import Context, utcnow

CHEMNITZ = [
    ("Bundesagentur für Arbeit", "authority"),
    ("Bundesamt für Migration und Flüchtlinge", "authority"),
    ("Chemnitzer Verkehrs-AG", "company"),
    ("Grundstücks- und Gebäudewirtschafts-Gesellschaft m. b. H.", "company"),
    ("Evangelisch-Lutherischer Kirchenbezirk", "religious_community"),
    ("Handwerkskammer", "chamber"),
    ("Industrie- und Handelskammer", "chamber"),
    ("Jobcenter", "authority"),
    ("Jüdische Gemeinde", "religious_community"),
    ("Kassenärztliche Vereinigung Sachsen", "other"),
    ("Katholische Probstei", "religious_community"),
    ("Landesdirektion Sachsen", "authority"),
    ("Liga der freien Wohlfahrtspflege", "welfare_organisation"),
    ("Polizeidirektion", "authority"),
    ("Sächsische Bildungsagentur", "education"),
    ("Stadtelternrat", "initiative"),
    ("Stadtsportbund", "sports"),
    ("Technische Universität", "education"),
]
SAALEKREIS = [
    ("Ausländerbehörde des Saalekreises", "authority"),
    ("Migrationsberatung für erwachsene Zuwanderer (MBE)", "welfare_organisation"),
    ("Jugendmigrationsdienst (JMD)", "welfare_organisation"),
    ("Landesverwaltungsamt, Referat 505", "authority"),
    ("Bundesamt für Migration und Flüchtlinge", "authority"),
    ("Landeskoordination „Integration durch Sport“", "sports"),
    ("Agentur für Arbeit", "authority"),
    ("Jobcenter Saalekreis", "authority"),
    ("Volkshochschule Saalekreis", "education"),
    ("Industrie- und Handelskammer", "chamber"),
    ("Handwerkskammer", "chamber"),
]
MAGDEBURG = [
    ("Amt 16", "authority"),
    ("Öffentlichkeitsarbeit", "authority"),
    ("FB 32", "authority"),
    ("Team 1 (Dezernat III)", "authority"),
    ("IV/01", "authority"),
    ("Amt 50", "authority"),
    ("Amt 51", "authority"),
    ("Amt 61", "authority"),
]
MITTELSACHSEN = [
    ("Agentur für Arbeit", "authority"),
    ("Jobcenter Mittelsachsen", "authority"),
    ("Bundesamt für Migration und Flüchtlinge", "authority"),
    ("Migrationsberatungsstellen", "welfare_organisation"),
    ("Ausländerbehörde", "authority"),
    ("Sozialämter", "authority"),
    ("Jugendamt", "authority"),
    ("Schulverwaltung", "authority"),
    ("Handwerkskammer", "chamber"),
    ("Industrie- und Handelskammer", "chamber"),
]
PARTNERS = {
    "chemnitz": CHEMNITZ,
    "saalekreis": SAALEKREIS,
    "magdeburg": MAGDEBURG,
    "mittelsachsen": MITTELSACHSEN,
}
MEMBERS = {
    "chemnitz": (
        "vorbereitungsgremium",
        [
            ("koordinierungsstelle", "Koordinierungsstelle (Sozialamt)", "chair"),
            ("migrationsbeauftragte", "Migrationsbeauftragte der Stadt Chemnitz", "member"),
            ("ag-leitung-sprache", "Leitung AG Sprache und Bildung", "member"),
        ],
    ),
    "magdeburg": (
        "projektgruppe",
        [
            ("koordinator", "Koordinator für Integration und Zuwanderung", "chair"),
            ("amt-16", "Vertretung Amt 16", "member"),
            ("fb-32", "Vertretung FB 32", "member"),
            ("amt-50", "Vertretung Amt 50", "member"),
            ("buero-ob", "Büro des Oberbürgermeisters", "member"),
        ],
    ),
    "mittelsachsen": (
        "arbeitskreis-bildung-arbeit",
        [
            ("bildungskoordination", "Bildungskoordinatorin des Landkreises", "chair"),
            ("agentur-fuer-arbeit", "Agentur für Arbeit", "member"),
            ("jobcenter", "Jobcenter Mittelsachsen", "member"),
        ],
    ),
}
# A body that elects by secret ballot (Chemnitz: the working group Sprache und Bildung elects
# its leadership, deploy/tenants/chemnitz.yaml): a coordinator opens the election by hand.
SECRET_ELECTORATES = [
    (
        "chemnitz",
        "ag-sprache-bildung",
        [
            ("ag-leitung-sprache", "Leitung AG Sprache und Bildung", "chair"),
            ("ag-sb-volkshochschule", "Vertretung Volkshochschule Chemnitz", "member"),
            ("ag-sb-migrationsberatung", "Vertretung Migrationsberatung", "member"),
            ("ag-sb-elternverein", "Vertretung Elternverein", "member"),
            ("ag-sb-jugendmigrationsdienst", "Vertretung Jugendmigrationsdienst", "member"),
        ],
    )
]


def seed_demo(settings: Settings) -> dict[str, int]:
    """Add the demo partners and body members of the networks this instance serves (TENANTS,
    else every tenant file); returns how many partners each of them got now."""
    registry = TenantRegistry.from_settings(settings)
    db = Database(settings.app_url("membership"), min_size=1, max_size=1, name="seed")
    db.open()

    deps = bootstrap.deps(settings, registry)

    def context(key: str) -> Context:
        return Context(
            settings=settings,
            tenant=registry.get(key),
            now=utcnow(),
            actor="seed",
            deps=deps,
            service="membership",
        )

    added: dict[str, int] = {}
    try:
        for tenant, partners in PARTNERS.items():
            if tenant not in registry:
                continue  # a network this instance does not serve (TENANTS)
            added[tenant] = 0
            for name, kind in partners:
                try:
                    with db.transaction(tenant) as conn:
                        create_partner(CreatePartner(name=name, kind=kind), conn, context(tenant))
                    added[tenant] += 1
                except Conflict:
                    continue
        for t in registry:
            # Existing working groups named in the network's own documents (Magdeburg's three).
            with db.transaction(t.key) as conn:
                names = {g["name"] for g in list_working_groups(conn)}
                for wg in t.rules["working_groups"]["existing"]:
                    if wg["name"] not in names:
                        cmd = CreateWorkingGroup(name=wg["name"], topic=wg.get("topic"))
                        create_working_group(cmd, conn, context(t.key))
        bodies = [(t, b, people) for t, (b, people) in MEMBERS.items()] + SECRET_ELECTORATES
        for tenant, body, people in bodies:
            if tenant not in registry:
                continue
            with db.transaction(tenant) as conn:
                existing = {m["person_id"] for m in list_members(conn, body)}
                for person_id, name, role in people:
                    if person_id not in existing:
                        cmd = AddBodyMember(body=body, person_id=person_id, name=name, role=role)
                        add_body_member(cmd, conn, context(tenant))
    finally:
        db.close()
    return added
