"""Membership's routes and the access table: every route one action; federation the shared directory only."""

from __future__ import annotations

import pytest

from knotenpunkt.shared.access import ACCESS, action_of
from tests.support import unique


def membership_views(app):
    """(rule, method, view function) for every route of the tenant API."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/<tenant>"):
            continue
        view_class = getattr(app.view_functions[rule.endpoint], "view_class", None)
        assert view_class is not None, rule.rule
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.rule, method, getattr(view_class, method.lower())


def test_every_route_names_one_action_of_the_table(apps):
    views = list(membership_views(apps["membership"]))
    assert len(views) > 40
    missing = [f"{method} {rule}" for rule, method, view in views if action_of(view) not in ACCESS]
    assert missing == []


FEDERATION_REFUSED = [
    ("get", "/api/v1/chemnitz/bodies/vorbereitungsgremium/members"),
    ("get", "/api/v1/chemnitz/bodies/vorbereitungsgremium"),
    ("get", "/api/v1/chemnitz/working-group-proposals"),
    ("get", "/api/v1/magdeburg/measures"),
    ("get", "/api/v1/magdeburg/measures/report"),
    ("get", "/api/v1/chemnitz/partners"),
    ("get", "/api/v1/chemnitz/contacts"),
    ("get", "/api/v1/chemnitz/applications"),
]


@pytest.mark.parametrize(("method", "path"), FEDERATION_REFUSED)
def test_federation_reads_nothing_of_a_network_but_the_shared_directory(
    clients, token, method, path
):
    tenant = path.split("/")[3]
    resp = getattr(clients["membership"], method)(path, headers=token(tenant, "federation"))
    assert resp.status_code == 403, resp.get_json()


def test_federation_founds_no_working_group_and_reads_no_paper(clients, token):
    c = clients["membership"]
    proposed = c.post(
        "/api/v1/saalekreis/working-group-proposals",
        json={"topic": unique("Fremde AG"), "aims": "Von außen gegründet"},
        headers=token("saalekreis", "federation", sub="other-network"),
    )
    assert proposed.status_code == 403
    group = c.post(
        "/api/v1/saalekreis/working-groups",
        json={"name": unique("AG Papier")},
        headers=token("saalekreis", "coordinator"),
    ).get_json()
    c.put(
        f"/api/v1/saalekreis/working-groups/{group['id']}/paper",
        json={"measures": ["Treffen"]},
        headers=token("saalekreis", "coordinator", sub="koordination-sk"),
    )
    fed = token("saalekreis", "federation")
    for path in ("", "/paper", "/paper/versions/1"):
        resp = c.get(f"/api/v1/saalekreis/working-groups/{group['id']}{path}", headers=fed)
        assert resp.status_code == 403, path
    joined = c.post(
        f"/api/v1/saalekreis/working-groups/{group['id']}/members", json={}, headers=fed
    )
    assert joined.status_code == 403
    shared = c.get("/api/v1/saalekreis/directory/shared", headers=fed)
    assert shared.status_code == 200
