"""Shared key-value state: de-duplication, token cache, locks and rate limits.

Redis in production (shared by every process), an in-process dict on the embedded default.
"""

from __future__ import annotations

from typing import Protocol


class KeyValueStore(Protocol):
    async def get(self, key: str) -> str | None:
        """The value, or None when absent or expired."""

    async def set(
        self, key: str, value: str, *, ttl: float | None = None, only_if_absent: bool = False
    ) -> bool:
        """Store ``value``; with ``only_if_absent`` it is SETNX and says whether it won."""

    async def claim_many(self, keys: list[str], value: str, *, ttl: float) -> list[str | None]:
        """For each key: store ``value`` if absent. Returns each key's previous value, None
        where this call stored it — one round trip for the whole list."""

    async def set_many(self, keys: list[str], value: str, *, ttl: float | None = None) -> None:
        """Store ``value`` under every key, in one round trip."""

    async def delete(self, key: str, *, if_value: str | None = None) -> bool:
        """Remove the key (only while it still holds ``if_value`` when given)."""

    async def extend(self, key: str, value: str, ttl: float) -> bool:
        """Give the key a fresh ``ttl`` only while it still holds ``value`` (a lease renewal
        and its fence); False when it expired or another holder has it."""

    async def admit(self, key: str, limit: int, window: float) -> float:
        """Sliding-window rate limit: 0.0 means admitted (and counted); otherwise the
        number of seconds until a slot frees up (nothing is counted)."""

    async def close(self) -> None: ...
