"""Where an engine keeps results it paid for: a small cache protocol and two stores.

Keys say everything a result depends on (engine, model, prompt version, a hash of the input),
so a new prompt or model never reads an old verdict. A failing cache is a miss, never an error:
scoring must not stop because Redis is away.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import redis

log = logging.getLogger(__name__)


class ScoreCache(Protocol):
    def get(self, key: str) -> str | None:
        """The stored text, or None when absent, expired or unreachable."""

    def set(self, key: str, value: str) -> None:
        """Store ``value`` (best effort)."""


class LruScoreCache:
    """In-process, bounded: the default, per worker process (the speech model's lifetime)."""

    def __init__(self, size: int = 1024) -> None:
        self._size = max(size, 1)
        self._items: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def set(self, key: str, value: str) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


class RedisScoreCache:
    """The service's Redis (``REDIS_URL``), shared by every worker on every machine.

    Synchronous on purpose: scoring runs in a worker process outside the event loop, where the
    service's asyncio ``KeyValueStore`` cannot be used. The client is made on first use."""

    def __init__(self, url: str, *, ttl_seconds: int, prefix: str = "answer-score:") -> None:
        self._url = url
        self._ttl = ttl_seconds
        self._prefix = prefix
        self._client: redis.Redis | None = None

    def _redis(self) -> redis.Redis:
        if self._client is None:
            import redis

            self._client = redis.Redis.from_url(
                self._url, socket_timeout=2.0, socket_connect_timeout=2.0
            )
        return self._client

    def get(self, key: str) -> str | None:
        from redis.exceptions import RedisError

        try:
            value = self._redis().get(self._prefix + key)
        except RedisError as exc:
            log.warning("score cache unavailable (%s): treated as a miss", type(exc).__name__)
            return None
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)

    def set(self, key: str, value: str) -> None:
        from redis.exceptions import RedisError

        try:
            self._redis().set(self._prefix + key, value, ex=self._ttl)
        except RedisError as exc:
            log.warning("score cache unavailable (%s): result not stored", type(exc).__name__)
