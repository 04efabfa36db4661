"""Sends to outside systems without an idempotency key: mark before sending, look up after.

A sender calls ``SendAttempts.begin(key)`` before the outside call. The row is committed at
once (senders run outside any transaction), so when the process dies between the outside
system's answer and the local commit, the redelivery sees ``earlier`` and searches the
outside system for the ``marker`` it put into what it sent, adopting what it finds instead
of sending twice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from recruiting import clock
from recruiting.models import SendAttempt


@dataclass(frozen=True)
class Attempt:
    key: str
    marker: str  # goes into what is sent, where the outside system lets us find it again
    started: datetime
    outcome: str  # the outside system's id once known ("" while unknown)
    earlier: bool  # an attempt was recorded before this one: it may have gone through


def marker_for(key: str) -> str:
    """A short reference derived from the key (the same on every redelivery)."""
    return "ZP" + hashlib.sha256(key.encode()).hexdigest()[:12].upper()


class AttemptLog(Protocol):
    async def begin(self, key: str) -> Attempt:
        """Record an attempt (or find the one recorded before) and commit it."""

    async def find(self, key: str) -> Attempt | None:
        """The attempt recorded before, if any (nothing is recorded)."""

    async def settle(self, key: str, outcome: str) -> None: ...

    async def forget(self, key: str) -> None: ...


class SendAttempts:
    """The attempts in the database (table ``send_attempt``)."""

    async def begin(self, key: str) -> Attempt:
        row, created = await SendAttempt.get_or_create(
            key=key, defaults={"marker": marker_for(key)}
        )
        return Attempt(row.key, row.marker, row.created_at, row.outcome, earlier=not created)

    async def find(self, key: str) -> Attempt | None:
        row = await SendAttempt.get_or_none(key=key)
        return Attempt(row.key, row.marker, row.created_at, row.outcome, True) if row else None

    async def settle(self, key: str, outcome: str) -> None:
        """The outside system's id, recorded as soon as it is known."""
        await SendAttempt.filter(key=key).update(outcome=outcome[:128])

    async def forget(self, key: str) -> None:
        """Nothing was created (the outside system refused): the next attempt starts afresh."""
        await SendAttempt.filter(key=key).delete()


class MemorySendAttempts:
    """The same in a dict, for unit tests of the senders."""

    def __init__(self) -> None:
        self.rows: dict[str, Attempt] = {}

    async def begin(self, key: str) -> Attempt:
        row = self.rows.get(key)
        if row is not None:
            return replace(row, earlier=True)
        self.rows[key] = Attempt(key, marker_for(key), clock.now(), "", earlier=False)
        return self.rows[key]

    async def find(self, key: str) -> Attempt | None:
        row = self.rows.get(key)
        return replace(row, earlier=True) if row else None

    async def settle(self, key: str, outcome: str) -> None:
        self.rows[key] = replace(self.rows[key], outcome=outcome)

    async def forget(self, key: str) -> None:
        self.rows.pop(key, None)
