"""Command line of the payroll core: ``python -m payroll_bridge <command>``.

offer    a year of estimated payslips for an offer: gross, contributions, tax, net, the
         year-end bonus taxed both ways, cost to company, the city data's source
cities   the cities with data, their effective dates, sources and what is unverified
costs    a month's interview costs (per interview, job, channel and hire) from the database
         (DATABASE_URL, rates in config.yaml ``costs``), as text or JSON and an Excel workbook

Errors print one line on stderr and exit with code 2.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from payroll_bridge.cities import city_codes, load_city
from payroll_bridge.costs import render as cost_render
from payroll_bridge.costs.compute import CostReport
from payroll_bridge.costs.expenses import record_expense
from payroll_bridge.costs.period import Month
from payroll_bridge.costs.service import load_report
from payroll_bridge.costs.workbook import write_workbook
from payroll_bridge.estimate import estimate_year
from payroll_bridge.money import HUNDRED, ZERO, to_decimal
from payroll_bridge.offer import Offer
from payroll_bridge.report import city_json, render_text, to_json
from recruiting.cli_support import OneLineParser, run_command
from recruiting.db import close_database, open_database
from recruiting.domain.roles import Role
from recruiting.errors import InvalidInput
from recruiting.infra.sealed_fields import install_cipher_for
from recruiting.services.audit import Actor
from recruiting.settings import load_settings

_Parser = OneLineParser


def main(argv: Sequence[str] | None = None) -> int:
    return run_command(build_parser().parse_args(argv))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m payroll_bridge",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    _add_offer(sub)
    cities = sub.add_parser("cities", help="list the cities with data and their sources")
    cities.add_argument("--json", action="store_true", help="print JSON")
    cities.set_defaults(func=_cities)
    _add_costs(sub)
    _add_expense(sub)
    return parser


def _add_offer(sub: argparse._SubParsersAction[_Parser]) -> None:
    cmd = sub.add_parser(
        "offer",
        help="estimate a year of payslips for an offer",
        description="Estimate monthly gross, social insurance, housing fund, tax and net.",
    )
    cmd.add_argument("--city", required=True, help=f"one of: {', '.join(city_codes())}")
    cmd.add_argument("--base", required=True, help="monthly base salary (yuan)")
    cmd.add_argument("--bonus-months", default="0", help="year-end bonus in months of base")
    cmd.add_argument("--bonus-month", type=int, default=12, help="month the bonus is paid")
    cmd.add_argument("--performance-pct", default="0", help="performance target, %% of base")
    cmd.add_argument(
        "--performance-schedule", choices=("quarterly", "monthly"), default="quarterly"
    )
    cmd.add_argument(
        "--allowance", action="append", default=[], help="taxable monthly allowance; repeatable"
    )
    cmd.add_argument("--probation-months", type=int, default=0)
    cmd.add_argument("--probation-pct", default="80", help="probation pay, %% of base (≥ 80)")
    cmd.add_argument("--deductions", default="0", help="special additional deductions/month")
    cmd.add_argument("--housing-fund-rate", help="e.g. 0.07 (default: the city's)")
    cmd.add_argument("--start-month", type=int, default=1, help="first month employed")
    cmd.add_argument("--year", type=int, help="tax year (default: this year in China)")
    cmd.add_argument("--json", action="store_true", help="print JSON")
    cmd.set_defaults(func=_offer)


def _offer(args: argparse.Namespace) -> int:
    probation_months = args.probation_months
    offer = Offer(
        city=args.city.strip().lower(),
        base=to_decimal(args.base, "--base"),
        performance_pct=to_decimal(args.performance_pct, "--performance-pct"),
        performance_schedule=args.performance_schedule,
        allowances=sum((to_decimal(a, "--allowance") for a in args.allowance), ZERO),
        bonus_months=to_decimal(args.bonus_months, "--bonus-months"),
        bonus_month=args.bonus_month,
        probation_months=probation_months,
        probation_pct=to_decimal(args.probation_pct, "--probation-pct")
        if probation_months
        else HUNDRED,
        housing_fund_rate=None
        if args.housing_fund_rate is None
        else to_decimal(args.housing_fund_rate, "--housing-fund-rate"),
        start_month=args.start_month,
    )
    year = args.year or datetime.now(ZoneInfo("Asia/Shanghai")).year
    estimate = estimate_year(offer, year, to_decimal(args.deductions, "--deductions"))
    if args.json:
        print(json.dumps(to_json(estimate), ensure_ascii=False, indent=2))
    else:
        print(render_text(estimate))
    return 0


def _cities(args: argparse.Namespace) -> int:
    cities = [load_city(code) for code in city_codes()]
    if args.json:
        print(json.dumps([city_json(c) for c in cities], ensure_ascii=False, indent=2))
        return 0
    for city in cities:
        until = city.effective_until.isoformat() if city.effective_until else "open"
        state = "verified" if not city.unverified and city.verified else "NOT fully verified"
        print(f"{city.code:<10} {city.name}  {city.effective_from} .. {until}  {state}")
        if city.unverified:
            print(f"           unverified: {', '.join(city.unverified)}")
        print(f"           source: {city.source}")
    return 0


def _add_costs(sub: argparse._SubParsersAction[_Parser]) -> None:
    cmd = sub.add_parser(
        "costs",
        help="a month's interview costs, as text or JSON and an Excel workbook",
        description="Interview costs of one month in the tenant's time zone: interviewers' "
        "time, venues, travel; per interview, job, channel and hire.",
    )
    cmd.add_argument("--month", required=True, help="e.g. 2026-11")
    cmd.add_argument("--out", help="write the Excel workbook here (e.g. report.xlsx)")
    cmd.add_argument("--json", action="store_true", help="print JSON")
    cmd.add_argument(
        "--trend-months", type=int, default=12, help="months in the trend, ending with --month"
    )
    cmd.set_defaults(func=_costs)


def _add_expense(sub: argparse._SubParsersAction[_Parser]) -> None:
    cmd = sub.add_parser(
        "expense",
        help="record a venue booking or a candidate's travel for an interview",
        description="Record an interview expense (venue, travel, other); audited.",
    )
    cmd.add_argument("--interview", type=int, required=True, help="interview id")
    cmd.add_argument("--kind", required=True, choices=["venue", "travel", "other"])
    cmd.add_argument("--amount", required=True, help="e.g. 553.50")
    cmd.add_argument("--currency", default="CNY")
    cmd.add_argument("--note", default="")
    cmd.add_argument("--by", default="operator", help="who records it (WeCom userid)")
    cmd.set_defaults(func=_expense)


def _expense(args: argparse.Namespace) -> int:
    async def run() -> str:
        settings = load_settings()
        install_cipher_for(settings)
        await open_database(settings.database_url)
        try:
            # An operator on the command line acts for finance (they hold the database).
            actor = Actor(args.by, frozenset({Role.FINANCE}))
            cost = await record_expense(actor, args.interview, args.kind, args.amount,
                                        currency=args.currency, note=args.note)  # fmt: skip
            return (
                f"recorded {cost.kind} {cost.amount} {cost.currency} for interview {args.interview}"
            )
        finally:
            await close_database()

    print(asyncio.run(run()))
    return 0


def _costs(args: argparse.Namespace) -> int:
    month = Month.parse(args.month)
    if args.trend_months < 1:
        raise InvalidInput("--trend-months must be at least 1")
    report = asyncio.run(_cost_report(month, args.trend_months))
    if args.out:
        try:
            write_workbook(report, Path(args.out))
        except OSError as exc:
            raise InvalidInput(f"--out: cannot write {args.out}: {exc.strerror or exc}") from exc
    if args.json:
        print(json.dumps(cost_render.to_json(report), ensure_ascii=False, indent=2))
    else:
        print(cost_render.render_text(report))
        if args.out:
            print(f"Workbook: {args.out}")
    return 0


async def _cost_report(month: Month, trend_months: int) -> CostReport:
    """As an operator: whoever holds DATABASE_URL may read it all, so no role is checked."""
    settings = load_settings()
    install_cipher_for(settings)
    await open_database(settings.database_url)
    try:
        return await load_report(
            month, settings=settings.costs, zone=settings.timezone, trend_months=trend_months
        )
    finally:
        await close_database()
