"""Work queues: in-process (embedded default) and Redis lists (web + separate workers)."""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from recruiting.errors import ExternalServiceError


class InProcessQueue:
    def __init__(self) -> None:
        self._queues: dict[str, asyncio.Queue[str]] = {}

    def _q(self, topic: str) -> asyncio.Queue[str]:
        return self._queues.setdefault(topic, asyncio.Queue())

    async def put(self, topic: str, message: str) -> None:
        self._q(topic).put_nowait(message)

    async def put_many(self, topic: str, messages: list[str]) -> None:
        for message in messages:
            self._q(topic).put_nowait(message)

    async def get(self, topic: str, timeout: float) -> str | None:
        try:
            return await asyncio.wait_for(self._q(topic).get(), timeout)
        except TimeoutError:
            return None

    async def close(self) -> None:
        self._queues.clear()


class RedisQueue:
    def __init__(self, client: aioredis.Redis, prefix: str = "recruiting:queue:") -> None:
        self._r = client
        self._prefix = prefix

    @classmethod
    def from_url(cls, url: str) -> RedisQueue:
        return cls(aioredis.from_url(url, decode_responses=True))

    async def put(self, topic: str, message: str) -> None:
        try:
            await self._r.lpush(self._prefix + topic, message)
        except RedisError as exc:
            raise ExternalServiceError(f"redis enqueue failed: {exc}") from exc

    async def put_many(self, topic: str, messages: list[str]) -> None:
        if not messages:
            return
        try:
            await self._r.lpush(self._prefix + topic, *messages)
        except RedisError as exc:
            raise ExternalServiceError(f"redis enqueue failed: {exc}") from exc

    async def get(self, topic: str, timeout: float) -> str | None:
        try:
            item = await self._r.brpop([self._prefix + topic], timeout=max(timeout, 0.01))
        except RedisError as exc:
            raise ExternalServiceError(f"redis dequeue failed: {exc}") from exc
        return None if item is None else str(item[1])

    async def close(self) -> None:
        await self._r.aclose()
