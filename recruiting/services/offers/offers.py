"""HR shapes an offer in chat and submits it to WeCom 审批 (issue #5, item 8).

``发offer 张三`` → the standard package of the job from the payroll port (HR's typed figures
override it) with payroll's estimate of net pay and employer cost, on a card with 提交审批 /
取消. 提交审批 writes the ``oa/applyevent`` request to the outbox in the transaction that
marks the offer ``submitting``; the approval sender reports back through
``ApprovalOutcomes`` (implemented here): the approval number moves the offer to
``pending_approval``, a refusal (301025, 301055, …) tells HR and returns it to ``draft``.
Decisions arrive as callbacks (``approvals``).

Only ``hr`` and ``hr_manager`` may make offers; anyone else is told politely, and audited.
A card carries the offer's version: a click on a card whose figures were changed since is
refused, so nothing is submitted that HR did not see.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import tzinfo
from decimal import Decimal
from typing import Any

from tortoise.transactions import in_transaction

from recruiting import clock
from recruiting.domain import offer_terms
from recruiting.domain.error_text import for_people
from recruiting.domain.inbound import CardClick, Inbound, TextMessage
from recruiting.domain.offer_state import ACTIVE, STATUS_NAMES, OfferStatus, SpStatus
from recruiting.domain.offer_terms import Figures, OfferCommand
from recruiting.domain.routing import parse_key
from recruiting.errors import InvalidInput
from recruiting.models import Application, ApplicationStatus, Candidate, JobOpening, Offer, Staff
from recruiting.models.offers import OfferEvent
from recruiting.ports.approval import OfferApprovalRequest, approval_draft
from recruiting.ports.outbound import Channel, OutboundDraft
from recruiting.ports.payroll import PackageEstimate, PackageTerms, PayrollPackages
from recruiting.services.messaging.conversation import card_update
from recruiting.services.offers import texts as say
from recruiting.services.offers.approvals import OfferApprovals, hr_text
from recruiting.services.shared.access import HR_ROLES
from recruiting.services.shared.audit import Actor, record

log = logging.getLogger(__name__)

CLOSED_APPLICATIONS = (
    ApplicationStatus.HIRED,
    ApplicationStatus.REJECTED,
    ApplicationStatus.WITHDRAWN,
)
CARD_ACTIONS = (say.SUBMIT_KEY, say.CANCEL_KEY, say.DONE_KEY)  # offer.<action>:<id>[:<version>]


def _reply(userid: str, text: str, key: str = "reply") -> OutboundDraft:
    return OutboundDraft(Channel.WECOM_MESSAGE, userid, {"kind": "text", "content": text}, key)


class Offers:
    def __init__(
        self, payroll: PayrollPackages, approvals: OfferApprovals, timezone: tzinfo
    ) -> None:
        self._payroll = payroll
        self._approvals = approvals
        self._effects = approvals.effects  # the approvals' queue carries the submit
        self._tz = timezone

    # -- chat ----------------------------------------------------------------------------

    async def on_text(self, staff: Staff, message: TextMessage) -> list[OutboundDraft] | None:
        """Drafts for an offer command; None when the text is not one."""
        today = clock.now().astimezone(self._tz).date()
        try:
            command = offer_terms.parse(message.content, today)
        except InvalidInput as exc:
            return [_reply(staff.wecom_userid, self._bad_figures(for_people(exc)))]
        if command is None:
            return None
        return await self.start(staff, command)

    async def start(self, staff: Staff, command: OfferCommand) -> list[OutboundDraft]:
        userid = staff.wecom_userid
        actor = Actor(userid, staff.role_set())
        if not actor.roles & HR_ROLES:
            # the name typed is personal data: never the subject (plain text in the audit log)
            await record(actor, "offer_start", "candidate", "-", allowed=False)
            return [_reply(userid, say.NOT_ALLOWED)]
        if not command.name:
            return [_reply(userid, say.USAGE.format(example=self._example()))]
        found = await _application(command)
        if isinstance(found, str):
            return [_reply(userid, found)]
        application, candidate, job = found
        await record(actor, "offer_start", "application", application.id, allowed=True)
        offers = await Offer.filter(application_id=application.id).order_by("-id")
        active = next((o for o in offers if o.status in ACTIVE), None)
        if active is not None:
            status = STATUS_NAMES[OfferStatus(active.status)]
            text = say.ACTIVE_EXISTS.format(
                name=candidate.name, job=job.title, status=status, id=active.id
            )
            return [_reply(userid, text)]
        draft = next((o for o in offers if o.status == OfferStatus.DRAFT), None)
        try:
            return await self._draft(staff, command, application, candidate, job, draft)
        except InvalidInput as exc:
            return [_reply(userid, self._bad_figures(for_people(exc)))]

    def _example(self) -> str:
        return offer_terms.example_start(clock.now().astimezone(self._tz).date()).isoformat()

    def _bad_figures(self, reason: str) -> str:
        return say.BAD_FIGURES.format(reason=reason, example=self._example())

    async def _draft(
        self,
        staff: Staff,
        command: OfferCommand,
        application: Application,
        candidate: Candidate,
        job: JobOpening,
        draft: Offer | None,
    ) -> list[OutboundDraft]:
        userid = staff.wecom_userid
        defaults, proposed = await self._defaults(job, draft)
        figures = command.figures.over(defaults)
        if figures.base is None:
            missing = "月薪和入职日期" if figures.start_date is None else "月薪"
            text = say.NEED_FIGURES.format(
                job=job.title, missing=missing, name=candidate.name, example=self._example()
            )
            return [_reply(userid, text)]
        if figures.start_date is None:
            text = say.NEED_START.format(name=candidate.name, example=self._example())
            return [_reply(userid, text)]
        city = await self._payroll.city_code(figures.city or job.city)
        terms = PackageTerms(
            city, figures.base, figures.bonus_months or Decimal(0), figures.allowances or Decimal(0)
        )
        estimate = await self._payroll.estimate(terms, figures.start_date)
        values: dict[str, Any] = {
            "city": city,
            "base_salary": terms.base,
            "bonus_months": terms.bonus_months,
            "allowances": terms.allowances,
            "start_date": figures.start_date,
            "estimate": _estimate_json(estimate),
        }
        async with in_transaction():
            if draft is None:
                draft = await Offer.create(
                    application_id=application.id, created_by=userid, **values
                )
            else:
                await draft.update_from_dict(
                    {**values, "version": draft.version + 1, "created_by": userid}
                ).save()
            await OfferEvent.create(
                offer=draft,
                source="hr",
                actor=userid,
                action="draft",
                to_status=draft.status,
                detail=_figures_json(draft),
            )
        source = "HR 填写"
        if proposed:
            source = "薪酬系统建议" + ("（HR 已修改）" if command.figures.pay_given else "")
        card = say.offer_card(draft.id, draft.version, candidate.name, job.title,
                              _figures_json(draft), estimate, source)  # fmt: skip
        return [
            OutboundDraft(
                Channel.WECOM_MESSAGE, userid, {"kind": "template_card", "card": card}, "card"
            )
        ]

    async def _defaults(self, job: JobOpening, draft: Offer | None) -> tuple[Figures, bool]:
        """The draft's figures when HR is revising one, else payroll's standard package."""
        if draft is not None:
            return Figures(
                Decimal(draft.base_salary),
                Decimal(draft.bonus_months),
                Decimal(draft.allowances),
                draft.start_date,
                draft.city,
            ), False
        proposal = await self._payroll.propose(job.code, job.city)
        if proposal is None:
            return Figures(), False
        figures = Figures(
            proposal.base, proposal.bonus_months, proposal.allowances, city=proposal.city
        )
        return figures, True

    # -- card clicks ---------------------------------------------------------------------

    async def on_card_click(self, event: Inbound) -> list[OutboundDraft]:
        """``offer.submit|cancel:<id>:<version>`` and ``offer.done:<id>`` (``card_routes``)."""
        if not isinstance(event, CardClick):
            return []
        key = parse_key(event.event_key)
        if key is None or key.prefix not in CARD_ACTIONS or len(key.args) > 2:
            return []
        offer_id, version = key.number(0), key.number(1) if len(key.args) == 2 else 0
        if offer_id is None or version is None:
            return []
        action = key.action
        staff = await Staff.get_or_none(wecom_userid=event.from_user, active=True)
        actor = Actor(event.from_user, staff.role_set() if staff else frozenset())
        if not actor.roles & HR_ROLES:
            await record(actor, f"offer_{action}", "offer", offer_id, allowed=False)
            return [_reply(event.from_user, say.NOT_ALLOWED)]
        if action == "submit":
            text, label = await self.submit(offer_id, version, actor)
        elif action == "cancel":
            text, label = await self.cancel(offer_id, version, actor)
        else:
            offer = await Offer.get_or_none(id=offer_id)
            status = OfferStatus(offer.status) if offer else OfferStatus.CANCELLED
            text = say.NOT_DRAFT.format(id=offer_id, status=STATUS_NAMES[status])
            label = ""
        if not (event.response_code and label):
            return [_reply(event.from_user, text)]
        card = await _settled(offer_id, event.task_id, label)
        update = card_update(event.from_user, event.response_code, card)
        if label == say.SUBMITTED_LABEL:
            # The card now says it; the one message HR gets is 审批中 with its number.
            return [update]
        return [_reply(event.from_user, text), update]

    async def submit(self, offer_id: int, version: int, actor: Actor) -> tuple[str, str]:
        """Mark the draft submitting and queue its ``applyevent``; (reply, what the clicked
        card now says)."""
        async with self._effects.unit() as unit:
            offer = await Offer.select_for_update().filter(id=offer_id).first()
            if offer is None:
                return say.NOT_DRAFT.format(id=offer_id, status="不存在"), say.GONE
            application, candidate, job = await parties(offer)
            name = candidate.name
            status = OfferStatus(offer.status)
            if status != OfferStatus.DRAFT:
                return say.NOT_DRAFT.format(id=offer.id, status=STATUS_NAMES[status]), ""
            if offer.version != version:
                return say.STALE_CARD.format(name=name), say.STALE
            other = await Offer.filter(
                application_id=application.id, status__in=list(ACTIVE)
            ).first()
            if other is not None:
                text = say.OTHER_ACTIVE.format(
                    name=name, status=STATUS_NAMES[other.status], id=other.id
                )
                return text, say.STALE
            request = _request(offer, candidate, job, actor.id)
            await Offer.filter(id=offer.id).update(status=OfferStatus.SUBMITTING, error="")
            await OfferEvent.create(
                offer=offer,
                source="hr",
                actor=actor.id,
                action="submit",
                from_status=status,
                to_status=OfferStatus.SUBMITTING,
                detail=request.payload(),
            )
            await unit.add(
                [approval_draft(request, "applyevent")],
                cause=f"offer:{offer.id}:submit:{offer.version}",
            )
            await record(actor, "offer_submit", "offer", offer.id, allowed=True)
        return say.SUBMITTED.format(name=name, job=job.title), say.SUBMITTED_LABEL

    async def cancel(self, offer_id: int, version: int, actor: Actor) -> tuple[str, str]:
        async with in_transaction():
            offer = await Offer.select_for_update().filter(id=offer_id).first()
            if offer is None:
                return say.NOT_DRAFT.format(id=offer_id, status="不存在"), say.GONE
            status = OfferStatus(offer.status)
            _, candidate, job = await parties(offer)
            if status != OfferStatus.DRAFT:
                return say.NOT_DRAFT.format(id=offer.id, status=STATUS_NAMES[status]), ""
            if offer.version != version:
                return say.STALE_CARD.format(name=candidate.name), say.STALE
            await Offer.filter(id=offer.id).update(status=OfferStatus.CANCELLED)
            await OfferEvent.create(
                offer=offer,
                source="hr",
                actor=actor.id,
                action="cancel",
                from_status=status,
                to_status=OfferStatus.CANCELLED,
            )
            await record(actor, "offer_cancel", "offer", offer.id, allowed=True)
        text = say.CANCELLED.format(name=candidate.name, job=job.title, id=offer.id)
        return text, say.CANCELLED_LABEL

    # -- ApprovalOutcomes (called by the approval sender) ---------------------------------

    async def submitted_number(self, offer_id: int) -> str | None:
        offer = await Offer.get_or_none(id=offer_id)
        return offer.sp_no if offer is not None and offer.sp_no else None

    async def submitted(self, offer_id: int, sp_no: str) -> None:
        """Record the approval number, move to pending, and apply any decision that arrived
        before the number was known."""
        async with self._effects.unit() as unit:
            offer = await Offer.select_for_update().filter(id=offer_id).first()
            if offer is None or offer.sp_no == sp_no:
                return
            offer.sp_no = sp_no
            await offer.save(update_fields=["sp_no"])
            await self._approvals.apply(unit, offer, SpStatus.PENDING, 1, source="system")
            for held in await OfferEvent.filter(sp_no=sp_no, offer_id=None, applied=False).order_by(
                "id"
            ):
                await self._approvals.apply_held(unit, offer, held)

    async def refused(self, offer_id: int, code: int | None, reason: str) -> None:
        """WeCom refused the submit for good: back to draft (a new version, so the old card
        cannot resubmit the same request), and HR is told what to fix."""
        async with self._effects.unit() as unit:
            offer = await Offer.select_for_update().filter(id=offer_id).first()
            if offer is None or offer.status != OfferStatus.SUBMITTING:
                return
            error = f"{code}: {reason}"[:512]
            await Offer.filter(id=offer.id).update(
                status=OfferStatus.DRAFT, error=error, version=offer.version + 1
            )
            await OfferEvent.create(
                offer=offer,
                source="wecom",
                action="refused",
                from_status=offer.status,
                to_status=OfferStatus.DRAFT,
                detail={"errcode": code, "errmsg": reason[:200]},
            )
            _, candidate, job = await parties(offer)
            first = say.REFUSED.get(code or 0) or say.REFUSED_OTHER.format(code=code, reason=reason)
            tail = say.REFUSED_TAIL.format(name=candidate.name, job=job.title, id=offer.id)
            draft = hr_text(offer.created_by, first + tail, "refused")
            await unit.add([draft], cause=f"offer:{offer.id}:refused:{offer.version}")
        log.warning("offer %s: WeCom refused the approval (%s): %s", offer_id, code, reason)


async def _application(
    command: OfferCommand,
) -> tuple[Application, Candidate, JobOpening] | str:
    """The open application the command names, or what to tell HR."""
    applications = await (
        Application.filter(candidate__name=command.name, candidate__erased_at__isnull=True)
        .exclude(status__in=list(CLOSED_APPLICATIONS))
        .prefetch_related("candidate", "job")
        .order_by("id")
    )
    if not applications:
        return say.NO_CANDIDATE.format(name=command.name)
    if command.job_hint and len(applications) > 1:
        hint = command.job_hint.replace(" ", "")
        narrowed = [a for a in applications if hint in a.job.title or hint == a.job.code]
        applications = narrowed or applications
    if len(applications) > 1:
        titles = [a.job.title for a in applications]
        return say.WHICH_JOB.format(name=command.name, jobs="、".join(titles), first=titles[0])
    application = applications[0]
    return application, application.candidate, application.job


async def parties(offer: Offer) -> tuple[Application, Candidate, JobOpening]:
    """The offer's application with its candidate and job."""
    application = await Application.get(id=offer.application_id).prefetch_related(
        "candidate", "job"
    )
    job: JobOpening = application.job
    return application, application.candidate, job


async def _settled(offer_id: int, task_id: str, label: str) -> dict[str, Any]:
    """The clicked card redrawn: the offer's content with ``label`` as its state."""
    offer = await Offer.get_or_none(id=offer_id)
    if offer is None:
        return say.settled_card(task_id, offer_id, label)
    _, candidate, job = await parties(offer)
    estimate = _estimate_from(offer.estimate)
    return say.offer_card(offer.id, offer.version, candidate.name, job.title,
                          _figures_json(offer), estimate, "", state=label,
                          task_id=task_id)  # fmt: skip


def _request(
    offer: Offer, candidate: Candidate, job: JobOpening, creator: str
) -> OfferApprovalRequest:
    estimate = _estimate_from(offer.estimate)
    return OfferApprovalRequest(
        offer_id=offer.id,
        creator=creator,
        candidate=candidate.name,
        job=job.title,
        department=job.department,
        city=estimate.city_name,
        base_salary=str(Decimal(offer.base_salary).quantize(Decimal("0.01"))),
        bonus_months=say.months(offer.bonus_months),
        year_end_bonus=str(estimate.year_end_bonus),
        allowances=str(Decimal(offer.allowances).quantize(Decimal("0.01"))),
        start_date=offer.start_date.isoformat(),
        note=f"预计公司月成本约 {say.yuan(estimate.monthly_employer_cost)} 元"
        + (f"；{estimate.data_notice}" if estimate.data_notice else ""),
    )


def _figures_json(offer: Offer) -> dict[str, Any]:
    return {
        "city": offer.city,
        "base": str(offer.base_salary),
        "bonus_months": str(offer.bonus_months),
        "allowances": str(offer.allowances),
        "start_date": offer.start_date.isoformat(),
    }


def _estimate_json(estimate: PackageEstimate) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in asdict(estimate).items()}


def _estimate_from(data: Any) -> PackageEstimate:
    d = dict(data or {})
    money = (
        "monthly_gross",
        "monthly_net",
        "monthly_employer_cost",
        "year_end_bonus",
        "first_year_cost",
    )
    return PackageEstimate(
        city_name=str(d.get("city_name", "")),
        year=int(d.get("year", 0)),
        data_notice=str(d.get("data_notice") or ""),
        **{k: Decimal(str(d.get(k, "0"))) for k in money},
    )
