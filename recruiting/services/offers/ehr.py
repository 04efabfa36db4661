"""EHR use cases: record a decision or a hire together with its EHR effects, and take in the
job openings an EHR publishes.

The EHR is never called here. A decision and the archive push it causes are committed in
one unit of work (``effects``), so the EHR learns of every decision exactly when it
is made, even if the EHR is down for hours, and never of one that was rolled back. The
archive is a snapshot taken at the decision: what the decision rested on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, cast

from tortoise.transactions import in_transaction

from recruiting import clock
from recruiting.domain.competency import CompetencyModel
from recruiting.errors import InvalidInput, NotFound
from recruiting.models import (
    Application,
    ApplicationStatus,
    Candidate,
    Interview,
    InterviewRound,
    JobOpening,
    JobStatus,
    Score,
)
from recruiting.ports.ehr import (
    CandidateArchive,
    CandidateProfile,
    CompetencyScore,
    Evidence,
    InterviewRecord,
    JobOpeningInfo,
    NewEmployee,
    ehr_draft,
)
from recruiting.ports.queue import TaskQueue
from recruiting.services.messaging.effects import Effects
from recruiting.services.personal_data.talent_pool import offer_if_undecided
from recruiting.services.shared.audit import Actor, record
from recruiting.services.shared.round_versions import freeze_unpinned

# Final: the retention clocks of ``domain.retention`` start when the last one closes.
CLOSED = frozenset(
    {ApplicationStatus.HIRED, ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN}
)
DECISIONS = frozenset(
    {ApplicationStatus.OFFER, ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN}
)


@dataclass(frozen=True)
class ImportedOpenings:
    created: int
    updated: int


class EhrSync:
    def __init__(self, queue: TaskQueue | None = None, report_url: str = "") -> None:
        """``report_url`` may hold ``{application_id}``; empty means no link."""
        self._effects = Effects(queue)
        self._report_url = report_url

    async def record_decision(
        self, application_id: int, decision: ApplicationStatus, actor: Actor
    ) -> list[int]:
        """Set the application's status and record the archive push; returns new outbox ids
        (none when this decision was already recorded)."""
        decision = ApplicationStatus(decision)
        if decision not in DECISIONS:
            raise InvalidInput("这里只能记录发出 offer、未通过或撤回；录用请通过入职登记记录。")
        async with self._effects.unit() as unit:
            application = await self._change(application_id, decision)
            archive = await self.archive(application, actor)
            ids = await unit.add(
                [ehr_draft(archive, "ehr.archive")],
                cause=f"application:{application_id}:{decision.value}",
            )
            if decision is not ApplicationStatus.OFFER:  # rejected or withdrawn: ask about
                await offer_if_undecided(unit, application.candidate_id)  # the talent pool
            await _audit(actor, application_id, decision)
        return ids

    async def record_hire(
        self,
        application_id: int,
        actor: Actor,
        *,
        start_date: date,
        department: str = "",
        employment_type: str = "full_time",
    ) -> list[int]:
        """Mark hired and record both pushes, archive first: they share the candidate's
        conversation, so the EHR gets the archive before the employee record."""
        async with self._effects.unit() as unit:
            application = await self._change(application_id, ApplicationStatus.HIRED)
            archive = await self.archive(application, actor)
            job: JobOpening = application.job
            employee = NewEmployee(
                application_id=application_id,
                candidate=archive.candidate,
                job_code=job.code,
                job_title=job.title,
                department=department or job.department,
                city=job.city,
                start_date=start_date.isoformat(),
                employment_type=employment_type,
            )
            drafts = [ehr_draft(archive, "ehr.archive"), ehr_draft(employee, "ehr.employee")]
            ids = await unit.add(drafts, cause=f"application:{application_id}:hired")
            await _audit(actor, application_id, ApplicationStatus.HIRED)
        return ids

    async def archive(self, application: Application, actor: Actor) -> CandidateArchive:
        """The archive of ``application`` as it stands (job and candidate prefetched)."""
        candidate: Candidate = application.candidate
        job: JobOpening = application.job
        return CandidateArchive(
            application_id=application.id,
            candidate=CandidateProfile(
                candidate_id=candidate.id,
                name=candidate.name,
                phone=candidate.phone_enc,
                email=candidate.email_enc,
                id_number=candidate.id_number_enc,
            ),
            job_code=job.code,
            job_title=job.title,
            decision=ApplicationStatus(application.status).value,
            decided_at=clock.now().isoformat(),
            decided_by=actor.id,
            report_url=self._report_url.format(application_id=application.id),
            interviews=await _interviews(application.id),
        )

    async def import_job_openings(self, openings: Sequence[JobOpeningInfo]) -> ImportedOpenings:
        """Create or update openings by code with the EHR's competency models (validated)."""
        created = updated = 0
        async with in_transaction():
            for opening in openings:
                model = _competency_model(opening)
                values: dict[str, Any] = {
                    "title": opening.title,
                    "department": opening.department,
                    "city": opening.city,
                    "status": JobStatus(opening.status),
                    "competency_model": model,
                }
                await _freeze_if_model_changes(opening.code, model)
                _, is_new = await JobOpening.update_or_create(values, code=opening.code)
                created += is_new
                updated += not is_new
        return ImportedOpenings(created, updated)

    async def _change(self, application_id: int, status: ApplicationStatus) -> Application:
        application = (
            await Application.select_for_update()
            .filter(id=application_id)
            .prefetch_related("candidate", "job")
            .first()
        )
        if application is None:
            raise NotFound("没有找到这份申请。", code="application_not_found")
        if application.candidate.erased_at is not None:
            raise InvalidInput(  # HR reads it (a rejection of an erased candidate)
                "候选人的个人信息已删除，不能再记录结果或同步到人事系统。", code="candidate_erased"
            )
        application.status = status
        application.decided_at = clock.now() if status in CLOSED else None
        await application.save(update_fields=["status", "decided_at"])
        return application


async def _audit(actor: Actor, application_id: int, decision: ApplicationStatus) -> None:
    await record(actor, "decide", "application", application_id, allowed=True, detail=decision)


async def _interviews(application_id: int) -> tuple[InterviewRecord, ...]:
    interviews = (
        await Interview.filter(application_id=application_id)
        .order_by("starts_at", "id")
        .prefetch_related("round")
    )
    scores = await Score.filter(interview_id__in=[i.id for i in interviews]).order_by("id")
    by_interview: dict[int, list[CompetencyScore]] = {}
    for s in scores:
        by_interview.setdefault(s.interview_id, []).append(_score(s))
    return tuple(
        InterviewRecord(
            interview_id=i.id,
            round_name=i.round.name,
            mode=i.mode.value,
            status=i.status.value,
            starts_at=i.starts_at.isoformat() if i.starts_at else None,
            scores=tuple(by_interview.get(i.id, ())),
        )
        for i in interviews
    )


def _score(s: Score) -> CompetencyScore:
    evidence = tuple(
        Evidence(quote=str(e.get("quote", "")), source=str(e.get("source", "")))
        for e in (s.evidence or [])
        if isinstance(e, dict)
    )
    return CompetencyScore(
        competency=s.competency,
        score=_number(s.value),
        rater_kind=s.rater_kind.value,
        rater=s.rater_key,
        evidence=evidence,
        confidence=_number(s.confidence),
        comment=s.comment,
    )


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


async def _freeze_if_model_changes(code: str, model: list[dict[str, str]]) -> None:
    """Interviews already taken keep the weights they were assessed with (round versions)."""
    job = await JobOpening.get_or_none(code=code)
    if job is not None and job.competency_model != model:
        rounds = await InterviewRound.filter(job_id=job.id).values_list("id", flat=True)
        await freeze_unpinned([int(cast(int, r)) for r in rounds], "ehr-import")


def _competency_model(opening: JobOpeningInfo) -> list[dict[str, str]]:
    """The stored form of the EHR's model; InvalidInput (with the reason) if malformed."""
    if not opening.competencies:
        return []
    items = [
        {"code": c.code, "name": c.name, "weight": str(c.weight)} for c in opening.competencies
    ]
    return CompetencyModel.from_json(list(items)).to_json()
