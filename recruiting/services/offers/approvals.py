"""WeCom's approval callbacks (``sys_approval_change``) drive the offer.

Each callback is recorded in the offer's history; its ``SpStatus`` moves the offer only
forward (``offer_state.on_approval``), so redeliveries and late deliveries change nothing.
A move and its effects are committed together, the effects keyed by ``offer:<id>:<status>``
so no status can cause them twice:

* approved → the offer letter to the candidate (candidate channel), the archive and the new
  employee to the EHR, the new hire to payroll, the application's status to ``offer``, and
  HR told;
* rejected / withdrawn / deleted → HR told, with the approver's words;
* withdrawn after approval → HR told; nothing more goes to the candidate automatically
  (what was sent cannot be unsent, so HR decides how to speak to the candidate).

A callback for an approval number no offer has (yet) is kept (``applied`` False) and
logged; if the number is later recorded on an offer (the submit's answer came after the
decision), it is applied then.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from recruiting import clock
from recruiting.domain import offer_state
from recruiting.domain.inbound import ApprovalChange, Inbound
from recruiting.domain.offer_state import OfferStatus
from recruiting.models import Application, ApplicationStatus, JobOpening, Offer, Staff
from recruiting.models.offers import OfferEvent
from recruiting.ports.candidate_channel import candidate_recipient
from recruiting.ports.ehr import NewEmployee, ehr_draft
from recruiting.ports.outbound import Channel, OutboundDraft
from recruiting.ports.payroll import NewHireHandOff, PackageTerms, payroll_draft
from recruiting.ports.queue import TaskQueue
from recruiting.services.messaging.effects import Effects, Unit
from recruiting.services.offers import texts as say
from recruiting.services.offers.ehr import EhrSync
from recruiting.services.shared.audit import Actor, record

log = logging.getLogger(__name__)

ACCEPT_WITHIN = timedelta(days=7)
KEEP_APPLICATION = frozenset({ApplicationStatus.HIRED, ApplicationStatus.OFFER})


def hr_text(userid: str, text: str, key: str) -> OutboundDraft:
    return OutboundDraft(Channel.WECOM_MESSAGE, userid, {"kind": "text", "content": text}, key)


def _last_word(event: ApprovalChange) -> tuple[str, str]:
    """(speech, approver) of the latest decision that made the current status (the rejecter
    of a 已驳回); an earlier approver's words are not the reason for a withdrawal."""
    details = [
        d for r in event.records for d in r.details if d.sp_time and d.sp_status == event.sp_status
    ]
    details.sort(key=lambda d: d.sp_time)
    spoken = [d for d in details if d.speech.strip()]
    latest = spoken[-1] if spoken else (details[-1] if details else None)
    return (latest.speech, latest.approver) if latest else ("", "")


class OfferApprovals:
    def __init__(self, ehr: EhrSync, timezone: tzinfo, queue: TaskQueue | None = None) -> None:
        self._ehr = ehr
        self._tz = timezone
        self.effects = Effects(queue)

    async def on_approval(self, event: Inbound) -> list[OutboundDraft]:
        """Handler for ``approval`` callbacks (all its effects are outbox rows it writes)."""
        if not isinstance(event, ApprovalChange) or not event.sp_no:
            return []
        speech, approver = _last_word(event)
        key = f"wecom:{event.dedup_key}"[:160]
        detail = {
            "sp_name": event.sp_name,
            "template_id": event.template_id,
            "applyer": event.applyer_userid,
        }
        async with self.effects.unit() as unit:
            if await OfferEvent.exists(dedup_key=key):
                return []
            offer = await Offer.select_for_update().filter(sp_no=event.sp_no).first()
            if offer is None:
                log.info(
                    "approval %s (SpStatus %s) matches no offer yet: kept, not applied",
                    event.sp_no,
                    event.sp_status,
                )
                await OfferEvent.create(
                    sp_no=event.sp_no,
                    dedup_key=key,
                    source="wecom",
                    actor=approver,
                    action="approval",
                    sp_status=event.sp_status,
                    change_event=event.status_change_event,
                    speech=speech[:512],
                    detail=detail,
                    applied=False,
                )
                return []
            await self.apply(
                unit,
                offer,
                event.sp_status,
                event.status_change_event,
                source="wecom",
                speech=speech,
                approver=approver,
                dedup_key=key,
                detail=detail,
            )
        return []

    async def apply_held(self, unit: Unit, offer: Offer, held: OfferEvent) -> None:
        """Apply a callback kept before its number was known (inside the caller's unit)."""
        await OfferEvent.filter(id=held.id).update(offer_id=offer.id, applied=True)
        await self.apply(
            unit,
            offer,
            held.sp_status or 0,
            held.change_event or 0,
            source="wecom",
            speech=held.speech,
            approver=held.actor,
        )

    async def apply(
        self,
        unit: Unit,
        offer: Offer,
        sp_status: int,
        change_event: int,
        *,
        source: str,
        speech: str = "",
        approver: str = "",
        dedup_key: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Record the callback and, if it moves the offer forward, move it and record its
        effects in ``unit``; the caller holds the offer's row lock in it."""
        current = OfferStatus(offer.status)
        move = offer_state.on_approval(current, sp_status)
        note = {**(detail or {}), "what": offer_state.describe(sp_status, change_event)}
        if move.to is None:
            note["ignored"] = move.why
        await OfferEvent.create(
            offer=offer,
            sp_no=offer.sp_no or "",
            dedup_key=dedup_key,
            source=source,
            actor=approver,
            action="approval",
            from_status=current,
            to_status=move.to or "",
            sp_status=sp_status,
            change_event=change_event,
            speech=speech[:512],
            detail=note,
        )
        if move.to is None:
            return
        offer.status = move.to
        await Offer.filter(id=offer.id).update(status=move.to)
        drafts = await self._effects(offer, move.to, speech, approver, current)
        await unit.add(drafts, cause=f"offer:{offer.id}:{move.to.value}")

    async def _effects(
        self, offer: Offer, to: OfferStatus, speech: str, approver: str, was: OfferStatus
    ) -> list[OutboundDraft]:
        application = await Application.get(id=offer.application_id).prefetch_related(
            "candidate", "job"
        )
        job: JobOpening = application.job
        who = await _name_of(approver)
        fields = {
            "name": application.candidate.name,
            "job": job.title,
            "sp_no": offer.sp_no,
            "speech": say.said(speech, who),
        }
        hr = offer.created_by
        if to is OfferStatus.PENDING_APPROVAL:
            return [hr_text(hr, say.PENDING.format(**fields), "hr")]
        if to is OfferStatus.APPROVED:
            return await self._approved(offer, application, approver, fields)
        if to is OfferStatus.REJECTED:
            return [hr_text(hr, say.REJECTED.format(**fields), "hr")]
        if to is OfferStatus.WITHDRAWN:
            return [hr_text(hr, say.WITHDRAWN.format(**fields), "hr")]
        if to is OfferStatus.WITHDRAWN_AFTER_APPROVAL:
            sent = "候选人此前已收到 offer 通知。" if was is OfferStatus.APPROVED else ""
            text = say.WITHDRAWN_AFTER_APPROVAL.format(**fields, sent=sent)
            return [hr_text(hr, text, "hr")]
        return [hr_text(hr, say.DELETED.format(**fields), "hr")]

    async def _approved(
        self, offer: Offer, application: Application, approver: str, fields: dict[str, Any]
    ) -> list[OutboundDraft]:
        """Letter, EHR and payroll hand-offs, application → offer; HR told."""
        hr = offer.created_by
        candidate = application.candidate
        if candidate.erased_at is not None:
            return [hr_text(hr, say.APPROVED_ERASED.format(**fields), "hr")]
        if application.status not in KEEP_APPLICATION:
            application.status = ApplicationStatus.OFFER
            await application.save(update_fields=["status"])
        actor = Actor(approver or "wecom-approval")
        await record(
            actor,
            "decide",
            "application",
            application.id,
            allowed=True,
            detail=f"offer {offer.id} approved ({offer.sp_no})",
        )
        job: JobOpening = application.job
        archive = await self._ehr.archive(application, actor)
        employee = NewEmployee(
            application_id=application.id,
            candidate=archive.candidate,
            job_code=job.code,
            job_title=job.title,
            department=job.department,
            city=job.city or offer.city,
            start_date=offer.start_date.isoformat(),
        )
        terms = PackageTerms(
            offer.city,
            Decimal(offer.base_salary),
            Decimal(offer.bonus_months),
            Decimal(offer.allowances),
        )
        hire = NewHireHandOff(
            f"application-{application.id}", candidate.name, offer.start_date, terms
        )
        letter = await self._letter(offer, application, job)
        return [
            OutboundDraft(
                Channel.CANDIDATE,
                candidate_recipient(candidate.id),
                {"kind": "text", "content": letter},
                "letter",
            ),
            # The answer buttons follow as their own short message: a 微信客服 menu's head
            # holds 1,024 bytes, less than a letter.
            OutboundDraft(
                Channel.CANDIDATE,
                candidate_recipient(candidate.id),
                say.answer_choices(offer.id, say.OFFER_ASK),
                "letter-answer",
            ),
            ehr_draft(archive, "ehr.archive"),
            ehr_draft(employee, "ehr.employee"),
            payroll_draft(hire, f"offer:{offer.id}", "payroll"),
            hr_text(hr, say.APPROVED.format(**fields), "hr"),
        ]

    async def _letter(self, offer: Offer, application: Application, job: JobOpening) -> str:
        estimate = dict(offer.estimate or {})
        hr = await Staff.get_or_none(wecom_userid=offer.created_by)
        today: date = clock.now().astimezone(self._tz).date()
        return say.offer_letter(
            candidate=application.candidate.name,
            job=job.title,
            department=job.department,
            city=str(estimate.get("city_name") or offer.city),
            start=offer.start_date,
            base=Decimal(offer.base_salary),
            allowances=Decimal(offer.allowances),
            bonus_months=Decimal(offer.bonus_months),
            year_end_bonus=str(estimate.get("year_end_bonus") or "0"),
            reply_by=today + ACCEPT_WITHIN,
            hr_name=hr.name if hr else offer.created_by,
        )


async def _name_of(userid: str) -> str:
    if not userid:
        return ""
    staff = await Staff.get_or_none(wecom_userid=userid)
    return staff.name if staff is not None else userid
