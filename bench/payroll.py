"""Payroll-core benchmark: full-year net-pay estimates per second on ONE core.

Run from the repository root::

    .venv/bin/python bench/payroll.py              # 3 rounds of 2 s per measurement
    .venv/bin/python bench/payroll.py --seconds 5  # longer rounds on a noisy machine

The process pins itself to one core (``os.sched_setaffinity``, the last CPU unless
``--cpu N``). One "estimate" is ``estimate_year``: twelve payslips in ``Decimal`` with the
contributions of the city period covering each month (2025 crosses July, so Beijing and
Shanghai use two periods and the other cities a stale second half), cumulative withholding
run with the year-end bonus both separate and merged, the cheaper way chosen, and annual
totals. The workload cycles through 96 offers (six cities, four salaries, with and without
probation, bonus and performance pay).

The baseline, measured in the same run on the same core, is a naive float version of the
same calculation (same rules, no fen rounding, no records): it shows what the exact
``Decimal`` arithmetic and the typed results cost. Its nets are compared with ours as a
cross-check. Figures are printed, never asserted; the end says whether the issue's minimum
(5,000 estimates/s on one core) was met. See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from datetime import date  # noqa: E402

from payroll_bridge.cities import CityRules, load_city  # noqa: E402
from payroll_bridge.estimate import estimate_year  # noqa: E402
from payroll_bridge.offer import Offer  # noqa: E402
from payroll_bridge.tax_tables import Bracket, TaxRules, load_tax_rules  # noqa: E402

TARGET_PER_SECOND = 5000.0
YEAR = 2025
CITIES = ("beijing", "shanghai", "shenzhen", "guangzhou", "hangzhou", "chengdu")
BASES = ("8000", "15000", "30000", "60000")
DEDUCTIONS = Decimal(2000)


def workload() -> list[Offer]:
    offers = []
    for city in CITIES:
        for base in BASES:
            for variant in range(4):
                offers.append(
                    Offer(
                        city=city,
                        base=Decimal(base),
                        allowances=Decimal(800 if variant % 2 else 0),
                        performance_pct=Decimal(15 if variant >= 2 else 0),
                        bonus_months=Decimal((0, 1, 2, "3.5")[variant]),
                        probation_months=3 if variant % 2 else 0,
                        probation_pct=Decimal(80),
                    )
                )
    return offers


# -- the naive float baseline ------------------------------------------------------------


@dataclass(frozen=True)
class FloatRules:
    items: list[tuple[float, float, float, float | None, float]]  # ee, er, floor, cap, fixed
    fund: tuple[float, float | None, float]  # floor, cap, rate
    annual: list[tuple[float, float, float]]  # up_to, rate, quick
    monthly: list[tuple[float, float, float]]


def float_rules(city: CityRules, tax: TaxRules) -> FloatRules:
    def table(brackets: tuple[Bracket, ...]) -> list[tuple[float, float, float]]:
        return [
            (
                float("inf") if b.up_to is None else float(b.up_to),
                float(b.rate),
                float(b.quick_deduction),
            )
            for b in brackets
        ]

    fund = city.housing_fund
    return FloatRules(
        items=[
            (
                float(i.employee_rate),
                float(i.employer_rate),
                float(i.floor),
                None if i.cap is None else float(i.cap),
                float(i.employee_fixed),
            )
            for i in city.social_insurance
        ],
        fund=(
            float(fund.floor),
            None if fund.cap is None else float(fund.cap),
            float(fund.default_rate),
        ),
        annual=table(tax.annual.brackets),
        monthly=table(tax.monthly.brackets),
    )


def _table_tax(table: list[tuple[float, float, float]], amount: float) -> float:
    if amount <= 0:
        return 0.0
    for up_to, rate, quick in table:
        if amount <= up_to:
            return amount * rate - quick
    return 0.0


def naive_year(offer: Offer, months: list[FloatRules]) -> float:
    """The same year in floats, the obvious way (one rules object per month, since the
    city's period may change in July): returns the annual net."""
    base, allowances = float(offer.base), float(offer.allowances)
    pct = float(offer.performance_pct) / 100
    first = base * float(offer.probation_pct) / 100 if offer.probation_months else base
    wage_for_base = first + allowances + first * pct  # a new hire's first month's wage
    employees = []
    for rules in months:
        employee = 0.0
        for ee, _er, floor, cap, fixed in rules.items:
            b = min(max(wage_for_base, floor), cap if cap is not None else wage_for_base)
            employee += b * ee + fixed
        floor, cap, rate = rules.fund
        fund_base = min(max(wage_for_base, floor), cap if cap is not None else wage_for_base)
        employees.append(employee + fund_base * rate)
    rules = months[0]
    wages = []
    for month in range(1, 13):
        pay = base * float(offer.probation_pct) / 100 if month <= offer.probation_months else base
        performance = 0.0
        if month % 3 == 0:
            performance = sum(
                (base * float(offer.probation_pct) / 100 if m <= offer.probation_months else base)
                * pct
                for m in range(month - 2, month + 1)
            )
        wages.append(pay + allowances + performance)
    bonus = base * float(offer.bonus_months)

    def withheld(merge: bool) -> float:
        income = deductions = withheld_total = 0.0
        for month, wage in enumerate(wages, start=1):
            income += wage + (bonus if merge and month == 12 else 0.0)
            deductions += 5000 + employees[month - 1] + float(DEDUCTIONS)
            withheld_total = max(withheld_total, _table_tax(rules.annual, income - deductions))
        return withheld_total

    separate = 0.0
    if bonus > 0:
        for up_to, rate, quick in rules.monthly:
            if bonus / 12 <= up_to:
                separate = bonus * rate - quick
                break
    tax = min(withheld(False) + separate, withheld(True))
    return sum(wages) + bonus - sum(employees) - tax


# -- measuring ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    per_cpu_second: float
    per_wall_second: float


def measure(run_one: Callable[[int], object], count: int, seconds: float, rounds: int) -> Rate:
    """Best of ``rounds``: each round repeats ``run_one(i)`` for about ``seconds``."""
    best = Rate(0.0, 0.0)
    for _ in range(rounds):
        done = 0
        wall0, cpu0 = time.perf_counter(), time.thread_time()
        while time.perf_counter() - wall0 < seconds:
            for i in range(count):
                run_one(i)
            done += count
        wall, cpu = time.perf_counter() - wall0, time.thread_time() - cpu0
        if done / cpu > best.per_cpu_second:
            best = Rate(done / cpu, done / wall)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=2.0, help="length of one round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per measurement; best counts")
    parser.add_argument("--cpu", type=int, help="core to pin to (default: the last one)")
    args = parser.parse_args(argv)
    cpu = args.cpu if args.cpu is not None else max(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})

    offers = workload()
    tax = load_tax_rules()
    cities = {code: load_city(code) for code in CITIES}
    floats = {
        code: [float_rules(city.period_for(date(YEAR, m, 1)).rules, tax) for m in range(1, 13)]
        for code, city in cities.items()
    }
    for offer in offers:  # warm caches and check every offer is lawful
        estimate_year(offer, YEAR, DEDUCTIONS)

    def ours(i: int) -> object:
        offer = offers[i]
        return estimate_year(offer, YEAR, DEDUCTIONS, city=cities[offer.city], tax_rules=tax)

    def naive(i: int) -> object:
        offer = offers[i]
        return naive_year(offer, floats[offer.city])

    gap = max(
        abs(float(estimate_year(o, YEAR, DEDUCTIONS).totals.net) - naive_year(o, floats[o.city]))
        for o in offers
    )
    print(f"payroll benchmark: {len(offers)} offers, tax year {YEAR}, pinned to CPU {cpu}")
    print(f"load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    rate = measure(ours, len(offers), args.seconds, args.rounds)
    base = measure(naive, len(offers), args.seconds, args.rounds)
    print()
    print(f"{'':32} {'per CPU second':>15} {'per wall second':>16}")
    for label, r in (("estimate_year (Decimal)", rate), ("baseline: naive float year", base)):
        print(f"{label:32} {r.per_cpu_second:>15,.0f} {r.per_wall_second:>16,.0f}")
    print(f"{'ratio ours / baseline':32} {rate.per_cpu_second / base.per_cpu_second:>15.2f}")
    print(f"largest annual-net gap between the two: {gap:.2f} yuan (fen rounding)")
    print()
    met = rate.per_cpu_second >= TARGET_PER_SECOND
    verdict = "met" if met else "NOT met"
    print(
        f"verdict: ≥ {TARGET_PER_SECOND:,.0f} full-year estimates/s on one core: {verdict} "
        f"({rate.per_cpu_second:,.0f}/s of CPU time; {rate.per_wall_second:,.0f}/s wall)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
