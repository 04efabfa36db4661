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
from recruiting.errors import ConfigError, RecruitingError

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
class TaxRules:
    """Everything the withholding and bonus calculations need, with its provenance."""

    basic_deduction_monthly: Decimal
    annual: TaxTable  # 综合所得税率表 = 预扣率表一 for cumulative withholding
    monthly: TaxTable  # 按月换算后的综合所得税率表, for the separately taxed bonus
    separate_bonus_until: date
    source: str

    def separate_bonus_allowed(self, year: int) -> bool:
        return year <= self.separate_bonus_until.year


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
