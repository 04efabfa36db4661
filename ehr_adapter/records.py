"""Between the port's records and plain values: what a mapping reads, and what it returns.

Personal fields leave the sealed form only here, and only when an unsealer is given; the
dry run and every log see ``MASK`` instead.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from recruiting.errors import InvalidInput
from recruiting.models import JobStatus
from recruiting.ports.ehr import (
    PII_FIELDS,
    CompetencyWeight,
    EhrRecord,
    JobOpeningInfo,
    PerformanceRating,
    Unsealer,
)

MASK = "«加密»"


def record_source(record: EhrRecord, unseal: Unsealer | None) -> dict[str, Any]:
    """The record as nested dicts, personal fields decrypted (or masked without ``unseal``)."""
    data = asdict(record)
    candidate = data["candidate"]
    for name in PII_FIELDS:
        sealed = candidate.get(name)
        if sealed:
            candidate[name] = unseal(sealed, name) if unseal is not None else MASK
    return data


def sealed_fields(record: EhrRecord) -> list[str]:
    return [name for name in PII_FIELDS if getattr(record.candidate, name)]


def job_opening(values: dict[str, Any]) -> JobOpeningInfo:
    """A job opening from mapped values; InvalidInput names the bad field."""
    code, title = _text(values, "code"), _text(values, "title")
    if not code or not title:
        raise InvalidInput("a job opening needs code and title")
    status = _text(values, "status") or JobStatus.OPEN.value
    if status not in {s.value for s in JobStatus}:
        raise InvalidInput(f"status {status!r} is not one of draft, open, on_hold, closed")
    competencies = []
    for item in values.get("competencies") or []:
        competencies.append(
            CompetencyWeight(
                code=_text(item, "code"),
                name=_text(item, "name") or _text(item, "code"),
                weight=number(item.get("weight"), "weight", required=True) or 0.0,
            )
        )
    return JobOpeningInfo(
        code=code,
        title=title,
        department=_text(values, "department"),
        city=_text(values, "city"),
        status=status,
        competencies=tuple(competencies),
    )


def performance_rating(values: dict[str, Any]) -> PerformanceRating:
    ref, period, rating = (_text(values, k) for k in ("employee_ref", "period", "rating"))
    if not ref or not period or not rating:
        raise InvalidInput("a rating needs employee_ref, period and rating")
    application = values.get("application_id")
    return PerformanceRating(
        employee_ref=ref,
        period=period,
        rating=rating,
        score=number(values.get("score"), "score"),
        application_id=int(number(application, "application_id") or 0) or None,
    )


def number(value: Any, name: str, *, required: bool = False) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidInput(f"{name} is required")
        return None
    try:
        return float(str(value).strip())
    except ValueError as exc:
        raise InvalidInput(f"{name} must be a number, got {value!r}") from exc


def _text(values: dict[str, Any], key: str) -> str:
    value = values.get(key)
    return "" if value is None else str(value).strip()
