"""The sandbox's history in a file, so a restart keeps what every member and candidate saw.

What is kept: the members' actions and the app's messages (with each member's card state,
so cards stay clickable), 微信客服 conversations and the sync position the service's cursor
points into, external contacts, contact ways, 客户群发, WeCom schedules, and the demo
clock's offset. Not kept: access tokens (the service fetches new ones), faults, approvals in
flight and uploaded media. The file is JSON (never code) sealed with the service's field
cipher (the chats hold names and what people wrote), written atomically with mode 0600 under
``DATA_DIR``; lists are bounded, oldest dropped first. A file that cannot be read is set
aside (``.bad``) and the sandbox starts empty, saying so in the log.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from recruiting.infra.pii import FieldCipher, UndecryptableData
from wecom_bot.sandbox.cards import CardView, Grant
from wecom_bot.sandbox.customers import ExternalContact, Follow
from wecom_bot.sandbox.kf import KfMessage
from wecom_bot.sandbox.messaging import SentMessage
from wecom_bot.sandbox.state import MemberAction, SandboxState

log = logging.getLogger(__name__)

VERSION = 1
FILE_NAME = "sandbox-state.json"
CONTEXT = "sandbox-state"  # binds the sealed file to its purpose
MAX_ITEMS = 3000  # per list of history (actions, app messages, kf messages)
MAX_KF_INBOX = 20000  # the service's kf cursor is an index into it: trimmed only past this


def snapshot(state: SandboxState, offset_seconds: float = 0.0) -> dict[str, Any]:
    """The state worth keeping, as plain JSON values."""
    cards = state.cards
    kf = state.kf
    inbox_ids = {m.msgid for m in kf.inbox}
    return {
        "version": VERSION,
        "clock_offset": offset_seconds,
        "actions": [asdict(a) for a in state.actions[-MAX_ITEMS:]],
        "messages": [asdict(m) for m in state.messages.sent[-MAX_ITEMS:]],
        "cards": {
            "views": [asdict(v) for v in cards.views.values()][-MAX_ITEMS:],
            "grants": [_grant(code, g) for code, g in cards._grants.items()],
            "latest_click": [[t, u, code] for (t, u), code in cards._latest_click.items()],
            "task_ids": sorted(cards._task_ids),
        },
        "kf": {
            "customers": kf.customers,
            "inbox": [asdict(m) for m in kf.inbox[-MAX_KF_INBOX:]],
            "log": [{**asdict(m), "inbox": m.msgid in inbox_ids} for m in kf._log[-MAX_ITEMS:]],
            "windows": [[k, u, at, n] for (k, u), (at, n) in kf._windows.items()],
        },
        "customers": {
            "contact_ways": state.customers.contact_ways,
            "contacts": [asdict(c) for c in state.customers.contacts.values()],
            "msg_templates": state.customers.msg_templates[-MAX_ITEMS:],
        },
        "schedules": {
            "schedules": state.schedules.schedules,
            "meetings": state.schedules.meetings,
            "calendars": state.schedules.calendars,
        },
    }


def _grant(code: str, grant: Grant) -> dict[str, Any]:
    return {"code": code, "task_id": grant.task_id, "userids": sorted(grant.userids),
            "expires_at": grant.expires_at}  # fmt: skip


def restore(state: SandboxState, data: dict[str, Any]) -> float:
    """Put a snapshot back into a fresh state; returns the saved clock offset."""
    if data.get("version") != VERSION:
        raise ValueError(f"unknown sandbox state version {data.get('version')!r}")
    state.actions = [MemberAction(**a) for a in data["actions"]]
    sent = [SentMessage(**m) for m in data["messages"]]
    state.messages.sent = sent
    state.messages._by_id = {m.msgid: m for m in reversed(sent)}
    cards = state.cards
    for v in data["cards"]["views"]:
        view = CardView(**v)
        cards.views[(view.task_id, view.userid)] = view
    cards._grants = {
        g["code"]: Grant(g["task_id"], frozenset(g["userids"]), g["expires_at"])
        for g in data["cards"]["grants"]
    }
    cards._latest_click = {(t, u): code for t, u, code in data["cards"]["latest_click"]}
    cards._task_ids = set(data["cards"]["task_ids"])
    kf = state.kf
    kf.customers = dict(data["kf"]["customers"])
    kf.inbox = [KfMessage(**m) for m in data["kf"]["inbox"]]
    by_id = {m.msgid: m for m in kf.inbox}
    kf._log = []
    for m in data["kf"]["log"]:
        was_inbox = m.pop("inbox")
        message = by_id.get(m["msgid"], KfMessage(**m)) if was_inbox else KfMessage(**m)
        kf._log.append(message)
        if not was_inbox:
            kf.outbox.append(message)
    kf._windows = {(k, u): (at, n) for k, u, at, n in data["kf"]["windows"]}
    customers = state.customers
    customers.contact_ways = dict(data["customers"]["contact_ways"])
    for c in data["customers"]["contacts"]:
        follows = [Follow(**f) for f in c.pop("follows")]
        contact = ExternalContact(**c, follows=follows)
        customers.contacts[contact.external_userid] = contact
    customers.msg_templates = list(data["customers"]["msg_templates"])
    state.schedules.schedules = dict(data["schedules"]["schedules"])
    state.schedules.meetings = dict(data["schedules"]["meetings"])
    state.schedules.calendars = dict(data["schedules"].get("calendars") or {})
    seqs = [a.seq for a in state.actions] + [m.seq for m in sent]
    state.resume_sequence(max(seqs, default=-1) + 1)
    return float(data.get("clock_offset") or 0.0)


def fingerprint(state: SandboxState, offset_seconds: float = 0.0) -> tuple[Any, ...]:
    """Cheap to compute, changes with almost every change worth saving (a periodic full
    comparison in ``save`` catches the rest)."""
    views = state.cards.views.values()
    last = state.actions[-1] if state.actions else None
    return (
        len(state.actions), len(state.messages.sent), len(state.kf._log),
        sum(len(v.clicks) + v.updates for v in views), len(views),
        len(state.customers.contacts), len(state.customers.msg_templates),
        len(state.schedules.schedules), offset_seconds,
        (last.status, last.attempts) if last else None,
        sum(m.recalled_at is not None for m in state.messages.sent[-50:]),
    )  # fmt: skip


class StateFile:
    """Load once at start, then ``save`` whenever asked (it writes only what changed)."""

    def __init__(self, path: Path, cipher: FieldCipher) -> None:
        self.path = path
        self.loaded = False
        self._cipher = cipher
        self._written = ""

    def load(self, state: SandboxState) -> float:
        """Restore ``state`` from the file if there is one; the saved clock offset."""
        self.loaded = True
        try:
            self.path.chmod(0o600)  # an older version may have left it readable
            text = self._cipher.decrypt(self.path.read_text(encoding="utf-8").strip(), CONTEXT)
            offset = restore(state, json.loads(text))
        except FileNotFoundError:
            return 0.0
        except (OSError, ValueError, KeyError, TypeError, AttributeError, UndecryptableData) as exc:
            # not sealed, another key, not ours to read, or not a snapshot: start empty
            log.warning("sandbox state %s unreadable (%s); starting empty", self.path, exc)
            state.reset()
            with contextlib.suppress(OSError):
                self.path.replace(self.path.with_suffix(".bad"))
            return 0.0
        self._written = text
        log.info("sandbox history restored from %s", self.path)
        return offset

    def save(self, state: SandboxState, offset_seconds: float = 0.0) -> bool:
        """Write the snapshot if it changed since the last write; True when written."""
        text = json.dumps(snapshot(state, offset_seconds), ensure_ascii=False, sort_keys=True)
        if text == self._written:
            return False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temp = self.path.with_name(self.path.name + f".{os.getpid()}.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(self._cipher.encrypt(text, CONTEXT))
        os.chmod(temp, 0o600)
        temp.replace(self.path)
        self._written = text
        return True
