"""Erase a candidate's personal data, class by class (``domain.retention.DataClass``).

One entry point for every deletion: the purge job when a retention period ends, the
candidate's (or HR's) erasure request, and, for the recordings of one answer, a withdrawn
consent (``recorded.consents``).

Crash safety: a candidate's rows go in one transaction, together with the outbox effects
that tell the EHR and payroll adapters to drop their copies, the ``ErasureRecord`` and the
audit record. Media objects cannot join a database transaction, so their keys are written
as ``PendingObjectDeletion`` rows in it and the objects are deleted after the commit;
``finish_pending`` retries whatever a crash left. A ``kill -9`` at any moment thus leaves
either the candidate untouched or their rows gone with a durable list of objects still to
delete, never half a candidate.

Transport copies go with the messages class, at once rather than after
``retention.transport_days``: outbox rows addressed to the candidate (or to one of her
offers' hand-offs), and the finished inbox callbacks that can be tied to her: sent by one
of her WeChat / WeCom identifiers, her own external-contact events (``ExternalUserID``),
the approval callbacks of her offers, and interviewers' chat messages that became notes on
her interviews. What cannot be tied to her without reading free text (HR's chat commands
naming her, messages to staff about her, callbacks still in flight) stays until the
transport retention ends; it is sealed meanwhile.

Erasure keeps what holds no personal content and feeds the statistics: the candidate row
as an empty tombstone (``erased_at``), applications and interviews (dates, statuses),
survey ratings without the comment, human score values without the words, interview costs,
consent decisions (proof of the legal basis) and the audit log.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.expressions import Q

from recruiting import clock
from recruiting.domain.intake import source_after_erasure
from recruiting.domain.retention import ORDER, DataClass
from recruiting.errors import Conflict, NotFound
from recruiting.infra.sealed_fields import installed_cipher
from recruiting.models import (
    Answer,
    Application,
    AppSession,
    Candidate,
    CandidateContact,
    CandidateMessage,
    CandidateReply,
    CandidateSummary,
    ErasureRecord,
    InboxEvent,
    IntegrityEvent,
    Interview,
    InterviewNote,
    LegalHold,
    Offer,
    OfferEvent,
    OutboxMessage,
    PendingObjectDeletion,
    ProcessingStatus,
    RaterKind,
    RecordingLink,
    Respondent,
    ResumeFile,
    Score,
    SurveyResponse,
    Upload,
)
from recruiting.ports.ehr import candidate_conversation
from recruiting.ports.media import MediaStore
from recruiting.ports.outbound import FORGET, Channel, OutboundDraft
from recruiting.services.messaging.effects import Effects, Unit
from recruiting.services.messaging.inbox import PAYLOAD_CONTEXT
from recruiting.services.shared.audit import Actor, record

log = logging.getLogger(__name__)

MEDIA_STORE = "media"
FORGET_CAUSE = "erase:candidate:"


class LegalHoldApplies(Conflict):
    """A legal hold covers the candidate: nothing of theirs may be erased until it is lifted."""

    code = "legal_hold"


@dataclass(frozen=True)
class ErasureReport:
    candidate_id: int
    classes: tuple[DataClass, ...]
    counts: dict[str, int] = field(default_factory=dict)  # data class -> rows/objects removed
    objects_deleted: int = 0  # media objects removed after the commit
    effects: int = 0  # outbox rows telling the EHR / payroll to drop their copies


async def holds_on(candidate_id: int) -> list[LegalHold]:
    """Standing legal holds covering the candidate: their own, or one on an opening they
    applied to."""
    jobs = await Application.filter(candidate_id=candidate_id).values_list("job_id", flat=True)
    return await LegalHold.filter(
        Q(candidate_id=candidate_id) | Q(job_id__in=list(jobs) or [-1]), lifted_at=None
    ).order_by("id")


class CandidateErasure:
    """Erase one candidate's data now (``erase``), and finish object deletions a crash
    interrupted (``finish_pending``)."""

    def __init__(self, media: MediaStore, effects: Effects) -> None:
        self._media = media
        self._effects = effects

    async def erase(
        self,
        candidate_id: int,
        classes: Iterable[DataClass] = ORDER,
        *,
        actor: Actor,
        trigger: str = "request",
        now: datetime | None = None,
    ) -> ErasureReport:
        """Erase ``classes`` of the candidate in one transaction, then delete their media
        objects. Raises NotFound for an unknown candidate and LegalHoldApplies when a hold
        covers them. Safe to repeat: what is gone counts 0 the second time. ``now`` is the
        caller's clock (the scheduler's for the purge)."""
        at = now or clock.now()
        wanted = tuple(c for c in ORDER if c in set(classes))
        async with self._effects.unit() as unit:
            candidate = await Candidate.select_for_update().get_or_none(id=candidate_id)
            if candidate is None:
                raise NotFound("没有找到这位候选人。")
            if await holds_on(candidate_id):
                await record(actor, "erase", "candidate", candidate_id, allowed=False,
                             detail=f"legal hold; trigger={trigger}")  # fmt: skip
                raise LegalHoldApplies("该候选人的资料处于法律保全中，暂时不能删除。")
            scope = await _Scope.load(candidate_id)
            counts: dict[str, int] = {}
            for data_class in wanted:
                counts[data_class.value] = await _ERASERS[data_class](scope)
            effects = 0
            if DataClass.PROFILE in wanted:
                effects = await _forget_copies(unit, scope)
                counts[DataClass.PROFILE.value] += candidate.erased_at is None
                await Candidate.filter(id=candidate_id).update(
                    name="", phone_enc=None, email_enc=None, id_number_enc=None,
                    phone_hash=None, email_hash=None, education="", years_experience=None,
                    wechat_openid=None, wechat_unionid=None, external_userid=None,
                    source=source_after_erasure(candidate.source),
                    erased_at=candidate.erased_at or at,
                )  # fmt: skip
                await _keep_channels_only(candidate_id)
            await ErasureRecord.create(candidate_id=candidate_id, at=at, trigger=trigger,
                                       classes=[c.value for c in wanted], counts=counts,
                                       actor=actor.id[:64])  # fmt: skip
            summary = ",".join(f"{k}={v}" for k, v in counts.items())
            await record(actor, "erase", "candidate", candidate_id, allowed=True,
                         detail=f"trigger={trigger} {summary}")  # fmt: skip
        deleted = await self.finish_pending(candidate_id)
        return ErasureReport(candidate_id, wanted, counts, deleted, effects)

    async def forget_answer_media(self, answer: Answer) -> int:
        """The recordings of one answer (a withdrawn consent): rows in one transaction,
        objects after it."""
        async with self._effects.unit():
            candidate_id = await _candidate_of(answer.interview_id)
            count = await _erase_answer_media([answer.id], candidate_id)
        await self.finish_pending(candidate_id)
        return count

    async def finish_pending(self, candidate_id: int | None = None, limit: int = 500) -> int:
        """Delete the media objects committed erasures left to delete (all candidates', or
        one's); a failure is logged and retried next time. Returns how many were removed."""
        rows = PendingObjectDeletion.filter(store=MEDIA_STORE)
        if candidate_id is not None:
            rows = rows.filter(candidate_id=candidate_id)
        deleted = 0
        for row in await rows.order_by("id").limit(limit):
            try:
                if await self._media.delete(row.key):
                    deleted += 1
            except Exception:
                log.exception("could not delete media object %s; will retry", row.key)
                await PendingObjectDeletion.filter(id=row.id).update(attempts=row.attempts + 1)
                continue
            await PendingObjectDeletion.filter(id=row.id).delete()
        return deleted


@dataclass(frozen=True)
class _Scope:
    """The ids that lead to a candidate's rows, read before any class is erased (the notes
    and offers that tie callbacks to her go in earlier classes than the messages)."""

    candidate_id: int
    application_ids: list[int]
    interview_ids: list[int]
    offer_ids: list[int]
    offer_applications: list[tuple[int, int]]  # (offer id, application id)
    identifiers: list[str] = field(default_factory=list)  # her WeChat / WeCom ids
    external_ids: list[str] = field(default_factory=list)  # her external-contact ids
    inbox_keys: list[str] = field(default_factory=list)  # dedup keys of callbacks about her

    @classmethod
    async def load(cls, candidate_id: int) -> _Scope:
        app_ids = _ints(
            await Application.filter(candidate_id=candidate_id).values_list("id", flat=True)
        )
        interviews = _ints(
            await Interview.filter(application_id__in=app_ids or [-1]).values_list("id", flat=True)
        )
        offers = await Offer.filter(application_id__in=app_ids or [-1]).values_list(
            "id", "application_id"
        )
        offer_ids = [int(o) for o, _ in offers]
        external, identifiers = await _identifiers(candidate_id)
        return cls(candidate_id, app_ids, interviews, offer_ids,
                   [(int(o), int(a)) for o, a in offers], identifiers, external,
                   await _inbox_keys(interviews, offer_ids))  # fmt: skip

    @property
    def interviews(self) -> list[int]:
        return self.interview_ids or [-1]


def _ints(values: Any) -> list[int]:
    return [int(v) for v in values]


async def _identifiers(candidate_id: int) -> tuple[list[str], list[str]]:
    """(external-contact ids, every WeChat / WeCom id) of the candidate."""
    candidate = await Candidate.get(id=candidate_id)
    external = {candidate.external_userid or ""}
    openids = {candidate.wechat_openid or "", candidate.wechat_unionid or ""}
    for contact in await CandidateContact.filter(candidate_id=candidate_id):
        external |= {contact.external_userid or "", contact.kf_external_userid or ""}
    external.discard("")
    openids.discard("")
    return sorted(external), sorted(external | openids)


async def _inbox_keys(interview_ids: list[int], offer_ids: list[int]) -> list[str]:
    """The inbox dedup keys of callbacks about her: interviewers' messages that became notes
    on her interviews (a note keeps the message id) and approval callbacks of her offers
    (an offer event keeps ``wecom:<dedup key>``)."""
    sources = await InterviewNote.filter(
        interview_id__in=interview_ids or [-1], source_msg_id__isnull=False
    ).values_list("source_msg_id", flat=True)
    keys = {k for s in sources for k in (str(s), f"msg:{s}")}
    events = await OfferEvent.filter(offer_id__in=offer_ids or [-1]).values_list(
        "dedup_key", flat=True
    )
    keys |= {str(k).removeprefix("wecom:") for k in events if k and str(k).startswith("wecom:")}
    return sorted(keys)


async def _candidate_of(interview_id: int) -> int:
    interview = await Interview.get(id=interview_id).prefetch_related("application")
    return int(interview.application.candidate_id)


def upload_key(interview_id: int, question_index: int, upload_id: str) -> str:
    """Where an upload's object lives in the media store (``recorded.consents.upload_key``
    is the same for an answer row)."""
    return f"answers/{interview_id}/{question_index}/{upload_id}"


async def _erase_answer_media(answer_ids: list[int], candidate_id: int) -> int:
    """Clear the answers' media references and list their objects for deletion."""
    keys: set[str] = set()
    answers = await Answer.filter(id__in=answer_ids or [-1])
    for answer in answers:
        if answer.media_key:
            keys.add(answer.media_key)
        uploads = await Upload.filter(answer_id=answer.id).values_list("id", flat=True)
        keys |= {upload_key(answer.interview_id, answer.question_index, str(u)) for u in uploads}
    for key in sorted(keys):
        await PendingObjectDeletion.create(store=MEDIA_STORE, key=key, candidate_id=candidate_id)
    await Upload.filter(answer_id__in=answer_ids or [-1]).delete()
    await (
        Answer.filter(id__in=answer_ids or [-1])
        .exclude(media_key="")
        .update(media_key="", media_sha256="", media_bytes=0, media_type="")
    )
    return len(keys)


async def _recordings(scope: _Scope) -> int:
    answers = _ints(
        await Answer.filter(interview_id__in=scope.interviews).values_list("id", flat=True)
    )
    objects = await _erase_answer_media(answers, scope.candidate_id)
    events = await IntegrityEvent.filter(interview_id__in=scope.interviews).delete()
    return objects + int(events)


async def _assessments(scope: _Scope) -> int:
    answers = await Answer.filter(
        Q(analysis__isnull=False) | Q(flag_count__gt=0), interview_id__in=scope.interviews
    ).update(analysis=None, analysis_reason="", flag_count=0)
    scores = await Score.filter(interview_id__in=scope.interviews, rater_kind=RaterKind.AI).delete()
    summaries = await CandidateSummary.filter(interview_id__in=scope.interviews).update(
        strengths="", improvements="", next_step="", hr_notes=""
    )
    return int(answers) + int(scores) + int(summaries)


async def _notes(scope: _Scope) -> int:
    notes = await InterviewNote.filter(interview_id__in=scope.interviews).delete()
    reasons = await Application.filter(
        Q(rejection_reason__not="") | Q(rejection_note__not_isnull=True),
        candidate_id=scope.candidate_id,
    ).update(rejection_reason="", rejection_note=None)
    # Human ratings stay as numbers (interviewer calibration); their words go.
    scores = await Score.filter(interview_id__in=scope.interviews, rater_kind=RaterKind.HUMAN)
    cleared = 0
    for score in scores:
        if score.comment or score.evidence:
            await Score.filter(id=score.id).update(comment="", evidence=[])
            cleared += 1
    return int(notes) + int(reasons) + cleared


async def _resumes(scope: _Scope) -> int:
    """Résumé rows go now, their files from the media store after the commit."""
    files = await ResumeFile.filter(candidate_id=scope.candidate_id).values_list(
        "object_key", flat=True
    )
    for key in files:
        await PendingObjectDeletion.create(
            store=MEDIA_STORE, key=str(key), candidate_id=scope.candidate_id
        )
    return int(await ResumeFile.filter(candidate_id=scope.candidate_id).delete())


async def _survey_comments(scope: _Scope) -> int:
    return int(
        await SurveyResponse.filter(interview_id__in=scope.interviews,
                                    respondent=Respondent.CANDIDATE)
        .exclude(comment="")
        .update(comment="")
    )  # fmt: skip


async def _messages(scope: _Scope) -> int:
    inbox = await CandidateMessage.filter(candidate_id=scope.candidate_id).delete()
    replies = await CandidateReply.filter(candidate_id=scope.candidate_id).delete()
    # Delivered copies of what was sent to or about them (hand-offs included): the outside
    # systems have it; a row still pending is dropped too, nothing more goes out about them.
    recipients = [candidate_conversation(scope.candidate_id)] + [
        f"offer:{o}" for o in scope.offer_ids
    ]
    sent = (
        await OutboxMessage.filter(recipient__in=recipients)
        .exclude(status=ProcessingStatus.PROCESSING)
        .exclude(idempotency_key__startswith=FORGET_CAUSE)  # the erasure's own effects
        .delete()
    )
    return int(inbox) + int(replies) + int(sent) + await _callbacks(scope)


FINISHED = (ProcessingStatus.DONE, ProcessingStatus.FAILED)


async def _callbacks(scope: _Scope) -> int:
    """Finished inbox callbacks tied to her (see the module's docstring); one still pending
    or in a worker's hands is left to finish and goes after the transport retention."""
    finished = InboxEvent.filter(status__in=FINISHED)
    ids: set[int] = set()
    if scope.identifiers:
        ids |= set(_ints(await finished.filter(from_user__in=scope.identifiers)
                         .values_list("id", flat=True)))  # fmt: skip
    if scope.inbox_keys:
        ids |= set(_ints(await finished.filter(source="wecom", dedup_key__in=scope.inbox_keys)
                         .values_list("id", flat=True)))  # fmt: skip
    if scope.external_ids:
        names = "|".join(re.escape(x) for x in scope.external_ids)
        hers = re.compile(
            rf"<ExternalUserID>(?:<!\[CDATA\[)?(?:{names})(?:\]\]>)?</ExternalUserID>"
        )
        cipher = installed_cipher()
        rows = await finished.filter(kind="external_contact").values_list("id", "payload_enc")
        ids |= {int(i) for i, token in rows
                if hers.search(cipher.decrypt(str(token), PAYLOAD_CONTEXT))}  # fmt: skip
    if not ids:
        return 0
    return int(await InboxEvent.filter(id__in=sorted(ids)).delete())


async def _profile(scope: _Scope) -> int:
    contact = await CandidateContact.filter(candidate_id=scope.candidate_id).delete()
    sessions = await AppSession.filter(candidate_id=scope.candidate_id).delete()
    links = (
        await RecordingLink.filter(interview_id__in=scope.interviews)
        .exclude(redeemed_by="")
        .update(redeemed_by="")
    )
    # An offer is one person's pay: it goes whole, with its history (the EHR and payroll
    # hold a hire's terms as the employer's record).
    events = await OfferEvent.filter(offer_id__in=scope.offer_ids or [-1]).delete()
    offers = await Offer.filter(id__in=scope.offer_ids or [-1]).delete()
    return int(contact) + int(sessions) + int(links) + int(offers) + int(events)


async def _forget_copies(unit: Unit, scope: _Scope) -> int:
    """Tell the EHR and payroll adapters to drop the copies they hold of this candidate
    (the file exchange's spool, the payroll CSV): outbox effects in this transaction."""
    drafts: list[OutboundDraft] = []
    if scope.application_ids:
        drafts.append(
            OutboundDraft(
                Channel.EHR,
                candidate_conversation(scope.candidate_id),
                {
                    "op": FORGET,
                    "candidate_id": scope.candidate_id,
                    "application_ids": scope.application_ids,
                },
                "ehr.forget",
            )
        )
    # A payroll hand-off is made when an offer is approved: any application with an offer
    # may have a payroll row, hired or not.
    for offer_id, application_id in scope.offer_applications:
        drafts.append(
            OutboundDraft(
                Channel.PAYROLL,
                f"offer:{offer_id}",  # the hand-off's recipient: delivered after it
                {"kind": FORGET, "employee_ref": f"application-{application_id}"},
                f"payroll.forget.{offer_id}",
            )
        )
    new = await unit.add(drafts, cause=f"{FORGET_CAUSE}{scope.candidate_id}")
    return len(new)


_ERASERS: dict[DataClass, Any] = {
    DataClass.RECORDINGS: _recordings,
    DataClass.ASSESSMENTS: _assessments,
    DataClass.NOTES: _notes,
    DataClass.RESUMES: _resumes,
    DataClass.SURVEY_COMMENTS: _survey_comments,
    DataClass.MESSAGES: _messages,
    DataClass.PROFILE: _profile,
}


async def _keep_channels_only(candidate_id: int) -> None:
    """Applications keep where they came from for the channel statistics, but only as a
    code or a known channel: a source HR typed may name a person (朋友推荐（李雷）)."""
    for application in await Application.filter(candidate_id=candidate_id):
        kept = source_after_erasure(application.channel)
        if kept != application.channel:
            await Application.filter(id=application.id).update(channel=kept)
