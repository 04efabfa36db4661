"""Interview costs from a real database (SQLite and PostgreSQL): the loader's month bounds in
the tenant's zone, panels and expenses, hires, the role check with its audit trail, the
``interview_cost`` table itself, and the CLI run as an operator."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from openpyxl.chart import BarChart, LineChart
from tortoise.exceptions import IntegrityError

from payroll_bridge.costs.compute import CostReport
from payroll_bridge.costs.period import Month
from payroll_bridge.costs.service import cost_report, load_report
from recruiting.domain.roles import Role
from recruiting.errors import AccessDenied
from recruiting.models import (
    Application,
    ApplicationStatus,
    AuditLog,
    Candidate,
    CostKind,
    Interview,
    InterviewAssignment,
    InterviewCost,
    InterviewMode,
    InterviewRound,
    JobOpening,
    Staff,
)
from recruiting.services.shared.audit import Actor
from recruiting.settings import CostSettings

ROOT = Path(__file__).resolve().parents[2]
SH = ZoneInfo("Asia/Shanghai")
NOV, DEC = Month(2026, 11), Month(2026, 12)
RATES = CostSettings(
    default_hourly_rate=D("200.00"),
    grade_rates={"总监": D("400.00"), "经理": D("260.00")},
    interviewer_overhead_minutes=15,
)
FINANCE = Actor("zhaomin", frozenset({Role.FINANCE}))


def sh(day: int, hour: int = 10, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=SH)


async def _application(job: JobOpening, channel: str, status: ApplicationStatus) -> Application:
    candidate = await Candidate.create(name=f"候选人{channel}{job.code}{status.value}")
    return await Application.create(candidate=candidate, job=job, channel=channel, status=status)


async def _interview(
    application: Application,
    round_: InterviewRound,
    status: str,
    start: datetime | None,
    panel: list[Staff],
    minutes: int = 45,
    **extra: Any,
) -> Interview:
    interview = await Interview.create(
        application=application, round=round_, status=status, starts_at=start,
        ends_at=start and start + timedelta(minutes=minutes), **extra,
    )  # fmt: skip
    for n, person in enumerate(panel):
        await InterviewAssignment.create(interview=interview, interviewer=person, lead=n == 0)
    return interview


@dataclass(frozen=True)
class CostsWorld:
    i2: Interview  # a2's completed interview, with two travel expenses (one in USD)
    i4: Interview  # a3's cancelled interview, the venue still paid
    a1: Application  # hired via referral
    a5: Application  # hired via boss, last held interview in December


@pytest.fixture
async def world(database: str) -> CostsWorld:
    """eng: hired via referral (a1), boss (a2: travel, one in USD, then a no-show), liepin
    (a3: cancelled, venue paid), boss (a5: hired, last held interview in December).
    sales: boss (a4), including interviews either side of both month ends in Shanghai and
    a recorded one without a start."""
    wang = await Staff.create(wecom_userid="wang", name="王强", title="技术经理",
                              hourly_cost=D("300.00"))  # fmt: skip
    chen = await Staff.create(wecom_userid="chen", name="陈静", title="销售总监")
    zhao = await Staff.create(wecom_userid="zhao", name="赵六", title="工程师")
    eng = await JobOpening.create(code="eng", title="软件工程师")
    sales = await JobOpening.create(code="sales", title="销售代表")
    eng_round = await InterviewRound.create(job=eng, name="技术面", duration_minutes=60)
    sales_round = await InterviewRound.create(job=sales, name="一面", duration_minutes=60)
    hired, active = ApplicationStatus.HIRED, ApplicationStatus.INTERVIEWING
    a1 = await _application(eng, "referral", hired)
    a2 = await _application(eng, "boss", active)
    a3 = await _application(eng, "liepin", ApplicationStatus.WITHDRAWN)
    a4 = await _application(sales, "boss", active)
    a5 = await _application(eng, "boss", hired)

    await _interview(a1, eng_round, "completed", sh(3), [wang, chen])  # 700
    i2 = await _interview(a2, eng_round, "completed", sh(4), [wang, chen])  # 700
    await InterviewCost.create(interview=i2, kind=CostKind.TRAVEL, amount=D("553.50"),
                               note="高铁 杭州-上海", recorded_by="lina")  # fmt: skip
    await InterviewCost.create(interview=i2, kind=CostKind.TRAVEL, amount=D("80.00"),
                               currency="USD", recorded_by="lina")  # fmt: skip
    await _interview(a2, eng_round, "no_show", sh(5), [wang, chen])  # 700
    i4 = await _interview(a3, eng_round, "cancelled", sh(6), [wang])  # 0
    await InterviewCost.create(interview=i4, kind=CostKind.VENUE, amount=D("800.00"),
                               note="酒店会议室", recorded_by="lina")  # fmt: skip
    # 1 November 00:30 in Shanghai, still 31 October in UTC: November.
    i5 = await _interview(a4, sales_round, "completed", datetime(2026, 10, 31, 16, 30, tzinfo=UTC),
                          [chen, zhao])  # 600  # fmt: skip
    await InterviewCost.create(interview=i5, kind=CostKind.OTHER, amount=D("36.00"),
                               recorded_by="system")  # fmt: skip
    # 1 December 00:30 in Shanghai, still 30 November in UTC: December.
    await _interview(a4, sales_round, "completed", datetime(2026, 11, 30, 16, 30, tzinfo=UTC),
                     [chen, zhao])  # 600 in December  # fmt: skip
    await _interview(a5, eng_round, "completed", sh(20), [wang])  # 300
    await _interview(a5, eng_round, "completed", sh(10, month=12), [wang])  # 300 in December
    recorded = await _interview(a4, sales_round, "completed", None, [zhao],
                                mode=InterviewMode.RECORDED)  # 75 min × 200 = 250  # fmt: skip
    await Interview.filter(id=recorded.id).update(created_at=sh(15))
    await _interview(a4, sales_round, "scheduled", sh(28), [chen])  # not yet: no cost
    await _interview(a4, sales_round, "completed", sh(20, month=9), [zhao])  # 200 in September
    return CostsWorld(i2=i2, i4=i4, a1=a1, a5=a5)


async def _report(month: Month, trend: int = 3) -> CostReport:
    return await load_report(month, settings=RATES, zone=SH, trend_months=trend)


async def test_november_from_the_database(world: CostsWorld) -> None:
    report = await _report(NOV)
    t = report.totals
    assert t.interviewer_time == D("3250.00")
    assert (t.venue, t.travel, t.other) == (D("800.00"), D("553.50"), D("36.00"))
    assert t.total == D("4639.50")
    assert (t.held, t.no_shows, t.hires) == (5, 1, 1)
    assert len(report.interviews) == 7  # the scheduled one has no cost yet
    assert report.interviews[0].facts.starts_at == datetime(2026, 10, 31, 16, 30, tzinfo=UTC)

    eng, sales = report.by_job
    assert (eng.key, eng.total, eng.held, eng.no_shows, eng.hires, eng.per_hire) == (
        "eng", D("3753.50"), 3, 1, 1, D("3753.50"))  # fmt: skip
    assert (sales.key, sales.total, sales.hires, sales.per_hire) == ("sales", D("886.00"), 0, None)
    assert report.cost_per_hire == D("3753.50") and report.unhired_jobs_cost == D("886.00")
    channels = {b.key: (b.total, b.hires) for b in report.by_channel}
    assert channels == {"boss": (D("3139.50"), 0), "liepin": (D("800.00"), 0),
                        "referral": (D("700.00"), 1)}  # fmt: skip

    (interview_id, usd), = report.excluded  # fmt: skip
    assert (interview_id, usd.amount, usd.currency) == (world.i2.id, D("80.00"), "USD")
    lines = {(c.facts.interview_id, t.interviewer.name): (t.rate, t.rate_source)
             for c in report.interviews for t in c.time}  # fmt: skip
    assert lines[(world.i2.id, "王强")] == (D("300.00"), "staff")
    assert lines[(world.i2.id, "陈静")] == (D("400.00"), "grade 总监")
    assert world.i4.id not in {i for i, _ in lines}  # cancelled: no time, venue only
    assert [(str(p.month), p.total) for p in report.trend] == [
        ("2026-09", D("200.00")), ("2026-10", D("0.00")), ("2026-11", D("4639.50"))]  # fmt: skip


async def test_december_counts_the_hire_whose_last_interview_was_then(
    world: CostsWorld,
) -> None:
    report = await _report(DEC, trend=2)
    assert report.totals.total == D("900.00")  # 600 (the 00:30 one) + 300
    assert report.totals.hires == 1 and report.cost_per_hire == D("300.00")
    assert [b.key for b in report.by_job] == ["sales", "eng"]
    assert [p.hires for p in report.trend] == [1, 1]


async def test_only_finance_sees_costs_and_every_look_is_audited(world: CostsWorld) -> None:
    report = await cost_report(FINANCE, NOV, settings=RATES, zone=SH)
    assert report.totals.total == D("4639.50")
    for role in (Role.HR, Role.HR_MANAGER, Role.INTERVIEWER, Role.ADMIN):
        with pytest.raises(AccessDenied):
            await cost_report(Actor("x", frozenset({role})), NOV, settings=RATES, zone=SH)
    rows = await AuditLog.filter(action="view_costs").order_by("id")
    assert [(r.actor, r.allowed) for r in rows] == [("zhaomin", True)] + [("x", False)] * 4
    assert rows[0].subject_type == "cost_report" and rows[0].subject_id == "2026-11"
    assert rows[0].actor_roles == "finance"


async def test_the_interview_cost_table(world: CostsWorld) -> None:
    big = await InterviewCost.create(interview=world.i4, kind=CostKind.OTHER,
                                     amount=D("9999999999.99"), recorded_by="lina")  # fmt: skip
    again = await InterviewCost.get(id=big.id)
    assert again.amount == D("9999999999.99") and again.currency == "CNY"
    assert again.kind is CostKind.OTHER and again.note == ""
    assert again.created_at.tzinfo is not None
    # Money spent stays on the books: an interview with expenses cannot be deleted.
    with pytest.raises(IntegrityError):
        await Interview.filter(id=world.i4.id).delete()
    assert await InterviewCost.filter(interview_id=world.i4.id).count() == 2


async def test_the_cli_as_an_operator(world: CostsWorld, database: str,
                                      tmp_path: Path) -> None:  # fmt: skip
    out = tmp_path / "report.xlsx"
    env = {**os.environ, "DATABASE_URL": database, "DATA_DIR": str(tmp_path)}
    env.pop("REDIS_URL", None)
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "payroll_bridge", "costs", "--month", "2026-11",
         "--out", str(out), "--json", "--trend-months", "3"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    # config.yaml's rates: 陈静 (销售总监) 400, 赵六 default 200, 王强 his own 300.
    assert data["totals"]["total"] == "4639.50" and data["cost_per_hire"] == "3753.50"
    assert data["rates"]["interviewer_overhead_minutes"] == 15
    book = load_workbook(out)
    assert isinstance(book["By job"]._charts[0], BarChart)
    assert isinstance(book["Trend"]._charts[0], LineChart)
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True) if r[0]}
    assert D(str(summary["Total"])) == D("4639.50")


async def test_hr_and_finance_record_expenses_others_may_not(world: CostsWorld) -> None:
    from payroll_bridge.costs.expenses import record_expense
    from recruiting.errors import InvalidInput

    before = await cost_report(FINANCE, NOV, settings=RATES, zone=SH)
    hr = Actor("lina", frozenset({Role.HR}))
    cost = await record_expense(hr, world.i4.id, "venue", "1,200.50", note="酒店会议室")
    assert cost.amount == D("1200.50") and cost.recorded_by == "lina"
    with pytest.raises(AccessDenied):
        await record_expense(Actor("iv", frozenset({Role.INTERVIEWER})), world.i4.id,
                             "travel", "10")  # fmt: skip
    for bad in ("0", "-5", "12.345", "abc", "NaN", "2000000"):
        with pytest.raises(InvalidInput):
            await record_expense(hr, world.i4.id, "travel", bad)
    with pytest.raises(InvalidInput):
        await record_expense(hr, world.i4.id, "lunch", "10")
    after = await cost_report(FINANCE, NOV, settings=RATES, zone=SH)
    # i4 (cancelled, 6 November) still carries its venue: expenses count whatever the status.
    assert after.totals.total - before.totals.total == D("1200.50")
    denied = await AuditLog.filter(action="record_expense", allowed=False).count()
    assert denied == 1
