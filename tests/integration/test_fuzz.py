"""Property-based: every request the four OpenAPI documents describe — valid or not, by any
role — gets an answer the document declares, and never a 5xx.

Cases come from schemathesis' strategies over each service's own OpenAPI
document (positive: fits the schema; negative: breaks it) and go to the real
apps on the test containers, a tenant of their own ("fuzzland", Chemnitz'
rules) so that no other test sees what they create. Each case is sent once
with the token of every role of the access table (with the claims a role's
token carries: a member's bodies, a partner's id), without a token and with a
broken one. Each answer is checked with schemathesis' checks: no server
error, a status code the operation declares, a declared content type, a body
that fits the declared schema (problem+json for errors), the declared
headers (WWW-Authenticate on 401, Retry-After on 429/503).

Random ids mostly meet 404s, so the operations run in the document's order
(a collection before its items, deletions last) and the ids in the
coordinator's successful answers are remembered: the cases of an operation
whose path ids are all known go to those things too, so real records are
checked against the response schemas.

A role the operation's action refuses is answered before anything else is
read (401/403, see test_role_matrix.py), so it gets the first case of each
run only. The portal has no OpenAPI document (its forms are server-side
Flask-WTF forms over these four APIs), so there is nothing of it to fuzz.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, given
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode

from knotenpunkt.shared.access import ACCESS, ANONYMOUS_ROLE, action_of
from tests.support import close_apps, four_apps, registry_with_copy

SERVICES = ("membership", "voting", "events", "notifications")
FUZZ = "fuzzland"
BROKEN = "broken token"
ROLES = ("coordinator", "admin", "member", "partner", "federation", ANONYMOUS_ROLE, BROKEN)
# cases per operation, mode and target (random ids / known ids); deterministic
EXAMPLES = 5
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
PARAM = re.compile(r"\{(\w+)\}")


def seeds(body: str) -> dict[str, list[tuple[str, dict]]]:
    """What the coordinator creates first where generated bodies seldom pass the networks' rules:
    (collection below /api/v1/<tenant>, body) per service."""
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=14)
    day = date.today() + timedelta(days=14)
    return {
        "membership": [
            (
                "/applications",
                {
                    "organisation": {
                        "name": "Fuzz-Kulturverein",
                        "kind": "migrant_self_organisation",
                        "city": "Chemnitz",
                    },
                    "contact": {"name": "Leyla Demir", "email": "leyla@fuzz.example"},
                    "statements": {"migrant_interests": True, "non_commercial": True},
                    "motivation": "Wir beraten Familien aus Syrien und Afghanistan.",
                },
            ),
        ],
        "voting": [("/ballots", {"body": body, "title": "Fuzz-Abstimmung"})],
        "events": [
            (
                "/events",
                {
                    "kind": "body_meeting",
                    "body": body,
                    "title": "Fuzz-Sitzung",
                    "starts_at": start.isoformat(),
                    "ends_at": (start + timedelta(hours=2)).isoformat(),
                },
            ),
            (
                "/polls",
                {
                    "body": body,
                    "title": "Fuzz-Termin",
                    "from": day.isoformat(),
                    "to": (day + timedelta(days=7)).isoformat(),
                },
            ),
            (
                "/processes",
                {"title": "Fuzz-Prozess", "phases": [{"title": "Auftakt", "kind": "milestone"}]},
            ),
        ],
        "notifications": [],
    }


@pytest.fixture(scope="module")
def fuzz_apps(settings, tenants):
    built = four_apps(settings, registry_with_copy(tenants, FUZZ))
    yield built
    close_apps(built)


@pytest.fixture(scope="module")
def role_headers(token, tenants):
    """The Authorization header of each role (none for anonymous, garbage for a broken token)."""
    bodies = [b["key"] for b in tenants.get("chemnitz").bodies]
    made = {
        role: token(
            FUZZ,
            role,
            sub=f"fuzzer-{role}",
            **({"bodies": bodies} if role == "member" else {}),
            **({"partner_id": str(uuid.uuid4())} if role == "partner" else {}),
        )
        for role in ROLES
        if role not in (ANONYMOUS_ROLE, BROKEN)
    }
    made[ANONYMOUS_ROLE] = {}
    made[BROKEN] = {"Authorization": "Bearer kein.gueltiges.token"}
    return made


def operations(schema) -> list:
    """The operations in the document's order, deletions last (the things they delete serve
    the others first)."""
    ops = [result.ok() for result in schema.get_all_operations()]
    return sorted(ops, key=lambda op: op.method.lower() == "delete")


def allowed_roles(app, op) -> frozenset[str]:
    """The roles the access table lets perform the operation (its route's action)."""
    for rule in app.url_map.iter_rules():
        if re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule.rule) == op.path:
            if op.method.upper() in rule.methods:
                view = app.view_functions[rule.endpoint]
                fn = getattr(getattr(view, "view_class", None), op.method, view)
                return ACCESS[action_of(fn)]
    raise LookupError(f"no route for {op.label}")


def item_param(paths, collection: str) -> str | None:
    """The path parameter naming one item below a collection path (…/partners → partner_id)."""
    for path in paths:
        m = re.match(re.escape(collection) + r"/\{(\w+)\}", path)
        if m:
            return m.group(1)
    return None


def remember(ids: dict, param: str | None, resp) -> None:
    """Remember an id a 2xx JSON answer names (one created thing, or the first of a list)."""
    content_type = (resp.headers.get("content-type") or [""])[0]
    if param is None or param in ids or not 200 <= resp.status_code < 300:
        return
    if "json" not in content_type:
        return
    data = resp.json()
    items = data if isinstance(data, list) else data.get("items", [data])
    for item in items if isinstance(items, list) else []:
        value = isinstance(item, dict) and (item.get(param) or item.get("id") or item.get("key"))
        if value:
            ids[param] = str(value)
            return


def failure_title(exc: FailureGroup) -> str:
    return "; ".join(sorted({f.title for f in exc.exceptions}))


def fuzz(op, mode, target: dict, allowed, role_headers, failures: dict, on_answer) -> None:
    """Send the cases of one operation, mode and target as every role; collect the failures.

    Raises hypothesis' Unsatisfiable when nothing of the operation can be broken.
    """
    refused_sent: set[str] = set()

    @given(case=op.as_strategy(mode, path_parameters=target))
    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def send(case):
        for role in ROLES:
            if role not in allowed:
                if role in refused_sent:
                    continue
                refused_sent.add(role)
            try:
                resp = case.call_and_validate(headers=role_headers[role], checks=CHECKS)
            except FailureGroup as exc:
                report = f"{mode.value} {role} {op.label}: {exc}"
                failures.setdefault((op.label, role, failure_title(exc)), report[:1800])
            else:
                on_answer(role, resp)
                if conditional and resp.status_code == 200:
                    revalidate(case, role, resp)

    def revalidate(case, role, first):
        """A conditional read asked again with the ETag it sent: 304, as declared."""
        etag = (first.headers.get("etag") or [""])[0]
        headers = {**role_headers[role], "If-None-Match": etag}
        try:
            again = case.call_and_validate(headers=headers, checks=CHECKS)
        except FailureGroup as exc:
            report = f"{mode.value} {role} {op.label} If-None-Match: {exc}"
            failures.setdefault((op.label, role, "304 " + failure_title(exc)), report[:1800])
            return
        if again.status_code != 304:
            failures.setdefault(
                (op.label, role, "not 304"),
                f"{role} {op.label}: If-None-Match {etag} answered {again.status_code}",
            )

    conditional = "304" in op.responses.status_codes
    send()


@pytest.mark.parametrize("service", SERVICES)
def test_every_answer_is_declared_and_fits_its_schema(fuzz_apps, role_headers, tenants, service):
    app = fuzz_apps[service]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # the roles' tokens are ours; no generated Authorization header replaces them
    schema.config.generation.update(with_security_parameters=False)
    paths = list(schema.raw_schema["paths"])
    body = tenants.get("chemnitz").bodies[0]["key"]
    ids = {"tenant": FUZZ, "key": body, "body": body}
    for collection, data in seeds(body)[service]:
        resp = app.test_client().post(
            f"/api/v1/{FUZZ}{collection}", json=data, headers=role_headers["coordinator"]
        )
        assert resp.status_code == 201, (collection, resp.get_json())
        ids[item_param(paths, "/api/v1/{tenant}" + collection)] = resp.get_json()["id"]
    failures: dict[tuple, str] = {}
    answered, unbreakable = 0, []
    for op in operations(schema):
        allowed = allowed_roles(app, op)
        item = item_param(paths, op.path)

        def on_answer(role, resp, item=item):
            if role == "coordinator":
                remember(ids, item, resp)

        params = set(PARAM.findall(op.path))
        targets = [{"tenant": FUZZ}]
        if params <= ids.keys() and params != {"tenant"}:
            targets.append({p: ids[p] for p in params})
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for target in targets:
                try:
                    fuzz(op, mode, target, allowed, role_headers, failures, on_answer)
                except hypothesis.errors.Unsatisfiable:
                    # nothing of this operation can be broken (all its parameters are fixed)
                    assert mode is GenerationMode.NEGATIVE, op.label
                    unbreakable.append(op.label)
                else:
                    answered += 1
    assert not failures, f"{len(failures)} failing:\n" + "\n\n".join(failures.values())
    assert answered > len(unbreakable), (answered, unbreakable)
