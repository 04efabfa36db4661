"""The encrypted local media store: round trips, resumes, tampering, rotation, unsafe keys."""

from __future__ import annotations

import asyncio
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recruiting.errors import InvalidInput
from recruiting.infra.media_store import LocalMediaStore
from recruiting.infra.pii import UndecryptableData
from recruiting.ports.media import MediaMissing, MediaOffsetMismatch
from tests.unit.sealed_media import KEY, RECORD, SEG, cipher_with, files, put


@pytest.fixture
def small(tmp_path: Path) -> LocalMediaStore:
    return LocalMediaStore(tmp_path, cipher_with("A", "A"), segment_size=SEG, flush_bytes=4 * SEG)


async def read_all(store: LocalMediaStore, key: str, block: int = 1 << 20) -> bytes:
    return b"".join([piece async for piece in store.read(key, block=block)])


def stored_files(root: Path, *, folders: bool = False) -> list[Path]:
    return sorted(path for path in root.rglob("*") if folders or path.is_file())


@pytest.mark.parametrize("chunk", [1, 4095, 4097, 1 << 20])
async def test_round_trip_with_awkward_chunks(tmp_path: Path, chunk: int) -> None:
    store = LocalMediaStore(tmp_path, cipher_with("A", "A"), segment_size=4096, flush_bytes=16384)
    data = os.urandom(5 * 16384 + 123)
    assert await put(store, KEY, data, chunk) == len(data)
    assert await store.size(KEY) == len(data)
    assert await read_all(store, KEY) == data
    dest = tmp_path / "plain.bin"
    await store.export(KEY, dest)
    assert dest.read_bytes() == data


async def test_round_trip_with_default_sizes(tmp_path: Path) -> None:
    store = LocalMediaStore(tmp_path, cipher_with("A", "A"))
    data = os.urandom(3 * (1 << 20) + 17)
    assert await put(store, KEY, data, 1 << 20) == len(data)
    assert await read_all(store, KEY) == data
    data_file, _ = files(tmp_path, KEY)
    assert data_file.stat().st_size == (len(data) // 65536) * (65536 + 28)


async def test_nothing_is_stored_in_the_clear(small: LocalMediaStore, tmp_path: Path) -> None:
    data = b"my salary expectation is 30k " * 40
    await put(small, KEY, data, 100)
    on_disk = b"".join(path.read_bytes() for path in stored_files(tmp_path))
    assert len(on_disk) > len(data)
    assert b"salary" not in on_disk


@pytest.mark.parametrize("block", [1, 7, SEG, 1000, 1 << 20])
async def test_read_yields_exact_blocks(small: LocalMediaStore, block: int) -> None:
    data = os.urandom(10 * SEG + 20)
    await put(small, KEY, data, 50)
    blocks = [piece async for piece in small.read(KEY, block=block)]
    assert b"".join(blocks) == data
    assert all(len(piece) == block for piece in blocks[:-1])
    assert 0 < len(blocks[-1]) <= block


@pytest.mark.parametrize("offset", [0, 1, SEG, 3 * SEG + 5, 10 * SEG, 10 * SEG + 19, 10 * SEG + 20])
async def test_resume_cuts_back_to_the_offset(small: LocalMediaStore, offset: int) -> None:
    data, more = os.urandom(10 * SEG + 20), os.urandom(3 * SEG + 7)
    await put(small, KEY, data, 33)
    assert await put(small, KEY, more, 10, offset=offset) == offset + len(more)
    assert await small.size(KEY) == offset + len(more)
    assert await read_all(small, KEY, block=100) == data[:offset] + more


async def test_resume_cuts_back_even_when_nothing_follows(small: LocalMediaStore) -> None:
    data = os.urandom(5 * SEG)
    await put(small, KEY, data, 64)
    writer = await small.appender(KEY, 2 * SEG + 3)
    assert await small.size(KEY) == 2 * SEG + 3
    assert await writer.close() == 2 * SEG + 3
    assert await read_all(small, KEY) == data[: 2 * SEG + 3]


async def test_an_offset_past_the_end_is_refused(small: LocalMediaStore) -> None:
    data = os.urandom(300)
    await put(small, KEY, data, 100)
    with pytest.raises(MediaOffsetMismatch):
        await small.appender(KEY, 301)
    with pytest.raises(MediaOffsetMismatch):
        await small.appender("answers/12/0/absent", 1)
    assert await read_all(small, KEY) == data
    assert await small.size("answers/12/0/absent") == 0


async def test_abort_keeps_what_was_flushed(small: LocalMediaStore) -> None:
    old, new = os.urandom(SEG + 10), os.urandom(9 * SEG)
    await put(small, KEY, old, 100)
    writer = await small.appender(KEY, len(old))
    await writer.write(new)  # 4-segment batches: two are flushed, the rest stays buffered
    await writer.abort()
    assert await small.size(KEY) == 9 * SEG
    assert await read_all(small, KEY) == (old + new)[: 9 * SEG]


async def test_abort_before_any_flush_leaves_the_object_as_it_was(small: LocalMediaStore) -> None:
    old = os.urandom(SEG + 10)
    await put(small, KEY, old, 100)
    writer = await small.appender(KEY, len(old))
    await writer.write(os.urandom(SEG))
    await writer.abort()
    assert await read_all(small, KEY) == old


async def test_an_unfinished_append_is_invisible_and_cut_off(
    small: LocalMediaStore, tmp_path: Path
) -> None:
    old = os.urandom(2 * SEG + 10)
    await put(small, KEY, old, 100)
    writer = await small.appender(KEY, len(old))
    await writer.write(os.urandom(20 * SEG))  # flushed segments, no commit: as if the process died
    data_file, _ = files(tmp_path, KEY)
    assert data_file.stat().st_size > 2 * RECORD
    assert await read_all(small, KEY) == old
    more = os.urandom(SEG)
    await put(small, KEY, more, 7, offset=len(old))
    assert await read_all(small, KEY) == old + more
    assert data_file.stat().st_size == 3 * RECORD


async def test_cancelled_write_is_finished_before_abort_commits(
    small: LocalMediaStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    entered, release = threading.Event(), threading.Event()
    real_pwrite = os.pwrite

    def slow_pwrite(fd: int, data: memoryview, position: int) -> int:
        entered.set()
        release.wait(5)
        return real_pwrite(fd, data, position)

    writer = await small.appender(KEY, 0)
    monkeypatch.setattr(os, "pwrite", slow_pwrite)
    data = os.urandom(4 * SEG + 1)  # fills the batch, so the last byte waits for a flush
    task = asyncio.create_task(writer.write(data))
    await asyncio.to_thread(entered.wait, 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    aborting = asyncio.create_task(writer.abort())
    await asyncio.sleep(0.05)
    assert not aborting.done()  # it waits for the flush still running in its thread
    release.set()
    await aborting
    assert await read_all(small, KEY) == data[: 4 * SEG]


async def test_close_makes_the_data_durable_before_the_head_names_it(
    small: LocalMediaStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = await small.appender(KEY, 0)
    synced: list[str] = []
    real_fsync = os.fsync

    def spy(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", spy)
    await writer.write(os.urandom(10 * SEG))
    await writer.close()
    data_file, head_file = files(tmp_path, KEY)
    kinds = [
        "data" if name == str(data_file)
        else "head" if name.startswith(str(head_file) + ".")
        else "folder" if name == str(data_file.parent)
        else name
        for name in synced
    ]  # fmt: skip
    assert kinds == ["data", "head", "folder"]


async def test_two_keys_are_written_concurrently(small: LocalMediaStore) -> None:
    one, two = os.urandom(30 * SEG + 1), os.urandom(25 * SEG + 2)
    await asyncio.gather(put(small, KEY, one, 40), put(small, "answers/12/1/77aa", two, 50))
    assert await read_all(small, KEY) == one
    assert await read_all(small, "answers/12/1/77aa") == two


async def test_an_object_keeps_its_segment_size(small: LocalMediaStore, tmp_path: Path) -> None:
    data, more = os.urandom(5 * SEG + 3), os.urandom(200)
    await put(small, KEY, data, 100)
    other = LocalMediaStore(tmp_path, cipher_with("A", "A"), segment_size=1000)
    assert await read_all(other, KEY) == data
    await put(other, KEY, more, 30, offset=len(data))
    assert await read_all(small, KEY) == data + more


async def test_an_empty_object_exists(small: LocalMediaStore) -> None:
    writer = await small.appender(KEY, 0)
    assert await writer.close() == 0
    assert await small.size(KEY) == 0
    assert [piece async for piece in small.read(KEY)] == []
    assert await small.delete(KEY) is True


async def test_delete_and_absent_objects(small: LocalMediaStore, tmp_path: Path) -> None:
    await put(small, KEY, os.urandom(300), 100)
    assert await small.delete(KEY) is True
    assert await small.delete(KEY) is False
    assert await small.size(KEY) == 0
    assert stored_files(tmp_path) == []
    with pytest.raises(MediaMissing):
        await read_all(small, KEY)
    dest = tmp_path / "out.bin"
    with pytest.raises(MediaMissing):
        await small.export(KEY, dest)
    assert not dest.exists()
    with pytest.raises(MediaMissing):
        await small.rewrap(KEY)
    assert await small.size("never/written") == 0


# --- tampering: every case must raise, and nothing handed out before must be wrong ---

DATA = bytes(range(256)) * 2 + b"tail" * 5  # 8 whole segments and a 20-byte tail


def flip(path: Path, position: int) -> None:
    raw = bytearray(path.read_bytes())
    raw[position] ^= 0x01
    path.write_bytes(bytes(raw))


def swap_segments(path: Path) -> None:
    raw = path.read_bytes()
    one, two = raw[2 * RECORD : 3 * RECORD], raw[3 * RECORD : 4 * RECORD]
    path.write_bytes(raw[: 2 * RECORD] + two + one + raw[4 * RECORD :])


def cut(path: Path, size: int) -> None:
    raw = path.read_bytes()
    path.write_bytes(raw[: size if size >= 0 else len(raw) + size])


TAMPERING: dict[str, Callable[[Path, Path], None]] = {
    "nonce": lambda data, head: flip(data, 0),
    "ciphertext": lambda data, head: flip(data, 5 * RECORD + 40),
    "tag": lambda data, head: flip(data, RECORD - 1),
    "swapped segments": lambda data, head: swap_segments(data),
    "data cut at a segment": lambda data, head: cut(data, 7 * RECORD),
    "data cut by a byte": lambda data, head: cut(data, -1),
    "data emptied": lambda data, head: cut(data, 0),
    "data removed": lambda data, head: data.unlink(),
    "tail ciphertext": lambda data, head: flip(head, -20),
    "tail tag": lambda data, head: flip(head, -1),
    "head cut": lambda data, head: cut(head, -1),
    "head cut short": lambda data, head: cut(head, 10),
    "segment size": lambda data, head: flip(head, 7),
    "tail index": lambda data, head: flip(head, 15),
    "wrapped key": lambda data, head: flip(head, 30),
    "magic": lambda data, head: flip(head, 0),
}


async def assert_detected(
    store: LocalMediaStore, key: str, expected: bytes, tmp_path: Path
) -> None:
    got = bytearray()
    with pytest.raises(UndecryptableData):
        async for piece in store.read(key, block=SEG):
            got += piece
    assert expected.startswith(got)
    dest = tmp_path / "export.bin"
    with pytest.raises(UndecryptableData):
        await store.export(key, dest)
    assert not dest.exists()


@pytest.mark.parametrize("how", list(TAMPERING))
async def test_tampering_is_detected(small: LocalMediaStore, tmp_path: Path, how: str) -> None:
    await put(small, KEY, DATA, 100)
    data_file, head_file = files(tmp_path, KEY)
    TAMPERING[how](data_file, head_file)
    await assert_detected(small, KEY, DATA, tmp_path)


@pytest.mark.parametrize("copied", ["data", "both"])
async def test_an_object_copied_to_another_key_does_not_decrypt(
    small: LocalMediaStore, tmp_path: Path, copied: str
) -> None:
    other = "answers/12/1/beef"
    await put(small, KEY, DATA, 100)
    await put(small, other, bytes(len(DATA)), 100)
    (source_data, source_head), (target_data, target_head) = (
        files(tmp_path, KEY),
        files(tmp_path, other),
    )
    target_data.write_bytes(source_data.read_bytes())
    if copied == "both":
        target_head.write_bytes(source_head.read_bytes())
    await assert_detected(small, other, bytes(len(DATA)), tmp_path)
    assert await read_all(small, KEY) == DATA


async def test_a_tampered_object_is_not_appended_to(small: LocalMediaStore, tmp_path: Path) -> None:
    await put(small, KEY, DATA, 100)
    flip(files(tmp_path, KEY)[1], -1)
    with pytest.raises(UndecryptableData):
        await small.appender(KEY, len(DATA))
    with pytest.raises(UndecryptableData):
        await small.size(KEY)


# --- key rotation ---


async def test_rotation_reads_old_objects_and_rewraps_them(tmp_path: Path) -> None:
    data = os.urandom(5 * SEG + 9)
    old = LocalMediaStore(tmp_path, cipher_with("A", "A"), segment_size=SEG)
    await put(old, KEY, data, 50)
    rotating = LocalMediaStore(tmp_path, cipher_with("B", "A", "B"), segment_size=SEG)
    only_new = LocalMediaStore(tmp_path, cipher_with("B", "B"), segment_size=SEG)
    assert await read_all(rotating, KEY) == data
    with pytest.raises(UndecryptableData):
        await read_all(only_new, KEY)
    assert await rotating.rewrap(KEY) is True
    assert await rotating.rewrap(KEY) is False
    assert await read_all(only_new, KEY) == data
    assert await only_new.size(KEY) == len(data)
    with pytest.raises(UndecryptableData):
        await read_all(old, KEY)


async def test_an_appender_opened_before_a_rewrap_keeps_the_new_wrapping(tmp_path: Path) -> None:
    data, more = os.urandom(3 * SEG), os.urandom(2 * SEG + 5)
    old = LocalMediaStore(tmp_path, cipher_with("A", "A"), segment_size=SEG)
    await put(old, KEY, data, 50)
    writer = await old.appender(KEY, len(data))
    assert await LocalMediaStore(tmp_path, cipher_with("B", "A", "B")).rewrap(KEY) is True
    await writer.write(more)
    await writer.close()
    only_new = LocalMediaStore(tmp_path, cipher_with("B", "B"), segment_size=SEG)
    assert await read_all(only_new, KEY) == data + more


# --- keys ---

UNSAFE_KEYS = [
    "", "/", "/etc/passwd", "answers/../../x", "..", ".", "a/./b", "a//b", "a/", "/a",
    "a b", "a\\b", "a\x00b", "a\nb", "a\n", "答案/1", "a.b", "a/b.head", "~", "x" * 129,
    "/".join(["a"] * 300),
]  # fmt: skip


@pytest.mark.parametrize("key", UNSAFE_KEYS)
async def test_unsafe_keys_are_refused(small: LocalMediaStore, tmp_path: Path, key: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        await small.appender(key, 0)
    assert not isinstance(raised.value, UndecryptableData)
    for call in (
        small.size(key),
        small.delete(key),
        small.rewrap(key),
        small.export(key, tmp_path / "x"),
    ):
        with pytest.raises(InvalidInput):
            await call
    with pytest.raises(InvalidInput):
        await read_all(small, key)
    assert stored_files(tmp_path, folders=True) == []


async def test_nested_keys_do_not_collide(small: LocalMediaStore) -> None:
    await put(small, "answers/1", b"outer", 3)
    await put(small, "answers/1/0", b"inner", 3)
    assert await read_all(small, "answers/1") == b"outer"
    assert await read_all(small, "answers/1/0") == b"inner"


# --- property: any chunking and any sequence of resumes reads back what the model says ---


@settings(max_examples=60, deadline=None)
@given(
    segment=st.sampled_from([1, 3, 16, 64, 100]),
    batch=st.integers(1, 4),
    block=st.integers(1, 700),
    sessions=st.lists(
        st.tuples(
            st.integers(0, 1 << 30), st.lists(st.binary(max_size=300), max_size=6), st.booleans()
        ),
        min_size=1,
        max_size=5,
    ),
)
def test_any_chunking_and_resumes_match_a_model(
    segment: int, batch: int, block: int, sessions: list[tuple[int, list[bytes], bool]]
) -> None:
    async def scenario(root: Path) -> None:
        store = LocalMediaStore(
            root, cipher_with("A", "A"), segment_size=segment, flush_bytes=batch * segment
        )
        content = b""
        for pick, chunks, abort in sessions:
            offset = pick % (len(content) + 1)
            writer = await store.appender(KEY, offset)
            intended = content[:offset] + b"".join(chunks)
            for chunk in chunks:
                await writer.write(chunk)
            if abort:
                await writer.abort()
                size = await store.size(KEY)
                assert offset <= size <= len(intended)
                content = intended[:size]
            else:
                assert await writer.close() == len(intended)
                content = intended
            assert await read_all(store, KEY, block=block) == content
        assert await store.size(KEY) == len(content)

    with tempfile.TemporaryDirectory() as root:
        asyncio.run(scenario(Path(root)))
