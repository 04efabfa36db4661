"""The offer world the offer and candidate-text tests share: a job, an application and the
offer services wired as in production (on a fake payroll), and the steps that take an offer
from HR's card to WeCom approval."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

from recruiting.domain.inbound import ApprovalChange, ApprovalDetail, ApprovalRecord, CardClick
from recruiting.models import Application, JobOpening, Offer, Staff
from recruiting.ports.outbound import OutboundDraft
from recruiting.services.offers.approvals import OfferApprovals
from recruiting.services.offers.offers import Offers
from tests.integration.staff_chat import said

TZ = ZoneInfo("Asia/Shanghai")
START = date(2030, 3, 18)
_keys = count(1)


@dataclass(frozen=True)
class OfferWorld:
    job: JobOpening
    application: Application
    approvals: OfferApprovals
    offers: Offers


def click(userid: str, key: str) -> CardClick:
    n = next(_keys)
    return CardClick(kind="card_click", from_user=userid, to_user="c", agent_id="1",
                     create_time=n, msg_type="event", event="template_card_event",
                     dedup_key=f"click:{n}", event_key=key, task_id="t", response_code=f"rc{n}")  # fmt: skip


def approval(
    sp_no: str, status: int, event: int, *, speech: str = "", by: str = "zhangwei"
) -> ApprovalChange:
    n = next(_keys)
    detail = ApprovalDetail(approver=by, speech=speech, sp_status=status, sp_time=1000 + n)
    return ApprovalChange(kind="approval", from_user="sys", to_user="c", agent_id="1",
                          create_time=n, msg_type="event", event="sys_approval_change",
                          dedup_key=f"ap:{n}", sp_no=sp_no, sp_status=status,
                          records=(ApprovalRecord(status, 1, (detail,)),),
                          status_change_event=event)  # fmt: skip


def card_of(drafts: list[OutboundDraft]) -> dict[str, Any]:
    [draft] = [d for d in drafts if d.payload.get("kind") == "template_card"]
    return dict(draft.payload["card"])


async def start(world: OfferWorld, text: str, userid: str = "lina") -> list[OutboundDraft]:
    drafts = await world.offers.on_text(await Staff.get(wecom_userid=userid), said(userid, text))
    assert drafts is not None
    return drafts


async def submitted_offer(world: OfferWorld, sp_no: str = "SP1") -> Offer:
    """An offer submitted by lina and, unless ``sp_no`` is empty, numbered by WeCom."""
    card = card_of(await start(world, f"发offer 张三 入职{START.isoformat()}"))
    await world.offers.on_card_click(click("lina", card["button_list"][0]["key"]))
    offer = await Offer.get(application_id=world.application.id)
    if sp_no:
        await world.offers.submitted(offer.id, sp_no)
    return await Offer.get(id=offer.id)
