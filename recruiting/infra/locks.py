"""A lease lock on the key-value store: one holder at a time, expires if the holder dies."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from recruiting.ports.kv import KeyValueStore


@asynccontextmanager
async def lease(kv: KeyValueStore, name: str, ttl: float, wait: float = 0.0) -> AsyncIterator[bool]:
    """Yield True when the lock was taken (within ``wait`` seconds), else False."""
    token = secrets.token_hex(8)
    key = f"lock:{name}"
    deadline = asyncio.get_running_loop().time() + wait
    acquired = await kv.set(key, token, ttl=ttl, only_if_absent=True)
    while not acquired and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)
        acquired = await kv.set(key, token, ttl=ttl, only_if_absent=True)
    try:
        yield acquired
    finally:
        if acquired:
            await kv.delete(key, if_value=token)
