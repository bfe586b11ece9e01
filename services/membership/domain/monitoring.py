"""Integration monitoring: policy fields of the network, progress of measures, the report."""

from __future__ import annotations

from knotenpunkt.shared.errors import NotFound, RuleViolation

MEASURE_STATES = ("planned", "running", "done", "stopped")


def ensure_monitoring(rules: dict) -> None:
    """Raises NotFound when the network keeps no integration monitoring."""
    if not rules["monitoring"]["enabled"]:
        raise NotFound("Dieses Netzwerk führt kein Integrationsmonitoring.")


def ensure_policy_field(rules: dict, policy_field: str) -> None:
    """Raises RuleViolation unless the policy field is one of the network's."""
    fields_ = rules["policy_fields"]
    if policy_field not in fields_:
        raise RuleViolation(
            f"„{policy_field}“ ist kein Handlungsfeld dieses Netzwerks.", field="policy_field"
        )


def measures_report(measures: list[dict], policy_fields: list[str]) -> list[dict]:
    """Monitoring summary per policy field: counts by status and mean progress to target."""
    report = []
    for field_ in policy_fields:
        mine = [m for m in measures if m["policy_field"] == field_]
        by_status = {s: sum(1 for m in mine if m["status"] == s) for s in MEASURE_STATES}
        progress = [progress_of(m) for m in mine]
        progress = [p for p in progress if p is not None]
        report.append(
            {
                "policy_field": field_,
                "measures": len(mine),
                "by_status": by_status,
                "mean_progress": round(sum(progress) / len(progress), 3) if progress else None,
            }
        )
    return report


def progress_of(measure: dict) -> float | None:
    """Share of the way from baseline to target (0..1, capped), None without figures."""
    target, current = measure.get("target"), measure.get("current_value")
    base = measure.get("baseline") or 0
    if target is None or current is None or float(target) == float(base):
        return None
    share = (float(current) - float(base)) / (float(target) - float(base))
    return max(0.0, min(1.0, share))
