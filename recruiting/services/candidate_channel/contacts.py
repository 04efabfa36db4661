"""What the candidate channel knows about each candidate, kept in the database so every
process agrees: the routes that reach them (微信客服 with its reply window, the recruiter's
external contact), the mini-app inbox, contact ways made per invitation, and the 微信客服
sync cursor. The WeCom adapter calls these; no WeCom shapes appear here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.expressions import F

from recruiting.errors import InvalidInput
from recruiting.models import (
    CandidateContact,
    CandidateMessage,
    CandidateReply,
    ContactWay,
    Interview,
    KfCursor,
    OfferEvent,
)
from recruiting.models.invitations import REPLY_TEXT_CHARS
from recruiting.ports.outbound import Channel, OutboundDraft
from recruiting.ports.queue import TaskQueue
from recruiting.services.messaging.effects import Effects
from recruiting.validation import is_digits

KF_WINDOW = timedelta(hours=48)
KF_REPLIES = 5
MEETING_PLACEHOLDER = "{meeting_link}"
OUTCOME_CHARS = 32  # candidate_reply.outcome


@dataclass(frozen=True)
class Routes:
    """The ways to one candidate right now (empty strings: not bound)."""

    candidate_id: int
    kf_open_kfid: str = ""
    kf_user: str = ""
    kf_window_start: datetime | None = None
    kf_window_sent: int = 0
    external_userid: str = ""
    recruiter_userid: str = ""

    def kf_open(self, now: datetime) -> bool:
        """WeCom lets a kf account answer 5 times within 48 h of the customer's message."""
        if not (self.kf_open_kfid and self.kf_user and self.kf_window_start):
            return False
        return now - self.kf_window_start < KF_WINDOW and self.kf_window_sent < KF_REPLIES

    @property
    def external(self) -> bool:
        return bool(self.external_userid and self.recruiter_userid)


def candidate_of(recipient: str) -> int:
    kind, _, value = recipient.partition(":")
    if kind != "candidate" or not is_digits(value):
        raise InvalidInput(f"{recipient!r} is not a candidate recipient")
    return int(value)


async def routes(candidate_id: int) -> Routes:
    c = await CandidateContact.get_or_none(candidate_id=candidate_id)
    if c is None:
        return Routes(candidate_id)
    return Routes(
        candidate_id,
        c.kf_open_kfid,
        c.kf_external_userid,
        c.kf_window_start,
        c.kf_window_sent,
        c.external_userid,
        c.recruiter_userid,
    )


async def _contact(candidate_id: int) -> CandidateContact:
    contact, _ = await CandidateContact.get_or_create(candidate_id=candidate_id)
    return contact


async def kf_heard(candidate_id: int, open_kfid: str, kf_user: str, at: datetime) -> None:
    """The candidate wrote to 微信客服: a fresh 48 h / 5-reply window opens."""
    contact = await _contact(candidate_id)
    if contact.kf_window_start is not None and at < contact.kf_window_start:
        return  # an older message synced late does not shorten the window
    await CandidateContact.filter(id=contact.id).update(
        kf_open_kfid=open_kfid, kf_external_userid=kf_user, kf_window_start=at, kf_window_sent=0
    )


async def kf_sent(candidate_id: int) -> None:
    await CandidateContact.filter(candidate_id=candidate_id).update(
        kf_window_sent=F("kf_window_sent") + 1
    )


async def kf_closed(candidate_id: int) -> None:
    """WeCom said 95001: the window is closed whatever our count says."""
    await CandidateContact.filter(candidate_id=candidate_id).update(kf_window_sent=KF_REPLIES)


async def bind_external(candidate_id: int, external_userid: str, recruiter: str) -> bool:
    """The candidate added ``recruiter`` on WeChat; False when nothing changed."""
    contact = await _contact(candidate_id)
    if contact.external_userid == external_userid and contact.recruiter_userid == recruiter:
        return False
    await CandidateContact.filter(id=contact.id).update(
        external_userid=external_userid, recruiter_userid=recruiter
    )
    return True


async def candidate_by_user(external_userid: str) -> int | None:
    """A 微信客服 customer or external contact already bound to a candidate (WeCom uses one
    external_userid per WeChat user for both)."""
    contact = await CandidateContact.filter(kf_external_userid=external_userid).first()
    if contact is None:
        contact = await CandidateContact.filter(external_userid=external_userid).first()
    return int(contact.candidate_id) if contact else None


async def keep(candidate_id: int, outbox_key: str, payload: dict[str, Any]) -> CandidateMessage:
    """The message in the candidate's mini-app inbox (once per outbox row)."""
    message, _ = await CandidateMessage.get_or_create(
        outbox_key=outbox_key,
        defaults={
            "candidate_id": candidate_id,
            "payload": payload,
            "subject": str(payload.get("subject") or "")[:64],
        },
    )
    return message


async def delivered(
    message: CandidateMessage, route: str, delivery: str, result: dict[str, Any]
) -> None:
    await CandidateMessage.filter(id=message.id).update(
        route=route, delivery=delivery, result=result
    )


async def revise(message: CandidateMessage, payload: dict[str, Any]) -> None:
    """Store the text actually sent (a meeting link or contact QR code filled in)."""
    await CandidateMessage.filter(id=message.id).update(payload=payload)
    message.payload = payload


async def contact_way(state: str) -> ContactWay | None:
    return await ContactWay.get_or_none(state=state)


async def save_contact_way(state: str, userid: str, config_id: str, qr_code: str) -> ContactWay:
    way, _ = await ContactWay.get_or_create(
        state=state, defaults={"userid": userid, "config_id": config_id, "qr_code": qr_code}
    )
    return way


async def meeting_link(payload: dict[str, Any]) -> dict[str, Any] | None:
    """Fill in the meeting link of a remote interview; None while WeCom has not made it."""
    interview_id = payload.get("meeting_for")
    content = str(payload.get("content") or "")
    if not interview_id or MEETING_PLACEHOLDER not in content:
        return payload
    interview = await Interview.get_or_none(id=int(interview_id))
    link = interview.meeting_link if interview else ""
    if not link:
        return None
    return {**payload, "content": content.replace(MEETING_PLACEHOLDER, link)}


def without_meeting_link(payload: dict[str, Any]) -> dict[str, Any]:
    content = str(payload.get("content") or "")
    text = "稍后通过小程序发送"
    return {**payload, "content": content.replace(MEETING_PLACEHOLDER, text)}


async def ask_recruiter_to_confirm(
    message: CandidateMessage, recruiter: str, candidate_name: str, queue: TaskQueue | None
) -> None:
    """An external-contact send waits in the recruiter's WeCom until they confirm it: tell
    them (one app message per candidate message, whatever the retries)."""
    text = (
        f"有一条发给候选人「{candidate_name}」的消息在企业微信「客户联系」中等待您确认发送，"
        "请打开企业微信 → 客户联系 → 群发助手 确认。"
    )
    draft = OutboundDraft(Channel.WECOM_MESSAGE, recruiter, {"kind": "text", "content": text},
                          message.outbox_key)  # fmt: skip
    async with Effects(queue).unit() as unit:
        await unit.add([draft], cause="confirm-send")


async def kf_cursor(open_kfid: str) -> str:
    row = await KfCursor.get_or_none(open_kfid=open_kfid)
    return row.cursor if row else ""


async def save_kf_cursor(open_kfid: str, cursor: str) -> None:
    row, created = await KfCursor.get_or_create(open_kfid=open_kfid, defaults={"cursor": cursor})
    if not created:
        await KfCursor.filter(id=row.id).update(cursor=cursor)


async def inbox(candidate_id: int, limit: int = 50) -> list[CandidateMessage]:
    """Delivered messages, newest first (one being delivered appears once it is routed)."""
    rows = CandidateMessage.filter(candidate_id=candidate_id).exclude(route="")
    return await rows.order_by("-id").limit(limit)


async def answered(source_id: str) -> bool:
    """Whether a message from the candidate (``kf:<msgid>``…) was already acted on: a reply
    row, or an offer answer event, holds its id."""
    if await CandidateReply.exists(source_id=source_id[:128]):
        return True
    return await OfferEvent.exists(dedup_key=f"answer:{source_id}"[:160])


async def claim(source_id: str, candidate_id: int, text: str, outcome: str) -> None:
    """Record that ``source_id`` is handled (in the transaction of its effects); a second
    claim of the same id raises ``IntegrityError``, so a duplicate delivery does nothing."""
    await CandidateReply.create(
        source_id=source_id[:128],
        candidate_id=candidate_id,
        text=text[:REPLY_TEXT_CHARS],
        outcome=outcome[:OUTCOME_CHARS],
    )
