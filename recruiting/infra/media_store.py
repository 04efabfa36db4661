"""Candidates' recordings on the local disk, encrypted at rest (the MediaStore port).

Envelope encryption: every object has its own random AES-256 data key, kept wrapped by the
FieldCipher, so rotating the PII keys re-wraps 32 bytes per object instead of re-encrypting
gigabytes. Object ``a/b/c`` is two files in ``<root>/a/b/``:

``c.data``  whole segments back to back, each ``nonce(12) ‖ AES-GCM(segment bytes) ‖ tag(16)``
``c.head``  the commit record, only ever replaced whole (write, fsync, rename)::

    "WMS1" ‖ segment size u32 ‖ tail index u64 ‖ token length u16 ‖ wrapped data key
    ‖ tail: nonce ‖ AES-GCM(0 … segment size - 1 bytes) ‖ tag

Each segment's associated data binds the object key, the segment size, its index and whether
it is the tail, so a segment flipped, swapped, moved to another object or cut off fails to
decrypt (UndecryptableData) instead of reading as wrong or short data. The plaintext size is
``tail index × segment size + tail length``: the head alone says it.

Appends write whole segments past the committed ones, fsync them, then swap the head, so a
crash at any moment leaves the last committed object intact. Bytes past the end the head
names are leftovers of an unfinished append; the next appender cuts them off.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import dataclasses
import fcntl
import os
import re
import secrets
import struct
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from recruiting.errors import InvalidInput
from recruiting.infra.pii import FieldCipher, UndecryptableData
from recruiting.infra.private_files import open_private
from recruiting.ports.media import MediaAppender, MediaMissing, MediaOffsetMismatch

_MAGIC = b"WMS1"
_HEAD = struct.Struct(">4sIQH")  # magic, segment size, tail index, token length
_SEGMENT = struct.Struct(">QB")  # index, is-tail: the per-segment part of the associated data
_NONCE = 12
_OVERHEAD = _NONCE + 16
_MAX_SEGMENT = 16 << 20
_DATA_KEY_BYTES = 32
_KEY_PART = re.compile(r"[A-Za-z0-9_-]{1,128}")
_MAX_KEY = 512


class LocalMediaStore:
    """MediaStore in a local directory; the module docstring describes the files.

    ``flush_bytes`` is how much plaintext an appender buffers before sealing it in one thread
    hop; an appender holds about twice that. Appends to one key must be serialised by the
    caller (the upload lease); different keys may be written concurrently.
    """

    def __init__(
        self,
        root: Path,
        cipher: FieldCipher,
        *,
        segment_size: int = 64 * 1024,
        flush_bytes: int = 512 * 1024,
    ) -> None:
        if not 0 < segment_size <= _MAX_SEGMENT:
            raise ValueError(f"segment_size must be 1 … {_MAX_SEGMENT} bytes")
        self._root = root
        self._cipher = cipher
        self._segment_size = segment_size
        self._batch = max(1, flush_bytes // segment_size)  # segments per thread hop

    async def appender(self, key: str, offset: int) -> MediaAppender:
        paths = self._paths(key)
        if offset < 0:
            raise InvalidInput(f"offset {offset} is negative")
        stored = await asyncio.to_thread(self._open_for_append, paths, offset)
        return _Appender(paths, stored, self._batch)

    async def size(self, key: str) -> int:
        stored = await asyncio.to_thread(self._load, self._paths(key))
        return 0 if stored is None else stored.size

    async def read(self, key: str, *, block: int = 1 << 20) -> AsyncIterator[bytes]:
        """Blocks of exactly ``block`` bytes (the last may be shorter), each authenticated
        before it is handed out."""
        if block < 1:
            raise ValueError("block must be positive")
        paths = self._paths(key)
        stored = await asyncio.to_thread(self._load_existing, paths)
        pieces = _plaintext(paths.data, stored, max(block // stored.cipher.size, self._batch))
        try:
            carry = b""
            while (piece := await asyncio.to_thread(_next, pieces)) is not None:
                carry += piece
                whole = len(carry) - len(carry) % block
                for at in range(0, whole, block):
                    yield carry[at : at + block]
                carry = carry[whole:]
            if carry:
                yield carry
        finally:
            await asyncio.to_thread(pieces.close)

    async def read_range(
        self, key: str, start: int, end: int, *, block: int = 1 << 20
    ) -> AsyncIterator[bytes]:
        """Plaintext bytes ``start`` … ``end`` (inclusive) in blocks of at most ``block``:
        only the segments holding them are read and authenticated (a player seeking in a
        long recording costs one segment's decryption, not the file's)."""
        if block < 1 or start < 0 or end < start:
            raise ValueError("a range needs 0 <= start <= end and a positive block")
        paths = self._paths(key)
        stored = await asyncio.to_thread(self._load_existing, paths)
        end = min(end, stored.size - 1)
        first, skip = divmod(start, stored.cipher.size)
        batch = max(block // stored.cipher.size, 1)
        pieces = _plaintext(paths.data, stored, batch, first)
        left = end - start + 1
        try:
            while left > 0 and (piece := await asyncio.to_thread(_next, pieces)) is not None:
                piece = piece[skip:]
                skip = 0
                piece = piece[:left]
                left -= len(piece)
                for at in range(0, len(piece), block):
                    yield piece[at : at + block]
        finally:
            await asyncio.to_thread(pieces.close)

    async def export(self, key: str, dest: Path) -> None:
        """Stream the plaintext into ``dest``; on failure ``dest`` is removed so no partial
        plaintext is left for a decoder to pick up."""
        await asyncio.to_thread(self._export, self._paths(key), dest)

    async def delete(self, key: str) -> bool:
        return await asyncio.to_thread(self._delete, self._paths(key))

    async def rewrap(self, key: str) -> bool:
        """Re-wrap the object's data key with the active PII key (rotation); False when it
        already was. Raises MediaMissing when the object is not there."""
        return await asyncio.to_thread(self._rewrap, self._paths(key))

    def _paths(self, key: str) -> _Paths:
        parts = key.split("/")
        if len(key) > _MAX_KEY or not all(_KEY_PART.fullmatch(part) for part in parts):
            raise InvalidInput(f"media key {key[:80]!r} is not a safe path", code="media_key")
        base = self._root.joinpath(*parts)
        return _Paths(key, base.with_name(f"{base.name}.data"), base.with_name(f"{base.name}.head"))

    # The methods below block; they run in worker threads.

    def _load(self, paths: _Paths) -> _Stored | None:
        head = _read_head(paths)
        if head is None:
            return None
        cipher = _SegmentCipher(self._unwrap(paths.key, head.token), paths.key, head.segment_size)
        tail = cipher.open(head.index, True, head.sealed_tail)
        if _file_size(paths.data) < head.index * cipher.record:
            raise UndecryptableData(f"media {paths.key!r} is shorter than its head says")
        return _Stored(cipher, head.index, tail)

    def _load_existing(self, paths: _Paths) -> _Stored:
        stored = self._load(paths)
        if stored is None:
            raise MediaMissing(f"no media {paths.key!r}")
        return stored

    def _open_for_append(self, paths: _Paths, offset: int) -> _Stored:
        stored = self._load(paths)
        if stored is None:
            if offset:
                raise MediaOffsetMismatch(f"media {paths.key!r} is empty; resume from byte 0")
            return self._create(paths)
        if offset > stored.size:
            raise MediaOffsetMismatch(f"media {paths.key!r} holds {stored.size} bytes")
        with _opened(paths.data, os.O_RDWR | os.O_CREAT) as fd:
            if offset < stored.size:
                stored = _cut(fd, paths, stored, offset)
            os.ftruncate(fd, stored.index * stored.cipher.record)  # leftovers past the head
        return stored

    def _create(self, paths: _Paths) -> _Stored:
        _make_dirs(paths.data.parent)
        data_key = AESGCM.generate_key(8 * _DATA_KEY_BYTES)
        cipher = _SegmentCipher(data_key, paths.key, self._segment_size)
        with _opened(paths.data, os.O_RDWR | os.O_CREAT | os.O_TRUNC) as fd:
            _commit(fd, paths, cipher, 0, b"", token=self._wrap(paths.key, data_key))
        return _Stored(cipher, 0, b"")

    def _export(self, paths: _Paths, dest: Path) -> None:
        stored = self._load_existing(paths)
        try:
            with open_private(dest, "wb") as out:  # plaintext: owner only
                for piece in _plaintext(paths.data, stored, self._batch):
                    out.write(piece)
        except BaseException:
            dest.unlink(missing_ok=True)
            raise

    def _delete(self, paths: _Paths) -> bool:
        try:
            paths.head.unlink()  # the head is the object; without it the data is garbage
        except FileNotFoundError:
            return False
        paths.data.unlink(missing_ok=True)
        _fsync_dir(paths.data.parent)
        return True

    def _rewrap(self, paths: _Paths) -> bool:
        try:
            fd = os.open(paths.data, os.O_RDONLY)
        except FileNotFoundError as exc:
            raise MediaMissing(f"no media {paths.key!r}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # see _commit
            head = _read_head(paths)
            if head is None:
                raise MediaMissing(f"no media {paths.key!r}")
            if not self._cipher.needs_rotation(head.token):
                return False
            token = self._wrap(paths.key, self._unwrap(paths.key, head.token))
            _replace(paths.head, dataclasses.replace(head, token=token).encode())
            return True
        finally:
            os.close(fd)

    def _wrap(self, key: str, data_key: bytes) -> str:
        return self._cipher.encrypt(base64.b64encode(data_key).decode("ascii"), f"media:{key}")

    def _unwrap(self, key: str, token: str) -> bytes:
        text = self._cipher.decrypt(token, f"media:{key}")
        try:
            data_key = base64.b64decode(text, validate=True)
        except binascii.Error:
            data_key = b""
        if len(data_key) != _DATA_KEY_BYTES:
            raise UndecryptableData(f"media {key!r} has a malformed data key")
        return data_key


class _Appender:
    """Buffers plaintext and seals it a batch of whole segments per thread hop.

    The two buffers (plaintext, sealed) are allocated once. The object's partial last
    segment starts out in the plaintext buffer and is re-sealed with what follows it; it is
    durable again only when close() commits.
    """

    def __init__(self, paths: _Paths, stored: _Stored, batch: int) -> None:
        self._paths = paths
        self._cipher = stored.cipher
        self._plain = bytearray(batch * stored.cipher.size)
        self._sealed = bytearray(batch * stored.cipher.record)
        self._plain[: len(stored.tail)] = stored.tail
        self._fill = len(stored.tail)
        self._index = self._first_index = stored.index  # next segment to write
        self._changed = False
        self._done = False
        self._hop: asyncio.Future[None] | None = None

    async def write(self, data: bytes) -> None:
        await self._settle()
        self._check_open()
        view = memoryview(data)
        while view:
            if self._fill == len(self._plain):
                await self._in_thread(self._flush)
            take = min(len(view), len(self._plain) - self._fill)
            self._plain[self._fill : self._fill + take] = view[:take]
            self._fill += take
            view = view[take:]
            self._changed = True

    async def close(self) -> int:
        """Seal the rest and commit with fsync: the caller acknowledges the chunk after
        this returns, so the bytes must survive a crash or power cut from then on."""
        await self._settle()
        self._check_open()
        self._done = True
        if self._changed:
            await self._in_thread(self._commit_all)
        return self._index * self._cipher.size + self._fill

    async def abort(self) -> None:
        await self._settle()
        if self._done:
            return
        self._done = True
        if self._index > self._first_index:  # whole segments were flushed: keep them
            await self._in_thread(self._commit_flushed)

    def _check_open(self) -> None:
        if self._done:
            raise RuntimeError("the media appender is closed")

    async def _in_thread(self, work: Callable[[], None]) -> None:
        # Shielded: a cancelled caller must not leave a hop running unnoticed while the next
        # call reuses the buffers, so every call first waits for it (_settle).
        self._hop = asyncio.ensure_future(asyncio.to_thread(work))
        await asyncio.shield(self._hop)

    async def _settle(self) -> None:
        if self._hop is not None and not self._hop.done():
            await asyncio.wait([self._hop])

    def _flush(self) -> None:
        with _opened(self._paths.data, os.O_WRONLY) as fd:
            self._write_segments(fd)

    def _commit_all(self) -> None:
        with _opened(self._paths.data, os.O_RDWR) as fd:
            self._write_segments(fd)
            _commit(fd, self._paths, self._cipher, self._index, bytes(self._plain[: self._fill]))

    def _commit_flushed(self) -> None:
        with _opened(self._paths.data, os.O_RDWR) as fd:
            _commit(fd, self._paths, self._cipher, self._index, b"")

    def _write_segments(self, fd: int) -> None:
        cipher = self._cipher
        count = self._fill // cipher.size
        if not count:
            return
        used = count * cipher.size
        length = cipher.seal_segments(memoryview(self._plain)[:used], self._index, self._sealed)
        _pwrite_all(fd, memoryview(self._sealed)[:length], self._index * cipher.record)
        rest = self._fill - used
        self._plain[:rest] = self._plain[used : self._fill]
        self._index += count
        self._fill = rest


class _SegmentCipher:
    """AES-GCM over one object's segments, each sealed with its own random nonce."""

    def __init__(self, data_key: bytes, key: str, segment_size: int) -> None:
        self._aead = AESGCM(data_key)
        self._bound = f"media\0{key}\0{segment_size}\0".encode()
        self.size = segment_size
        self.record = segment_size + _OVERHEAD

    def _associated(self, index: int, tail: bool) -> bytes:
        return self._bound + _SEGMENT.pack(index, tail)

    def seal_tail(self, index: int, plain: bytes) -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + self._aead.encrypt(nonce, plain, self._associated(index, True))

    def open(self, index: int, tail: bool, sealed: bytes | memoryview) -> bytes:
        try:
            return self._aead.decrypt(
                sealed[:_NONCE], sealed[_NONCE:], self._associated(index, tail)
            )
        except (InvalidTag, ValueError) as exc:
            raise UndecryptableData(f"media segment {index} fails authentication") from exc

    def seal_segments(self, plain: memoryview, first: int, out: bytearray) -> int:
        """Seal the whole segments of ``plain`` into ``out``; returns the bytes used."""
        size, record = self.size, self.record
        count = len(plain) // size
        nonces = os.urandom(_NONCE * count)  # one syscall per batch, not per segment
        sealed = memoryview(out)
        for i in range(count):
            nonce, at = nonces[i * _NONCE : (i + 1) * _NONCE], i * record
            sealed[at : at + _NONCE] = nonce
            sealed[at + _NONCE : at + record] = self._aead.encrypt(
                nonce, plain[i * size : (i + 1) * size], self._associated(first + i, False)
            )
        return count * record

    def open_segments(self, sealed: memoryview, first: int) -> bytes:
        record = self.record
        return b"".join(
            self.open(first + i, False, sealed[at : at + record])
            for i, at in enumerate(range(0, len(sealed), record))
        )


@dataclass(frozen=True, slots=True)
class _Paths:
    key: str
    data: Path
    head: Path


@dataclass(frozen=True, slots=True)
class _Stored:
    """A committed object: ``index`` whole segments in the data file, then ``tail``."""

    cipher: _SegmentCipher
    index: int
    tail: bytes

    @property
    def size(self) -> int:
        return self.index * self.cipher.size + len(self.tail)


@dataclass(frozen=True, slots=True)
class _Head:
    segment_size: int
    index: int
    token: str
    sealed_tail: bytes

    def encode(self) -> bytes:
        token = self.token.encode("ascii")
        fixed = _HEAD.pack(_MAGIC, self.segment_size, self.index, len(token))
        return fixed + token + self.sealed_tail

    @classmethod
    def decode(cls, raw: bytes, key: str) -> _Head:
        if len(raw) >= _HEAD.size:
            magic, size, index, length = _HEAD.unpack_from(raw)
            token = raw[_HEAD.size : _HEAD.size + length]
            sealed = raw[_HEAD.size + length :]
            if (
                magic == _MAGIC
                and 0 < size <= _MAX_SEGMENT
                and len(token) == length
                and token.isascii()
                and _OVERHEAD <= len(sealed) < size + _OVERHEAD
            ):
                return cls(size, index, token.decode("ascii"), sealed)
        raise UndecryptableData(f"media {key!r} has a damaged head")


def _read_head(paths: _Paths) -> _Head | None:
    try:
        raw = paths.head.read_bytes()
    except FileNotFoundError:
        return None
    return _Head.decode(raw, paths.key)


def _commit(
    fd: int, paths: _Paths, cipher: _SegmentCipher, index: int, tail: bytes, *, token: str = ""
) -> None:
    """Make data segments [0, index) plus ``tail`` the object.

    The data is fsynced before a head names it and the head is swapped by rename, so a crash
    leaves the old object or the new one. The wrapped key is re-read under a lock shared with
    rewrap, so a head written here never puts back a key wrapped with a retired PII key.
    """
    os.fsync(fd)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        if not token:
            current = _read_head(paths)
            if current is None:
                raise MediaMissing(f"media {paths.key!r} was deleted while being written")
            token = current.token
        sealed = cipher.seal_tail(index, tail)
        _replace(paths.head, _Head(cipher.size, index, token, sealed).encode())
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)


def _cut(fd: int, paths: _Paths, stored: _Stored, offset: int) -> _Stored:
    """Commit the object cut back to ``offset`` bytes (a resumed upload drops its tail)."""
    cipher = stored.cipher
    index, keep = divmod(offset, cipher.size)
    if index == stored.index:
        tail = stored.tail[:keep]
    else:
        sealed = os.pread(fd, cipher.record, index * cipher.record)
        tail = cipher.open(index, False, sealed)[:keep]
    _commit(fd, paths, cipher, index, tail)
    return _Stored(cipher, index, tail)


def _plaintext(
    path: Path, stored: _Stored, batch: int, start: int = 0
) -> Generator[bytes, None, None]:
    """The object's plaintext from segment ``start`` on, ``batch`` segments per piece, each
    authenticated."""
    cipher, count = stored.cipher, stored.index
    if start < count:
        buffer = memoryview(bytearray(min(batch, count - start) * cipher.record))
        with path.open("rb") as file:
            file.seek(start * cipher.record)
            for first in range(start, count, batch):
                sealed = buffer[: min(batch, count - first) * cipher.record]
                if file.readinto(sealed) != len(sealed):
                    raise UndecryptableData(f"media file {path.name} is cut short")
                yield cipher.open_segments(sealed, first)
    if stored.tail:
        yield stored.tail


def _next(pieces: Iterator[bytes]) -> bytes | None:
    return next(pieces, None)


def _replace(path: Path, content: bytes) -> None:
    """Replace ``path`` atomically and durably: readers see the old file or the new one."""
    temporary = path.with_name(f"{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with _opened(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL) as fd:
            _pwrite_all(fd, memoryview(content), 0)
            os.fsync(fd)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _pwrite_all(fd: int, data: memoryview, position: int) -> None:
    while data:
        written = os.pwrite(fd, data, position)
        data, position = data[written:], position + written


@contextlib.contextmanager
def _opened(path: Path, flags: int) -> Iterator[int]:
    fd = os.open(path, flags, 0o600)
    try:
        yield fd
    finally:
        os.close(fd)


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _make_dirs(folder: Path) -> None:
    """Create missing folders, each made durable by an fsync of its parent."""
    missing = []
    while not folder.is_dir():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another key's appender made it first
            path.mkdir(mode=0o700)
        _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    with _opened(folder, os.O_RDONLY | os.O_DIRECTORY) as fd:
        os.fsync(fd)
