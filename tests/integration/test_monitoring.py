"""The alerting rules and the dashboard (deploy/monitoring/) hold: Debian's promtool accepts
the rules and its unit tests fire and clear every alert, and every metric a rule or a panel
names is on the /metrics of the running processes (the four web apps and the four workers on
the test containers)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import requests
import yaml

from knotenpunkt.shared.workerops import OpsServer
from knotenpunkt.wiring import worker_for
from tests.support import free_port

MONITORING = Path(__file__).resolve().parents[2] / "deploy" / "monitoring"
SERVICES = ("membership", "voting", "events", "notifications")
# made by Prometheus for every target, not by a process
PROMETHEUS_OWN = {"up"}
# PromQL words that look like metric names
PROMQL = {
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "and",
    "or",
    "unless",
    "sum",
    "min",
    "max",
    "avg",
    "count",
    "rate",
    "delta",
    "increase",
    "predict_linear",
    "histogram_quantile",
    "le",
    "offset",
    "bool",
}

promtool = pytest.mark.skipif(
    shutil.which("promtool") is None, reason="promtool (Debian's prometheus) missing"
)


def names_in(expr: str) -> set[str]:
    """The metric names an expression reads (labels, strings and functions left out)."""
    expr = re.sub(r"\{[^}]*\}", "", expr)
    expr = re.sub(r"\[[^\]]*\]", "", expr)
    expr = re.sub(r"\b(by|without)\s*\([^)]*\)", "", expr)
    words = set(re.findall(r"\b[a-zA-Z_][a-zA-Z0-9_]*\b", expr))
    return {w for w in words - PROMQL if "_" in w or w in PROMETHEUS_OWN}


def rule_metrics() -> set[str]:
    doc = yaml.safe_load((MONITORING / "alerts.yaml").read_text())
    return {n for g in doc["groups"] for r in g["rules"] for n in names_in(str(r["expr"]))}


def panel_metrics() -> set[str]:
    dash = json.loads((MONITORING / "dashboard.json").read_text())
    return {n for p in dash["panels"] for t in p["targets"] for n in names_in(t["expr"])}


@promtool
def test_promtool_accepts_the_rules_and_their_unit_tests_pass():
    check = subprocess.run(
        ["promtool", "check", "rules", "alerts.yaml"],
        cwd=MONITORING,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "SUCCESS" in check.stdout
    tests = subprocess.run(
        ["promtool", "test", "rules", "tests.yaml"], cwd=MONITORING, capture_output=True, text=True
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr


def test_every_alert_is_tested_firing_and_clearing_and_speaks_both_languages():
    rules = [
        r
        for g in yaml.safe_load((MONITORING / "alerts.yaml").read_text())["groups"]
        for r in g["rules"]
    ]
    tests = yaml.safe_load((MONITORING / "tests.yaml").read_text())["tests"]
    fired, cleared = set(), set()
    for t in tests:
        for case in t["alert_rule_test"]:
            (fired if case["exp_alerts"] else cleared).add(case["alertname"])
    names = {r["alert"] for r in rules}
    assert names == fired == cleared
    for r in rules:
        assert {"summary_de", "summary_en", "runbook"} <= set(r["annotations"]), r["alert"]
        assert r["labels"]["severity"] in ("warning", "critical")


def test_the_dashboard_shows_what_the_alerts_watch():
    assert rule_metrics() - PROMETHEUS_OWN <= panel_metrics() | {
        "http_request_duration_seconds_bucket"
    }


@pytest.fixture
def workers(settings, tenants):
    """The four workers' ops endpoints, without their relay and consumer (which would take
    other tests' events): the figures come from the same collector."""
    running = []
    for service in SERVICES:
        w = worker_for(service, settings=settings, tenants=tenants)
        w.db.open()
        ops = OpsServer(w, "127.0.0.1", free_port()).start()
        running.append((w, ops))
    yield [f"http://127.0.0.1:{ops.port}/metrics" for _, ops in running]
    for w, ops in running:
        ops.stop()
        w.db.close()


def scraped(text: str) -> set[str]:
    """The series names a scrape offers to queries (a family without samples by its type)."""
    suffixes = {"histogram": ("_bucket", "_sum", "_count")}  # a counter's TYPE names its _total
    found = set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split()
            found |= {name + s for s in suffixes.get(kind, ("",))}
        elif line and not line.startswith("#"):
            found.add(re.split(r"[{ ]", line, maxsplit=1)[0])
    return found


def test_every_metric_named_in_a_rule_or_panel_is_on_a_running_stack(clients, workers):
    exported: set[str] = set()
    for service in SERVICES:
        resp = clients[service].get("/metrics")
        assert resp.status_code == 200
        exported |= scraped(resp.get_data(as_text=True))
    for url in workers:
        deadline = time.monotonic() + 30
        while True:
            try:
                resp = requests.get(url, timeout=10)
                if resp.status_code == 200 and "knotenpunkt_outbox_backlog" in resp.text:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, url
            time.sleep(0.2)
        exported |= scraped(resp.text)
    named = (rule_metrics() | panel_metrics()) - PROMETHEUS_OWN
    assert named, "the rules name metrics"
    assert named - exported == set()
