"""微信客服 (WeChat customer service): the candidate channel for plain WeChat users.

The rule a client must respect: after a customer's message, at most 5 replies within 48 hours
(errcode 95001 beyond). Messages are fetched with ``sync_msg`` using the short-lived token the
``kf_msg_or_event`` callback carries.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

from wecom_bot.sandbox import codes
from wecom_bot.sandbox.payloads import nbytes
from wecom_bot.sandbox.tokens import Clock

MSGID_RE = re.compile(r"[0-9a-zA-Z_-]{1,32}")
REPLY_WINDOW = 48 * 3600
MAX_REPLIES = 5
SYNC_TOKEN_TTL = 600
DEFAULT_ACCOUNTS = {"wkSandboxRecruit01": "招聘小助手"}
ORIGIN_CUSTOMER = 3
ORIGIN_API = 5
_MSGTYPES = frozenset(
    {"text", "image", "voice", "video", "file", "link", "miniprogram", "msgmenu", "location"}
)


@dataclass(frozen=True)
class KfMessage:
    msgid: str
    open_kfid: str
    external_userid: str
    send_time: int
    origin: int
    msgtype: str
    content: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "msgid": self.msgid,
            "open_kfid": self.open_kfid,
            "external_userid": self.external_userid,
            "send_time": self.send_time,
            "origin": self.origin,
            "msgtype": self.msgtype,
            self.msgtype: self.content,
        }


class KfStore:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self.accounts = dict(DEFAULT_ACCOUNTS)
        self.customers: dict[str, str] = {}  # external_userid -> name
        self.inbox: list[KfMessage] = []  # from customers: what sync_msg returns
        self.outbox: list[KfMessage] = []  # sent through send_msg
        self._log: list[KfMessage] = []  # both, in order
        self._windows: dict[tuple[str, str], tuple[float, int]] = {}
        self._tokens: dict[str, float] = {}

    def customer(self, name: str) -> str:
        """The external_userid of the WeChat user called ``name`` (created on first use)."""
        for external_userid, known in self.customers.items():
            if known == name:
                return external_userid
        external_userid = "wm" + secrets.token_urlsafe(24)
        self.customers[external_userid] = name
        return external_userid

    def customer_says(
        self, open_kfid: str, external_userid: str, text: str, menu_id: str = ""
    ) -> str:
        """Console: a customer writes (or taps a msgmenu item, giving ``menu_id``); this opens
        a fresh reply window and returns the token the callback carries."""
        self._account(open_kfid)
        if external_userid not in self.customers:
            raise codes.param_error(f"unknown customer {external_userid!r}")
        now = self._clock()
        message = KfMessage(
            "kf" + secrets.token_urlsafe(16), open_kfid, external_userid,
            int(now), ORIGIN_CUSTOMER, "text",
            {"content": text, **({"menu_id": menu_id} if menu_id else {})},
        )  # fmt: skip
        self.inbox.append(message)
        self._log.append(message)
        self._windows[(open_kfid, external_userid)] = (now, 0)
        token = "ENC" + secrets.token_urlsafe(32)
        self._tokens[token] = now + SYNC_TOKEN_TTL
        return token

    def _account(self, open_kfid: str) -> None:
        if open_kfid not in self.accounts:
            raise codes.ApiError(codes.KF_UNKNOWN_ACCOUNT, f"invalid open_kfid {open_kfid!r}")

    def sync(self, body: dict[str, Any]) -> dict[str, Any]:
        """``kf/sync_msg``: cursor paging over customer messages (optionally one account)."""
        token = str(body.get("token") or "")
        if token and self._tokens.get(token, 0.0) <= self._clock():
            raise codes.ApiError(codes.KF_INVALID_TOKEN, "invalid msg token")
        open_kfid = str(body.get("open_kfid") or "")
        if open_kfid:
            self._account(open_kfid)
        limit = int(body.get("limit") or 1000)
        if not 1 <= limit <= 1000:
            raise codes.param_error("limit must be 1..1000")
        cursor = str(body.get("cursor") or "0")
        start = int(cursor) if cursor.isdigit() else 0
        rest = [m for m in self.inbox[start:] if not open_kfid or m.open_kfid == open_kfid]
        page = rest[:limit]
        end = self.inbox.index(page[-1]) + 1 if page else len(self.inbox)
        return {
            "next_cursor": str(end),
            "has_more": int(len(rest) > limit),
            "msg_list": [m.to_json() for m in page],
        }

    def send(self, body: dict[str, Any]) -> dict[str, Any]:
        """``kf/send_msg``: 95001 once 5 replies were sent or 48 h passed since the customer."""
        open_kfid, touser = str(body.get("open_kfid") or ""), str(body.get("touser") or "")
        self._account(open_kfid)
        msgtype = str(body.get("msgtype") or "")
        content = body.get(msgtype)
        if msgtype not in _MSGTYPES or not isinstance(content, dict):
            raise codes.ApiError(codes.INVALID_MSGTYPE, f"invalid msgtype {msgtype!r}")
        if msgtype == "text" and not 0 < nbytes(content.get("content", "")) <= 2048:
            raise codes.ApiError(codes.CONTENT_TOO_LARGE, "text content must be 1..2048 bytes")
        msgid = self._own_msgid(open_kfid, body.get("msgid"))
        now = self._clock()
        opened, replies = self._windows.get((open_kfid, touser), (0.0, MAX_REPLIES))
        if replies >= MAX_REPLIES or now - opened > REPLY_WINDOW:
            raise codes.ApiError(codes.KF_WINDOW_CLOSED, "send msg count limit reached")
        self._windows[(open_kfid, touser)] = (opened, replies + 1)
        msgid = msgid or "kf" + secrets.token_urlsafe(16)
        message = KfMessage(msgid, open_kfid, touser, int(now), ORIGIN_API, msgtype, content)
        self.outbox.append(message)
        self._log.append(message)
        return {"msgid": msgid}

    def _own_msgid(self, open_kfid: str, msgid: Any) -> str:
        """A msgid the caller chose must be ≤ 32 bytes of [0-9a-zA-Z_-] and unique within the
        kf account, or the call fails (path/94677): a resent msgid is never delivered twice.
        WeCom names no code for the duplicate; this answers the generic invalid parameter."""
        text = str(msgid or "")
        if not text:
            return ""
        if not MSGID_RE.fullmatch(text):
            raise codes.param_error("msgid must be at most 32 bytes of [0-9a-zA-Z_-]")
        if any(m.msgid == text and m.open_kfid == open_kfid for m in self.outbox):
            raise codes.param_error(f"msgid {text} already used in this kf account")
        return text

    def conversation(self, external_userid: str) -> list[KfMessage]:
        """Both directions with one customer, in time order (for the console)."""
        return [m for m in self._log if m.external_userid == external_userid]
