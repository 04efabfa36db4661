"""Durable storage of candidates' recordings, encrypted at rest.

Uploads arrive in chunks, in order, possibly over several connections: a writer appends from
an offset no greater than what is stored (anything after it, such as the tail of a chunk
whose connection broke, is dropped first). Readers always get plaintext back; only the
adapter ever sees keys or ciphertext. Keys are opaque strings chosen by the use cases
(``answers/<interview>/<question>/<upload>``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol

from recruiting.errors import Conflict, NotFound


class MediaMissing(NotFound):
    code = "media_missing"


class MediaOffsetMismatch(Conflict):
    """An append asked to start past the stored end of the object."""

    code = "offset_mismatch"


class MediaAppender(Protocol):
    async def write(self, data: bytes) -> None:
        """Append ``data`` (buffered; callers may pass pieces of any size)."""

    async def close(self) -> int:
        """Flush and return the stored plaintext size."""

    async def abort(self) -> None:
        """Stop without flushing what is buffered (the object keeps what was flushed)."""


class MediaStore(Protocol):
    async def appender(self, key: str, offset: int) -> MediaAppender:
        """A writer continuing the object at ``offset`` (created empty when absent).

        Raises MediaOffsetMismatch when ``offset`` is past the stored size; when it is
        before it, the stored object is first cut back to ``offset``.
        """

    async def size(self, key: str) -> int:
        """Plaintext bytes stored; 0 when absent."""

    def read(self, key: str, *, block: int = 1 << 20) -> AsyncIterator[bytes]:
        """The plaintext in blocks; raises MediaMissing, or UndecryptableData if tampered."""

    def read_range(
        self, key: str, start: int, end: int, *, block: int = 1 << 20
    ) -> AsyncIterator[bytes]:
        """Plaintext bytes ``start`` … ``end`` inclusive (clipped to the size): what an HTTP
        range request asks for; raises like ``read``."""

    async def export(self, key: str, dest: Path) -> None:
        """Write the plaintext to ``dest`` (a temporary file for the decoders)."""

    async def delete(self, key: str) -> bool:
        """Remove the object; False when it was not there."""
