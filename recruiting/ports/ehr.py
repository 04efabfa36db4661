"""The EHR port: what the recruiting core hands to, and takes from, a company's HR system.

Pushes (a candidate's archive after a decision, the employee record on hire) are outward
effects: use cases never call the EHR directly but record an outbox row on channel
``ehr`` in the transaction of the decision, and the relay delivers it through an
``EhrSystem`` adapter. All EHR rows of one candidate share the recipient
``candidate:<id>``, so the relay delivers them in the order they were decided (the archive
before the employee record) while other candidates go in parallel.

Pulls (job openings with their competency models, performance ratings of hired people) are
plain reads that a use case or the CLI calls when it needs them.

Personal fields (phone, e-mail, ID number) travel *sealed*: the payload holds the same
ciphertext as the candidate row (cipher context ``candidate.<field>``), so an outbox row at
rest reveals nothing; the adapter unseals them at the moment of sending.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Protocol

from recruiting.errors import InvalidInput
from recruiting.ports.outbound import Channel, OutboundDraft

PII_FIELDS = ("phone", "email", "id_number")


class EhrOp(StrEnum):
    ARCHIVE = "archive"  # push a candidate archive (after a decision)
    EMPLOYEE = "employee"  # create the employee record (on hire)


class NotSupported(InvalidInput):
    """The configured EHR has no such operation (e.g. an HR system without archives)."""

    code = "ehr_not_supported"


def candidate_conversation(candidate_id: int) -> str:
    """The outbox recipient of a candidate's EHR rows: the unit of delivery order."""
    return f"candidate:{candidate_id}"


@dataclass(frozen=True)
class Evidence:
    quote: str
    source: str = ""


@dataclass(frozen=True)
class CompetencyScore:
    """One rating; ``score`` None means "not assessed" (no evidence), never zero."""

    competency: str
    score: float | None
    rater_kind: str  # "human" or "ai" (advisory)
    rater: str
    evidence: tuple[Evidence, ...] = ()
    confidence: float | None = None
    comment: str = ""


@dataclass(frozen=True)
class InterviewRecord:
    interview_id: int
    round_name: str
    mode: str
    status: str
    starts_at: str | None  # ISO 8601, UTC
    scores: tuple[CompetencyScore, ...] = ()


@dataclass(frozen=True)
class CandidateProfile:
    candidate_id: int
    name: str
    phone: str | None = None  # sealed
    email: str | None = None  # sealed
    id_number: str | None = None  # sealed


@dataclass(frozen=True)
class CandidateArchive:
    application_id: int
    candidate: CandidateProfile
    job_code: str
    job_title: str
    decision: str  # an ApplicationStatus value
    decided_at: str  # ISO 8601, UTC
    decided_by: str  # WeCom userid of the person who decided
    report_url: str = ""
    interviews: tuple[InterviewRecord, ...] = ()


@dataclass(frozen=True)
class NewEmployee:
    application_id: int
    candidate: CandidateProfile
    job_code: str
    job_title: str
    department: str
    city: str
    start_date: str  # ISO date
    employment_type: str = "full_time"  # full_time, intern, part_time, contractor


@dataclass(frozen=True)
class CompetencyWeight:
    code: str
    name: str
    weight: float = 1.0


@dataclass(frozen=True)
class JobOpeningInfo:
    code: str
    title: str
    department: str = ""
    city: str = ""
    status: str = "open"  # a JobStatus value
    competencies: tuple[CompetencyWeight, ...] = ()


@dataclass(frozen=True)
class PerformanceRating:
    """A hired person's rating, kept for score-to-performance validity analysis."""

    employee_ref: str  # the EHR's id of the employee
    period: str  # e.g. "2026-H1"
    rating: str  # the EHR's grade (A/B/C, 3.5+, …)
    score: float | None = None
    application_id: int | None = None  # when the EHR kept our reference


EhrRecord = CandidateArchive | NewEmployee


class Unsealer(Protocol):
    def __call__(self, sealed: str, field: str) -> str:
        """Decrypt one sealed personal field (``field`` in ``PII_FIELDS``)."""


class EhrSystem(Protocol):
    """One company's HR system. Pushes carry an idempotency key that the adapter passes
    on (header, request id, or a look-up before creating) so a retried push is applied once.
    Failures are ``RetryLater`` (transient), ``InvalidInput`` (the EHR refused the record:
    retrying will not help) or ``ExternalServiceError``."""

    name: str

    async def push_archive(
        self, archive: CandidateArchive, *, idempotency_key: str
    ) -> dict[str, Any]: ...

    async def create_employee(
        self, employee: NewEmployee, *, idempotency_key: str
    ) -> dict[str, Any]: ...

    async def job_openings(self) -> list[JobOpeningInfo]: ...

    async def performance_ratings(self, since: date | None = None) -> list[PerformanceRating]: ...


def ehr_draft(record: EhrRecord, key: str) -> OutboundDraft:
    """The outbox draft that pushes ``record``; ``key`` is unique among its cause's drafts."""
    op = EhrOp.ARCHIVE if isinstance(record, CandidateArchive) else EhrOp.EMPLOYEE
    return OutboundDraft(
        channel=Channel.EHR,
        recipient=candidate_conversation(record.candidate.candidate_id),
        payload={"op": op.value, "record": asdict(record)},
        key=key,
    )


def record_from_payload(payload: dict[str, Any]) -> EhrRecord:
    """Inverse of ``ehr_draft``'s payload; InvalidInput for anything else."""
    try:
        op = EhrOp(payload["op"])
        data = dict(payload["record"])
        candidate = CandidateProfile(**data.pop("candidate"))
        if op is EhrOp.EMPLOYEE:
            return NewEmployee(candidate=candidate, **data)
        interviews = tuple(_interview(i) for i in data.pop("interviews", ()))
        return CandidateArchive(candidate=candidate, interviews=interviews, **data)
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(f"not an EHR outbox payload: {exc}") from exc


def _interview(data: dict[str, Any]) -> InterviewRecord:
    scores = tuple(
        CompetencyScore(
            **{
                **s,
                "evidence": tuple(Evidence(**e) for e in s.get("evidence", ())),
            }
        )
        for s in data.get("scores", ())
    )
    return InterviewRecord(**{**data, "scores": scores})
