"""Redis key-value store (redis-py's asyncio client), shared by every process."""

from __future__ import annotations

import time
import uuid
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from recruiting.errors import ExternalServiceError

# Sliding window on a sorted set, atomically: drop old hits, count, admit or report the wait.
_ADMIT = """
local key, now, window, limit, member = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]),
    tonumber(ARGV[3]), ARGV[4]
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, math.ceil(window * 1000))
  return '0'
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return tostring(tonumber(oldest[2]) + window - now)
"""
# Many keys in one command: redis-py spends more time packing commands than Redis takes to
# run them, so a batch of callbacks costs one EVALSHA, not one SET per callback.
_CLAIM_MANY = """
local out = {}
for i, key in ipairs(KEYS) do
  local previous = redis.call('SET', key, ARGV[1], 'NX', 'GET', 'PX', ARGV[2])
  if previous then out[i] = previous else out[i] = false end
end
return out
"""
_SET_MANY = """
for _, key in ipairs(KEYS) do
  if ARGV[2] == '' then redis.call('SET', key, ARGV[1])
  else redis.call('SET', key, ARGV[1], 'PX', ARGV[2]) end
end
return #KEYS
"""
_EXTEND_IF = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
_DELETE_IF = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisKeyValueStore:
    def __init__(self, client: aioredis.Redis, prefix: str = "recruiting:") -> None:
        self._r = client
        self._prefix = prefix
        self._admit: Any = client.register_script(_ADMIT)
        self._delete_if: Any = client.register_script(_DELETE_IF)
        self._extend_if: Any = client.register_script(_EXTEND_IF)
        self._claim_many: Any = client.register_script(_CLAIM_MANY)
        self._set_many: Any = client.register_script(_SET_MANY)

    @classmethod
    def from_url(cls, url: str) -> RedisKeyValueStore:
        return cls(aioredis.from_url(url, decode_responses=True))

    async def get(self, key: str) -> str | None:
        try:
            value = await self._r.get(self._prefix + key)
        except RedisError as exc:
            raise ExternalServiceError(f"redis get failed: {exc}") from exc
        return None if value is None else str(value)

    async def set(
        self, key: str, value: str, *, ttl: float | None = None, only_if_absent: bool = False
    ) -> bool:
        px = int(ttl * 1000) if ttl else None
        try:
            done = await self._r.set(self._prefix + key, value, px=px, nx=only_if_absent)
        except RedisError as exc:
            raise ExternalServiceError(f"redis set failed: {exc}") from exc
        return bool(done)

    async def claim_many(self, keys: list[str], value: str, *, ttl: float) -> list[str | None]:
        if not keys:
            return []
        try:  # SET NX GET: Redis 7+
            results = await self._claim_many(
                keys=[self._prefix + k for k in keys], args=[value, int(ttl * 1000)]
            )
        except RedisError as exc:
            raise ExternalServiceError(f"redis claim failed: {exc}") from exc
        return [None if r is None else str(r) for r in results]

    async def set_many(self, keys: list[str], value: str, *, ttl: float | None = None) -> None:
        if not keys:
            return
        px = str(int(ttl * 1000)) if ttl else ""
        try:
            await self._set_many(keys=[self._prefix + k for k in keys], args=[value, px])
        except RedisError as exc:
            raise ExternalServiceError(f"redis set failed: {exc}") from exc

    async def delete(self, key: str, *, if_value: str | None = None) -> bool:
        try:
            if if_value is None:
                return bool(await self._r.delete(self._prefix + key))
            return bool(await self._delete_if(keys=[self._prefix + key], args=[if_value]))
        except RedisError as exc:
            raise ExternalServiceError(f"redis delete failed: {exc}") from exc

    async def extend(self, key: str, value: str, ttl: float) -> bool:
        try:
            done = await self._extend_if(
                keys=[self._prefix + key], args=[value, max(1, int(ttl * 1000))]
            )
        except RedisError as exc:
            raise ExternalServiceError(f"redis extend failed: {exc}") from exc
        return bool(done)

    async def admit(self, key: str, limit: int, window: float) -> float:
        member = f"{time.time():.6f}:{uuid.uuid4().hex[:8]}"
        try:
            wait = await self._admit(
                keys=[self._prefix + key], args=[time.time(), window, limit, member]
            )
        except RedisError as exc:
            raise ExternalServiceError(f"redis rate limit failed: {exc}") from exc
        seconds = float(wait)
        return 0.0 if seconds <= 0 else max(seconds, 0.001)

    async def ping(self) -> None:
        try:
            await self._r.ping()
        except RedisError as exc:
            raise ExternalServiceError(f"redis is not reachable: {exc}") from exc

    async def close(self) -> None:
        await self._r.aclose()
