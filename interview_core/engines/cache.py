"""Where an engine keeps results it paid for: a small cache protocol and two stores.

Keys say everything a result depends on (engine, model, prompt version, a hash of the input),
so a new prompt or model never reads an old verdict. A failing cache is a miss, never an error:
scoring must not stop because Redis is away.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import redis

log = logging.getLogger(__name__)


SEALED = "g1."  # AES-GCM under a key derived from the scored input


def seal_entry(value: str, secret: bytes) -> str:
    """``value`` readable only with ``secret``: a verdict quotes the candidate's words, and a
    shared cache (Redis) must not hold them in the clear."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(12)
    sealed = AESGCM(secret).encrypt(nonce, value.encode("utf-8"), None)
    return SEALED + base64.b64encode(nonce + sealed).decode("ascii")


def open_entry(stored: str, secret: bytes) -> str | None:
    """The sealed value, or None for anything else (an entry from an older version, another
    input, a damaged one): the caller treats it as a miss."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if not stored.startswith(SEALED):
        return None
    try:
        raw = base64.b64decode(stored[len(SEALED) :], validate=True)
        return AESGCM(secret).decrypt(raw[:12], raw[12:], None).decode("utf-8")
    except (InvalidTag, binascii.Error, ValueError):
        return None


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
