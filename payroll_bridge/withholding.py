"""Cumulative withholding of wage tax (累计预扣法, 国家税务总局公告2018年第61号 art. 6).

Each month the employer recomputes the tax on everything paid so far this year and withholds
the difference from what it has already withheld::

    cumulative taxable = income − 5,000 × months − special deductions (SI + housing fund)
                         − special additional deductions            (all cumulative)
    this month's tax   = max(0, table(cumulative taxable) − withheld so far)

If the cumulative tax falls below what was withheld (income dropped), the month's tax is 0
and the surplus stays withheld; only the annual settlement (汇算清缴) refunds it. That is why
the state carries ``withheld`` rather than the previous month's cumulative tax.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from payroll_bridge.money import ZERO
from payroll_bridge.tax_tables import TaxRules


class MonthTax(NamedTuple):
    """One month's withholding (a tuple: cheap to build, a dozen per year)."""

    months: int  # months of employment with this employer so far this year
    cumulative_income: Decimal
    cumulative_taxable: Decimal  # may be negative: deductions larger than income so far
    cumulative_tax: Decimal
    tax: Decimal  # withheld this month, never negative
    withheld: Decimal  # withheld this year including this month


class CumulativeWithholding:
    """One employee's withholding through one tax year, a month at a time."""

    __slots__ = ("_basic", "_deductions", "_income", "_months", "_table", "_withheld")

    def __init__(self, rules: TaxRules) -> None:
        self._table = rules.annual
        self._basic = rules.basic_deduction_monthly
        self._months = 0
        self._income = ZERO
        self._deductions = ZERO
        self._withheld = ZERO

    def copy(self) -> CumulativeWithholding:
        """An independent state from here on, to try an alternative for the rest of the year."""
        twin = CumulativeWithholding.__new__(CumulativeWithholding)
        for name in self.__slots__:
            setattr(twin, name, getattr(self, name))
        return twin

    def month(
        self, income: Decimal, special: Decimal = ZERO, additional: Decimal = ZERO
    ) -> MonthTax:
        """Withhold for the next month of employment.

        ``income``: wages paid this month (taxable); ``special``: the employee's social
        insurance and housing fund (专项扣除); ``additional``: the month's special additional
        deductions (专项附加扣除: children, elderly, housing, education, infant care).
        """
        self._months += 1
        self._income += income
        self._deductions += self._basic + special + additional
        taxable = self._income - self._deductions
        cumulative_tax = self._table.tax(taxable)
        tax = cumulative_tax - self._withheld
        if tax < ZERO:
            tax = ZERO
        self._withheld += tax
        return MonthTax(
            months=self._months,
            cumulative_income=self._income,
            cumulative_taxable=taxable,
            cumulative_tax=cumulative_tax,
            tax=tax,
            withheld=self._withheld,
        )


def withhold_year(
    rules: TaxRules,
    incomes: list[Decimal],
    special: Decimal = ZERO,
    additional: Decimal = ZERO,
) -> list[MonthTax]:
    """Withholding for consecutive months with the same deductions each month."""
    state = CumulativeWithholding(rules)
    return [state.month(income, special, additional) for income in incomes]
