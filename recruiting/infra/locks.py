"""A lease lock on the key-value store: one holder at a time, expires if the holder dies.

A holder that may work longer than the lease asks for ``renew``: the lease is extended every
third of its TTL while the holder lives, so a slow but alive holder never loses it to a
second one. ``confirm()`` is the fence before a commit: it extends the lease only while the
key still holds this holder's token, and raises ``LeaseLost`` otherwise, so work done after
the lease passed to someone else is never committed.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from recruiting.errors import RecruitingError, RetryLater
from recruiting.ports.kv import KeyValueStore

log = logging.getLogger(__name__)


class LeaseLost(RetryLater):
    code = "lease_lost"


class Lease:
    """The outcome of taking a lease: truthy when taken."""

    def __init__(self, kv: KeyValueStore, key: str, token: str, ttl: float, taken: bool) -> None:
        self._kv = kv
        self.key = key
        self.token = token
        self.ttl = ttl
        self.taken = taken

    def __bool__(self) -> bool:
        return self.taken

    async def confirm(self) -> None:
        """The fence: still ours (and good for another ``ttl``), or LeaseLost."""
        if not self.taken or not await self._kv.extend(self.key, self.token, self.ttl):
            raise LeaseLost(f"the lease {self.key} was lost", retry_after=1)

    async def _keep(self) -> None:
        while True:
            await asyncio.sleep(self.ttl / 3)
            try:
                if not await self._kv.extend(self.key, self.token, self.ttl):
                    log.warning("lease %s expired before it was renewed", self.key)
                    return  # confirm() refuses the commit
            except RecruitingError as exc:  # the store is down: try again next time
                log.warning("lease %s not renewed: %s", self.key, exc.message)


@asynccontextmanager
async def lease(
    kv: KeyValueStore, name: str, ttl: float, wait: float = 0.0, *, renew: bool = False
) -> AsyncIterator[Lease]:
    """Yield the Lease, taken (truthy) when the lock was won within ``wait`` seconds."""
    token = secrets.token_hex(8)
    key = f"lock:{name}"
    deadline = asyncio.get_running_loop().time() + wait
    acquired = await kv.set(key, token, ttl=ttl, only_if_absent=True)
    while not acquired and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)
        acquired = await kv.set(key, token, ttl=ttl, only_if_absent=True)
    held = Lease(kv, key, token, ttl, acquired)
    keeper = asyncio.create_task(held._keep()) if acquired and renew else None
    try:
        yield held
    finally:
        if keeper is not None:
            keeper.cancel()
            try:
                await keeper
            except asyncio.CancelledError:
                pass
            except Exception:  # a bug in renewing must not undo work already committed
                log.exception("renewing lease %s failed", key)
        if acquired:
            await kv.delete(key, if_value=token)
