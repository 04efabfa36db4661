"""The one check of a zip within limits, before anything in it is inflated: a zip of résumés
(``services.intake.files``), an ``.xlsx`` (``infra.spreadsheets``), a ``.docx``
(``infra.resumes.containers``).

Sizes come from the central directory, so a zip bomb (kilobytes that inflate to gigabytes)
is refused before a byte is inflated; reading an entry (``read_entry``) stops at its declared
size and Python's ``zipfile`` checks its CRC, so an entry that lies about its size fails
instead of inflating. Each caller says what it refuses (``ZipLimits``) and turns the
``ZipProblem`` into its own Chinese words; ``detail`` is for the log only.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum

from recruiting.infra.filetypes import FileType, sniff

MB = 1024 * 1024
ENCRYPTED = 0x1  # general-purpose flag bit 0
_UNREADABLE = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError)


class ZipProblem(Enum):
    DAMAGED = "damaged"  # the directory (or, from read_entry, the entry) does not read
    TOO_MANY = "too many"  # more entries than max_entries
    RATIO = "ratio"  # an entry inflates suspiciously many times its packed size
    INFLATED = "inflated"  # the entries together inflate past max_inflated
    ENTRY_TOO_LARGE = "entry too large"  # one entry over max_bytes
    ENCRYPTED = "encrypted"
    METHOD = "method"  # compressed by a method this Python cannot inflate
    NESTED = "nested"  # an entry that is itself a zip (a Word document is not one)


@dataclass(frozen=True)
class ZipLimits:
    max_entries: int
    max_inflated: int  # bytes, all entries together
    max_ratio: float  # inflated ÷ packed, for entries over ``ratio_from`` bytes
    ratio_from: int = 1 * MB
    max_bytes: int | None = None  # one entry inflated (read_entry); None: the total bounds it
    refuse_encrypted: bool = False  # read_entry
    refuse_nested: bool = False  # read_entry


class ZipRefused(Exception):
    def __init__(self, problem: ZipProblem, detail: str, entry: str = "") -> None:
        super().__init__(detail)
        self.problem = problem
        self.detail = detail
        self.entry = entry


def open_archive(data: bytes) -> zipfile.ZipFile:
    """The archive with its directory read (nothing inflated); DAMAGED when it does not read."""
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except _UNREADABLE as exc:
        raise ZipRefused(ZipProblem.DAMAGED, f"zip: {exc!r}") from exc


def check_entries(
    entries: Sequence[zipfile.ZipInfo],
    limits: ZipLimits,
    each: Callable[[zipfile.ZipInfo], None] | None = None,
) -> None:
    """Refuse the archive (``ZipRefused``) by its directory: too many entries, then any entry
    inflating more than ``max_ratio`` times, then all of them past ``max_inflated``. ``each``
    is the caller's own check of an entry (a .docx's macros), run right after its ratio."""
    if len(entries) > limits.max_entries:
        raise ZipRefused(ZipProblem.TOO_MANY, f"zip with {len(entries)} entries")
    total = 0
    for info in entries:
        total += info.file_size
        if info.file_size > limits.ratio_from and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            ratio = info.file_size / max(info.compress_size, 1)
            raise ZipRefused(
                ZipProblem.RATIO,
                f"zip bomb? {info.filename}: {info.file_size} bytes at ratio {ratio:.0f}",
                info.filename,
            )
        if each is not None:
            each(info)
    if total > limits.max_inflated:
        raise ZipRefused(ZipProblem.INFLATED, f"zip expands to {total} bytes")


def read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: ZipLimits) -> bytes:
    """One entry's bytes, inflated within ``max_bytes``; ``ZipRefused`` (with the entry's
    name) when it is encrypted, too large, damaged, packed by an unknown method or, when
    ``refuse_nested``, itself a zip."""
    name = info.filename
    if limits.refuse_encrypted and info.flag_bits & ENCRYPTED:
        raise ZipRefused(ZipProblem.ENCRYPTED, f"{name}: encrypted", name)
    cap = limits.max_bytes
    if cap is not None and info.file_size > cap:
        raise ZipRefused(ZipProblem.ENTRY_TOO_LARGE, f"{name}: {info.file_size} bytes", name)
    try:
        with archive.open(info) as handle:
            content = handle.read(-1 if cap is None else cap + 1)
    except NotImplementedError as exc:
        raise ZipRefused(ZipProblem.METHOD, f"{name}: {exc}", name) from exc
    except (*_UNREADABLE, RuntimeError) as exc:
        raise ZipRefused(ZipProblem.DAMAGED, f"{name}: {exc!r}", name) from exc
    if cap is not None and len(content) > cap:  # the declared size was checked: cannot pass
        raise ZipRefused(ZipProblem.ENTRY_TOO_LARGE, f"{name}: over {cap} bytes", name)
    if limits.refuse_nested and sniff(content, name) in (FileType.ZIP, FileType.DAMAGED_ZIP):
        raise ZipRefused(ZipProblem.NESTED, f"{name}: a zip inside the zip", name)
    return content
