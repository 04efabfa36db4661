"""An offer package: what the company promises to pay, checked against labour law.

Choices made here (shown by the CLI):

- The performance bonus is a target percentage of the month's base pay, paid at 100%
  achievement. ``quarterly`` (default) pays each quarter's accrued amount with the wages of
  its last month (March, June, September, December); ``monthly`` pays it every month.
- Allowances (meal, transport, housing) are taxable cash, paid in full during probation.
- The year-end bonus is N months of the full base salary, paid in ``bonus_month``; it is not
  prorated for a partial first year (proration is company policy, so the offer states the
  amount it means).
- Probation pays ``probation_pct`` of the base salary for ``probation_months`` months.
  劳动合同法 art. 19-20: probation is at most 6 months, and probation pay is at least 80% of
  the agreed wage and at least the local minimum wage.
- Amounts are bounded (``MAX_MONTHLY_AMOUNT``, ``MAX_BONUS_MONTHS``): a figure beyond them is
  a typo, and unbounded ones would overflow the fen arithmetic instead of being refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from payroll_bridge.cities import CityRules
from payroll_bridge.money import HUNDRED, ZERO, fen
from recruiting.errors import InvalidInput

Schedule = Literal["monthly", "quarterly"]
MIN_PROBATION_PCT = Decimal(80)
MAX_PROBATION_MONTHS = 6
QUARTER_ENDS = (3, 6, 9, 12)
MAX_MONTHLY_AMOUNT = Decimal(1_000_000)  # yuan a month: base or allowances
MAX_BONUS_MONTHS = Decimal(24)


@dataclass(frozen=True, slots=True)
class Offer:
    """The terms of one offer; amounts are yuan per month unless their name says otherwise."""

    city: str
    base: Decimal  # agreed monthly base salary after probation
    performance_pct: Decimal = ZERO  # target, % of the month's base pay
    performance_schedule: Schedule = "quarterly"
    allowances: Decimal = ZERO  # taxable monthly allowances in total
    bonus_months: Decimal = ZERO  # year-end bonus in months of base
    bonus_month: int = 12
    probation_months: int = 0
    probation_pct: Decimal = HUNDRED
    housing_fund_rate: Decimal | None = None  # None: the city's default
    start_month: int = 1  # first month of employment in the tax year

    def __post_init__(self) -> None:
        for name in ("base", "allowances"):
            if not -MAX_MONTHLY_AMOUNT <= getattr(self, name) <= MAX_MONTHLY_AMOUNT:
                raise InvalidInput(f"{name} must be at most {MAX_MONTHLY_AMOUNT:,} yuan a month")
        if not ZERO <= self.bonus_months <= MAX_BONUS_MONTHS:
            raise InvalidInput(f"bonus_months must be 0..{MAX_BONUS_MONTHS}")
        if self.housing_fund_rate is not None and not ZERO <= self.housing_fund_rate < 1:
            raise InvalidInput("housing_fund_rate is a fraction such as 0.07")
        for name in ("base", "allowances"):  # amounts print as fen from here on
            object.__setattr__(self, name, fen(getattr(self, name)))
        if self.base <= ZERO:
            raise InvalidInput("base salary must be positive")
        for name in ("performance_pct", "allowances", "bonus_months"):
            if getattr(self, name) < ZERO:
                raise InvalidInput(f"{name} cannot be negative")
        if self.performance_pct > HUNDRED * 10:
            raise InvalidInput("performance_pct is a percentage of base (at most 1000)")
        if self.performance_schedule not in ("monthly", "quarterly"):
            raise InvalidInput("performance_schedule is monthly or quarterly")
        for name in ("bonus_month", "start_month"):
            if not 1 <= getattr(self, name) <= 12:
                raise InvalidInput(f"{name} must be 1..12")
        if not 0 <= self.probation_months <= MAX_PROBATION_MONTHS:
            raise InvalidInput("probation is 0..6 months (劳动合同法 art. 19)")
        if not MIN_PROBATION_PCT <= self.probation_pct <= HUNDRED:
            raise InvalidInput("probation pay must be 80%..100% of base (劳动合同法 art. 20)")

    @property
    def monthly_performance(self) -> Decimal:
        return fen(self.base * self.performance_pct / HUNDRED)

    @property
    def monthly_gross(self) -> Decimal:
        """Regular monthly pay after probation, performance at target, no year-end bonus.

        This is the contribution base of a new hire (clamped by the city's limits)."""
        return self.base + self.allowances + self.monthly_performance

    @property
    def first_month_wage(self) -> Decimal:
        """The first month's regular pay (probation pay if on probation, performance at
        target, no bonus): a new hire's contribution base where the city says so."""
        base = self.base_pay(self.start_month)
        return base + self.allowances + fen(base * self.performance_pct / HUNDRED)

    @property
    def year_end_bonus(self) -> Decimal:
        return fen(self.base * self.bonus_months)

    @property
    def probation_base(self) -> Decimal:
        return fen(self.base * self.probation_pct / HUNDRED)

    def base_pay(self, month: int) -> Decimal:
        """Base salary paid in calendar ``month`` (probation pay in the first months)."""
        in_probation = month - self.start_month < self.probation_months
        return self.probation_base if in_probation else self.base

    def pay_schedule(self) -> tuple[tuple[int, Decimal, Decimal], ...]:
        """(calendar month, base pay, performance bonus paid) for each month employed.

        Quarterly performance is paid with the wages of the quarter's last month, for the
        months of that quarter the employee worked."""
        months = range(self.start_month, 13)
        bases = [self.base_pay(m) for m in months]
        rate = self.performance_pct / HUNDRED
        earned = [fen(b * rate) for b in bases] if rate else [ZERO] * len(bases)
        if self.performance_schedule == "monthly" or not rate:
            return tuple(zip(months, bases, earned, strict=True))
        paid = []
        accrued = ZERO
        for month, amount in zip(months, earned, strict=True):
            accrued += amount
            paid.append(accrued if month in QUARTER_ENDS else ZERO)
            if month in QUARTER_ENDS:
                accrued = ZERO
        return tuple(zip(months, bases, paid, strict=True))

    def check_against(self, rules: CityRules) -> None:
        """Probation pay must reach the city's minimum wage (InvalidInput otherwise)."""
        minimum = rules.minimum_wage.amount
        if self.probation_months and self.probation_base < minimum:
            raise InvalidInput(  # HR reads it in the offer chat
                f"试用期月薪 {self.probation_base} 元低于{rules.name}的最低工资标准 {minimum} 元"
                "（劳动合同法第二十条）"
            )
        if self.base < minimum:
            raise InvalidInput(f"月薪 {self.base} 元低于{rules.name}的最低工资标准 {minimum} 元")
