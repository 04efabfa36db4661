"""HTTP ``Range: bytes=…`` for one range (RFC 9110 §14): what a video player sends to seek.

``bytes=100-199``, ``bytes=100-`` (to the end) and ``bytes=-500`` (the last 500 bytes) are
read; an end past the size is clipped. Several ranges (``0-1,5-9``) are answered with the
whole object, as the RFC allows; a header in another unit or malformed is ignored (the
whole object). A range that starts at or past the end, or a suffix of zero bytes, is
unsatisfiable: 416 with ``Content-Range: bytes */<size>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from recruiting.errors import InvalidInput

_ONE = re.compile(r"bytes=(\d{0,19})-(\d{0,19})")


class RangeNotSatisfiable(InvalidInput):
    code = "range_not_satisfiable"

    def __init__(self, size: int) -> None:
        super().__init__("请求的范围超出了录像的长度。")
        self.size = size


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive
    size: int  # the whole object's
    partial: bool  # False: the whole object (200), True: 206

    @property
    def length(self) -> int:
        return self.end - self.start + 1 if self.size else 0

    @property
    def content_range(self) -> str:
        return f"bytes {self.start}-{self.end}/{self.size}"


def byte_range(header: str | None, size: int) -> ByteRange:
    """The part of an object of ``size`` bytes that ``header`` asks for."""
    whole = ByteRange(0, max(size - 1, 0), size, False)
    if not header:
        return whole
    match = _ONE.fullmatch(header.strip().replace(" ", ""))
    if match is None or match.group(1) == match.group(2) == "":
        return whole  # another unit, several ranges, or nonsense: the whole object
    first, last = match.groups()
    if first == "":  # a suffix: the last N bytes
        want = int(last)
        if want == 0 or size == 0:
            raise RangeNotSatisfiable(size)
        return ByteRange(max(size - want, 0), size - 1, size, True)
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size:
        raise RangeNotSatisfiable(size)
    if end < start:
        return whole  # "bytes=9-3" is invalid syntax: ignored like any other
    return ByteRange(start, end, size, True)
