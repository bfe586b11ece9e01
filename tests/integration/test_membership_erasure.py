"""Erasure of a contact (Art. 17 DSGVO): membership keeps no copy of the person's name or e-mail."""

from __future__ import annotations

import psycopg
from psycopg import sql

from tests.support import unique

PERSON_TABLES = (
    "contacts",
    "applications",
    "body_members",
    "working_groups",
    "working_group_members",
    "working_papers",
    "working_group_proposals",
    "responsibilities",
)


def rows_naming(settings, tenant: str, *needles: str) -> dict[str, int]:
    """How many rows of each membership table carry one of the texts (sent events included)."""
    found = {}
    with psycopg.connect(settings.admin_url(settings.service_database("membership"))) as conn:
        for table in PERSON_TABLES:
            for needle in needles:
                n = conn.execute(
                    sql.SQL(
                        "select count(*) from {} t where tenant = %s and t::text ilike %s"
                    ).format(sql.Identifier(table)),
                    (tenant, f"%{needle}%"),
                ).fetchone()[0]
                if n:
                    found[f"{table}: {needle}"] = n
        for needle in needles:
            n = conn.execute(
                "select count(*) from outbox where tenant = %s and sent_at is not null"
                " and envelope::text ilike %s",
                (tenant, f"%{needle}%"),
            ).fetchone()[0]
            if n:
                found[f"outbox (sent): {needle}"] = n
    return found


def mark_outbox_sent(settings, tenant: str) -> None:
    """As the relay would have done by now."""
    with psycopg.connect(settings.admin_url(settings.service_database("membership"))) as conn:
        conn.execute(
            "update outbox set sent_at = now() where tenant = %s and sent_at is null", (tenant,)
        )


def test_erasure_leaves_no_name_or_email_in_membership(clients, token, settings):
    c = clients["membership"]
    coord = token("chemnitz", "coordinator")
    name, person = unique("Hanna Löschmich"), unique("hanna")
    email, phone = f"{person}@example.org", unique("0371-")
    application = c.post(
        "/api/v1/chemnitz/applications",
        json={
            "organisation": {"name": unique("Verein der Löschung")},
            "contact": {"name": name, "email": email.upper(), "phone": phone, "role": "Vorstand"},
            "statements": {"migrant_interests": True, "non_commercial": True},
        },
    ).get_json()
    contact = c.post(
        "/api/v1/chemnitz/contacts",
        json={"name": name, "email": email, "phone": phone, "legal_basis": "public_task"},
        headers=coord,
    ).get_json()
    c.post(
        "/api/v1/chemnitz/bodies/netzwerkkonferenz/members",
        json={"person_id": person, "name": name, "email": email},
        headers=coord,
    )
    group = c.post(
        "/api/v1/chemnitz/working-groups", json={"name": unique("AG Löschen")}, headers=coord
    ).get_json()
    c.post(
        f"/api/v1/chemnitz/working-groups/{group['id']}/members",
        json={"person_id": person, "name": name, "role": "member"},
        headers=coord,
    )
    paper = c.put(
        f"/api/v1/chemnitz/working-groups/{group['id']}/paper",
        json={"measures": ["Treffen"]},
        headers=token("chemnitz", "coordinator", sub=person),
    )
    assert paper.status_code == 200 and paper.get_json()["changed_by"] == person

    export = c.get(f"/api/v1/chemnitz/contacts/{contact['id']}/export", headers=coord).get_json()
    assert [a["id"] for a in export["applications"]] == [application["id"]]
    assert [m["body"] for m in export["body_memberships"]] == ["netzwerkkonferenz"]
    assert [g["working_group_id"] for g in export["working_groups"]] == [group["id"]]
    assert [(p["working_group_id"], p["version"]) for p in export["working_papers"]] == [
        (group["id"], 1)
    ]
    mark_outbox_sent(settings, "chemnitz")
    assert rows_naming(settings, "chemnitz", email, name, phone)

    assert c.delete(f"/api/v1/chemnitz/contacts/{contact['id']}", headers=coord).status_code == 204
    assert (
        c.get(f"/api/v1/chemnitz/contacts/{contact['id']}/export", headers=coord).status_code == 404
    )
    assert rows_naming(settings, "chemnitz", email, name, phone) == {}

    # the application stays, without the person
    kept = c.get(f"/api/v1/chemnitz/applications/{application['id']}", headers=coord).get_json()
    assert kept["status"] == "submitted" and kept["contact"]["email"] is None
    assert kept["contact"]["name"] != name and kept["contact"]["phone"] is None
    mine = c.get(f"/api/v1/chemnitz/applications/{application['id']}?token={application['token']}")
    assert mine.status_code == 200
    # the working paper keeps its version, not its author
    version = c.get(
        f"/api/v1/chemnitz/working-groups/{group['id']}/paper/versions/1", headers=coord
    ).get_json()
    assert version["changed_by"] != person
    members = c.get(f"/api/v1/chemnitz/working-groups/{group['id']}", headers=coord).get_json()
    assert members["members"] == []

    # the other services are told: the contact erased, the person out of the body
    with psycopg.connect(settings.admin_url(settings.service_database("membership"))) as conn:
        keys = [
            r[0]
            for r in conn.execute(
                "select routing_key from outbox where tenant = 'chemnitz' and sent_at is null"
                " order by id"
            )
        ]
    assert keys == [
        "chemnitz.membership.body.member_removed",
        "chemnitz.membership.working_group.member_removed",
        "chemnitz.membership.contact.erased",
    ]


def test_erasure_of_a_responsibility_contact(clients, token, settings):
    c = clients["membership"]
    ms = token("mittelsachsen", "coordinator")
    name, email = unique("Rita Rolle"), f"{unique('rita')}@example.org"
    actor = unique("Ausländerbehörde")
    c.put(
        "/api/v1/mittelsachsen/responsibilities",
        json={
            "actor": actor,
            "topic": "Aufenthalt",
            "responsibility": "Aufenthaltstitel",
            "contact_name": name,
            "contact_email": email,
            "contact_phone": "03731 1234",
        },
        headers=ms,
    )
    contact = c.post(
        "/api/v1/mittelsachsen/contacts",
        json={"name": name, "email": email, "legal_basis": "public_task"},
        headers=ms,
    ).get_json()
    export = c.get(f"/api/v1/mittelsachsen/contacts/{contact['id']}/export", headers=ms).get_json()
    assert [r["actor"] for r in export["responsibilities"]] == [actor]
    assert (
        c.delete(f"/api/v1/mittelsachsen/contacts/{contact['id']}", headers=ms).status_code == 204
    )
    cells = c.get("/api/v1/mittelsachsen/responsibilities").get_json()["cells"]
    cell = next(x for x in cells if x["actor"] == actor)
    assert (cell["responsibility"], cell["contact_name"], cell["contact_email"]) == (
        "Aufenthaltstitel",
        None,
        None,
    )
    assert rows_naming(settings, "mittelsachsen", email, name) == {}


def test_erasure_of_a_contact_without_email(clients, token):
    c = clients["membership"]
    coord = token("chemnitz", "coordinator")
    contact = c.post(
        "/api/v1/chemnitz/contacts",
        json={"name": unique("Ohne Adresse"), "legal_basis": "public_task"},
        headers=coord,
    ).get_json()
    export = c.get(f"/api/v1/chemnitz/contacts/{contact['id']}/export", headers=coord).get_json()
    assert export["applications"] == [] and export["working_papers"] == []
    assert c.delete(f"/api/v1/chemnitz/contacts/{contact['id']}", headers=coord).status_code == 204
