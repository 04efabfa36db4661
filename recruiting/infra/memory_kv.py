"""In-process key-value store for the embedded default (one process, no Redis)."""

from __future__ import annotations

import time
from collections import deque


class MemoryKeyValueStore:
    def __init__(self) -> None:
        self._values: dict[str, tuple[str, float | None]] = {}
        self._windows: dict[str, tuple[float, deque[float]]] = {}  # key → (window, hits)
        self._now = time.monotonic

    def _live(self, key: str) -> tuple[str, float | None] | None:
        item = self._values.get(key)
        if item and item[1] is not None and item[1] <= self._now():
            del self._values[key]
            return None
        return item

    async def get(self, key: str) -> str | None:
        item = self._live(key)
        return item[0] if item else None

    async def set(
        self, key: str, value: str, *, ttl: float | None = None, only_if_absent: bool = False
    ) -> bool:
        if only_if_absent and self._live(key) is not None:
            return False
        self._values[key] = (value, self._now() + ttl if ttl else None)
        if len(self._values) > 100_000:
            self._sweep()
        return True

    async def claim_many(self, keys: list[str], value: str, *, ttl: float) -> list[str | None]:
        previous: list[str | None] = []
        for key in keys:
            item = self._live(key)
            if item is None:
                self._values[key] = (value, self._now() + ttl)
            previous.append(item[0] if item else None)
        return previous

    async def set_many(self, keys: list[str], value: str, *, ttl: float | None = None) -> None:
        for key in keys:
            await self.set(key, value, ttl=ttl)

    async def delete(self, key: str, *, if_value: str | None = None) -> bool:
        item = self._live(key)
        if item is None or (if_value is not None and item[0] != if_value):
            return False
        del self._values[key]
        return True

    async def extend(self, key: str, value: str, ttl: float) -> bool:
        item = self._live(key)
        if item is None or item[0] != value:
            return False
        self._values[key] = (value, self._now() + ttl)
        return True

    async def admit(self, key: str, limit: int, window: float) -> float:
        now = self._now()
        hits = self._windows.setdefault(key, (window, deque()))[1]
        while hits and hits[0] <= now - window:
            hits.popleft()
        if len(hits) < limit:
            hits.append(now)
            if len(self._windows) > 100_000:  # one key per client IP or token: keep it bounded
                self._sweep_windows(now)
            return 0.0
        return max(hits[0] + window - now, 0.001)

    def _sweep_windows(self, now: float) -> None:
        for key, (window, hits) in list(self._windows.items()):
            if not hits or hits[-1] <= now - window:
                del self._windows[key]

    def _sweep(self) -> None:
        for key in list(self._values):
            self._live(key)

    async def close(self) -> None:
        self._values.clear()
