"""Each city's social insurance and housing fund rules, read from ``data/cities/<code>.yaml``.

Rates and base limits change every July (or January) and differ by city, so a city is a list
of effective-dated periods, each with its figures, its ``source`` and whether it is
``verified``; a calculation picks the period of each payroll month. A month no period covers
is *stale*: it is computed with the latest earlier period and every output says so.

What a city does the same way every year is data too (``CityRules`` fields): how each fund
rounds (whole yuan, jiao or fen; half up, up or down) and what a new hire's contribution base
is (the first month's wage, probation pay included, is the national rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal

import yaml

from payroll_bridge.money import ZERO, to_decimal
from recruiting.errors import ConfigError, InvalidInput, RecruitingError

CITIES_DIR = Path(__file__).resolve().parent / "data" / "cities"

DataStatus = Literal["verified", "unverified", "stale"]
NewHireBase = Literal["first_month_wage", "offer_gross"]

_FEN = Decimal("0.01")
_UNITS = {"yuan": Decimal(1), "jiao": Decimal("0.1"), "fen": Decimal("0.01")}
_MODES = {"half_up": ROUND_HALF_UP, "up": ROUND_UP, "down": ROUND_DOWN}

# National limits a city's rates must respect (fractions, inclusive), checked at load and on
# import so a typo (0.8 for 0.08) cannot reach a payslip. Items not listed: [0, 1).
#   pension: employer at most 16% (国办发〔2019〕13号), employee 8% (国发〔2005〕38号)
#   medical: employee 2% (国发〔1998〕44号); employer within 4%-12% in every city we know
#   unemployment: employer + employee at most 1% (人社部发〔2017〕14号, extended since)
#   work_injury: 0.2%-1.9% by risk class (人社部发〔2015〕71号), lower during rate cuts
#   housing fund: 5%-12% each side (建金〔2005〕5号)
LEGAL_RATES: dict[str, dict[str, tuple[Decimal, Decimal]]] = {
    "pension": {"employer": (Decimal("0.12"), Decimal("0.16")), "employee": (Decimal("0.08"),) * 2},
    "medical": {"employer": (Decimal("0.04"), Decimal("0.12")), "employee": (Decimal("0.02"),) * 2},
    "unemployment": {"employer": (ZERO, Decimal("0.01")), "employee": (ZERO, Decimal("0.005"))},
    "work_injury": {"employer": (Decimal("0.001"), Decimal("0.019")), "employee": (ZERO, ZERO)},
}
HOUSING_FUND_RATES = (Decimal("0.05"), Decimal("0.12"))


@dataclass(frozen=True, slots=True)
class Rounding:
    """How a fund rounds a contribution: to ``unit`` (1, 0.1, 0.01 yuan) in ``mode``."""

    unit: Decimal = Decimal("0.01")
    mode: str = ROUND_HALF_UP

    def __call__(self, amount: Decimal) -> Decimal:
        """Rounded as the fund does, written with two decimals like every amount."""
        rounded = amount.quantize(self.unit, self.mode)
        return rounded if self.unit == _FEN else rounded.quantize(_FEN)

    @property
    def label(self) -> str:
        unit = next(k for k, v in _UNITS.items() if v == self.unit)
        mode = next(k for k, v in _MODES.items() if v == self.mode)
        return f"{unit} {mode}"


FEN = Rounding()


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
    rounding: Rounding = FEN

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
    rounding: Rounding = FEN

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
    """One period of a city's figures (``effective_from`` .. ``effective_to`` inclusive)."""

    code: str
    name: str
    effective_from: date
    effective_to: date | None  # None: open-ended
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

    def covers(self, day: date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )

    @property
    def span(self) -> str:
        until = self.effective_to.isoformat() if self.effective_to else "open"
        return f"{self.effective_from.isoformat()} .. {until}"


@dataclass(frozen=True, slots=True)
class PeriodChoice:
    """The period a payroll month uses and how far it can be trusted for that month."""

    rules: CityRules
    status: DataStatus


@dataclass(frozen=True, slots=True, eq=False)
class City:
    """A city's periods (sorted, not overlapping) and the rules it applies every year.
    Compared by identity: the loader makes one per file, and ``year_runs`` caches on it."""

    code: str
    name: str
    aliases: tuple[str, ...]
    new_hire_base: NewHireBase
    periods: tuple[CityRules, ...]

    def period_for(self, day: date) -> PeriodChoice:
        """The period covering ``day``; if none does, the latest earlier one (or the first),
        marked stale: figures are never silently applied outside their dates."""
        for period in self.periods:
            if period.covers(day):
                return PeriodChoice(period, "verified" if period.verified else "unverified")
        earlier = [p for p in self.periods if p.effective_from <= day]
        return PeriodChoice(earlier[-1] if earlier else self.periods[0], "stale")

    def year_runs(self, year: int) -> tuple[tuple[int, int, PeriodChoice], ...]:
        """(first month, last month, choice) for the runs of ``year``'s months that share a
        period and status; cached, as every estimate of the year asks the same."""
        return _year_runs(self, year)

    @property
    def latest(self) -> CityRules:
        return self.periods[-1]

    @property
    def verified_until(self) -> date | None:
        """The last day of the newest verified period (None: no verified period at all)."""
        ends = [p.effective_to or date.max for p in self.periods if p.verified]
        return max(ends) if ends else None


@lru_cache(maxsize=256)
def _year_runs(city: City, year: int) -> tuple[tuple[int, int, PeriodChoice], ...]:
    runs: list[tuple[int, int, PeriodChoice]] = []
    for month in range(1, 13):
        choice = city.period_for(date(year, month, 1))
        if runs and runs[-1][2] == choice:
            runs[-1] = (runs[-1][0], month, choice)
        else:
            runs.append((month, month, choice))
    return tuple(runs)


def city_codes(directory: Path = CITIES_DIR) -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in directory.glob("*.yaml")))


def resolve_city(text: str, directory: Path = CITIES_DIR) -> str:
    """The code for a city code, pinyin or Chinese name (``上海``, ``上海市``, ``Shanghai``)."""
    wanted = " ".join(str(text).split()).lower().removesuffix("市")
    codes = city_codes(directory)
    if wanted in codes:
        return wanted
    for code in codes:
        city = load_city(code, directory)
        if wanted in (city.name.lower(), *city.aliases):
            return code
    names = ", ".join(f"{load_city(c, directory).name} ({c})" for c in codes)
    raise InvalidInput(f"unknown city {text!r}; known: {names}")


def load_city(code: str, directory: Path = CITIES_DIR) -> City:
    """A city by code or name; InvalidInput lists the known cities, ConfigError a bad file."""
    return _load(
        resolve_city(code, directory) if code not in _codes(directory) else code, directory
    )


@lru_cache(maxsize=8)
def _codes(directory: Path) -> frozenset[str]:
    return frozenset(city_codes(directory))


@lru_cache(maxsize=64)
def _load(code: str, directory: Path) -> City:
    path = directory / f"{code}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    errors: list[str] = []
    city = parse_city(data, errors)
    if city is not None and city.code != code:
        errors.append(f"code {city.code!r} does not match the file name")
    if errors or city is None:
        raise ConfigError(f"{path}: {'; '.join(errors)}")
    return city


def clear_cache() -> None:
    """Forget loaded cities (after ``cities import`` wrote a file)."""
    _load.cache_clear()
    _codes.cache_clear()
    _year_runs.cache_clear()


# -- parsing and validation: every error is collected, so an import reports all at once ----


def parse_city(data: Any, errors: list[str]) -> City | None:
    """A ``City`` from a file's data, or None with the reasons appended to ``errors``."""
    if not isinstance(data, dict):
        errors.append("a city file is a mapping with code, name and periods")
        return None
    code = str(data.get("code") or "")
    name = str(data.get("name") or "")
    if not code or not name:
        errors.append("code and name are required")
    new_hire = str(data.get("new_hire_base", "first_month_wage"))
    if new_hire not in ("first_month_wage", "offer_gross"):
        errors.append(f"new_hire_base: first_month_wage or offer_gross, got {new_hire!r}")
    rounding = _rounding_map(data.get("rounding") or {}, "rounding", errors)
    raw = data.get("periods")
    if not isinstance(raw, list) or not raw:
        errors.append("periods: at least one period is required")
        return None
    periods = [
        p
        for n, entry in enumerate(raw, start=1)
        if (p := parse_period(entry, code, name, rounding, errors, f"period {n}")) is not None
    ]
    periods.sort(key=lambda p: p.effective_from)
    errors.extend(overlaps(periods))
    if errors:
        return None
    aliases = tuple(str(a).lower() for a in data.get("aliases") or ())
    return City(code, name, aliases, new_hire, tuple(periods))  # type: ignore[arg-type]


def overlaps(periods: list[CityRules]) -> list[str]:
    """Errors for periods (sorted by start) that share a day."""
    found = []
    for before, after in pairwise(periods):
        if before.effective_to is None or before.effective_to >= after.effective_from:
            found.append(f"periods {before.span} and {after.span} overlap")
    return found


def parse_period(
    entry: Any,
    code: str,
    name: str,
    rounding: dict[str, Rounding],
    errors: list[str],
    where: str,
) -> CityRules | None:
    if not isinstance(entry, dict):
        errors.append(f"{where}: a period is a mapping")
        return None
    start = len(errors)
    first = _field(entry, "effective_from", _date, errors, where)
    last = (
        None
        if entry.get("effective_to") is None
        else _field(entry, "effective_to", _date, errors, where)
    )
    where = f"{where} ({first})" if first else where
    if first and last and last < first:
        errors.append(f"{where}: effective_to {last} is before effective_from {first}")
    verified = entry.get("verified")
    if not isinstance(verified, bool):
        errors.append(f"{where}: verified must be true or false")
        verified = False
    source = _text(entry.get("source", ""))
    if not source:
        errors.append(f"{where}: source is required (a URL or the notice's title)")
    wage = entry.get("minimum_wage") or {}
    amount = _amount(wage.get("amount"), f"{where} minimum_wage.amount", errors)
    items = []
    for raw in entry.get("social_insurance") or []:
        item = _item(raw, verified, rounding, errors, where)
        if item is not None:
            items.append(item)
    if not items:
        errors.append(f"{where}: social_insurance needs at least one item")
    names = [i.item for i in items]
    if len(set(names)) != len(names):
        errors.append(f"{where}: duplicate insurance items {names}")
    fund = _housing_fund(entry.get("housing_fund"), verified, rounding, errors, where)
    if len(errors) > start or first is None or amount is None or fund is None:
        return None
    return CityRules(
        code=code,
        name=name,
        effective_from=first,
        effective_to=last,
        source=source,
        verified=verified,
        notes=_text(entry.get("notes", "")),
        minimum_wage=MinimumWage(
            amount, _text(wage.get("source", source)), bool(wage.get("verified", verified))
        ),
        social_insurance=tuple(items),
        housing_fund=fund,
    )


def _item(
    entry: Any, verified: bool, rounding: dict[str, Rounding], errors: list[str], where: str
) -> ContributionItem | None:
    if not isinstance(entry, dict) or not entry.get("item"):
        errors.append(f"{where}: each social_insurance entry needs an item name")
        return None
    name = str(entry["item"])
    at = f"{where} {name}"
    start = len(errors)
    legal = LEGAL_RATES.get(name, {})
    rates = {
        side: _rate(entry.get(f"{side}_rate"), f"{at}.{side}_rate", errors, legal.get(side))
        for side in ("employer", "employee")
    }
    floor = _amount(entry.get("floor"), f"{at}.floor", errors)
    cap = None if entry.get("cap") is None else _amount(entry.get("cap"), f"{at}.cap", errors)
    if floor is not None and cap is not None and cap < floor:
        errors.append(f"{at}: cap {cap} is below floor {floor}")
    fixed = {
        side: _amount(entry.get(f"{side}_fixed", 0), f"{at}.{side}_fixed", errors)
        for side in ("employer", "employee")
    }
    own = _rounding(entry["rounding"], f"{at}.rounding", errors) if "rounding" in entry else None
    if len(errors) > start or floor is None:
        return None
    return ContributionItem(
        item=name,
        label=str(entry.get("label", name)),
        employer_rate=rates["employer"] or ZERO,
        employee_rate=rates["employee"] or ZERO,
        floor=floor,
        cap=cap,
        employer_fixed=fixed["employer"] or ZERO,
        employee_fixed=fixed["employee"] or ZERO,
        verified=bool(entry.get("verified", verified)),
        note=_text(entry.get("note", "")),
        rounding=own or rounding.get(name) or rounding.get("social_insurance") or FEN,
    )


def _housing_fund(
    entry: Any, verified: bool, rounding: dict[str, Rounding], errors: list[str], where: str
) -> HousingFundRule | None:
    at = f"{where} housing_fund"
    if not isinstance(entry, dict):
        errors.append(f"{at}: required")
        return None
    start = len(errors)
    floor = _amount(entry.get("floor"), f"{at}.floor", errors)
    cap = None if entry.get("cap") is None else _amount(entry.get("cap"), f"{at}.cap", errors)
    if floor is not None and cap is not None and cap < floor:
        errors.append(f"{at}: cap {cap} is below floor {floor}")
    rates = [
        _rate(entry.get(key), f"{at}.{key}", errors, HOUSING_FUND_RATES)
        for key in ("min_rate", "max_rate", "default_rate")
    ]
    own = _rounding(entry["rounding"], f"{at}.rounding", errors) if "rounding" in entry else None
    if len(errors) > start or floor is None or None in rates:
        return None
    low, high, default = (r or ZERO for r in rates)
    if not low <= default <= high:
        errors.append(f"{at}: default_rate {default} is outside {low}-{high}")
        return None
    return HousingFundRule(
        label=str(entry.get("label", "住房公积金")),
        floor=floor,
        cap=cap,
        min_rate=low,
        max_rate=high,
        default_rate=default,
        verified=bool(entry.get("verified", verified)),
        note=_text(entry.get("note", "")),
        rounding=own or rounding.get("housing_fund") or FEN,
    )


def _rounding_map(data: Any, where: str, errors: list[str]) -> dict[str, Rounding]:
    if not isinstance(data, dict):
        errors.append(f"{where}: a mapping of fund → {{unit, mode}}")
        return {}
    found = {}
    for key, value in data.items():
        rule = _rounding(value, f"{where}.{key}", errors)
        if rule is not None:
            found[str(key)] = rule
    return found


def _rounding(value: Any, where: str, errors: list[str]) -> Rounding | None:
    if not isinstance(value, dict):
        errors.append(f"{where}: {{unit: yuan|jiao|fen, mode: half_up|up|down}}")
        return None
    unit, mode = str(value.get("unit", "fen")), str(value.get("mode", "half_up"))
    if unit not in _UNITS or mode not in _MODES:
        errors.append(f"{where}: unit is yuan, jiao or fen and mode half_up, up or down")
        return None
    return Rounding(_UNITS[unit], _MODES[mode])


def _field(entry: dict[str, Any], key: str, parse: Any, errors: list[str], where: str) -> Any:
    try:
        return parse(entry[key])
    except KeyError:
        errors.append(f"{where}: {key} is required")
    except (TypeError, ValueError) as exc:
        errors.append(f"{where}: {key}: {exc}")
    return None


def _amount(value: Any, what: str, errors: list[str]) -> Decimal | None:
    try:
        amount = to_decimal(value, what)
    except RecruitingError as exc:
        errors.append(str(exc))
        return None
    if not ZERO <= amount <= 10_000_000:
        errors.append(f"{what}: {amount} is outside 0..10,000,000 yuan")
        return None
    return amount


def _rate(
    value: Any, what: str, errors: list[str], legal: tuple[Decimal, Decimal] | None
) -> Decimal | None:
    try:
        rate = to_decimal(value, what)
    except RecruitingError as exc:
        errors.append(str(exc))
        return None
    if not ZERO <= rate < 1:
        errors.append(f"{what}: a rate is a fraction in [0, 1), got {rate}")
        return None
    if legal is not None and not legal[0] <= rate <= legal[1]:
        errors.append(f"{what}: {rate} is outside the legal range {legal[0]}-{legal[1]}")
        return None
    return rate


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _text(value: Any) -> str:
    return " ".join(str(value).split())
