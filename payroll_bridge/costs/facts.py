"""What the cost computation needs to know, as plain values read from the database once.

The loader (``loader.py``) fills these from the ORM; the computation (``compute.py``) never
touches the database, so every rule can be tested with a handful of literals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from recruiting.domain.interview_state import InterviewStatus
from recruiting.models.costs import CostKind


@dataclass(frozen=True)
class Interviewer:
    staff_id: int
    name: str
    title: str
    hourly_cost: Decimal | None  # HR-finance's figure; None: priced by grade or default


@dataclass(frozen=True)
class Expense:
    """A recorded venue booking, travel reimbursement or other expense of an interview."""

    cost_id: int
    kind: CostKind
    amount: Decimal
    currency: str
    note: str
    recorded_by: str
    recorded_at: datetime


@dataclass(frozen=True)
class InterviewFacts:
    interview_id: int
    application_id: int
    job_code: str
    job_title: str
    channel: str
    round_name: str
    round_minutes: int  # the round's planned length, used when the interview has no times
    status: InterviewStatus
    starts_at: datetime | None
    ends_at: datetime | None
    created_at: datetime
    interviewers: tuple[Interviewer, ...] = ()
    expenses: tuple[Expense, ...] = ()


@dataclass(frozen=True)
class Hire:
    """A hired application and when it counts as hired (see ``loader.load_hires``)."""

    application_id: int
    job_code: str
    job_title: str
    channel: str
    hired_at: datetime
