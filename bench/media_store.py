"""Media store benchmark: what does encryption at rest cost next to a plain file?

Appends a 50 MB object in 1 MB chunks through ``LocalMediaStore`` and reads it back, then
does the same with a raw unencrypted file in the same process, and prints MB/s, CPU seconds
and the ratio. Two write patterns:

- *one appender*: one writer for the whole object, one commit (fsync) at the end;
- *per chunk*: a writer opened at the stored size, one chunk, closed (fsync), as the upload
  service does for every acknowledged chunk.

The raw baselines do the same I/O: writes through a worker thread and an fsync where the
store commits. Reads come from the page cache in both cases.

    .venv/bin/python bench/media_store.py [--mb 50] [--chunk-kb 1024] [--dir /tmp] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make the project importable
    sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: E402

from recruiting.infra.media_store import LocalMediaStore  # noqa: E402
from recruiting.infra.pii import FieldCipher  # noqa: E402

MB = 1 << 20
KEY = "answers/1/0/bench"


@dataclass
class Figure:
    wall: float
    cpu: float


async def measure(work: Callable[[], Awaitable[None]], repeat: int) -> Figure:
    """Best of ``repeat`` runs (wall and process CPU, all threads included)."""
    best = Figure(float("inf"), float("inf"))
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        await work()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        if wall < best.wall:
            best = Figure(wall, cpu)
    return best


def chunks(data: bytes, size: int) -> list[bytes]:
    return [data[at : at + size] for at in range(0, len(data), size)]


async def store_one_appender(store: LocalMediaStore, parts: list[bytes]) -> None:
    await store.delete(KEY)
    writer = await store.appender(KEY, 0)
    for part in parts:
        await writer.write(part)
    await writer.close()


async def store_per_chunk(store: LocalMediaStore, parts: list[bytes]) -> None:
    await store.delete(KEY)
    offset = 0
    for part in parts:
        writer = await store.appender(KEY, offset)
        await writer.write(part)
        offset = await writer.close()


async def store_read(store: LocalMediaStore, expected: str) -> None:
    digest = hashlib.sha256()
    async for block in store.read(KEY):
        digest.update(block)
    assert digest.hexdigest() == expected, "read back differs"


def _fsync_close(file: BinaryIO) -> None:
    os.fsync(file.fileno())
    file.close()


async def raw_one_file(path: Path, parts: list[bytes]) -> None:
    file = await asyncio.to_thread(path.open, "wb")
    for part in parts:
        await asyncio.to_thread(file.write, part)
    await asyncio.to_thread(_fsync_close, file)


async def raw_per_chunk(path: Path, parts: list[bytes]) -> None:
    await asyncio.to_thread(path.unlink, missing_ok=True)
    for part in parts:
        file = await asyncio.to_thread(path.open, "ab")
        await asyncio.to_thread(file.write, part)
        await asyncio.to_thread(_fsync_close, file)


async def raw_read(path: Path, expected: str) -> None:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := await asyncio.to_thread(file.read, MB):
            digest.update(block)
    assert digest.hexdigest() == expected


def aes_gcm_only(data: bytes, segment: int) -> float:
    """CPU seconds to seal ``data`` in segments with no I/O: the floor for the store."""
    aead, view = AESGCM(os.urandom(32)), memoryview(data)
    cpu = time.process_time()
    for index, at in enumerate(range(0, len(data), segment)):
        aead.encrypt(os.urandom(12), view[at : at + segment], index.to_bytes(8, "big"))
    return time.process_time() - cpu


def line(name: str, size: int, figure: Figure, baseline: Figure | None = None) -> str:
    rate, wall, cpu = size / MB / figure.wall, figure.wall * 1000, figure.cpu * 1000
    text = f"  {name:<16} {rate:6.0f} MB/s  wall {wall:6.1f} ms  cpu {cpu:6.1f} ms"
    if baseline is not None:
        text += f"  ({figure.wall / baseline.wall:.2f}x wall, {figure.cpu / baseline.cpu:.2f}x cpu)"
    return text


async def main(args: argparse.Namespace) -> None:
    data = os.urandom(args.mb * MB)
    parts = chunks(data, args.chunk_kb * 1024)
    expected = hashlib.sha256(data).hexdigest()
    size = len(data)
    with tempfile.TemporaryDirectory(prefix="media-bench-", dir=args.dir) as tmp:
        root = Path(tmp)
        store = LocalMediaStore(root / "store", FieldCipher({"k1": os.urandom(32)}, "k1"))
        raw = root / "raw.bin"
        r = args.repeat
        print(f"{args.mb} MB in {len(parts)} chunks of {args.chunk_kb} KB, best of {r}, in {tmp}")
        raw_one = await measure(lambda: raw_one_file(raw, parts), r)
        enc_one = await measure(lambda: store_one_appender(store, parts), r)
        raw_each = await measure(lambda: raw_per_chunk(raw, parts), r)
        enc_each = await measure(lambda: store_per_chunk(store, parts), r)
        raw_rd = await measure(lambda: raw_read(raw, expected), r)
        enc_rd = await measure(lambda: store_read(store, expected), r)
    print("write, one appender / one file:")
    print(line("raw file", size, raw_one))
    print(line("encrypted store", size, enc_one, raw_one))
    print("write, reopened and fsynced per chunk:")
    print(line("raw file", size, raw_each))
    print(line("encrypted store", size, enc_each, raw_each))
    print("read back (page cache):")
    print(line("raw file", size, raw_rd))
    print(line("encrypted store", size, enc_rd, raw_rd))
    print(f"AES-GCM alone, 64 KB segments: {aes_gcm_only(data, 64 * 1024) * 1000:.1f} ms CPU")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=50, help="object size in MB")
    parser.add_argument("--chunk-kb", type=int, default=1024, help="chunk size in KB")
    parser.add_argument("--dir", default=None, help="where to write (default: the temp dir)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the best counts")
    asyncio.run(main(parser.parse_args()))
