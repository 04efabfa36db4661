"""Command line of the payroll core: ``python -m payroll_bridge <command>``.

offer    a year of estimated payslips for an offer: gross, contributions, tax, net, the
         year-end bonus taxed both ways, cost to company, the city data's source
cities   the cities with data, their periods, sources and what is unverified;
         ``cities import FILE`` adds a city's yearly notice (CSV or YAML, all or nothing),
         ``cities check`` lists what is stale or unverified today (exit code 1 if anything)
payslip  month-by-month withholding for wages that change during the year
costs    a month's interview costs (per interview, job, channel and hire) from the database
         (DATABASE_URL, rates in config.yaml ``costs``), as text or JSON and an Excel workbook

Errors print one line on stderr and exit with code 2.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from payroll_bridge.cities import CITIES_DIR, city_codes, load_city
from payroll_bridge.city_import import check_cities, import_notice
from payroll_bridge.costs import render as cost_render
from payroll_bridge.costs.compute import CostReport
from payroll_bridge.costs.expenses import record_expense
from payroll_bridge.costs.period import Month
from payroll_bridge.costs.service import load_report
from payroll_bridge.costs.workbook import write_workbook
from payroll_bridge.deductions import named_deductions
from payroll_bridge.estimate import estimate_year
from payroll_bridge.money import HUNDRED, ZERO, to_decimal
from payroll_bridge.offer import Offer
from payroll_bridge.payslip import parse_months, payslip_year
from payroll_bridge.report import city_json, payslip_json, payslip_text, render_text, to_json
from payroll_bridge.tax_tables import TaxRules, load_tax_rules
from recruiting.cli_support import OneLineParser, run_command
from recruiting.db import close_database, open_database
from recruiting.domain.roles import Role
from recruiting.errors import InvalidInput
from recruiting.infra.sealed_fields import install_cipher_for
from recruiting.services.shared.audit import Actor
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
    cities.add_argument("--data-dir", type=Path, default=CITIES_DIR, help=argparse.SUPPRESS)
    cities.set_defaults(func=_cities)
    actions = cities.add_subparsers(dest="action", parser_class=_Parser)
    imports = actions.add_parser("import", help="add a city's yearly notice (CSV or YAML)")
    imports.add_argument("file", type=Path)
    imports.add_argument("--dry-run", action="store_true", help="validate only")
    imports.set_defaults(func=_cities_import)
    check = actions.add_parser("check", help="list the cities whose data is stale or unverified")
    check.add_argument("--date", help="the day to check (default: today in China)")
    check.add_argument("--json", action="store_true", help="print JSON")
    check.set_defaults(func=_cities_check)
    _add_payslip(sub)
    _add_costs(sub)
    _add_expense(sub)
    return parser


def _add_offer(sub: argparse._SubParsersAction[_Parser]) -> None:
    cmd = sub.add_parser(
        "offer",
        help="estimate a year of payslips for an offer",
        description="Estimate monthly gross, social insurance, housing fund, tax and net.",
    )
    cmd.add_argument(
        "--city", required=True, help=f"code or Chinese name: {', '.join(city_codes())}"
    )
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
    cmd.add_argument(
        "--deductions", help="special additional deductions (专项附加扣除) a month, in total"
    )
    cmd.add_argument(
        "--deduction",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="one special additional deduction by name (children_education=2, housing_rent=1500,"
        " 赡养老人=3000); repeatable; per-child items take the number of children",
    )
    cmd.add_argument("--housing-fund-rate", help="e.g. 0.07 (default: the city's)")
    cmd.add_argument("--start-month", type=int, default=1, help="first month employed")
    cmd.add_argument("--year", type=int, help="tax year (default: this year in China)")
    cmd.add_argument("--json", action="store_true", help="print JSON")
    cmd.set_defaults(func=_offer)


def _offer(args: argparse.Namespace) -> int:
    probation_months = args.probation_months
    tax = load_tax_rules()
    year = tax.check_year(_today().year if args.year is None else args.year)
    deductions = _additional(tax, args.deductions, args.deduction)
    offer = Offer(
        city=load_city(args.city).code,
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
    estimate = estimate_year(offer, year, deductions)
    if args.json:
        print(json.dumps(to_json(estimate), ensure_ascii=False, indent=2))
    else:
        print(render_text(estimate))
    return 0


def _additional(tax: TaxRules, total: str | None, named: list[str]) -> Decimal:
    """The month's 专项附加扣除: a bounded total or the items by name, not both."""
    if total is not None and named:
        raise InvalidInput("give --deductions (a total) or --deduction items, not both")
    if total is not None:
        return tax.check_additional_total(to_decimal(total, "--deductions"))
    return sum(named_deductions(tax, named).values(), ZERO)


def _cities(args: argparse.Namespace) -> int:
    cities = [load_city(code, args.data_dir) for code in city_codes(args.data_dir)]
    if args.json:
        print(json.dumps([city_json(c) for c in cities], ensure_ascii=False, indent=2))
        return 0
    for city in cities:
        print(f"{city.code:<10} {city.name}  new-hire base: {city.new_hire_base}")
        for period in city.periods:
            state = "verified" if period.verified else "NOT VERIFIED"
            print(f"  {period.span}  {state}")
            if period.unverified:
                print(f"    unverified parts: {', '.join(period.unverified)}")
            print(f"    source: {period.source}")
    return 0


def _cities_import(args: argparse.Namespace) -> int:
    result = import_notice(args.file, args.data_dir, apply=not args.dry_run)
    for error in result.errors:
        print(f"error: {error}", file=sys.stderr)
    if result.errors:
        print(f"nothing imported: {len(result.errors)} error(s)", file=sys.stderr)
        return 2
    if args.dry_run:
        print("the notice is valid; nothing written (--dry-run)")
    for code, start in result.added:
        print(f"imported {code} from {start}")
    return 0


def _cities_check(args: argparse.Namespace) -> int:
    day = _date_arg(args.date, "--date") if args.date else _today()
    checks = check_cities(day, args.data_dir)
    if args.json:
        rows = [
            {
                "code": c.code,
                "name": c.name,
                "status": c.status,
                "period": c.period,
                "verified_until": c.verified_until and c.verified_until.isoformat(),
                "unverified_parts": list(c.unverified_parts),
                "ends_soon": c.ends_soon,
            }
            for c in checks
        ]
        print(json.dumps({"date": day.isoformat(), "cities": rows}, ensure_ascii=False, indent=2))
    else:
        for c in checks:
            note = {
                "verified": "ok",
                "unverified": "UNVERIFIED: the period is not confirmed against the notice",
                "stale": "STALE: no period covers this day; the latest earlier one is used",
            }[c.status]
            soon = "; the period ends soon and no later one is imported" if c.ends_soon else ""
            print(f"{c.code:<10} {day}  {c.period}  {note}{soon}")
    return 1 if any(c.needs_work for c in checks) else 0


def _today() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def _date_arg(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise InvalidInput(f"{what}: a date such as 2026-07-01, got {text!r}") from exc


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


def _add_payslip(sub: argparse._SubParsersAction[_Parser]) -> None:
    cmd = sub.add_parser(
        "payslip",
        help="month-by-month withholding for wages that change during the year",
        description="Each month's 专项扣除, cumulative taxable income, tax and net, and the "
        "year's totals, for wages given per month (raise, probation end, unpaid leave).",
    )
    cmd.add_argument(
        "--wage",
        action="append",
        required=True,
        metavar="MONTHS=AMOUNT",
        help="the wage of months, e.g. 1-3=16000 (probation), 4-12=20000; repeatable, a later "
        "one overrides earlier months (8=12000 for unpaid leave in August)",
    )
    cmd.add_argument("--year", type=int, help="tax year (default: this year in China)")
    cmd.add_argument("--city", help="city code or name; its periods give the 专项扣除")
    cmd.add_argument("--special", help="fixed 专项扣除 a month (employee SI + housing fund)")
    cmd.add_argument(
        "--contribution-base", help="declared contribution wage (default: the first month's)"
    )
    cmd.add_argument("--housing-fund-rate", help="e.g. 0.07 (default: the city's)")
    cmd.add_argument(
        "--deduction",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a special additional deduction by name (children_education=1, 住房租金=1500)",
    )
    cmd.add_argument(
        "--bonus", action="append", default=[], metavar="MONTH=AMOUNT", help="year-end bonus"
    )
    cmd.add_argument("--json", action="store_true", help="print JSON")
    cmd.set_defaults(func=_payslip)


def _payslip(args: argparse.Namespace) -> int:
    tax = load_tax_rules()
    year = tax.check_year(_today().year if args.year is None else args.year)
    wages: dict[int, Decimal] = {}
    for spec in args.wage:
        months, value = parse_months(spec, "--wage")
        amount = to_decimal(value, f"--wage {spec}")
        for month in months:
            wages[month] = amount  # a later --wage overrides: 1-12=20000 then 8=12000
    bonuses: dict[int, Decimal] = {}
    for spec in args.bonus:
        months, value = parse_months(spec, "--bonus")
        if len(months) != 1 or months[0] in bonuses:
            raise InvalidInput(f"--bonus {spec!r}: one month, once")
        bonuses[months[0]] = to_decimal(value, f"--bonus {spec}")
    slips = payslip_year(
        year,
        wages,
        tax=tax,
        city=load_city(args.city) if args.city else None,
        special=None if args.special is None else to_decimal(args.special, "--special"),
        contribution_wage=None
        if args.contribution_base is None
        else to_decimal(args.contribution_base, "--contribution-base"),
        housing_fund_rate=None
        if args.housing_fund_rate is None
        else to_decimal(args.housing_fund_rate, "--housing-fund-rate"),
        additional=named_deductions(tax, args.deduction),
        bonuses=bonuses,
    )
    if args.json:
        print(json.dumps(payslip_json(slips), ensure_ascii=False, indent=2))
    else:
        print(payslip_text(slips))
    return 0
