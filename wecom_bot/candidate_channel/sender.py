"""Deliver ``candidate.message`` outbox rows: pick the route per candidate, every time.

1. 微信客服 (``kf/send_msg``) while the window opened by the candidate's last message is
   open (48 h, 5 replies); ``choices`` become a ``msgmenu`` whose item ids are
   ``answer_key(subject, key)`` (``invite.confirm:12``). WeCom's 95001 closes the window
   here too, and the next route is tried.
2. The recruiter's external contact (``externalcontact/add_msg_template``): WeCom holds the
   message until the recruiter confirms it, so the recruiter is told by app message and the
   delivery is recorded as ``awaiting_confirmation``.
3. The mini-app inbox, which every message is kept in anyway; when an invitation's
   candidate has no WeChat route yet, a contact way whose ``state`` is the invitation's
   reference is made and its QR code added, so adding the recruiter binds that route.

Each row is kept in the inbox once (by its idempotency key) and its route recorded there;
a retry of a row whose route is recorded returns that record instead of sending again.
For a crash between WeCom's answer and recording the route, each send is marked first (an
attempt row committed before the call):

- kf sends carry a ``msgid`` derived from the idempotency key, and WeCom refuses a msgid
  already used in the kf account (path/96427), so a resend cannot reach the candidate twice;
  a refusal of a resend whose attempt was recorded means the first one went through. A send
  whose msgid was recorded is adopted without asking WeCom: counting it may have closed the
  reply window, and the next route would send the message a second time.
- ``add_msg_template`` has no such key: its msgid is recorded before anything else, and a
  send attempted before is never repeated; when its msgid is unknown (the crash came right
  after WeCom's answer) the message goes to the mini-app inbox instead. The recruiter is
  asked to confirm (once, by the outbox key) before the delivery is recorded, since a
  recorded delivery is not looked at again.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any, Protocol

from recruiting import clock
from recruiting.domain.routing import answer_key
from recruiting.domain.shorten import shorten, utf8_len
from recruiting.errors import RetryLater
from recruiting.infra.send_attempts import Attempt, AttemptLog, SendAttempts
from recruiting.models import Candidate, CandidateMessage
from recruiting.ports.outbound import OutboundMessage
from recruiting.ports.queue import TaskQueue
from recruiting.services.candidate_channel import contacts
from wecom_bot.client.errors import (
    WeComApiError,
    WeComKfWindowClosed,
    WeComTokenInvalid,
    WeComUnavailable,
)

log = logging.getLogger(__name__)

MEETING_WAITS = 4  # attempts that wait for a remote interview's meeting link
REPLY_HINT = "（可直接回复「确认」「改期」「拒绝」，或在小程序「面试助手」的消息中作答）"
CONFIRMING = "awaiting_confirmation"
KF_TEXT_BYTES = 2048  # 微信客服 text.content
MENU_HEAD_BYTES = 1024  # msgmenu head_content
MENU_ITEM_BYTES = 128  # msgmenu click.content
TEMPLATE_TEXT_BYTES = 4000  # externalcontact/add_msg_template text.content
UNREACHABLE = "fail_list"  # attempt outcome: WeCom listed the contact as unreachable


class _Kf(Protocol):
    async def send_msg(self, payload: dict[str, Any]) -> dict[str, Any]: ...


class _ExternalContact(Protocol):
    async def add_contact_way(self, payload: dict[str, Any]) -> dict[str, Any]: ...

    async def add_msg_template(self, payload: dict[str, Any]) -> dict[str, Any]: ...


class CandidateChannelSender:
    def __init__(
        self,
        kf: _Kf,
        external: _ExternalContact,
        queue: TaskQueue | None,
        attempts: AttemptLog | None = None,
    ) -> None:
        self._kf = kf
        self._external = external
        self._queue = queue
        self._attempts = attempts or SendAttempts()

    async def deliver(self, message: OutboundMessage) -> dict[str, Any]:
        candidate_id = contacts.candidate_of(message.recipient)
        kept = await contacts.keep(candidate_id, message.idempotency_key, message.payload)
        if kept.route:
            return {"route": kept.route, "delivery": kept.delivery, "repeat": True}
        payload = await contacts.meeting_link(dict(kept.payload))
        if payload is None:
            if message.attempt < MEETING_WAITS:
                raise RetryLater("the meeting link is not made yet", retry_after=3.0)
            payload = contacts.without_meeting_link(dict(kept.payload))
        routes = await contacts.routes(candidate_id)
        sent = await self._attempts.find(f"kf:{message.idempotency_key}")
        if sent is not None and sent.outcome:  # it went by kf; the crash came before the record
            return await self._kf_sent(kept, payload, sent.outcome)
        if routes.kf_open(clock.now()):
            result = await self._by_kf(kept, routes, payload, message.idempotency_key)
            if result is not None:
                return result
        if routes.external:
            result = await self._by_external(kept, routes, payload, message.idempotency_key)
            if result is not None:
                return result
        return await self._in_inbox(kept, routes, payload)

    async def _by_kf(
        self, kept: CandidateMessage, routes: contacts.Routes, payload: dict[str, Any], key: str
    ) -> dict[str, Any] | None:
        msgid = hashlib.sha256(key.encode()).hexdigest()[:32]
        body = {
            "touser": routes.kf_user,
            "open_kfid": routes.kf_open_kfid,
            "msgid": msgid,
            **kf_message(payload),
        }
        attempt = await self._attempts.begin(f"kf:{key}")
        try:
            answer = await self._kf.send_msg(body)
        except WeComKfWindowClosed:
            log.info(
                "kf window of candidate %s is closed; trying the next route", routes.candidate_id
            )
            await contacts.kf_closed(routes.candidate_id)
            await self._not_sent(attempt)
            return None
        except WeComUnavailable:
            raise  # no answer: the message may have gone
        except (RetryLater, WeComTokenInvalid):
            await self._not_sent(attempt)
            raise
        except WeComApiError as exc:
            if not attempt.earlier:
                await self._not_sent(attempt)
                raise
            log.warning(
                "kf msgid %s refused on resend (%s): the send before the crash went through",
                msgid,
                exc.errcode,
            )
            answer = {"msgid": msgid}
        await self._attempts.settle(f"kf:{key}", msgid)
        await contacts.kf_sent(routes.candidate_id)
        return await self._kf_sent(kept, payload, str(answer.get("msgid") or ""))

    @staticmethod
    async def _kf_sent(
        kept: CandidateMessage, payload: dict[str, Any], msgid: str
    ) -> dict[str, Any]:
        result = {"route": "kf", "delivery": "sent", "msgid": msgid}
        await contacts.revise(kept, payload)
        await contacts.delivered(kept, "kf", "sent", result)
        return result

    async def _not_sent(self, attempt: Attempt) -> None:
        """WeCom answered with a refusal: this msgid was not used. An earlier attempt's
        record stays, since that one may have gone through."""
        if not attempt.earlier:
            await self._attempts.forget(attempt.key)

    async def _by_external(
        self, kept: CandidateMessage, routes: contacts.Routes, payload: dict[str, Any], key: str
    ) -> dict[str, Any] | None:
        attempt = await self._attempts.begin(f"external:{key}")
        if attempt.earlier:
            if self._external_before(attempt, routes.candidate_id):
                return await self._awaiting(kept, routes, payload, attempt.outcome)
            return None
        text = str(payload.get("content") or "")
        if payload.get("kind") == "choices":
            text += "\n" + REPLY_HINT
        body = {
            "chat_type": "single",
            "external_userid": [routes.external_userid],
            "sender": routes.recruiter_userid,
            "text": {"content": shorten(text, TEMPLATE_TEXT_BYTES)},
        }
        try:
            answer = await self._external.add_msg_template(body)
        except WeComUnavailable:
            raise  # no answer: the send may exist, so it is not repeated
        except WeComApiError:
            await self._attempts.forget(f"external:{key}")  # WeCom answered: nothing queued
            raise
        unreachable = routes.external_userid in (answer.get("fail_list") or [])
        msgid = str(answer.get("msgid") or "")
        await self._attempts.settle(f"external:{key}", UNREACHABLE if unreachable else msgid)
        if unreachable:
            log.warning(
                "external contact of candidate %s is no longer reachable", routes.candidate_id
            )
            return None
        return await self._awaiting(kept, routes, payload, msgid)

    @staticmethod
    def _external_before(attempt: Attempt, candidate_id: int) -> bool:
        """A group send attempted before is never repeated: True when its msgid is known
        (it waits for the recruiter), False to take the next route."""
        if attempt.outcome and attempt.outcome != UNREACHABLE:
            return True
        if not attempt.outcome:
            log.warning(
                "a group send to candidate %s may have gone through before a crash; not "
                "repeating it, the message goes to the mini-app inbox",
                candidate_id,
            )
        return False

    async def _awaiting(
        self, kept: CandidateMessage, routes: contacts.Routes, payload: dict[str, Any], msgid: str
    ) -> dict[str, Any]:
        """A group send waits for the recruiter: record it and ask them to confirm."""
        result = {
            "route": "external",
            "delivery": CONFIRMING,
            "msgid": msgid,
            "sender": routes.recruiter_userid,
        }
        candidate = await Candidate.get(id=routes.candidate_id)
        await contacts.ask_recruiter_to_confirm(  # first: a recorded delivery is not redone
            kept, routes.recruiter_userid, candidate.name, self._queue
        )
        await contacts.revise(kept, payload)
        await contacts.delivered(kept, "external", CONFIRMING, result)
        return result

    async def _in_inbox(
        self, kept: CandidateMessage, routes: contacts.Routes, payload: dict[str, Any]
    ) -> dict[str, Any]:
        bind = payload.get("bind")
        qr = ""
        if isinstance(bind, dict) and not routes.external and bind.get("recruiter"):
            qr = await self._contact_way(str(bind["state"]), str(bind["recruiter"]))
        if qr:
            payload = {
                **payload,
                "content": f"{payload.get('content', '')}\n"
                f"添加招聘顾问的企业微信，之后的通知会直接发到您的微信：{qr}",
            }
        result = {"route": "miniapp", "delivery": "inbox", "contact_way": qr}
        await contacts.revise(kept, payload)
        await contacts.delivered(kept, "miniapp", "inbox", result)
        return result

    async def _contact_way(self, state: str, recruiter: str) -> str:
        """One 联系我 QR code per invitation; its state comes back when the candidate adds
        the recruiter (``add_external_contact``)."""
        way = await contacts.contact_way(state)
        if way is None:
            answer = await self._external.add_contact_way(
                {
                    "type": 1,
                    "scene": 2,
                    "user": [recruiter],
                    "state": state,
                    "remark": "面试邀请",
                    "skip_verify": True,
                }
            )
            way = await contacts.save_contact_way(
                state, recruiter, str(answer.get("config_id")), str(answer.get("qr_code") or "")
            )
        return way.qr_code


def kf_message(payload: dict[str, Any]) -> dict[str, Any]:
    """A channel-neutral payload as a 微信客服 message (``msgtype`` + its object)."""
    content = str(payload.get("content") or "")
    if payload.get("kind") == "choices":
        subject = str(payload.get("subject") or "")
        items = [
            {
                "type": "click",
                "click": {
                    "id": answer_key(subject, str(c["key"]))[:128],
                    "content": shorten(str(c["label"]), MENU_ITEM_BYTES),
                },
            }
            for c in payload.get("choices") or []
        ]
        return {
            "msgtype": "msgmenu",
            "msgmenu": {
                "head_content": shorten(content, MENU_HEAD_BYTES),
                "list": items,
                "tail_content": "也可以直接回复文字。",
            },
        }
    if payload.get("kind") == "link":  # the page's path means nothing to a person
        more = f"\n完整的「{payload.get('title') or '消息'}」请在小程序「面试助手」中查看。"
        return {
            "msgtype": "text",
            "text": {"content": shorten(content, KF_TEXT_BYTES - utf8_len(more)) + more},
        }
    return {"msgtype": "text", "text": {"content": shorten(content, KF_TEXT_BYTES)}}
