"""Keeping city data current: a city's yearly notice imported from CSV or YAML, and a check of
what is stale or unverified.

An import is all or nothing. The new periods are merged with the city's file in memory and
the whole city is validated as the loader would (floors below caps, rates within the legal
ranges, periods not overlapping); every error is reported, and the files are written only
when there are none. New periods are appended to the file's ``periods`` list as text, so the
comments and sources already in the file stay as they are.

CSV: one row per insurance item, plus a ``housing_fund`` row and a ``minimum_wage`` row, for
each (city, effective_from); the period's own fields may stand on every row but must agree::

    city,effective_from,effective_to,source,verified,part,label,employer_rate,employee_rate,
    floor,cap,employee_fixed,employer_fixed,min_rate,max_rate,default_rate,amount,note

YAML: ``{code, name?, periods: [...]}`` (the layout of ``data/cities/<code>.yaml``) or one
period's fields with ``code`` at the top.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from payroll_bridge.cities import CITIES_DIR, City, DataStatus, city_codes, load_city, parse_city
from recruiting.errors import InvalidInput

PERIOD_FIELDS = ("effective_to", "source", "verified", "notes")
ITEM_FIELDS = ("label", "employer_rate", "employee_rate", "floor", "cap", "employee_fixed",
               "employer_fixed", "note")  # fmt: skip
FUND_FIELDS = ("label", "floor", "cap", "min_rate", "max_rate", "default_rate", "note")
CODE = re.compile(r"[a-z][a-z0-9_]{0,31}")  # the file name data/cities/<code>.yaml, no path
SOON = timedelta(days=45)  # a period ending this soon with none after it is worth a line


@dataclass(frozen=True)
class ImportResult:
    errors: tuple[str, ...]
    added: tuple[tuple[str, str], ...]  # (city code, effective_from) written


def read_notice(path: Path) -> list[dict[str, Any]]:
    """The city entries of a CSV or YAML file (``{code, name?, periods}`` each)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path.name}: not UTF-8 text (byte {exc.start})") from exc
    if not text.strip():
        raise InvalidInput(f"{path.name}: the file is empty")
    if path.suffix.lower() == ".csv":
        return _from_csv(text)
    if path.suffix.lower() not in (".yaml", ".yml"):
        raise InvalidInput(f"{path.name}: a notice is a .csv, .yaml or .yml file")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise InvalidInput(f"{path.name}: not valid YAML{where}") from exc
    entries = data if isinstance(data, list) else [data]
    found = []
    for entry in entries:
        if not isinstance(entry, dict) or not entry.get("code"):
            raise InvalidInput(f"{path.name}: each entry needs a city code")
        if "periods" not in entry:
            period = {k: v for k, v in entry.items() if k not in ("code", "name")}
            entry = {"code": entry["code"], "name": entry.get("name"), "periods": [period]}
        found.append(entry)
    return found


def import_notice(path: Path, directory: Path = CITIES_DIR, *, apply: bool = True) -> ImportResult:
    """Validate the notice against the cities it names; write it only if all is right."""
    entries = read_notice(path)
    errors: list[str] = []
    writes: list[tuple[Path, str, list[dict[str, Any]], dict[str, Any]]] = []
    added: list[tuple[str, str]] = []
    for entry in entries:
        code = str(entry["code"]).strip().lower()
        if not CODE.fullmatch(code):
            errors.append(f"{code!r}: a city code is lowercase pinyin letters, e.g. shanghai")
            continue
        target = directory / f"{code}.yaml"
        existing: dict[str, Any] = {}
        if code in city_codes(directory):
            existing = yaml.safe_load(target.read_text(encoding="utf-8"))
        elif not entry.get("name"):
            errors.append(f"{code}: a new city needs its Chinese name (name)")
            continue
        new = [_normalised(p) for p in entry.get("periods") or []]
        merged = {**existing, "code": code, "name": existing.get("name") or entry.get("name")}
        merged["periods"] = [*(existing.get("periods") or []), *new]
        found: list[str] = []
        parse_city(merged, found)
        errors += [f"{code}: {e}" for e in found]
        writes.append((target, code, new, merged))
        added += [(code, str(p.get("effective_from"))) for p in new]
    if errors or not apply:
        return ImportResult(tuple(errors), ())
    for target, _code, new, merged in writes:
        _write(target, new, merged)
    _forget()
    return ImportResult((), tuple(added))


def _write(target: Path, new: list[dict[str, Any]], merged: dict[str, Any]) -> None:
    if not target.exists():
        header = f"# {merged['name']} social insurance and housing fund, imported.\n"
        body = yaml.safe_dump(merged, allow_unicode=True, sort_keys=False, width=96)
        _replace(target, header + body)
        return
    text = target.read_text(encoding="utf-8")
    last_key = [line for line in text.splitlines() if line[:1].isalpha()][-1]
    if not last_key.startswith("periods:"):  # periods not last: rewrite (comments are lost)
        body = yaml.safe_dump(merged, allow_unicode=True, sort_keys=False, width=96)
        _replace(target, body)
        return
    block = yaml.safe_dump(new, allow_unicode=True, sort_keys=False, width=92)
    indented = "".join(f"  {line}\n" if line else "\n" for line in block.splitlines())
    _replace(target, text.rstrip("\n") + "\n" + indented)


def _replace(target: Path, text: str) -> None:
    """Write a sibling file and rename it over the target: a crash mid-write never leaves a
    half city file that would stop every offer estimate. City rates are public: mode 0644."""
    partial = target.with_name(f".{target.name}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        partial.chmod(0o644)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _forget() -> None:
    from payroll_bridge.cities import clear_cache

    clear_cache()


def _normalised(period: Any) -> dict[str, Any]:
    """Dates as dates (so YAML writes them plainly); the rest as given."""
    if not isinstance(period, dict):
        return {"invalid": period}
    out = dict(period)
    for key in ("effective_from", "effective_to"):
        value = out.get(key)
        if isinstance(value, str) and value.strip():
            with contextlib.suppress(ValueError):  # the validation names a bad date
                out[key] = date.fromisoformat(value.strip())
    return out


def _from_csv(text: str) -> list[dict[str, Any]]:
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows:
        raise InvalidInput("the CSV has no rows")
    missing = {"city", "effective_from", "part"} - set(rows[0])
    if missing:
        raise InvalidInput(f"the CSV lacks the columns {', '.join(sorted(missing))}")
    errors: list[str] = []
    cities: dict[str, dict[str, Any]] = {}
    periods: dict[tuple[str, str], dict[str, Any]] = {}
    for number, row in enumerate(rows, start=2):
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        code, start, part = row["city"].lower(), row["effective_from"], row["part"]
        city = cities.setdefault(code, {"code": code, "name": row.get("name"), "periods": []})
        period = periods.get((code, start))
        if period is None:
            period = {"effective_from": start, "social_insurance": []}
            periods[code, start] = period
            city["periods"].append(period)
        for key in PERIOD_FIELDS:
            value = row.get(key, "")
            if not value:
                continue
            parsed: Any = _csv_bool(value) if key == "verified" else value
            if key in period and period[key] != parsed:
                errors.append(f"line {number}: {key} differs from an earlier row of {start}")
            period[key] = parsed
        if part == "minimum_wage":
            period["minimum_wage"] = {"amount": row.get("amount")}
        elif part == "housing_fund":
            period["housing_fund"] = {k: row[k] for k in FUND_FIELDS if row.get(k)}
        elif part:
            item = {"item": part, **{k: row[k] for k in ITEM_FIELDS if row.get(k)}}
            period["social_insurance"].append(item)
        else:
            errors.append(f"line {number}: part is empty")
    if errors:
        raise InvalidInput("; ".join(errors))
    return list(cities.values())


def _csv_bool(value: str) -> bool | str:
    return {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}.get(
        value.lower(), value
    )


@dataclass(frozen=True)
class CityCheck:
    code: str
    name: str
    status: DataStatus  # of ``day``
    period: str  # the span used for ``day``
    verified_until: date | None
    unverified_parts: tuple[str, ...]
    ends_soon: bool  # the period of ``day`` ends within SOON and nothing follows it

    @property
    def needs_work(self) -> bool:
        return self.status != "verified" or self.ends_soon


def check_cities(day: date, directory: Path = CITIES_DIR) -> list[CityCheck]:
    return [_check(load_city(code, directory), day) for code in city_codes(directory)]


def _check(city: City, day: date) -> CityCheck:
    choice = city.period_for(day)
    end = choice.rules.effective_to
    soon = (
        choice.status != "stale"
        and end is not None
        and end - day <= SOON
        and choice.rules is city.latest
    )
    return CityCheck(
        code=city.code,
        name=city.name,
        status=choice.status,
        period=choice.rules.span,
        verified_until=city.verified_until,
        unverified_parts=choice.rules.unverified,
        ends_soon=soon,
    )
