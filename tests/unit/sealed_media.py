"""Encrypted media stores made small for the store's tests: two keys to rotate between, a
segment size that a few hundred bytes span many times, chunked writes, and the two files
(sealed data, header) behind a key."""

from __future__ import annotations

from pathlib import Path

from recruiting.infra.media_store import LocalMediaStore
from recruiting.infra.pii import FieldCipher

KEY = "answers/12/0/3f2a9c"
KEY_A, KEY_B = bytes(range(32)), bytes(range(32, 64))
SEG = 64  # small segments so a few hundred bytes span many of them
RECORD = SEG + 28  # one sealed segment on disk: its nonce and tag added


def cipher_with(active: str, *kids: str) -> FieldCipher:
    return FieldCipher({kid: {"A": KEY_A, "B": KEY_B}[kid] for kid in kids}, active)


async def put(store: LocalMediaStore, key: str, data: bytes, chunk: int, offset: int = 0) -> int:
    writer = await store.appender(key, offset)
    for at in range(0, len(data), chunk):
        await writer.write(data[at : at + chunk])
    return await writer.close()


def files(root: Path, key: str) -> tuple[Path, Path]:
    base = root / key
    return base.with_name(base.name + ".data"), base.with_name(base.name + ".head")
