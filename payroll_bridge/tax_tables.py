"""The individual income tax tables, read from ``data/iit.yaml``.

Rates and brackets are statute and live in the data file with their sources; this module
only checks them (each quick deduction must follow from the brackets below it, so a typo
cannot mis-tax silently) and looks amounts up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import yaml

from payroll_bridge.money import ZERO, fen, to_decimal
from recruiting.errors import ConfigError, InvalidInput, RecruitingError

DATA_DIR = Path(__file__).resolve().parent / "data"
IIT_PATH = DATA_DIR / "iit.yaml"


@dataclass(frozen=True, slots=True)
class Bracket:
    """Taxable amounts up to ``up_to`` (inclusive; None = no limit) pay ``rate``."""

    up_to: Decimal | None
    rate: Decimal
    quick_deduction: Decimal


@dataclass(frozen=True, slots=True)
class TaxTable:
    """A progressive table applied as ``amount × rate − quick deduction``."""

    name: str
    brackets: tuple[Bracket, ...]

    def bracket_for(self, amount: Decimal) -> Bracket:
        for bracket in self.brackets:
            if bracket.up_to is None or amount <= bracket.up_to:
                return bracket
        raise AssertionError("the last bracket has no limit")  # checked at load

    def tax(self, amount: Decimal) -> Decimal:
        """Tax on ``amount`` rounded to the fen; nothing on zero or less."""
        if amount <= ZERO:
            return ZERO
        bracket = self.bracket_for(amount)
        return fen(amount * bracket.rate - bracket.quick_deduction)


@dataclass(frozen=True, slots=True)
class DeductionItem:
    """One special additional deduction (专项附加扣除) and its monthly legal maximum."""

    name: str
    label: str
    monthly: Decimal
    per_child: bool = False
    excludes: str = ""


@dataclass(frozen=True, slots=True, eq=False)  # identity: cached per loaded file
class TaxRules:
    """Everything the withholding and bonus calculations need, with its provenance."""

    basic_deduction_monthly: Decimal
    annual: TaxTable  # 综合所得税率表 = 预扣率表一 for cumulative withholding
    monthly: TaxTable  # 按月换算后的综合所得税率表, for the separately taxed bonus
    separate_bonus_until: date
    source: str
    first_year: int = 2019
    last_year: int = 2030
    deductions: tuple[DeductionItem, ...] = ()
    total_assumes_children: int = 3

    def separate_bonus_allowed(self, year: int) -> bool:
        return year <= self.separate_bonus_until.year

    def check_year(self, year: int) -> int:
        """InvalidInput unless the tables are known to apply to tax ``year``."""
        if not self.first_year <= year <= self.last_year:
            raise InvalidInput(
                f"tax year {year} is not covered: the tables apply to "
                f"{self.first_year}..{self.last_year}"
            )
        return year

    def max_additional_total(self, children: int | None = None) -> Decimal:
        """The largest legal monthly total of 专项附加扣除 with ``children`` in each per-child
        item (default: what a total given without names may assume)."""
        by_name = {d.name: d for d in self.deductions}
        total = ZERO
        for item in self.deductions:
            count = (
                (self.total_assumes_children if children is None else children)
                if item.per_child
                else 1
            )
            total += item.monthly * count
            if item.excludes in by_name:  # of two exclusive items only the larger counts
                total -= min(item.monthly, by_name[item.excludes].monthly)
        return total

    def check_additional_total(self, amount: Decimal, children: int | None = None) -> Decimal:
        """InvalidInput unless ``amount`` is a possible monthly total (see above)."""
        limit = _limit(self, children)
        if not ZERO <= amount <= limit:
            if children is not None:
                raise InvalidInput(f"special additional deductions must be 0..{limit:,} a month")
            raise InvalidInput(
                f"special additional deductions must be 0..{limit:,} a "
                f"month (each item at its legal maximum, {self.total_assumes_children} "
                "children); give the items by name for more children"
            )
        return amount


@lru_cache(maxsize=16)
def _limit(rules: TaxRules, children: int | None) -> Decimal:
    """``max_additional_total`` once per rules and count: every estimate checks it."""
    return rules.max_additional_total(children)


@lru_cache(maxsize=4)
def load_tax_rules(path: Path = IIT_PATH) -> TaxRules:
    """Parse and check the tax file once per process; errors name the file and the entry."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return TaxRules(
            basic_deduction_monthly=to_decimal(data["basic_deduction_monthly"], "basic"),
            annual=_table("annual_comprehensive", data["annual_comprehensive"]),
            monthly=_table("monthly_converted", data["monthly_converted"]),
            separate_bonus_until=_date(data["separate_bonus_taxation_until"]),
            source=str(data["source"]).strip(),
            first_year=int(data["tax_years"]["first"]),
            last_year=int(data["tax_years"]["last"]),
            deductions=tuple(
                DeductionItem(
                    name=str(name),
                    label=str(entry["label"]),
                    monthly=to_decimal(entry["monthly"], f"{name}.monthly"),
                    per_child=bool(entry.get("per_child", False)),
                    excludes=str(entry.get("excludes") or ""),
                )
                for name, entry in data["special_additional_deductions"].items()
            ),
            total_assumes_children=int(data["total_assumes_children"]),
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError, RecruitingError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def _table(name: str, rows: Any) -> TaxTable:
    if not isinstance(rows, list) or not rows:
        raise ValueError(f"{name}: needs a list of brackets")
    brackets = tuple(
        Bracket(
            up_to=None if row["up_to"] is None else to_decimal(row["up_to"], f"{name}.up_to"),
            rate=to_decimal(row["rate"], f"{name}.rate"),
            quick_deduction=to_decimal(row["quick_deduction"], f"{name}.quick_deduction"),
        )
        for row in rows
    )
    _check(name, brackets)
    return TaxTable(name, brackets)


def _check(name: str, brackets: tuple[Bracket, ...]) -> None:
    """Limits rise, the last is open, and each quick deduction follows from the one before."""
    if brackets[-1].up_to is not None or any(b.up_to is None for b in brackets[:-1]):
        raise ValueError(f"{name}: only the last bracket may (and must) have no limit")
    if brackets[0].quick_deduction != ZERO:
        raise ValueError(f"{name}: the first quick deduction must be 0")
    for lower, upper in pairwise(brackets):
        assert lower.up_to is not None
        if upper.up_to is not None and upper.up_to <= lower.up_to:
            raise ValueError(f"{name}: limits must rise ({lower.up_to}, {upper.up_to})")
        expected = lower.quick_deduction + lower.up_to * (upper.rate - lower.rate)
        if upper.quick_deduction != expected:
            raise ValueError(
                f"{name}: quick deduction above {lower.up_to} is {upper.quick_deduction}, "
                f"the brackets give {expected}"
            )


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
