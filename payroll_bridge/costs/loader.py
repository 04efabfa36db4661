"""Reads what a cost report needs from the recruiting database, as ``facts`` values.

A handful of queries per report (interviews, their panels, their expenses, the hires), not
one per interview. Times are queried in UTC (see ``recruiting.db.tortoise_config``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime

from tortoise.exceptions import BaseORMException
from tortoise.expressions import Q

from payroll_bridge.costs.compute import HELD
from payroll_bridge.costs.facts import Expense, Hire, Interviewer, InterviewFacts
from recruiting.domain.interview_state import InterviewStatus
from recruiting.errors import ExternalServiceError
from recruiting.models import (
    ApplicationStatus,
    CostKind,
    Interview,
    InterviewAssignment,
    InterviewCost,
)

_CHUNK = 500  # ids per IN (...) list, well under SQLite's variable limit


async def load_interviews(since: datetime, until: datetime) -> list[InterviewFacts]:
    """Interviews placed in [since, until): by their start, or by their creation when they
    were never given a time (recorded interviews), whatever their status."""
    since, until = since.astimezone(UTC), until.astimezone(UTC)
    try:
        interviews = await Interview.filter(
            Q(starts_at__gte=since, starts_at__lt=until)
            | Q(starts_at__isnull=True, created_at__gte=since, created_at__lt=until)
        ).prefetch_related("application__job", "round")
        ids = [i.id for i in interviews]
        panels = await _panels(ids)
        expenses = await _expenses(ids)
    except BaseORMException as exc:
        raise ExternalServiceError(f"reading interview costs failed: {exc}") from exc
    return [_facts(i, panels.get(i.id, ()), expenses.get(i.id, ())) for i in interviews]


async def load_hires() -> list[Hire]:
    """Every hired application, counted as hired at its last interview that took place.

    The schema keeps no hire date; the last held interview is the closest recorded event
    (the offer follows it). A hire without any held interview cost nothing to interview
    and is not counted.
    """
    try:
        interviews = await Interview.filter(
            application__status=ApplicationStatus.HIRED, status__in=list(HELD)
        ).prefetch_related("application__job")
    except BaseORMException as exc:
        raise ExternalServiceError(f"reading hires failed: {exc}") from exc
    last: dict[int, Interview] = {}
    for interview in interviews:
        key = interview.application_id
        if key not in last or _when(interview) > _when(last[key]):
            last[key] = interview
    hires = []
    for application_id, interview in sorted(last.items()):
        application = interview.application
        job = application.job
        hires.append(
            Hire(application_id, job.code, job.title, application.channel, _when(interview))
        )
    return hires


def _when(interview: Interview) -> datetime:
    return interview.starts_at or interview.created_at


async def _panels(ids: Sequence[int]) -> dict[int, tuple[Interviewer, ...]]:
    panels: dict[int, list[Interviewer]] = defaultdict(list)
    for chunk in _chunks(ids):
        rows = await InterviewAssignment.filter(interview_id__in=chunk).prefetch_related(
            "interviewer"
        )
        for row in sorted(rows, key=lambda r: (not r.lead, r.id)):
            staff = row.interviewer
            person = Interviewer(staff.id, staff.name, staff.title, staff.hourly_cost)
            panels[row.interview_id].append(person)
    return {k: tuple(v) for k, v in panels.items()}


async def _expenses(ids: Sequence[int]) -> dict[int, tuple[Expense, ...]]:
    expenses: dict[int, list[Expense]] = defaultdict(list)
    for chunk in _chunks(ids):
        for row in await InterviewCost.filter(interview_id__in=chunk).order_by("id"):
            expense = Expense(
                cost_id=row.id,
                kind=CostKind(row.kind),
                amount=row.amount,
                currency=row.currency,
                note=row.note,
                recorded_by=row.recorded_by,
                recorded_at=row.created_at,
            )
            expenses[row.interview_id].append(expense)
    return {k: tuple(v) for k, v in expenses.items()}


def _facts(
    interview: Interview, panel: tuple[Interviewer, ...], expenses: tuple[Expense, ...]
) -> InterviewFacts:
    application = interview.application
    job = application.job
    round_ = interview.round
    return InterviewFacts(
        interview_id=interview.id,
        application_id=application.id,
        job_code=job.code,
        job_title=job.title,
        channel=application.channel,
        round_name=round_.name,
        round_minutes=round_.duration_minutes,
        status=InterviewStatus(interview.status),
        starts_at=interview.starts_at,
        ends_at=interview.ends_at,
        created_at=interview.created_at,
        interviewers=panel,
        expenses=expenses,
    )


def _chunks(ids: Sequence[int]) -> list[Sequence[int]]:
    return [ids[i : i + _CHUNK] for i in range(0, len(ids), _CHUNK)]
