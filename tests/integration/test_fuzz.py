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
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode

from knotenpunkt.services.notifications.domain.links import unsubscribe_token, withdrawal_token
from knotenpunkt.shared.access import ACCESS, ANONYMOUS_ROLE, action_of
from knotenpunkt.shared.links import (
    CONFIRM_APPLICATION,
    REPLY_TO_INVITATION,
    invitation_subject,
    link_token,
)
from tests.support import close_apps, four_apps, registry_with_copy

# (service, the network whose rules its fuzz tenant copies, the collections fuzzed there:
# None = all); the other networks' runs cover what Chemnitz' rules switch off
RUNS = (
    ("membership", "chemnitz", None),
    ("voting", "chemnitz", None),
    ("events", "chemnitz", None),
    ("notifications", "chemnitz", None),
    ("membership", "magdeburg", ("/measures",)),
    ("membership", "saalekreis", ("/doctors", "/offers")),
    ("membership", "mittelsachsen", ("/responsibilities",)),
)
NETWORKS = {rules: f"fuzz-{rules}" for _, rules, _ in RUNS}
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
    negative_data_rejection,
]
PARAM = re.compile(r"\{(\w+)\}")


def seeds(body: str, policy_field: str) -> dict[str, dict]:
    """What the coordinator creates first where generated bodies seldom pass the networks'
    rules: collection below /api/v1/<tenant> → body."""
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=14)
    day = date.today() + timedelta(days=14)
    return {
        "/applications": {
            "organisation": {
                "name": "Fuzz-Kulturverein",
                "kind": "migrant_self_organisation",
                "city": "Chemnitz",
            },
            "contact": {"name": "Leyla Demir", "email": "leyla@fuzz.example"},
            "statements": {"migrant_interests": True, "non_commercial": True},
            "motivation": "Wir beraten Familien aus Syrien und Afghanistan.",
        },
        "/measures": {"policy_field": policy_field, "title": "Sprachkurse", "indicator": "Plätze"},
        "/doctors": {
            "name": "Dr. Aydın",
            "specialty": "Allgemeinmedizin",
            "languages": ["tr", "de"],
            "last_verified": date.today().isoformat(),
        },
        "/offers": {"title": "Deutschkurs", "kind": "language_course", "provider": "VHS"},
        "/ballots": {"body": body, "title": "Fuzz-Abstimmung"},
        "/events": {
            "kind": "body_meeting",
            "body": body,
            "title": "Fuzz-Sitzung",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(),
        },
        "/polls": {
            "body": body,
            "title": "Fuzz-Termin",
            "from": day.isoformat(),
            "to": (day + timedelta(days=7)).isoformat(),
        },
        "/processes": {
            "title": "Fuzz-Prozess",
            "phases": [{"title": "Auftakt", "kind": "milestone"}],
        },
    }


# what a whole service's run creates first (a partial run: its collections)
SEEDED = {
    "membership": ("/applications",),
    "voting": ("/ballots",),
    "events": ("/events", "/polls", "/processes"),
    "notifications": (),
}


@pytest.fixture(scope="module")
def fuzz_apps(settings, tenants):
    registry = tenants
    for rules, key in NETWORKS.items():
        registry = registry_with_copy(registry, key, of=rules)
    built = four_apps(settings, registry)
    yield built
    close_apps(built)


@pytest.fixture(scope="module")
def role_headers(token, tenants):
    """role_headers(rules)[role]: the Authorization header of each role on the fuzz tenant with
    these rules (none for anonymous, garbage for a broken token)."""

    def of(rules: str) -> dict:
        bodies = [b["key"] for b in tenants.get(rules).bodies]
        made = {
            role: token(
                NETWORKS[rules],
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

    return of


def operations(schema, collections=None) -> list:
    """The operations in the document's order (those below the collections, when given),
    deletions last (the things they delete serve the others first)."""
    ops = [result.ok() for result in schema.get_all_operations()]
    if collections is not None:
        ops = [
            op for op in ops if any(op.path.startswith("/api/v1/{tenant}" + c) for c in collections)
        ]
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


def success_media_types(operation: dict) -> list[str]:
    """The media types the document offers for an operation's success answers."""
    found = []
    for code, answer in operation["responses"].items():
        if code.startswith("2") and isinstance(answer, dict):
            found += [t for t in answer.get("content", {}) if t not in found]
    return found


def links(secret: str, tenant: str, ids: dict) -> dict[str, dict]:
    """The query of the signed links in mails (valid tokens), by path: the pages and answers
    behind them are reached only with those."""
    email = "fuzz-link@example.org"
    found = {
        "/api/v1/{tenant}/unsubscribe": {
            "email": email,
            "category": "events",
            "token": unsubscribe_token(secret, tenant, email, "events"),
        },
        "/api/v1/{tenant}/consent/withdraw": {
            "email": email,
            "token": withdrawal_token(secret, tenant, email),
        },
    }
    if "application_id" in ids:
        found["/api/v1/{tenant}/applications/{application_id}/confirm"] = {
            "token": link_token(secret, CONFIRM_APPLICATION, tenant, ids["application_id"])
        }
    if "event_id" in ids:
        subject = invitation_subject(ids["event_id"], email)
        found["/api/v1/{tenant}/events/{event_id}/reply-link"] = {
            "email": email,
            "token": link_token(secret, REPLY_TO_INVITATION, tenant, subject),
        }
    return found


def fuzz(op, mode, target: dict, operation: dict, allowed, role_headers, failures, on_answer):
    """Send the cases of one operation, mode and target (as_strategy's pinned parts) as every
    role, in each media type the document offers; collect the failures.

    Raises hypothesis' Unsatisfiable when nothing of the operation can be broken.
    """
    refused_sent: set[str] = set()
    offered = success_media_types(operation)
    accepts = [{"Accept": t} for t in offered] if len(offered) > 1 else [{}]
    conditional = "304" in operation["responses"]

    def check(case, role, headers, what=""):
        try:
            return case.call_and_validate(headers=headers, checks=CHECKS)
        except FailureGroup as exc:
            report = f"{mode.value} {role} {op.label}{what}: {exc}"
            failures.setdefault((op.label, role, what, failure_title(exc)), report[:1800])
            return None

    @given(case=op.as_strategy(mode, **target))
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
            for accept in accepts:
                what = f" (Accept: {accept['Accept']})" if accept else ""
                resp = check(case, role, {**role_headers[role], **accept}, what)
                if resp is None:
                    continue
                on_answer(role, resp)
                if conditional and resp.status_code == 200:
                    # asked again with the ETag it sent: 304, as declared
                    etag = (resp.headers.get("etag") or [""])[0]
                    again_headers = {**role_headers[role], "If-None-Match": etag}
                    again = check(case, role, again_headers, " (If-None-Match)")
                    if again is not None and again.status_code != 304:
                        failures.setdefault(
                            (op.label, role, "not 304"),
                            f"{role} {op.label}: If-None-Match {etag} → {again.status_code}",
                        )

    send()


@pytest.mark.parametrize(
    ("service", "rules", "collections"),
    RUNS,
    ids=[f"{service}-{rules}" if part else service for service, rules, part in RUNS],
)
def test_every_answer_is_declared_and_fits_its_schema(
    fuzz_apps, role_headers, settings, tenants, service, rules, collections
):
    app = fuzz_apps[service]
    tenant, headers = NETWORKS[rules], role_headers(rules)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # the roles' tokens are ours; no generated Authorization header replaces them
    schema.config.generation.update(with_security_parameters=False)
    # a body over MAX_BODY_BYTES is refused with 413 (declared for every body): a rejection too
    schema.config.checks.negative_data_rejection.expected_statuses.append("413")
    paths = list(schema.raw_schema["paths"])
    network = tenants.get(rules)
    body = network.bodies[0]["key"]
    ids = {"tenant": tenant, "key": body, "body": body}
    made = seeds(body, (network.rules.get("policy_fields") or ["-"])[0])
    for collection in collections or SEEDED[service]:
        if collection not in made:
            continue
        resp = app.test_client().post(
            f"/api/v1/{tenant}{collection}", json=made[collection], headers=headers["coordinator"]
        )
        assert resp.status_code == 201, (collection, resp.get_json())
        ids[item_param(paths, "/api/v1/{tenant}" + collection)] = resp.get_json()["id"]
    failures: dict[tuple, str] = {}
    answered, unbreakable = 0, []
    for op in operations(schema, collections):
        allowed = allowed_roles(app, op)
        item = item_param(paths, op.path)

        def on_answer(role, resp, item=item):
            if role == "coordinator":
                remember(ids, item, resp)

        params = set(PARAM.findall(op.path))
        targets = [{"path_parameters": {"tenant": tenant}}]
        if params <= ids.keys():
            known = {"path_parameters": {p: ids[p] for p in params}}
            if params != {"tenant"}:
                targets.append(known)
            link = links(settings.link_secret, tenant, ids).get(op.path)
            if link is not None:
                targets.append({**known, "query": link})
        operation = schema.raw_schema["paths"][op.path][op.method.lower()]
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for target in targets:
                try:
                    fuzz(op, mode, target, operation, allowed, headers, failures, on_answer)
                except hypothesis.errors.Unsatisfiable:
                    # nothing of this operation can be broken (all its parameters are fixed)
                    assert mode is GenerationMode.NEGATIVE, op.label
                    unbreakable.append(op.label)
                else:
                    answered += 1
    assert not failures, f"{len(failures)} failing:\n" + "\n\n".join(failures.values())
    assert answered > len(unbreakable), (answered, unbreakable)


def test_answers_no_generated_case_provokes_fit_the_document_too(settings, tenants):
    """The anonymous rate limit (429) and a database that is down (503) answer as declared:
    problem+json with Retry-After. (The suite's own limits are far above what fuzzing sends.)"""
    from dataclasses import replace

    from knotenpunkt.services.membership.app import create_app

    body = seeds("-", "-")["/applications"]
    registry = registry_with_copy(tenants, "fuzz-limits")
    limited = create_app(replace(settings, rate_anonymous_client="1/hour"), registry)
    # nothing listens on port 9 (discard): every connection is refused at once
    down = create_app(
        replace(settings, database_url="postgresql://kp:kp@127.0.0.1:9/kp", db_pool_timeout=1.0),
        registry,
    )
    try:
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", limited)
        apply = schema["/api/v1/{tenant}/applications"]["POST"]
        case = apply.Case(
            path_parameters={"tenant": "fuzz-limits"}, body=body, media_type="application/json"
        )
        assert case.call_and_validate(checks=CHECKS).status_code == 201
        assert case.call_and_validate(checks=CHECKS).status_code == 429

        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", down)
        declared = [check for check in CHECKS if check is not not_a_server_error]
        partners = schema["/api/v1/{tenant}/partners"]["GET"]
        case = partners.Case(path_parameters={"tenant": "fuzz-limits"})
        assert case.call_and_validate(checks=declared).status_code == 503
        case = schema["/api/v1/{tenant}/applications"]["POST"].Case(
            path_parameters={"tenant": "fuzz-limits"}, body=body, media_type="application/json"
        )
        assert case.call_and_validate(checks=declared).status_code == 503
    finally:
        close_apps({"limited": limited, "down": down})
