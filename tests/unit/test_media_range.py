"""Ranged reads of the encrypted media store (what a video player's seek asks for): any
start and end, across segment boundaries and into the unsealed tail, give exactly those
plaintext bytes; only the segments holding them are decrypted; tampering still fails."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recruiting.infra.media_store import LocalMediaStore
from recruiting.infra.pii import UndecryptableData
from tests.unit.sealed_media import KEY, SEG, cipher_with, files, put

DATA = os.urandom(10 * SEG + 17)  # ten whole segments and a tail


async def ranged(store: LocalMediaStore, start: int, end: int, block: int = 1 << 20) -> bytes:
    return b"".join([p async for p in store.read_range(KEY, start, end, block=block)])


@pytest.fixture
async def store(tmp_path: Path) -> LocalMediaStore:
    made = LocalMediaStore(tmp_path, cipher_with("A", "A"), segment_size=SEG, flush_bytes=4 * SEG)
    await put(made, KEY, DATA, 100)
    return made


@settings(max_examples=60, deadline=None)
@given(start=st.integers(0, len(DATA) - 1), length=st.integers(1, len(DATA)),
       block=st.sampled_from([1, 7, SEG, 1 << 20]))  # fmt: skip
async def test_any_range_reads_exactly_its_bytes(
    tmp_path_factory: pytest.TempPathFactory, start: int, length: int, block: int
) -> None:
    made = LocalMediaStore(tmp_path_factory.mktemp("m"), cipher_with("A", "A"),
                           segment_size=SEG, flush_bytes=4 * SEG)  # fmt: skip
    await put(made, KEY, DATA, 333)
    end = start + length - 1
    got = [p async for p in made.read_range(KEY, start, end, block=block)]
    assert b"".join(got) == DATA[start : end + 1]  # an end past the size is clipped
    assert all(0 < len(p) <= block for p in got)


async def test_a_range_in_the_tail_and_one_ending_on_a_boundary(store: LocalMediaStore) -> None:
    assert await ranged(store, 10 * SEG + 3, 10 * SEG + 9) == DATA[10 * SEG + 3 : 10 * SEG + 10]
    assert await ranged(store, SEG, 2 * SEG - 1) == DATA[SEG : 2 * SEG]


async def test_a_range_reads_only_the_segments_it_needs(
    store: LocalMediaStore, tmp_path: Path
) -> None:
    data, _ = files(tmp_path, KEY)
    raw = bytearray(data.read_bytes())
    raw[1] ^= 0xFF  # segment 0 is damaged
    data.write_bytes(bytes(raw))
    assert await ranged(store, 5 * SEG, 6 * SEG) == DATA[5 * SEG : 6 * SEG + 1]
    with pytest.raises(UndecryptableData):
        await ranged(store, 0, 10)


async def test_a_bad_range_is_a_programming_error(store: LocalMediaStore) -> None:
    with pytest.raises(ValueError, match="range"):
        await ranged(store, 5, 4)
