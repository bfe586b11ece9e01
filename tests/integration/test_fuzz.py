"""Property-based: no request the four OpenAPI documents describe — valid or not — ends in a 5xx.

Cases come from schemathesis' strategies over each service's own OpenAPI
document (positive: fits the schema; negative: breaks it), sent to the real
apps on the test containers as a coordinator of a tenant of their own
("fuzzland", Chemnitz' rules), so no other test sees what they create.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, given
from schemathesis.generation import GenerationMode

from tests.support import close_apps, four_apps, registry_with_copy

SERVICES = ("membership", "voting", "events", "notifications")
FUZZ = "fuzzland"
EXAMPLES = 12


@pytest.fixture(scope="module")
def fuzz_apps(settings, tenants):
    built = four_apps(settings, registry_with_copy(tenants, FUZZ))
    yield built
    close_apps(built)


def operations(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    schema = schemathesis.openapi.from_dict(spec)
    return [r.ok() for r in schema.get_all_operations()]


def send(client, case, headers):
    path = case.formatted_path
    query = urlencode(case.query or {}, doseq=True)
    kwargs = {"headers": {**headers, **{k: str(v) for k, v in (case.headers or {}).items()}}}
    body = case.body
    if body is not None and not isinstance(body, schemathesis.core.NotSet):
        kwargs["data"] = body if isinstance(body, bytes) else json.dumps(body)
        kwargs["content_type"] = case.media_type or "application/json"
    return client.open(f"{path}?{query}" if query else path, method=case.method.upper(), **kwargs)


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_server_error_for_any_generated_request(fuzz_apps, token, service, mode):
    app = fuzz_apps[service]
    client = app.test_client()
    auth = token(FUZZ, "coordinator", sub="fuzzer")
    failures, skipped, tried = [], [], 0
    for op in operations(app):
        if "{tenant}" not in op.path:
            continue
        strategy = op.as_strategy(mode, path_parameters={"tenant": FUZZ})

        @given(case=strategy)
        @hypothesis.settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            resp = send(client, case, auth)
            assert resp.status_code < 500, (
                f"{case.method.upper()} {case.formatted_path} → {resp.status_code}: "
                f"{resp.get_data(as_text=True)[:300]}"
            )

        try:
            check()
        except hypothesis.errors.Unsatisfiable:
            # nothing of this operation can be broken (its only parameter is the fixed tenant)
            assert mode is GenerationMode.NEGATIVE, op.path
            skipped.append(op.path)
        except AssertionError as exc:
            failures.append(str(exc).splitlines()[0])
        else:
            tried += 1
    assert not failures, "\n".join(failures)
    assert tried > len(skipped), (tried, skipped)
