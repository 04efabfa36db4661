"""The single-leader guard: of all scheduler processes, one runs the jobs.

The leader holds a lease: a key set only if absent, with an expiry and a random token
(Redis ``SET NX PX``). It renews the lease well before it expires, and only while the key
still holds its own token (a Lua compare-and-extend); it gives it up on stop by a Lua
compare-and-delete, so it never removes a lease a successor took. If the leader dies, its
lease expires and the next follower to try takes over.

A leader also stops considering itself leader when it has not renewed for most of the
lease, so a process that stalled (GC, suspended VM) does not run jobs after a successor
may have taken over. Without Redis (the embedded default: one process) the lease lives in
process memory with the same rules, so tests can run two guards against one table.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Callable
from typing import Any, Protocol

import redis.asyncio as aioredis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

LOCK_KEY = "recruiting:scheduler:leader"

_EXTEND = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class Lease(Protocol):
    async def acquire(self, token: str, ttl: float) -> bool:
        """Take the lease if nobody holds it."""

    async def extend(self, token: str, ttl: float) -> bool:
        """Extend the lease while ``token`` still holds it."""

    async def release(self, token: str) -> bool:
        """Give it up while ``token`` still holds it."""

    async def close(self) -> None: ...


class RedisLease:
    def __init__(self, client: aioredis.Redis, key: str = LOCK_KEY) -> None:
        self._r = client
        self._key = key
        self._extend: Any = client.register_script(_EXTEND)
        self._release: Any = client.register_script(_RELEASE)

    @classmethod
    def from_url(cls, url: str, key: str = LOCK_KEY) -> RedisLease:
        return cls(aioredis.from_url(url, decode_responses=True), key)

    async def acquire(self, token: str, ttl: float) -> bool:
        return bool(await self._r.set(self._key, token, nx=True, px=_ms(ttl)))

    async def extend(self, token: str, ttl: float) -> bool:
        return bool(await self._extend(keys=[self._key], args=[token, _ms(ttl)]))

    async def release(self, token: str) -> bool:
        return bool(await self._release(keys=[self._key], args=[token]))

    async def holder(self) -> str | None:
        value = await self._r.get(self._key)
        return None if value is None else str(value)

    async def close(self) -> None:
        await self._r.aclose()


class MemoryLease:
    """The same lease in one process's memory; ``table`` may be shared between guards."""

    def __init__(
        self,
        table: dict[str, tuple[str, float]] | None = None,
        key: str = LOCK_KEY,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._table = {} if table is None else table
        self._key = key
        self._monotonic = monotonic

    def _holder(self) -> str | None:
        item = self._table.get(self._key)
        if item is None or item[1] <= self._monotonic():
            return None
        return item[0]

    async def acquire(self, token: str, ttl: float) -> bool:
        if self._holder() is not None:
            return False
        self._table[self._key] = (token, self._monotonic() + ttl)
        return True

    async def extend(self, token: str, ttl: float) -> bool:
        if self._holder() != token:
            return False
        self._table[self._key] = (token, self._monotonic() + ttl)
        return True

    async def release(self, token: str) -> bool:
        if self._holder() != token:
            return False
        del self._table[self._key]
        return True

    async def close(self) -> None:
        return None


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))


class LeaderGuard:
    """Call ``refresh()`` every ``ttl / 3``: it takes, keeps or loses the leadership."""

    SAFETY = 0.8  # trust our lease for this share of its ttl after the last renewal

    def __init__(
        self,
        lease: Lease,
        ttl: float,
        name: str = "",
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lease = lease
        self._monotonic = monotonic
        self.ttl = ttl
        self.token = f"{name or 'scheduler'}:{secrets.token_hex(8)}"
        self._valid_until = 0.0
        self._lock = asyncio.Lock()

    @property
    def is_leader(self) -> bool:
        return self._monotonic() < self._valid_until

    async def refresh(self) -> bool:
        """Renew our lease, or try to take a free one; True while we lead."""
        async with self._lock:
            started = self._monotonic()
            was = self._valid_until > 0
            try:
                if was:
                    held = await self._lease.extend(self.token, self.ttl)
                else:
                    held = await self._lease.acquire(self.token, self.ttl)
            except (RedisError, OSError) as exc:
                log.warning("scheduler leader lease unavailable: %s", exc)
                held = False
            if held:
                self._valid_until = started + self.ttl * self.SAFETY
                if not was:
                    log.info("scheduler %s is the leader now", self.token)
            elif was:
                log.warning("scheduler %s lost the leadership", self.token)
                self._valid_until = 0.0
                # a lapse of our own: the lease may be free again, try once at once
                if await self._try_acquire(started):
                    return True
            return self.is_leader

    async def _try_acquire(self, started: float) -> bool:
        try:
            if await self._lease.acquire(self.token, self.ttl):
                self._valid_until = started + self.ttl * self.SAFETY
                return True
        except (RedisError, OSError):
            pass
        return False

    async def resign(self) -> None:
        """Give the lease up (on stop), so a follower takes over without waiting."""
        async with self._lock:
            if self._valid_until > 0:
                try:
                    await self._lease.release(self.token)
                except (RedisError, OSError) as exc:
                    log.warning("could not release the scheduler lease: %s", exc)
            self._valid_until = 0.0

    async def close(self) -> None:
        await self._lease.close()
