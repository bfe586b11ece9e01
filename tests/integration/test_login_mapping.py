"""A login provider's user is the person the network's lists know: the person id claim, not sub.

Keycloak's `sub` is a UUID nobody types into a body's member list; the
coordinator enters `anna`, the provider maps her `person_id` attribute into the
token (JWT_PERSON_CLAIM). She votes as `anna`; a token without the claim is
whoever its `sub` is.
"""

from __future__ import annotations

import uuid

import psycopg

from knotenpunkt.shared.auth import issue_token
from tests.support import unique


def test_a_provider_user_votes_as_the_person_of_the_member_list(settings, clients, token):
    person = unique("anna")
    with psycopg.connect(settings.admin_url(settings.service_database("voting"))) as conn:
        conn.execute(
            "insert into electorate (tenant, body, person_id, name, role)"
            " values ('magdeburg', 'projektgruppe', %s, 'Anna A.', 'member')",
            (person,),
        )
    try:
        opened = clients["voting"].post(
            "/api/v1/magdeburg/ballots",
            json={
                "body": "projektgruppe",
                "title": unique("Empfehlung"),
                "subject": {"kind": "general"},
            },
            headers=token("magdeburg", "coordinator"),
        )
        assert opened.status_code == 201, opened.get_json()
        ballot = opened.get_json()["id"]
        keycloak_sub = str(uuid.uuid4())

        def vote(**claims):
            auth = issue_token(
                settings,
                tenant="magdeburg",
                roles=["member"],
                sub=keycloak_sub,
                bodies=["projektgruppe"],
                **claims,
            )
            return clients["voting"].post(
                f"/api/v1/magdeburg/ballots/{ballot}/votes",
                json={"choice": "agree"},
                headers={"Authorization": f"Bearer {auth}"},
            )

        without = vote()
        assert without.status_code == 403, without.get_json()  # the UUID is in no member list
        cast = vote(person_id=person)
        assert cast.status_code == 200, cast.get_json()
        assert cast.get_json()["person_id"] == person
    finally:
        with psycopg.connect(settings.admin_url(settings.service_database("voting"))) as conn:
            conn.execute(
                "delete from electorate where tenant = 'magdeburg' and person_id = %s", (person,)
            )
