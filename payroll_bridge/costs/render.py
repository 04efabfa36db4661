"""A cost report as JSON (amounts as exact strings) or as text for a terminal, and the
definitions both print, so a reader never has to guess what a figure means."""

from __future__ import annotations

import unicodedata
from datetime import tzinfo
from decimal import Decimal
from typing import Any

from payroll_bridge.costs.compute import CURRENCY, Breakdown, CostedInterview, CostReport
from payroll_bridge.costs.facts import Expense
from recruiting.models.costs import CostKind

DEFINITIONS = (
    "Interviewer time: every assigned interviewer × (the interview's booked length, or the "
    "round's length when it has no times, + the preparation and feedback overhead) × their "
    "hourly cost (Staff.hourly_cost, else the rate of their title's grade, else the default).",
    "Time is charged for interviews completed or in progress, and for no-shows: the panel "
    "prepared and waited, and the booking kept their time blocked. Cancelled, declined and "
    "not yet held interviews charge no time.",
    "Venue, travel and other: the expenses recorded against the interview, whatever its "
    "status (a venue booked for a cancelled interview is still paid). Only CNY is summed.",
    "Month: an interview belongs to the month of its start in the tenant's time zone (its "
    "creation when it has no start), and so do its expenses.",
    "Per interview: total cost ÷ interviews held (completed or in progress).",
    "Hires: applications now hired, counted in the month of their last held interview "
    "(no hire date is recorded). Per hire: the month's cost of the jobs that hired this "
    "month ÷ the month's hires; a job's or channel's per hire is its cost ÷ its hires.",
)


def to_json(report: CostReport) -> dict[str, Any]:
    settings = report.settings
    return {
        "month": str(report.month),
        "currency": CURRENCY,
        "timezone": str(report.zone),
        "totals": breakdown_json(report.totals),
        "cost_per_hire": _s(report.cost_per_hire),
        "hired_jobs_cost": str(report.hired_jobs_cost),
        "unhired_jobs_cost": str(report.unhired_jobs_cost),
        "by_job": [breakdown_json(b) for b in report.by_job],
        "by_channel": [breakdown_json(b) for b in report.by_channel],
        "interviews": [_interview_json(c, report) for c in report.interviews],
        "excluded": [
            {"interview_id": i} | _expense_json(e, report.zone) for i, e in report.excluded
        ],
        "trend": [
            {"month": str(p.month), "held": p.held, "total": str(p.total), "hires": p.hires}
            for p in report.trend
        ],
        "rates": {
            "default_hourly_rate": str(settings.default_hourly_rate),
            "interviewer_overhead_minutes": settings.interviewer_overhead_minutes,
            "grade_rates": {k: str(v) for k, v in settings.grade_rates.items()},
        },
        "definitions": list(DEFINITIONS),
    }


def breakdown_json(b: Breakdown) -> dict[str, Any]:
    return {
        "key": b.key,
        "label": b.label,
        "held": b.held,
        "no_shows": b.no_shows,
        "interviewer_time": str(b.interviewer_time),
        "venue": str(b.venue),
        "travel": str(b.travel),
        "other": str(b.other),
        "total": str(b.total),
        "per_interview": _s(b.per_interview),
        "hires": b.hires,
        "per_hire": _s(b.per_hire),
    }


def _interview_json(c: CostedInterview, report: CostReport) -> dict[str, Any]:
    f = c.facts
    return {
        "interview_id": f.interview_id,
        "application_id": f.application_id,
        "job_code": f.job_code,
        "channel": f.channel,
        "round": f.round_name,
        "status": f.status.value,
        "starts_at": f.starts_at and f.starts_at.astimezone(report.zone).isoformat(),
        "minutes": c.minutes,
        "interviewer_time": str(c.interviewer_time),
        "venue": str(c.expense(CostKind.VENUE)),
        "travel": str(c.expense(CostKind.TRAVEL)),
        "other": str(c.expense(CostKind.OTHER)),
        "total": str(c.total),
        "interviewers": [
            {
                "staff_id": t.interviewer.staff_id,
                "name": t.interviewer.name,
                "title": t.interviewer.title,
                "minutes": t.minutes,
                "rate": str(t.rate),
                "rate_source": t.rate_source,
                "amount": str(t.amount),
            }
            for t in c.time
        ],
        "expenses": [_expense_json(e, report.zone) for e in c.expenses],
    }


def _expense_json(e: Expense, zone: tzinfo) -> dict[str, Any]:
    return {
        "id": e.cost_id,
        "kind": e.kind.value,
        "amount": str(e.amount),
        "currency": e.currency,
        "note": e.note,
        "recorded_by": e.recorded_by,
        "recorded_at": e.recorded_at.astimezone(zone).isoformat(),
    }


_COLUMNS = ("", "held", "no-show", "time", "venue", "travel", "other", "total", "/interview",
            "hires", "/hire")  # fmt: skip


def render_text(report: CostReport) -> str:
    t = report.totals
    lines = [
        f"Interview costs {report.month} ({CURRENCY}, times in {report.zone})",
        f"  interviewer time {_m(t.interviewer_time)}, venue {_m(t.venue)}, travel "
        f"{_m(t.travel)}, other {_m(t.other)}: total {_m(t.total)}",
        f"  {t.held} interviews held, {t.no_shows} no-shows; per held interview "
        f"{_o(t.per_interview)}",
        f"  {t.hires} hires; per hire {_o(report.cost_per_hire)} (jobs that hired "
        f"{_m(report.hired_jobs_cost)}, jobs without a hire {_m(report.unhired_jobs_cost)})",
        "",
        *_table("job", report.by_job),
        "",
        *_table("channel", report.by_channel),
    ]
    if report.excluded:
        lines += ["", f"Not summed (not {CURRENCY}):"]
        lines += [f"  interview {i}: {e.kind.value} {e.amount} {e.currency}" for i, e in
                  report.excluded]  # fmt: skip
    trend = ", ".join(f"{p.month} {_m(p.total)}" for p in report.trend)
    return "\n".join([*lines, "", f"Monthly totals: {trend}"])


def _table(what: str, rows: tuple[Breakdown, ...]) -> list[str]:
    if not rows:
        return [f"(no costs by {what})"]
    cells = [(what, *_COLUMNS[1:])]
    for b in rows:
        cells.append((b.label if b.label == b.key else f"{b.label} ({b.key})", str(b.held),
                      str(b.no_shows), _m(b.interviewer_time), _m(b.venue), _m(b.travel),
                      _m(b.other), _m(b.total), _o(b.per_interview), str(b.hires),
                      _o(b.per_hire)))  # fmt: skip
    widths = [max(_width(row[i]) for row in cells) for i in range(len(cells[0]))]
    return [
        "  ".join(
            _pad(cell, w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in cells
    ]


def _width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _s(amount: Decimal | None) -> str | None:
    return None if amount is None else str(amount)


def _o(amount: Decimal | None) -> str:
    return "-" if amount is None else _m(amount)


def _m(amount: Decimal) -> str:
    return f"{amount:,.2f}"
