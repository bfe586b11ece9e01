"""Who may do what, as a matrix: every route of the four services × every role × own/other tenant.

Every route names its action in the access table (``@allows``, shared/access.py);
the expectations are derived from that one table:

- a role the action does not allow gets 401 (no token) or 403 (a token without the role),
  before the body is even read;
- a role the action allows is never refused as a role (no 401/403 — it may get 404 for
  the random ids used here, 422 for the empty body …), and never a 5xx;
- a token of another network is refused with 403 on every route, public ones too.

The requests go to a tenant of their own ("matrixland", Chemnitz' rules), so that
nothing they create is seen by other tests.
"""

from __future__ import annotations

import re
import uuid

import pytest

from knotenpunkt.shared.access import ACCESS, ANONYMOUS_ROLE, action_of
from tests.support import close_apps, four_apps, registry_with_copy

SERVICES = ("membership", "voting", "events", "notifications")
MATRIX = "matrixland"
ROLES = (ANONYMOUS_ROLE, "coordinator", "admin", "member", "partner", "federation")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
ROLE_REFUSAL = "(role required)"  # the detail of shared.auth.require's Forbidden


@pytest.fixture(scope="module")
def matrix_apps(settings, tenants):
    built = four_apps(settings, registry_with_copy(tenants, MATRIX))
    yield built
    close_apps(built)


def routes(app):
    """(rule, method, action) of every route below /api/v1/<tenant>/."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/<tenant>/"):
            continue
        view = app.view_functions[rule.endpoint]
        for method in sorted(rule.methods & set(METHODS)):
            fn = getattr(getattr(view, "view_class", None), method.lower(), view)
            found.append((rule.rule, method, action_of(fn)))
    return found


def concrete(rule: str, tenant: str) -> str:
    def value(m: re.Match) -> str:
        converter, name = m.group(1), m.group(2)
        if name == "tenant":
            return tenant
        if converter == "uuid":
            return str(uuid.uuid4())
        if converter == "int":
            return "987654"
        return "x-matrix"

    return PARAM.sub(value, rule)


@pytest.fixture(scope="module")
def tokens(token, tenants):
    bodies = [b["key"] for b in tenants.get("chemnitz").bodies]
    made = {
        role: token(
            MATRIX,
            role,
            sub=f"matrix-{role}",
            **({"bodies": bodies} if role == "member" else {}),
            **({"partner_id": str(uuid.uuid4())} if role == "partner" else {}),
        )
        for role in ROLES
        if role != ANONYMOUS_ROLE
    }
    made[ANONYMOUS_ROLE] = {}
    return made


@pytest.mark.parametrize("service", SERVICES)
def test_every_route_names_its_action(matrix_apps, service):
    missing = [f"{m} {r}" for r, m, action in routes(matrix_apps[service]) if action is None]
    assert not missing, "routes without @allows: " + ", ".join(missing)
    unknown = [a for _, _, a in routes(matrix_apps[service]) if a is not None and a not in ACCESS]
    assert not unknown


@pytest.mark.parametrize("service", SERVICES)
def test_each_role_gets_what_the_table_says(matrix_apps, tokens, service):
    client = matrix_apps[service].test_client()
    wrong = []
    for rule, method, action in routes(matrix_apps[service]):
        if action is None:
            continue
        allowed = ACCESS[action]
        for role in ROLES:
            url = concrete(rule, MATRIX)
            kwargs = {"headers": tokens[role]}
            if method in ("POST", "PUT", "PATCH"):
                kwargs["json"] = {}
            resp = client.open(url, method=method, **kwargs)
            status = resp.status_code
            if status >= 500:
                wrong.append(f"{role} {method} {rule} ({action}): {status}")
            elif role not in allowed:
                expected = 401 if role == ANONYMOUS_ROLE else 403
                if status != expected:
                    wrong.append(f"{role} {method} {rule} ({action}): {status}, not {expected}")
            elif status == 401 or (status == 403 and ROLE_REFUSAL in resp.get_data(as_text=True)):
                # 403 for a rule of the network (e.g. Chemnitz' working groups are joined by
                # partners) is the domain's answer, not the role's: only the role refusal counts
                wrong.append(f"{role} {method} {rule} ({action}): refused with {status}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("service", SERVICES)
def test_a_token_of_another_network_is_refused_everywhere(matrix_apps, token, service):
    client = matrix_apps[service].test_client()
    foreign = token("chemnitz", "coordinator", "admin", sub="matrix-foreigner")
    wrong = []
    for rule, method, _ in routes(matrix_apps[service]):
        kwargs = {"headers": foreign}
        if method in ("POST", "PUT", "PATCH"):
            kwargs["json"] = {}
        status = client.open(concrete(rule, MATRIX), method=method, **kwargs).status_code
        if status != 403:
            wrong.append(f"{method} {rule}: {status}")
    assert not wrong, "\n".join(wrong)
