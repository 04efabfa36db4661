"""The monthly cost report from the database: for finance (role-checked, audited) and for
operators on the command line (no role: they already hold the database)."""

from __future__ import annotations

from datetime import tzinfo

from payroll_bridge.costs.compute import CostReport, build_report
from payroll_bridge.costs.loader import load_hires, load_interviews
from payroll_bridge.costs.period import Month
from recruiting.domain.roles import Permission, allows
from recruiting.errors import AccessDenied
from recruiting.services.shared.audit import Actor, record
from recruiting.settings import CostSettings


async def cost_report(
    actor: Actor,
    month: Month,
    *,
    settings: CostSettings,
    zone: tzinfo,
    trend_months: int = 12,
) -> CostReport:
    """The report for ``actor`` if their role may see costs (finance); audited either way,
    since costs name interviewers and what their time is worth."""
    allowed = allows(actor.roles, Permission.VIEW_COSTS)
    await record(actor, "view_costs", "cost_report", month, allowed=allowed)
    if not allowed:
        raise AccessDenied("your role may not see interview costs")
    return await load_report(month, settings=settings, zone=zone, trend_months=trend_months)


async def load_report(
    month: Month, *, settings: CostSettings, zone: tzinfo, trend_months: int = 12
) -> CostReport:
    """The report without a role check: the caller has checked, or is an operator."""
    first = month.shift(1 - trend_months) if trend_months >= 1 else month
    interviews = await load_interviews(first.start(zone), month.end(zone))
    hires = await load_hires()
    return build_report(month, interviews, hires, settings, zone, trend_months)
