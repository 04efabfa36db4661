"""Turn an application down with a reason: one unit of work that stores the reason, records
the decision through the EHR use case (status and archive push), cancels the live
interviews still ahead through the booking use case (so no reminder follows), and sends the
candidate a respectful message (no scores, nothing about the AI, nothing of HR's note).
It is the one way to turn an application down: the intake card's 不合适, the candidate
page, the review page, bulk actions and the pipeline all call it. The decision sets
``decided_at`` (``EhrSync.record_decision``), where the retention clocks start.

The candidate summary drafted later reads the reason (``after_interview.summaries``).
Rejecting again changes and sends nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from recruiting import clock, validation
from recruiting.domain.interview_state import InterviewStatus
from recruiting.domain.pipeline import RejectReason, rejection_text
from recruiting.errors import Conflict, InvalidInput, NotFound
from recruiting.models import Application, ApplicationStatus, Interview, InterviewMode, JobOpening
from recruiting.ports.candidate_channel import candidate_recipient
from recruiting.ports.outbound import Channel, OutboundDraft
from recruiting.services.messaging.effects import Effects
from recruiting.services.offers.ehr import EhrSync
from recruiting.services.pipeline.access import NOT_HR
from recruiting.services.scheduling.booking import InterviewBooking
from recruiting.services.shared.access import require_hr
from recruiting.services.shared.sessions import Principal

NOTE_CHARS = 500
AHEAD = (
    InterviewStatus.SCHEDULED,
    InterviewStatus.INVITED,
    InterviewStatus.CONFIRMED,
    InterviewStatus.RESCHEDULE_REQUESTED,
)


@dataclass(frozen=True)
class Rejected:
    application_id: int
    now: bool  # False: it was rejected before, nothing changed
    cancelled: int  # live interviews cancelled with it


class Rejections:
    def __init__(self, ehr: EhrSync, booking: InterviewBooking, effects: Effects) -> None:
        self._ehr = ehr
        self._booking = booking
        self._effects = effects

    async def reject(
        self, principal: Principal, application_id: int, reason: RejectReason, note: str = "",
        *, candidate_id: int | None = None,
    ) -> Rejected:  # fmt: skip
        """Turn ``application_id`` down (of ``candidate_id`` when a candidate's page names
        it: another's is not found)."""
        await require_hr(
            principal, "reject", "application", application_id, refusal=NOT_HR, audit_allowed=True
        )
        validation.record_id("application_id", application_id)  # beyond the key: not found
        reason = RejectReason(reason)
        note = note.strip()
        if len(note) > NOTE_CHARS:
            raise InvalidInput(f"备注最多 {NOTE_CHARS} 字。", code="note_too_long")
        async with self._effects.unit() as unit:
            application = await Application.select_for_update().filter(id=application_id).first()
            if application is None or candidate_id not in (None, application.candidate_id):
                raise NotFound("没有找到这份申请。", code="application_not_found")
            if application.status == ApplicationStatus.REJECTED:
                return Rejected(application_id, False, 0)
            if application.status == ApplicationStatus.HIRED:
                raise Conflict("候选人已入职，不能再标记为未通过。", code="already_hired")
            if application.status == ApplicationStatus.WITHDRAWN:
                raise Conflict("候选人已撤回申请，不能再标记为未通过。", code="application_closed")
            await Application.filter(id=application_id).update(
                rejection_reason=reason.value,
                rejection_note=note,
                rejected_at=clock.now(),
                rejected_by=principal.userid[:64],
            )
            cancelled = await self._cancel_ahead(principal, application_id)
            await self._ehr.record_decision(
                application_id, ApplicationStatus.REJECTED, principal.actor
            )
            job = await JobOpening.get(id=application.job_id)
            message = OutboundDraft(
                Channel.CANDIDATE,
                candidate_recipient(application.candidate_id),
                {"kind": "text", "content": rejection_text(job.title, reason)},
                "rejection",
            )
            await unit.add([message], cause=f"reject:{application_id}")
        return Rejected(application_id, True, cancelled)

    async def _cancel_ahead(self, principal: Principal, application_id: int) -> int:
        ahead = await Interview.filter(
            application_id=application_id, status__in=list(AHEAD)
        ).exclude(mode=InterviewMode.RECORDED)
        for interview in ahead:
            await self._booking.cancel_and_withdraw(principal, interview.id)
        return len(ahead)
