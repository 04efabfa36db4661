"""The sandbox's whole world, in memory and free of I/O, so tests can drive it directly.

``SandboxState`` composes one store per WeCom API group and adds what cuts across them: the
injected clock (tests move time instead of sleeping), fault injection, and the log of what the
members did in the console, so a member's chat can be shown in one timeline.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from wecom_bot.sandbox.cards import CardStore
from wecom_bot.sandbox.customers import CustomerStore
from wecom_bot.sandbox.directory import DEFAULT_MEMBERS, Directory, Member
from wecom_bot.sandbox.faults import Faults
from wecom_bot.sandbox.kf import KfStore
from wecom_bot.sandbox.media import MediaStore
from wecom_bot.sandbox.messaging import MEMBER_MESSAGES_PER_MINUTE, MessageStore
from wecom_bot.sandbox.oa import ApprovalStore
from wecom_bot.sandbox.schedules import ScheduleStore
from wecom_bot.sandbox.tokens import Clock, LoginCodes, TokenStore, WebCodes


@dataclass
class MemberAction:
    """Something done in the console and delivered to the service as a callback."""

    time: float
    userid: str
    kind: str  # text, voice, enter_agent, click, card, approval, external_contact, kf, reply
    detail: dict[str, Any]
    seq: int = 0
    status: int = 0  # HTTP status of the last delivery attempt, 0 when nothing answered
    attempts: int = 0

    def to_json(self) -> dict[str, Any]:
        direction = "out" if self.kind == "reply" else "in"
        return {
            "direction": direction,
            "time": int(self.time),
            "userid": self.userid,
            "kind": self.kind,
            "detail": self.detail,
            "status": self.status,
            "attempts": self.attempts,
        }


class SandboxState:
    def __init__(
        self,
        *,
        corp_id: str,
        secrets: Iterable[str],
        agent_id: int,
        clock: Clock = time.time,
        members: tuple[Member, ...] = DEFAULT_MEMBERS,
        per_minute: int = MEMBER_MESSAGES_PER_MINUTE,
    ) -> None:
        self.corp_id = corp_id
        self.agent_id = agent_id
        self.clock = clock
        self._members = members
        self._per_minute = per_minute
        self.tokens = TokenStore(corp_id, secrets, clock)
        self.sequence = itertools.count().__next__
        self.reset()

    def reset(self) -> None:
        """Forget every message, card, media, approval and fault; issued tokens stay valid."""
        clock = self.clock
        self.directory = Directory(self._members)
        self.login_codes = LoginCodes(self.corp_id, clock)
        self.web_codes = WebCodes(clock)
        self.faults = Faults()
        self.cards = CardStore(clock)
        self.media = MediaStore(clock)
        self.messages = MessageStore(
            self.directory,
            self.cards,
            self.media.get,
            self.agent_id,
            clock,
            self._per_minute,
            self.sequence,
        )
        self.approvals = ApprovalStore(self.directory, clock)
        self.schedules = ScheduleStore(self.directory, clock)
        self.customers = CustomerStore(self.directory, clock)
        self.kf = KfStore(clock)
        self.actions: list[MemberAction] = []
        self.callback_repeats = 1

    def resume_sequence(self, start: int) -> None:
        """Continue numbering after restored history (``persist.restore``)."""
        self.sequence = itertools.count(start).__next__
        self.messages._sequence = self.sequence

    def expire_tokens(self) -> None:
        """Fault injection: calls with any token issued so far get 42001."""
        self.tokens.expire_all()

    def fail_next(self, path: str, errcode: int, count: int = 1, errmsg: str = "") -> None:
        """Fault injection: the next ``count`` calls of ``path`` ("*" = any) fail."""
        self.faults.fail_next(path, errcode, count, errmsg)

    def record_action(self, userid: str, kind: str, detail: dict[str, Any]) -> MemberAction:
        """Log an action before its callback goes out; the caller fills in the outcome."""
        action = MemberAction(self.clock(), userid, kind, detail, self.sequence())
        self.actions.append(action)
        return action

    def timeline(self, userid: str) -> list[dict[str, Any]]:
        """One member's chat with the app: what it received and what the member did."""
        items: list[tuple[float, int, dict[str, Any]]] = []
        for message in self.messages.for_member(userid):
            entry = {"direction": "out", **message.to_json()}
            task_id = message.payload.get("template_card", {}).get("task_id")
            view = self.cards.views.get((str(task_id), userid)) if task_id else None
            if view is not None:
                entry["card_state"] = view.to_json()
            items.append((message.time, message.seq, entry))
        items += [(a.time, a.seq, a.to_json()) for a in self.actions if a.userid == userid]
        return [entry for _, _, entry in sorted(items, key=lambda item: item[:2])]
