"""App messages (``message/send``, ``recall``) with WeCom's delivery rules.

Two rules matter most to a client and are easy to miss because WeCom reports success anyway:
more than 30 messages to one member within a minute are silently dropped, and with
``enable_duplicate_check`` an identical message inside the interval is not delivered again.
Both are recorded here so tests can see what a member would (not) have received.
"""

from __future__ import annotations

import itertools
import json
import secrets
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from wecom_bot.sandbox import codes
from wecom_bot.sandbox.cards import CardStore
from wecom_bot.sandbox.directory import Directory
from wecom_bot.sandbox.payloads import MEDIA_TYPES, validate_message
from wecom_bot.sandbox.tokens import Clock

RATE_WINDOW = 60.0
MEMBER_MESSAGES_PER_MINUTE = 30
DUPLICATE_INTERVAL = 1800
MAX_DUPLICATE_INTERVAL = 4 * 3600
RECALL_WINDOW = 24 * 3600
MAX_USERS = 1000

DELIVERED = "delivered"
DROPPED = "dropped_rate_limit"
SENT = "sent"
SUPPRESSED = "duplicate_suppressed"


@dataclass
class SentMessage:
    msgid: str
    time: float
    touser: str
    toparty: str
    totag: str
    msgtype: str
    payload: dict[str, Any]
    deliveries: dict[str, str] = field(default_factory=dict)  # userid -> DELIVERED | DROPPED
    status: str = SENT
    response_code: str = ""
    recalled_at: float | None = None
    dedup_key: str = ""
    seq: int = 0  # position among everything that happened in the sandbox (ties in time)

    @property
    def dropped(self) -> list[str]:
        return [u for u, outcome in self.deliveries.items() if outcome == DROPPED]

    def delivered_to(self, userid: str) -> bool:
        return self.status == SENT and self.deliveries.get(userid) == DELIVERED

    def to_json(self) -> dict[str, Any]:
        return {
            "msgid": self.msgid,
            "time": int(self.time),
            "touser": self.touser,
            "msgtype": self.msgtype,
            "content": self.payload.get(self.msgtype),
            "deliveries": self.deliveries,
            "status": self.status,
            "recalled": self.recalled_at is not None,
        }


class MessageStore:
    def __init__(
        self,
        directory: Directory,
        cards: CardStore,
        check_media: Callable[[str], object],
        agent_id: int,
        clock: Clock,
        per_minute: int = MEMBER_MESSAGES_PER_MINUTE,
        sequence: Callable[[], int] | None = None,
    ) -> None:
        self._sequence = sequence or itertools.count().__next__
        self._directory = directory
        self._cards = cards
        self._check_media = check_media
        self.agent_id = agent_id
        self._clock = clock
        self.per_minute = per_minute
        self.sent: list[SentMessage] = []
        self._by_id: dict[str, SentMessage] = {}
        self._recent: dict[str, deque[float]] = {}

    def check_agent(self, body: dict[str, Any]) -> None:
        agent = body.get("agentid")
        if agent is None or agent == "":
            raise codes.ApiError(codes.MISSING_AGENTID, "missing agentid")
        if str(agent).strip() != str(self.agent_id):
            raise codes.ApiError(codes.INVALID_AGENTID, f"invalid agentid: {agent}")

    def send(self, body: dict[str, Any]) -> dict[str, Any]:
        """Validate, resolve receivers, apply the duplicate and per-member rules, record."""
        self.check_agent(body)
        msgtype = validate_message(body)
        if msgtype in MEDIA_TYPES:
            self._check_media(str(body[msgtype]["media_id"]))
        users, invalid = self._receivers(body)
        answer = {
            "invaliduser": "|".join(invalid["user"]),
            "invalidparty": "|".join(invalid["party"]),
            "invalidtag": "|".join(invalid["tag"]),
            "unlicenseduser": "",
        }
        key = _dedup_key(body, msgtype)
        original = self._duplicate_of(key, body)
        if original is not None:
            self._record(body, msgtype, original.msgid, status=SUPPRESSED, dedup_key=key)
            return {**answer, "msgid": original.msgid}
        if msgtype == "template_card":
            self._cards.check_task_id(body["template_card"])
        msgid = secrets.token_urlsafe(32)
        message = self._record(body, msgtype, msgid, dedup_key=key)
        now = self._clock()
        message.deliveries = {userid: self._deliver(userid, now) for userid in users}
        if msgtype == "template_card":
            delivered = [u for u in users if message.deliveries[u] == DELIVERED]
            message.response_code = self._cards.register(msgid, body["template_card"], delivered)
        if message.response_code:
            answer["response_code"] = message.response_code
        return {**answer, "msgid": msgid}

    def _receivers(self, body: dict[str, Any]) -> tuple[list[str], dict[str, list[str]]]:
        users, bad_users = self._directory.resolve(str(body.get("touser") or ""))
        party_users, bad_parties = self._directory.resolve_parties(str(body.get("toparty") or ""))
        bad_tags = [t for t in str(body.get("totag") or "").split("|") if t]
        if len(users) + len(bad_users) > MAX_USERS:
            raise codes.param_error(f"touser lists more than {MAX_USERS} members")
        users = list(dict.fromkeys(users + party_users))
        if not users:
            raise codes.ApiError(codes.ALL_RECEIVERS_INVALID, "user & party & tag all invalid")
        return users, {"user": bad_users, "party": bad_parties, "tag": bad_tags}

    def _duplicate_of(self, key: str, body: dict[str, Any]) -> SentMessage | None:
        if not body.get("enable_duplicate_check"):
            return None
        interval = int(body.get("duplicate_check_interval") or DUPLICATE_INTERVAL)
        interval = min(max(interval, 1), MAX_DUPLICATE_INTERVAL)
        since = self._clock() - interval
        for message in reversed(self.sent):
            if message.time < since:
                break
            if message.status == SENT and message.dedup_key == key:
                return message
        return None

    def _deliver(self, userid: str, now: float) -> str:
        window = self._recent.setdefault(userid, deque())
        while window and window[0] <= now - RATE_WINDOW:
            window.popleft()
        if len(window) >= self.per_minute:
            return DROPPED  # WeCom still answers errcode 0: the member just never sees it.
        window.append(now)
        return DELIVERED

    def _record(self, body: dict[str, Any], msgtype: str, msgid: str, **extra: Any) -> SentMessage:
        message = SentMessage(
            msgid=msgid,
            time=self._clock(),
            touser=str(body.get("touser") or ""),
            toparty=str(body.get("toparty") or ""),
            totag=str(body.get("totag") or ""),
            msgtype=msgtype,
            payload=body,
            seq=self._sequence(),
            **extra,
        )
        self.sent.append(message)
        self._by_id.setdefault(msgid, message)
        return message

    def recall(self, body: dict[str, Any]) -> dict[str, Any]:
        """``message/recall``: only messages of this app, at most 24 h old."""
        message = self._by_id.get(str(body.get("msgid") or ""))
        if message is None:
            raise codes.param_error("invalid msgid")
        if message.time < self._clock() - RECALL_WINDOW:
            raise codes.param_error("message is older than 24 hours and cannot be recalled")
        if message.recalled_at is None:
            message.recalled_at = self._clock()
        return {}

    def for_member(self, userid: str) -> list[SentMessage]:
        """What the member's WeCom client shows (recalled ones included, marked)."""
        return [m for m in self.sent if m.delivered_to(userid)]

    def get(self, msgid: str) -> SentMessage | None:
        return self._by_id.get(msgid)


def _dedup_key(body: dict[str, Any], msgtype: str) -> str:
    parts = [body.get("touser"), body.get("toparty"), body.get("totag"), msgtype]
    return json.dumps([*parts, body.get(msgtype)], sort_keys=True, ensure_ascii=False)
