"""Interview cost accounting without a database: rates, minutes, what is charged, months in
the tenant's zone, per interview/job/channel/hire, the workbook read back with its charts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.chart import BarChart, LineChart

from payroll_bridge.cli import main
from payroll_bridge.costs.compute import (
    build_report,
    cost_interview,
    hourly_rate,
    interview_minutes,
)
from payroll_bridge.costs.facts import Expense, Hire, Interviewer, InterviewFacts
from payroll_bridge.costs.period import Month
from payroll_bridge.costs.render import render_text, to_json
from payroll_bridge.costs.workbook import write_workbook
from recruiting.domain.interview_state import InterviewStatus as S
from recruiting.errors import ConfigError, InvalidInput
from recruiting.models.costs import CostKind
from recruiting.settings import CostSettings, load_settings

SH = ZoneInfo("Asia/Shanghai")
NOV = Month(2026, 11)
RATES = CostSettings(
    default_hourly_rate=D("200.00"),
    grade_rates={"经理": D("260.00"), "高级经理": D("320.00"), "总监": D("400.00"), "p7": D("300")},
    interviewer_overhead_minutes=15,
)
WANG = Interviewer(1, "王强", "技术经理", D("300.00"))  # HR-finance's own figure
CHEN = Interviewer(2, "陈静", "销售总监", None)  # grade 总监 → 400
ZHAO = Interviewer(3, "赵六", "工程师", None)  # no grade → default 200


def at(day: int, hour: int = 10, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=SH)


def expense(kind: CostKind, amount: str, currency: str = "CNY", n: int = 1) -> Expense:
    return Expense(n, kind, D(amount), currency, "", "lina", at(1))


def interview(
    n: int,
    status: S = S.COMPLETED,
    start: datetime | None = None,
    minutes: int = 45,
    job: str = "eng",
    channel: str = "boss",
    panel: tuple[Interviewer, ...] = (WANG, CHEN),
    expenses: tuple[Expense, ...] = (),
    application: int | None = None,
) -> InterviewFacts:
    start = at(3) if start is None else start
    return InterviewFacts(
        interview_id=n,
        application_id=application or n,
        job_code=job,
        job_title={"eng": "软件工程师", "sales": "销售代表"}.get(job, job),
        channel=channel,
        round_name="一面",
        round_minutes=60,
        status=status,
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        created_at=at(1),
        interviewers=panel,
        expenses=expenses,
    )


def hire(application: int, when: datetime, job: str = "eng", channel: str = "boss") -> Hire:
    return Hire(application, job, {"eng": "软件工程师"}.get(job, job), channel, when)


# --- rates and minutes -------------------------------------------------------------------


def test_hourly_rate_prefers_staff_then_exact_title_then_longest_grade_then_default() -> None:
    assert hourly_rate(WANG, RATES) == (D("300.00"), "staff")
    assert hourly_rate(Interviewer(9, "x", "经理", None), RATES) == (D("260.00"), "grade 经理")
    assert hourly_rate(Interviewer(9, "x", "技术高级经理", None), RATES) == (
        D("320.00"),
        "grade 高级经理",
    )
    assert hourly_rate(Interviewer(9, "x", " P7 ", None), RATES) == (D("300"), "grade p7")
    assert hourly_rate(CHEN, RATES) == (D("400.00"), "grade 总监")
    assert hourly_rate(ZHAO, RATES) == (D("200.00"), "default")
    # A rate of zero set by HR-finance is a rate, not a missing one.
    assert hourly_rate(Interviewer(9, "x", "总监", D(0)), RATES) == (D(0), "staff")


def test_minutes_come_from_the_interview_else_from_the_round() -> None:
    assert interview_minutes(interview(1, minutes=45)) == 45
    seconds = interview(1)
    odd = InterviewFacts(
        **{**seconds.__dict__, "ends_at": seconds.starts_at + timedelta(seconds=61)}
    )
    assert interview_minutes(odd) == 2  # a started minute counts
    untimed = InterviewFacts(**{**seconds.__dict__, "starts_at": None, "ends_at": None})
    assert interview_minutes(untimed) == 60
    backwards = InterviewFacts(**{**seconds.__dict__, "ends_at": seconds.starts_at})
    assert interview_minutes(backwards) == 60


# --- what is charged ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "charged"),
    [(S.COMPLETED, True), (S.IN_PROGRESS, True), (S.NO_SHOW, True), (S.CANCELLED, False),
     (S.DECLINED, False), (S.CONFIRMED, False), (S.SCHEDULED, False)],
)  # fmt: skip
def test_time_is_charged_only_when_the_panel_spent_it(status: S, charged: bool) -> None:
    costed = cost_interview(interview(1, status, expenses=(expense(CostKind.VENUE, "800"),)),
                            RATES, SH)  # fmt: skip
    # 45 + 15 min each: 300 + 400 an hour → 300.00 + 400.00
    assert costed.interviewer_time == (D("700.00") if charged else 0)
    assert [t.minutes for t in costed.time] == ([60, 60] if charged else [])
    assert costed.total == costed.interviewer_time + D(800)  # the venue is paid regardless


def test_each_interviewer_line_is_rounded_to_the_fen_half_up() -> None:
    odd = Interviewer(5, "x", "", D("333.33"))
    costed = cost_interview(interview(1, minutes=35, panel=(odd, odd)), RATES, SH)
    # 333.33 × 50 / 60 = 277.775 → 277.78, twice
    assert [t.amount for t in costed.time] == [D("277.78"), D("277.78")]
    assert costed.interviewer_time == D("555.56")


def test_other_currencies_are_listed_not_summed() -> None:
    usd = expense(CostKind.TRAVEL, "120.00", currency="USD", n=2)
    facts = interview(1, expenses=(expense(CostKind.TRAVEL, "50.00"), usd))
    report = build_report(NOV, [facts], [], RATES, SH)
    assert report.totals.travel == D("50.00")
    assert report.excluded == ((1, usd),)
    assert "interview 1: travel 120.00 USD" in render_text(report)


# --- months ------------------------------------------------------------------------------


def test_month_parsing_and_arithmetic() -> None:
    assert Month.parse(" 2026-11 ") == NOV and str(NOV) == "2026-11"
    assert NOV.shift(2) == Month(2027, 1) and NOV.shift(-11) == Month(2025, 12)
    assert NOV.start(SH) == datetime(2026, 11, 1, tzinfo=SH)
    assert NOV.end(SH) == datetime(2026, 12, 1, tzinfo=SH)
    for bad in ("2026-13", "2026-1", "11/2026", "", "2026-00"):
        with pytest.raises(InvalidInput):
            Month.parse(bad)


def test_an_interview_belongs_to_the_month_of_its_local_start() -> None:
    # 2026-11-30 16:30 UTC is 1 December 00:30 in Shanghai; 31 October 16:30 UTC is 1 November.
    late = interview(1, start=datetime(2026, 11, 30, 16, 30, tzinfo=UTC))
    early = interview(2, start=datetime(2026, 10, 31, 16, 30, tzinfo=UTC))
    report = build_report(NOV, [late, early], [], RATES, SH)
    assert [c.facts.interview_id for c in report.interviews] == [2]
    december = build_report(NOV.shift(1), [late, early], [], RATES, SH)
    assert [c.facts.interview_id for c in december.interviews] == [1]


def test_an_interview_without_a_start_is_placed_by_its_creation() -> None:
    base = interview(1)
    untimed = InterviewFacts(**{**base.__dict__, "starts_at": None, "ends_at": None,
                                "created_at": at(20)})  # fmt: skip
    report = build_report(NOV, [untimed], [], RATES, SH)
    assert report.interviews[0].minutes == 60  # the round's length
    assert report.totals.interviewer_time == D("875.00")  # (60+15)/60 × (300+400)


# --- the report --------------------------------------------------------------------------


def _world() -> tuple[list[InterviewFacts], list[Hire]]:
    """eng: 2 held + 1 no-show + a cancelled one with a venue, one hire via referral.
    sales: 1 held, no hire. September: one older eng interview. One eng hire in December."""
    interviews = [
        interview(1, channel="referral", application=11),
        interview(2, start=at(4), expenses=(expense(CostKind.TRAVEL, "553.50"),)),
        interview(3, S.NO_SHOW, start=at(5)),
        interview(
            4,
            S.CANCELLED,
            start=at(6),
            channel="liepin",
            expenses=(expense(CostKind.VENUE, "800.00"),),
        ),
        interview(
            5,
            job="sales",
            panel=(CHEN, ZHAO),
            start=at(7),
            expenses=(expense(CostKind.OTHER, "36.00"),),
        ),
        interview(6, S.SCHEDULED, start=at(28)),  # not held yet, no expense: not in the report
        interview(7, start=at(10, month=9), minutes=60, panel=(ZHAO,)),
    ]
    hires = [
        hire(11, at(3), channel="referral"),
        hire(12, at(2, month=12)),  # next month's hire
    ]
    return interviews, hires


def test_totals_by_job_and_channel_and_per_hire() -> None:
    interviews, hires = _world()
    report = build_report(NOV, interviews, hires, RATES, SH, trend_months=3)
    t = report.totals
    # eng: 3 charged × 700 = 2,100; sales: (400 + 200) × 1 = 600
    assert t.interviewer_time == D("2700.00")
    assert (t.venue, t.travel, t.other) == (D("800.00"), D("553.50"), D("36.00"))
    assert t.total == D("4089.50")
    assert (t.held, t.no_shows, t.hires) == (3, 1, 1)
    assert t.per_interview == D("1363.17")  # 4,089.50 / 3 held
    assert [c.facts.interview_id for c in report.interviews] == [1, 2, 3, 4, 5]

    eng, sales = report.by_job
    assert (eng.key, eng.label, eng.total, eng.hires, eng.per_hire) == (
        "eng", "软件工程师", D("3453.50"), 1, D("3453.50"))  # fmt: skip
    assert (sales.key, sales.total, sales.hires, sales.per_hire) == ("sales", D("636.00"), 0, None)
    assert sales.per_interview == D("636.00")
    # Per hire: only the jobs that hired this month, over this month's hires.
    assert report.hired_jobs_cost == D("3453.50") and report.cost_per_hire == D("3453.50")
    assert report.unhired_jobs_cost == D("636.00")

    channels = {b.key: b for b in report.by_channel}
    assert set(channels) == {"boss", "referral", "liepin"}
    assert channels["referral"].hires == 1 and channels["referral"].per_hire == D("700.00")
    assert channels["boss"].per_hire is None and channels["boss"].no_shows == 1
    assert channels["liepin"].held == 0 and channels["liepin"].per_interview is None

    assert [(str(p.month), p.held, p.total, p.hires) for p in report.trend] == [
        ("2026-09", 1, D("250.00"), 0),
        ("2026-10", 0, D(0), 0),
        ("2026-11", 3, D("4089.50"), 1),
    ]


def test_a_job_that_hired_without_costs_this_month_still_has_its_row() -> None:
    report = build_report(NOV, [interview(1, job="sales", panel=(ZHAO,))],
                          [hire(9, at(20), job="ops")], RATES, SH)  # fmt: skip
    ops = next(b for b in report.by_job if b.key == "ops")
    assert (ops.total, ops.hires, ops.per_hire) == (D(0), 1, D(0))
    assert report.cost_per_hire == D("0.00")  # the only job that hired cost nothing


def test_no_interviews_no_hires() -> None:
    report = build_report(NOV, [], [], RATES, SH, trend_months=1)
    assert report.totals.total == 0 and report.cost_per_hire is None
    assert report.by_job == () and [str(p.month) for p in report.trend] == ["2026-11"]
    with pytest.raises(InvalidInput):
        build_report(NOV, [], [], RATES, SH, trend_months=0)


money = st.decimals(min_value=0, max_value=100_000, places=2)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(list(S)),
            st.integers(0, 240),
            st.sampled_from(["eng", "sales", "ops"]),
            st.sampled_from(["boss", "referral", "liepin"]),
            st.lists(st.tuples(st.sampled_from(list(CostKind)), money), max_size=3),
            st.lists(st.sampled_from([WANG, CHEN, ZHAO]), max_size=3),
            st.integers(1, 30),
        ),
        max_size=12,
    ),
    st.lists(st.tuples(st.sampled_from(["eng", "sales", "ops"]), st.integers(1, 30)), max_size=4),
)
def test_every_table_adds_up_to_the_same_total(rows, hire_rows) -> None:  # type: ignore[no-untyped-def]
    facts = [
        interview(n, status, start=at(day), minutes=minutes, job=job, channel=channel,
                  panel=tuple(panel),
                  expenses=tuple(expense(k, str(a), n=i) for i, (k, a) in enumerate(extra)))
        for n, (status, minutes, job, channel, extra, panel, day) in enumerate(rows, start=1)
    ]  # fmt: skip
    hires = [hire(100 + i, at(day), job=job) for i, (job, day) in enumerate(hire_rows)]
    report = build_report(NOV, facts, hires, RATES, SH)
    t = report.totals
    lines = sum((x.amount for c in report.interviews for x in c.time), D(0))
    extras = sum((e.amount for c in report.interviews for e in c.expenses), D(0))
    assert t.total == lines + extras == sum((c.total for c in report.interviews), D(0))
    for table in (report.by_job, report.by_channel):
        assert sum((b.total for b in table), D(0)) == t.total
        assert sum(b.held for b in table) == t.held
    assert sum(b.hires for b in report.by_job) == t.hires == len(hires)
    assert report.hired_jobs_cost + report.unhired_jobs_cost == t.total
    assert report.trend[-1].total == t.total
    assert all(x.amount == x.amount.quantize(D("0.01")) for c in report.interviews for x in c.time)


# --- output ------------------------------------------------------------------------------


def test_json_has_exact_strings_and_the_definitions() -> None:
    interviews, hires = _world()
    data = to_json(build_report(NOV, interviews, hires, RATES, SH))
    json.dumps(data)  # serialisable as it is
    assert data["totals"]["total"] == "4089.50" and data["cost_per_hire"] == "3453.50"
    assert data["totals"]["per_hire"] == "3453.50" and data["unhired_jobs_cost"] == "636.00"
    first = data["interviews"][0]
    assert first["starts_at"] == "2026-11-03T10:00:00+08:00"
    assert first["interviewers"][1] == {"staff_id": 2, "name": "陈静", "title": "销售总监",
        "minutes": 60, "rate": "400.00", "rate_source": "grade 总监", "amount": "400.00"}  # fmt: skip
    assert data["by_channel"][-1]["per_hire"] in (None, "700.00")
    assert any("no-shows" in d for d in data["definitions"])


def test_text_report_lines_up() -> None:
    interviews, hires = _world()
    text = render_text(build_report(NOV, interviews, hires, RATES, SH, trend_months=2))
    assert "total 4,089.50" in text
    assert (
        "1 hires; per hire 3,453.50 (jobs that hired 3,453.50, jobs without a hire 636.00)" in text
    )
    assert "软件工程师 (eng)" in text
    assert "Monthly totals: 2026-10 0.00, 2026-11 4,089.50" in text


def test_workbook_reads_back_with_its_charts_and_its_totals_add_up(tmp_path: Path) -> None:
    interviews, hires = _world()
    report = build_report(NOV, interviews, hires, RATES, SH, trend_months=3)
    path = tmp_path / "report.xlsx"
    write_workbook(report, path)
    assert not list(tmp_path.glob(".*.tmp"))
    book = load_workbook(path)
    assert book.sheetnames == ["Summary", "By job", "By channel", "Interviews",
                               "Interviewer time", "Expenses", "Trend"]  # fmt: skip

    def money(value: object) -> D:
        return D(str(value)).quantize(D("0.01"))

    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True) if row[0]}
    assert money(summary["Total"]) == D("4089.50")
    assert money(summary["Cost per hire"]) == D("3453.50")

    jobs = book["By job"]
    assert len(jobs._charts) == 1 and isinstance(jobs._charts[0], BarChart)
    assert jobs._charts[0].grouping == "stacked" and len(jobs._charts[0].series) == 4
    rows = list(jobs.iter_rows(min_row=2, values_only=True))
    body, total = rows[:-1], rows[-1]
    assert [r[0] for r in body] == ["eng", "sales"] and total[0] == "Total"
    for column in range(4, 9):  # interviewer time, venue, travel, other, total
        assert sum(money(r[column]) for r in body) == money(total[column])
    assert money(total[8]) == D("4089.50")
    assert money(total[11]) == D("3453.50")  # per hire: the job without a hire is left out
    assert jobs.cell(2, 5).number_format == "#,##0.00"

    channels = list(book["By channel"].iter_rows(min_row=2, values_only=True))
    assert sum(money(r[8]) for r in channels[:-1]) == money(channels[-1][8]) == D("4089.50")

    listed = list(book["Interviews"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in listed[:-1]] == [1, 2, 3, 4, 5]
    assert listed[0][1] == datetime(2026, 11, 3, 10, 0)  # Shanghai wall-clock time
    assert sum(money(r[13]) for r in listed[:-1]) == money(listed[-1][13]) == D("4089.50")

    time = list(book["Interviewer time"].iter_rows(min_row=2, values_only=True))
    assert sum(money(r[7]) for r in time[:-1]) == money(time[-1][7]) == D("2700.00")
    assert (time[1][6], time[1][5]) == ("grade 总监", 400)

    expenses = list(book["Expenses"].iter_rows(min_row=2, values_only=True))
    assert money(expenses[-1][3]) == D("1389.50") == D("800.00") + D("553.50") + D("36.00")

    trend = book["Trend"]
    assert len(trend._charts) == 1 and isinstance(trend._charts[0], LineChart)
    assert [r[0] for r in trend.iter_rows(min_row=2, values_only=True)] == [
        "2026-09", "2026-10", "2026-11"]  # fmt: skip


def test_cli_refuses_a_bad_month(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["costs", "--month", "2026/11"]) == 2
    assert capsys.readouterr().err == "error: month must look like 2026-11, got '2026/11'\n"
    assert main(["costs", "--month", "2026-11", "--trend-months", "0"]) == 2
    assert "at least 1" in capsys.readouterr().err


# --- settings ----------------------------------------------------------------------------


def test_rates_come_from_config_yaml_and_the_environment(tmp_path: Path) -> None:
    costs = load_settings(env={"DATA_DIR": str(tmp_path)}).costs
    assert costs.default_hourly_rate == D("200.00") and costs.interviewer_overhead_minutes == 15
    assert costs.grade_rates["总监"] == D("400.00")
    env = {"DATA_DIR": str(tmp_path), "RECRUITING__COSTS__DEFAULT_HOURLY_RATE": "180.5",
           "RECRUITING__COSTS__GRADE_RATES__P7": "300"}  # fmt: skip
    costs = load_settings(env=env).costs
    assert costs.default_hourly_rate == D("180.5") and costs.grade_rates["p7"] == D(300)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("DEFAULT_HOURLY_RATE", "abc", "costs.default_hourly_rate must be an amount of yuan"),
        ("DEFAULT_HOURLY_RATE", "-1", "costs.default_hourly_rate must be an amount of yuan"),
        ("DEFAULT_HOURLY_RATE", "1.005", "costs.default_hourly_rate must have at most two"),
        ("GRADE_RATES__P7", "NaN", "costs.grade_rates.p7 must be an amount of yuan"),
        ("GRADE_RATES", "300", "costs.grade_rates must be a mapping"),
        ("INTERVIEWER_OVERHEAD_MINUTES", "-5", "costs.interviewer_overhead_minutes must be"),
    ],
)
def test_a_bad_rate_stops_the_start_naming_the_key(
    tmp_path: Path, key: str, value: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        load_settings(env={"DATA_DIR": str(tmp_path), f"RECRUITING__COSTS__{key}": value})
