"""Use cases of the integration monitoring: measures with indicator and target, the report."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from uuid import UUID

from knotenpunkt.services.membership.domain import monitoring as domain
from knotenpunkt.shared.usecase import Context


@dataclass(frozen=True)
class CreateMeasure:
    policy_field: str
    title: str
    indicator: str
    responsible: str | None = None
    unit: str | None = None
    baseline: Decimal | None = None
    target: Decimal | None = None
    current_value: Decimal | None = None
    status: str = "planned"


@dataclass(frozen=True)
class UpdateMeasure:
    measure_id: UUID
    changes: dict


def list_measures(conn, ctx: Context) -> list[dict]:
    """The network's measures; raises NotFound (no monitoring here)."""
    domain.ensure_monitoring(ctx.rules)
    return ctx.store.monitoring.list_measures(conn)


def create_measure(cmd: CreateMeasure, conn, ctx: Context) -> dict:
    """Record a measure; raises NotFound (no monitoring), RuleViolation (policy field)."""
    domain.ensure_monitoring(ctx.rules)
    domain.ensure_policy_field(ctx.rules, cmd.policy_field)
    return ctx.store.monitoring.insert_measure(conn, ctx.tenant.key, asdict(cmd))


def update_measure(cmd: UpdateMeasure, conn, ctx: Context) -> dict:
    """Bring a measure up to date; raises NotFound (monitoring, measure), RuleViolation."""
    domain.ensure_monitoring(ctx.rules)
    if "policy_field" in cmd.changes:
        domain.ensure_policy_field(ctx.rules, cmd.changes["policy_field"])
    values = {**cmd.changes, "updated_at": ctx.now} if cmd.changes else {}
    return ctx.store.monitoring.update_measure(conn, cmd.measure_id, values)


def measures_report(conn, ctx: Context) -> dict:
    """Per policy field: measures by status and mean progress; raises NotFound (no monitoring)."""
    domain.ensure_monitoring(ctx.rules)
    measures = ctx.store.monitoring.list_measures(conn)
    return {"policy_fields": domain.measures_report(measures, ctx.rules["policy_fields"])}
