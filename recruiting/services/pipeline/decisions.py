"""HR's decisions on the review page, each through the use case chat and the API use:
advance to a round (a recorded-interview invitation, or booking + invitation), reject with
a reason (``Rejections``), propose an offer (``Offers.start``: the same draft card HR gets
when typing 发offer in chat, delivered to HR's WeCom chat for submission to approval).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from recruiting import clock
from recruiting.domain import offer_terms
from recruiting.domain.offer_terms import Figures, OfferCommand
from recruiting.domain.pipeline import RejectReason
from recruiting.errors import InvalidInput, NotFound
from recruiting.models import Application, InterviewRound, RoundKind, Staff
from recruiting.services.messaging.effects import Effects
from recruiting.services.offers.offers import Offers
from recruiting.services.pipeline.access import NOT_HR
from recruiting.services.pipeline.bulk import BulkActions, ItemResult
from recruiting.services.pipeline.reject import Rejections
from recruiting.services.shared.access import require_hr
from recruiting.services.shared.audit import record
from recruiting.services.shared.sessions import Principal

FIGURES_CHARS = 200
SENT_CARD = "offer 草稿已发到您的企业微信，请在卡片上核对后提交审批。"


@dataclass(frozen=True)
class Decision:
    ok: bool
    message: str  # Chinese, for HR
    link: str = ""


class Decisions:
    def __init__(
        self, bulk: BulkActions, rejections: Rejections, offers: Offers, effects: Effects,
        zone: tzinfo,
    ) -> None:  # fmt: skip
        self._bulk = bulk
        self._rejections = rejections
        self._offers = offers
        self._effects = effects
        self._zone = zone

    async def advance(
        self, principal: Principal, application_id: int, round_id: int, *,
        deadline: datetime | None = None, start: datetime | None = None,
        interviewers: Sequence[int] = (),
    ) -> Decision:  # fmt: skip
        """Into ``round_id``: a recorded round needs ``deadline``, a live one ``start`` and
        ``interviewers``. HR only, checked before the round is looked up (the bulk action
        it goes through audits the allowed call)."""
        await require_hr(principal, "advance", "application", application_id, refusal=NOT_HR)
        round_ = await InterviewRound.get_or_none(id=round_id)
        if round_ is None:
            raise NotFound("没有找到这一轮面试。", code="round_not_found")
        if round_.kind == RoundKind.RECORDED:
            if deadline is None:
                raise InvalidInput("请填写录制面试的截止时间。", code="deadline_required")
            result = await self._bulk.invite_recorded(principal, [application_id], round_id,
                                                      deadline)  # fmt: skip
        else:
            if start is None:
                raise InvalidInput("请填写面试开始时间。", code="start_required")
            result = await self._bulk.schedule_live(principal, [application_id], round_id,
                                                    start, interviewers)  # fmt: skip
        item: ItemResult = result.items[0]
        return Decision(item.ok, item.message, item.link)

    async def reject(
        self, principal: Principal, application_id: int, reason: RejectReason, note: str = ""
    ) -> Decision:
        done = await self._rejections.reject(principal, application_id, reason, note)
        return Decision(
            True, "已标记为未通过并通知候选人。" if done.now else "之前已标记为未通过。"
        )

    async def propose_offer(
        self, principal: Principal, application_id: int, figures: str = ""
    ) -> Decision:
        """Start the offer in HR's chat (``Offers.start``) with the figures typed here in
        the chat's own words ("月薪2.5万 入职2026-12-15"), or the payroll proposal."""
        await require_hr(
            principal,
            "propose_offer",
            "application",
            application_id,
            refusal=NOT_HR,
            audit_allowed=True,
        )
        if len(figures) > FIGURES_CHARS:
            raise InvalidInput(f"offer 条件最多 {FIGURES_CHARS} 字。", code="figures_too_long")
        application = await Application.get_or_none(id=application_id).prefetch_related(
            "candidate", "job"
        )
        staff = await Staff.get_or_none(id=principal.staff_id or 0, active=True)
        if application is None or staff is None:
            raise NotFound("没有找到这份申请。", code="application_not_found")
        command = OfferCommand(application.candidate.name, application.job.code,
                               self._figures(figures))  # fmt: skip
        drafts = await self._offers.start(staff, command)
        stamp = int(clock.now().timestamp() * 1000)
        async with self._effects.unit() as unit:
            await unit.add(drafts, cause=f"workbench-offer:{application_id}:{stamp}")
        await record(principal.actor, "propose_offer", "application", application_id,
                     allowed=True)  # fmt: skip
        card = any(d.payload.get("kind") == "template_card" for d in drafts)
        if card:
            return Decision(True, SENT_CARD)
        text = next((str(d.payload.get("content") or "") for d in drafts), "")
        return Decision(False, text or "未能发起 offer，请在企业微信中查看说明。")

    def _figures(self, text: str) -> Figures:
        """The figures of ``text`` read by the chat command's own parser."""
        if not text.strip():
            return Figures()
        today = clock.now().astimezone(self._zone).date()
        command = offer_terms.parse(f"发offer 候选人 {text}", today)
        return command.figures if command is not None else Figures()
