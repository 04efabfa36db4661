"""Each city's social insurance and housing fund rules, read from ``data/cities/<code>.yaml``.

Rates, base limits and minimum wages change every year and differ by city, so they are data
with a ``source`` and an ``effective_from`` date, never constants in the logic. A figure that
could not be confirmed carries ``verified: false`` and a note, and the CLI says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from payroll_bridge.money import ZERO, to_decimal
from recruiting.errors import ConfigError, InvalidInput, RecruitingError

CITIES_DIR = Path(__file__).resolve().parent / "data" / "cities"


@dataclass(frozen=True, slots=True)
class ContributionItem:
    """One insurance: rates on a base clamped to [floor, cap], plus fixed monthly amounts."""

    item: str  # pension, medical, serious_illness, maternity, unemployment, work_injury
    label: str
    employer_rate: Decimal
    employee_rate: Decimal
    floor: Decimal
    cap: Decimal | None  # None: no upper limit
    employer_fixed: Decimal = ZERO
    employee_fixed: Decimal = ZERO
    verified: bool = True
    note: str = ""

    def base(self, wage: Decimal) -> Decimal:
        """The contribution base for a monthly wage: clamped to the item's limits."""
        if wage < self.floor:
            return self.floor
        if self.cap is not None and wage > self.cap:
            return self.cap
        return wage


@dataclass(frozen=True, slots=True)
class HousingFundRule:
    """住房公积金: the employer picks one rate in [min_rate, max_rate] for both sides."""

    label: str
    floor: Decimal
    cap: Decimal | None
    min_rate: Decimal
    max_rate: Decimal
    default_rate: Decimal
    verified: bool = True
    note: str = ""

    def base(self, wage: Decimal) -> Decimal:
        if wage < self.floor:
            return self.floor
        if self.cap is not None and wage > self.cap:
            return self.cap
        return wage

    def check_rate(self, rate: Decimal) -> Decimal:
        if not self.min_rate <= rate <= self.max_rate:
            raise InvalidInput(
                f"housing fund rate {rate} is outside this city's range "
                f"{self.min_rate}-{self.max_rate}"
            )
        return rate


@dataclass(frozen=True, slots=True)
class MinimumWage:
    amount: Decimal
    source: str
    verified: bool


@dataclass(frozen=True, slots=True)
class CityRules:
    code: str
    name: str
    effective_from: date
    effective_until: date | None
    source: str
    verified: bool
    notes: str
    minimum_wage: MinimumWage
    social_insurance: tuple[ContributionItem, ...]
    housing_fund: HousingFundRule

    @property
    def unverified(self) -> tuple[str, ...]:
        """Names of the parts whose figures are not confirmed (empty when all are)."""
        parts = [i.item for i in self.social_insurance if not i.verified]
        if not self.housing_fund.verified:
            parts.append("housing_fund")
        if not self.minimum_wage.verified:
            parts.append("minimum_wage")
        return tuple(parts)


def city_codes(directory: Path = CITIES_DIR) -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in directory.glob("*.yaml")))


@lru_cache(maxsize=32)
def load_city(code: str, directory: Path = CITIES_DIR) -> CityRules:
    """A city's rules by code (``shanghai``); InvalidInput lists the known cities."""
    wanted = code.strip().lower()
    if wanted not in city_codes(directory):
        known = ", ".join(city_codes(directory))
        raise InvalidInput(f"unknown city {code!r}; known: {known}")
    path = directory / f"{wanted}.yaml"
    try:
        rules = _city(yaml.safe_load(path.read_text(encoding="utf-8")))
        if rules.code != wanted:
            raise ValueError(f"code {rules.code!r} does not match the file name")
        return rules
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError, RecruitingError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def _city(data: Any) -> CityRules:
    verified = bool(data["verified"])
    wage = data["minimum_wage"]
    rules = CityRules(
        code=str(data["code"]),
        name=str(data["name"]),
        effective_from=_date(data["effective_from"]),
        effective_until=None
        if data.get("effective_until") is None
        else _date(data["effective_until"]),
        source=_text(data["source"]),
        verified=verified,
        notes=_text(data.get("notes", "")),
        minimum_wage=MinimumWage(
            amount=to_decimal(wage["amount"], "minimum_wage.amount"),
            source=_text(wage["source"]),
            verified=bool(wage.get("verified", verified)),
        ),
        social_insurance=tuple(_item(entry, verified) for entry in data["social_insurance"]),
        housing_fund=_housing_fund(data["housing_fund"], verified),
    )
    _check(rules)
    return rules


def _item(entry: Any, city_verified: bool) -> ContributionItem:
    name = str(entry["item"])
    return ContributionItem(
        item=name,
        label=str(entry.get("label", name)),
        employer_rate=_rate(entry["employer_rate"], f"{name}.employer_rate"),
        employee_rate=_rate(entry["employee_rate"], f"{name}.employee_rate"),
        floor=to_decimal(entry["floor"], f"{name}.floor"),
        cap=None if entry.get("cap") is None else to_decimal(entry["cap"], f"{name}.cap"),
        employer_fixed=to_decimal(entry.get("employer_fixed", 0), f"{name}.employer_fixed"),
        employee_fixed=to_decimal(entry.get("employee_fixed", 0), f"{name}.employee_fixed"),
        verified=bool(entry.get("verified", city_verified)),
        note=_text(entry.get("note", "")),
    )


def _housing_fund(entry: Any, city_verified: bool) -> HousingFundRule:
    rule = HousingFundRule(
        label=str(entry.get("label", "housing_fund")),
        floor=to_decimal(entry["floor"], "housing_fund.floor"),
        cap=None if entry.get("cap") is None else to_decimal(entry["cap"], "housing_fund.cap"),
        min_rate=_rate(entry["min_rate"], "housing_fund.min_rate"),
        max_rate=_rate(entry["max_rate"], "housing_fund.max_rate"),
        default_rate=_rate(entry["default_rate"], "housing_fund.default_rate"),
        verified=bool(entry.get("verified", city_verified)),
        note=_text(entry.get("note", "")),
    )
    rule.check_rate(rule.default_rate)
    return rule


def _check(rules: CityRules) -> None:
    names = [i.item for i in rules.social_insurance]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate insurance items: {names}")
    for item in rules.social_insurance:
        if item.cap is not None and item.cap < item.floor:
            raise ValueError(f"{item.item}: cap {item.cap} below floor {item.floor}")
    fund = rules.housing_fund
    if fund.cap is not None and fund.cap < fund.floor:
        raise ValueError(f"housing_fund: cap {fund.cap} below floor {fund.floor}")


def _rate(value: Any, what: str) -> Decimal:
    rate = to_decimal(value, what)
    if not ZERO <= rate < 1:
        raise ValueError(f"{what}: a rate is a fraction in [0, 1), got {rate}")
    return rate


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _text(value: Any) -> str:
    return " ".join(str(value).split())
