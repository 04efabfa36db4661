"""The monthly cost report as an Excel workbook for finance: a summary with the definitions,
tables by job and by channel, every interview, every interviewer's priced time, every
expense, and the monthly totals, with a chart of the cost per job and one of the trend.

Figures are written as numbers (not formulas) so any reader, not only Excel, sees them;
each table's total row is the sum of the rows above it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime, tzinfo
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from payroll_bridge.costs.compute import CURRENCY, NIL, Breakdown, CostReport
from payroll_bridge.costs.render import DEFINITIONS
from recruiting import clock
from recruiting.models.costs import CostKind

MONEY = "#,##0.00"
BOLD = Font(bold=True)
Cell = str | int | Decimal | datetime | None

BREAKDOWN_HEADER = ("Held", "No-shows", "Interviewer time", "Venue", "Travel", "Other",
                    "Total", "Per held interview", "Hires", "Per hire")  # fmt: skip
_BREAKDOWN_MONEY = (5, 6, 7, 8, 9, 10, 12)  # columns of amounts (1-based), after two keys


def write_workbook(report: CostReport, path: Path) -> None:
    """Save next to ``path`` and rename, so a reader never opens half a file."""
    temporary = path.with_name(f".{path.name}.tmp")
    build_workbook(report).save(temporary)
    os.replace(temporary, path)


def build_workbook(report: CostReport) -> Workbook:
    book = Workbook()
    summary = book.active
    assert summary is not None  # a new workbook always has one sheet
    summary.title = "Summary"
    _summary(summary, report)
    jobs = book.create_sheet("By job")
    _breakdowns(jobs, ("Job code", "Job"), report.by_job, report.totals)
    if report.by_job:
        _job_chart(jobs, report)
    _breakdowns(book.create_sheet("By channel"), ("Channel", ""), report.by_channel,
                report.totals)  # fmt: skip
    _interviews(book.create_sheet("Interviews"), report)
    _time(book.create_sheet("Interviewer time"), report)
    _expenses(book.create_sheet("Expenses"), report)
    _trend(book.create_sheet("Trend"), report)
    return book


def _summary(ws: Worksheet, report: CostReport) -> None:
    t, s = report.totals, report.settings
    ws.append([f"Interview costs {report.month}"])
    ws["A1"].font = Font(bold=True, size=14)
    made = _local(clock.now(), report.zone)
    ws.append([f"{CURRENCY}; times in {report.zone}; made {made:%Y-%m-%d %H:%M}"])
    ws.append([])
    rows: list[tuple[str, Cell]] = [
        ("Interviewer time", t.interviewer_time),
        ("Venue", t.venue),
        ("Travel", t.travel),
        ("Other", t.other),
        ("Total", t.total),
        ("Interviews held", t.held),
        ("No-shows (time charged)", t.no_shows),
        ("Cost per held interview", t.per_interview),
        ("Hires", t.hires),
        ("Cost per hire", report.cost_per_hire),
        ("Cost of jobs that hired", report.hired_jobs_cost),
        ("Cost of jobs without a hire", report.unhired_jobs_cost),
        ("", None),
        ("Default hourly rate", s.default_hourly_rate),
        ("Overhead per interviewer (minutes)", s.interviewer_overhead_minutes),
        *((f"Hourly rate of grade {g}", r) for g, r in s.grade_rates.items()),
    ]
    for label, value in rows:
        ws.append([label, value])
        if isinstance(value, Decimal):
            ws.cell(ws.max_row, 2).number_format = MONEY
        if label == "Total":
            ws.cell(ws.max_row, 1).font = ws.cell(ws.max_row, 2).font = BOLD
    ws.append([])
    ws.append(["Definitions"])
    ws.cell(ws.max_row, 1).font = BOLD
    for text in DEFINITIONS:
        ws.append([text])
    if report.excluded:
        ws.append([])
        ws.append([f"Not summed: expenses not in {CURRENCY}"])
        ws.cell(ws.max_row, 1).font = BOLD
        for interview_id, e in report.excluded:
            ws.append([f"interview {interview_id}: {e.kind.value} {e.amount} {e.currency}"])
    _widths(ws, [36, 16])


def _breakdowns(
    ws: Worksheet, keys: tuple[str, str], rows: Sequence[Breakdown], totals: Breakdown
) -> None:
    _header(ws, [*keys, *BREAKDOWN_HEADER])
    for b in rows:
        ws.append(_breakdown_row(b.key, b.label if keys[1] else "", b))
    ws.append(_breakdown_row("Total", "", totals))
    for cell in ws[ws.max_row]:
        cell.font = BOLD
    _money(ws, _BREAKDOWN_MONEY)
    _widths(ws, [18, 24, 8, 10, 16, 12, 12, 12, 14, 18, 8, 14])


def _breakdown_row(key: str, label: str, b: Breakdown) -> list[Cell]:
    return [key, label, b.held, b.no_shows, b.interviewer_time, b.venue, b.travel, b.other,
            b.total, b.per_interview, b.hires, b.per_hire]  # fmt: skip


def _job_chart(ws: Worksheet, report: CostReport) -> None:
    """Stacked bars: each job's cost by kind (interviewer time, venue, travel, other)."""
    last = len(report.by_job) + 1
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = f"Interview cost per job, {report.month} ({CURRENCY})"
    chart.add_data(Reference(ws, min_col=5, max_col=8, min_row=1, max_row=last),
                   titles_from_data=True)  # fmt: skip
    chart.set_categories(Reference(ws, min_col=2, min_row=2, max_row=last))
    chart.height = max(7.5, 1.2 * len(report.by_job) + 3)
    chart.width = 20
    ws.add_chart(chart, f"A{last + 3}")


def _interviews(ws: Worksheet, report: CostReport) -> None:
    _header(ws, ["Interview", f"Start ({report.zone})", "Job code", "Job", "Channel", "Round",
                 "Status", "Minutes", "Interviewers", "Interviewer time", "Venue", "Travel",
                 "Other", "Total", "Application"])  # fmt: skip
    for c in report.interviews:
        f = c.facts
        ws.append([f.interview_id, _local(f.starts_at, report.zone), f.job_code, f.job_title,
                   f.channel, f.round_name, f.status.value, c.minutes, len(c.time),
                   c.interviewer_time, c.expense(CostKind.VENUE), c.expense(CostKind.TRAVEL),
                   c.expense(CostKind.OTHER), c.total, f.application_id])  # fmt: skip
    t = report.totals
    ws.append(["Total", None, None, None, None, None, None, None, None, t.interviewer_time,
               t.venue, t.travel, t.other, t.total])  # fmt: skip
    for cell in ws[ws.max_row]:
        cell.font = BOLD
    _money(ws, [10, 11, 12, 13, 14])
    for row in ws.iter_rows(min_row=2, min_col=2, max_col=2):
        row[0].number_format = "yyyy-mm-dd hh:mm"
    _widths(ws, [10, 17, 14, 20, 12, 12, 12, 8, 12, 16, 12, 12, 12, 14, 12])


def _time(ws: Worksheet, report: CostReport) -> None:
    _header(ws, ["Interview", "Staff id", "Interviewer", "Title", "Minutes", "Hourly rate",
                 "Rate from", "Amount"])  # fmt: skip
    for c in report.interviews:
        for t in c.time:
            p = t.interviewer
            ws.append([c.facts.interview_id, p.staff_id, p.name, p.title, t.minutes, t.rate,
                       t.rate_source, t.amount])  # fmt: skip
    ws.append(["Total", None, None, None, None, None, None, report.totals.interviewer_time])
    for cell in ws[ws.max_row]:
        cell.font = BOLD
    _money(ws, [6, 8])
    _widths(ws, [10, 10, 14, 16, 9, 12, 14, 12])


def _expenses(ws: Worksheet, report: CostReport) -> None:
    _header(ws, ["Interview", "Id", "Kind", "Amount", "Currency", "Note", "Recorded by",
                 f"Recorded at ({report.zone})"])  # fmt: skip
    total = NIL
    for c in report.interviews:
        for e in c.expenses:
            total += e.amount
            ws.append([c.facts.interview_id, e.cost_id, e.kind.value, e.amount, e.currency,
                       e.note, e.recorded_by, _local(e.recorded_at, report.zone)])  # fmt: skip
    ws.append(["Total", None, None, total, CURRENCY])
    for cell in ws[ws.max_row]:
        cell.font = BOLD
    _money(ws, [4])
    for row in ws.iter_rows(min_row=2, min_col=8, max_col=8):
        row[0].number_format = "yyyy-mm-dd hh:mm"
    _widths(ws, [10, 8, 8, 12, 9, 40, 14, 17])


def _trend(ws: Worksheet, report: CostReport) -> None:
    _header(ws, ["Month", "Held", "Total", "Hires"])
    for p in report.trend:
        ws.append([str(p.month), p.held, p.total, p.hires])
    _money(ws, [3])
    _widths(ws, [10, 8, 14, 8])
    last = len(report.trend) + 1
    chart = LineChart()
    chart.title = f"Monthly interview cost ({CURRENCY})"
    chart.y_axis.title = CURRENCY
    chart.add_data(Reference(ws, min_col=3, min_row=1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=last))
    chart.width = 20
    ws.add_chart(chart, "F2")


def _header(ws: Worksheet, names: Sequence[str]) -> None:
    ws.append(list(names))
    for cell in ws[1]:
        cell.font = BOLD
    ws.freeze_panes = "A2"


def _money(ws: Worksheet, columns: Sequence[int]) -> None:
    for column in columns:
        for row in ws.iter_rows(min_row=2, min_col=column, max_col=column):
            row[0].number_format = MONEY


def _widths(ws: Worksheet, widths: Sequence[int]) -> None:
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def _local(at: datetime | None, zone: tzinfo) -> datetime | None:
    """Excel has no time zones: the tenant's wall-clock time, named in the header."""
    return None if at is None else at.astimezone(zone).replace(tzinfo=None)
