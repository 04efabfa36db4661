"""Callbacks to the service, encrypted, signed and retried the way WeCom delivers them.

``build_plaintext`` and ``envelope`` are public on purpose: tests and the benchmark use them to
craft payloads WeCom would never send (forged signatures, stale timestamps, replays).
Delivery follows the protocol: a 5 s deadline, and three retries of the same payload after a
timeout or a non-200 answer, so the service's de-duplication is exercised for real.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from recruiting.errors import RecruitingError
from wecom_bot import xmlcodec
from wecom_bot.crypto import WeComCrypto
from wecom_bot.sandbox.tokens import Clock

log = logging.getLogger(__name__)
DEADLINE = 5.0
RETRIES = 3


@dataclass(frozen=True)
class Envelope:
    """One callback as sent: the outer XML body and its query parameters."""

    body: bytes
    params: dict[str, str]  # msg_signature, timestamp, nonce
    encrypted: str


@dataclass(frozen=True)
class Delivery:
    status: int  # HTTP status of the last attempt; 0 when nothing answered in time
    attempts: int
    reply: dict[str, Any] | None = None  # the decrypted passive reply, if the service sent one


@dataclass(frozen=True)
class Selected:
    """One answered question of a vote or multiple-choice card."""

    question_key: str
    option_ids: Sequence[str]


class CallbackPusher:
    def __init__(
        self,
        callback_url: str,
        token: str,
        aes_key: str,
        corp_id: str,
        agent_id: int,
        http_client: httpx.AsyncClient,
        *,
        clock: Clock = time.time,
        event_clock: Clock | None = None,
        retries: int = RETRIES,
    ) -> None:
        """``clock`` signs (the gateway checks freshness in real time); ``event_clock`` dates
        the events' CreateTime (the demo clock may run ahead), ``clock`` when not given."""
        self.callback_url = callback_url
        self.corp_id = corp_id
        self.agent_id = agent_id
        self.crypto = WeComCrypto(token, aes_key, corp_id)
        self._http = http_client
        self._clock = clock
        self._event_clock = event_clock or clock
        self.retries = retries

    # -- raw pieces -------------------------------------------------------------------------

    def build_plaintext(
        self,
        msg_type: str,
        fields: dict[str, Any],
        *,
        from_user: str | None,
        event: str = "",
        create_time: int | None = None,
        with_agent: bool = True,
    ) -> bytes:
        """The decrypted XML in WeCom's order: ToUserName, FromUserName, CreateTime, MsgType,
        (Event), the type's fields, AgentID. ``from_user=None`` omits FromUserName."""
        head: dict[str, Any] = {"ToUserName": self.corp_id}
        if from_user is not None:
            head["FromUserName"] = from_user
        head["CreateTime"] = int(self._event_clock()) if create_time is None else create_time
        head["MsgType"] = msg_type
        if event:
            head["Event"] = event
        tail = {"AgentID": self.agent_id} if with_agent else {}
        return xmlcodec.build({**head, **fields, **tail})

    def envelope(
        self, plaintext: bytes, *, timestamp: str | None = None, nonce: str | None = None
    ) -> Envelope:
        """Encrypt and sign ``plaintext``; pass an old ``timestamp`` to make a stale one."""
        encrypted = self.crypto.encrypt(plaintext)
        timestamp = str(int(self._clock())) if timestamp is None else timestamp
        nonce = nonce or self.crypto.new_nonce()
        outer = {"ToUserName": self.corp_id, "AgentID": str(self.agent_id), "Encrypt": encrypted}
        params = {
            "msg_signature": self.crypto.sign(timestamp, nonce, encrypted),
            "timestamp": timestamp,
            "nonce": nonce,
        }
        return Envelope(xmlcodec.build(outer), params, encrypted)

    async def post(self, envelope: Envelope) -> httpx.Response | None:
        """One delivery attempt; ``None`` when the service did not answer within 5 s."""
        try:
            return await self._http.post(
                self.callback_url,
                params=envelope.params,
                content=envelope.body,
                headers={"Content-Type": "text/xml; charset=utf-8"},
                timeout=DEADLINE,
            )
        except httpx.HTTPError as exc:
            log.info("callback to %s failed: %s", self.callback_url, type(exc).__name__)
            return None

    # -- delivery ---------------------------------------------------------------------------

    async def deliver(self, plaintext: bytes, *, repeats: int = 1) -> Delivery:
        """Deliver like WeCom: retry the same envelope up to 3 times until a 200 answer.

        ``repeats`` > 1 sends the (answered) payload again, as WeCom does when an answer is
        lost on the way back: the service must treat the copies as one.
        """
        envelope = self.envelope(plaintext)
        attempts, response = 0, None
        for _ in range(max(repeats, 1)):
            response = None
            for _ in range(1 + self.retries):
                attempts += 1
                response = await self.post(envelope)
                if response is not None and response.status_code == 200:
                    break
        if response is None:
            return Delivery(0, attempts)
        reply = self.open_reply(response.content) if response.status_code == 200 else None
        return Delivery(response.status_code, attempts, reply)

    async def push(self, plaintext: bytes) -> int:
        """Deliver and return the final HTTP status (0 when the service never answered)."""
        return (await self.deliver(plaintext)).status

    def open_reply(self, body: bytes) -> dict[str, Any] | None:
        """Verify and decrypt a passive reply; an empty body (or "success") means none."""
        if not body.strip() or body.strip() == b"success":
            return None
        try:
            outer = xmlcodec.parse(body)
            encrypted = str(outer.get("Encrypt", ""))
            self.crypto.verify(
                str(outer.get("MsgSignature", "")),
                str(outer.get("TimeStamp", "")),
                str(outer.get("Nonce", "")),
                encrypted,
            )
            return xmlcodec.parse(self.crypto.decrypt(encrypted))
        except RecruitingError as exc:
            return {"invalid_reply": exc.code}

    async def verify_url(self) -> bool:
        """The console's URL check: GET with an encrypted echostr, expect the plaintext back."""
        echo = str(secrets.randbits(62))
        encrypted = self.crypto.encrypt(echo.encode())
        timestamp, nonce = str(int(self._clock())), self.crypto.new_nonce()
        params = {
            "msg_signature": self.crypto.sign(timestamp, nonce, encrypted),
            "timestamp": timestamp,
            "nonce": nonce,
            "echostr": encrypted,
        }
        try:
            response = await self._http.get(self.callback_url, params=params, timeout=DEADLINE)
        except httpx.HTTPError:
            return False
        return response.status_code == 200 and response.content == echo.encode()

    # -- builders (each returns plaintext XML bytes for ``deliver``/``push``/``envelope``) ----

    def text(self, userid: str, content: str, *, msg_id: str | None = None) -> bytes:
        fields = {"Content": content, "MsgId": msg_id or new_msg_id()}
        return self.build_plaintext("text", fields, from_user=userid)

    def image(self, userid: str, media_id: str, pic_url: str = "") -> bytes:
        fields = {"PicUrl": pic_url, "MediaId": media_id, "MsgId": new_msg_id()}
        return self.build_plaintext("image", fields, from_user=userid)

    def voice(self, userid: str, media_id: str, fmt: str = "amr") -> bytes:
        fields = {"MediaId": media_id, "Format": fmt, "MsgId": new_msg_id()}
        return self.build_plaintext("voice", fields, from_user=userid)

    def enter_agent(self, userid: str) -> bytes:
        return self.build_plaintext(
            "event", {"EventKey": ""}, from_user=userid, event="enter_agent"
        )

    def click(self, userid: str, key: str) -> bytes:
        return self.build_plaintext("event", {"EventKey": key}, from_user=userid, event="click")

    def card_event(
        self,
        userid: str,
        *,
        task_id: str,
        card_type: str,
        key: str,
        response_code: str,
        selected: Sequence[Selected] = (),
        misspelled: bool = False,
    ) -> bytes:
        """``template_card_event``; ``misspelled`` uses the OpitonIds/OpitonId sample spelling."""
        fields: dict[str, Any] = {
            "EventKey": key,
            "TaskId": task_id,
            "CardType": card_type,
            "ResponseCode": response_code,
        }
        if selected:
            ids, one = ("OpitonIds", "OpitonId") if misspelled else ("OptionIds", "OptionId")
            items = [
                {"QuestionKey": item.question_key, ids: {one: list(item.option_ids)}}
                for item in selected
            ]
            fields["SelectedItems"] = {"SelectedItem": items}
        return self.build_plaintext("event", fields, from_user=userid, event="template_card_event")

    def approval_change(self, approval_info: dict[str, Any]) -> bytes:
        """``sys_approval_change`` from "sys"; lists in ``approval_info`` become siblings."""
        return self.build_plaintext(
            "event",
            {"ApprovalInfo": approval_info},
            from_user="sys",
            event="sys_approval_change",
        )

    def external_contact_added(
        self, userid: str, external_userid: str, state: str = "", welcome_code: str = ""
    ) -> bytes:
        fields = {
            "ChangeType": "add_external_contact",
            "UserID": userid,
            "ExternalUserID": external_userid,
            "State": state,
            "WelcomeCode": welcome_code or secrets.token_urlsafe(24),
        }
        return self.build_plaintext(
            "event", fields, from_user="sys", event="change_external_contact", with_agent=False
        )

    def contact_change(
        self,
        change_type: str,
        userid: str,
        *,
        new_userid: str = "",
        status: int | None = None,
        departments: Sequence[int] = (),
    ) -> bytes:
        """``change_contact`` (通讯录) from "sys": only the fields that changed, like WeCom."""
        fields: dict[str, Any] = {"ChangeType": change_type, "UserID": userid}
        if new_userid:
            fields["NewUserID"] = new_userid
        if departments:
            fields["Department"] = ",".join(str(d) for d in departments)
        if status is not None:
            fields["Status"] = status
        return self.build_plaintext(
            "event", fields, from_user="sys", event="change_contact", with_agent=False
        )

    def kf_event(self, token: str, open_kfid: str, *, from_user: str | None = None) -> bytes:
        """WeCom's kf callback has neither FromUserName nor AgentID."""
        fields = {"Token": token, "OpenKfId": open_kfid}
        return self.build_plaintext(
            "event", fields, from_user=from_user, event="kf_msg_or_event", with_agent=False
        )

    def schedule_event(self, kind: str, schedule_id: str, cal_id: str = "") -> bytes:
        """``add_schedule`` / ``modify_schedule`` / ``delete_schedule``."""
        if kind not in ("add_schedule", "modify_schedule", "delete_schedule"):
            raise ValueError(f"not a schedule event: {kind}")
        fields = {"CalId": cal_id, "ScheduleId": schedule_id}
        return self.build_plaintext("event", fields, from_user="sys", event=kind)


def new_msg_id() -> str:
    """A 19-digit MsgId like WeCom's, unique enough to never repeat by chance."""
    return str(10**18 + secrets.randbelow(9 * 10**18))
