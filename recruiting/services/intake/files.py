"""What an upload of résumé files holds: each file's type read from its bytes (``sniff``)
and a zip of résumés opened within limits (``open_zip``), in memory, nothing written to disk.

A zip is HR's way to hand over a folder of résumés (a recruiting site's export, a
colleague's collection), so it is treated as hostile input:

- the archive is refused whole when it is corrupt, holds more than ``max_entries`` files,
  or declares more than ``max_inflated`` bytes in total, or an entry inflates more than
  ``max_ratio`` times (a zip bomb);
- an entry is refused on its own, with its reason, when it is encrypted, larger than
  ``max_bytes``, itself a zip (no nesting), damaged (its CRC or size does not hold),
  compressed by a method this Python cannot read, or of a type that is not a résumé;
- folder names inside the archive are ignored (only the file's own name is kept, for HR to
  recognise it), and names written by Chinese Windows (GBK, no UTF-8 flag) read correctly;
- macOS resource forks (``__MACOSX/``, ``._name``) are skipped silently.

The limits are checked by ``infra.zip_limits`` (the one zip checker, which also guards
``.xlsx`` and ``.docx`` files); this module says its refusals in HR's words.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

from recruiting.infra import filetypes, zip_limits
from recruiting.infra.filetypes import FileType
from recruiting.infra.zip_limits import (
    ZipProblem,
    ZipRefused,
    check_entries,
    open_archive,
    read_entry,
)

NAME_CHARS = 200
MB = zip_limits.MB
UTF8_NAME = 0x800
WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class ZipLimits(zip_limits.ZipLimits):
    """A zip of résumés: the checker's limits with this upload's values."""

    max_entries: int = 20
    max_bytes: int = 10 * MB  # one entry, inflated
    max_inflated: int = 100 * MB  # all entries together
    max_ratio: float = 100  # inflated ÷ compressed, for entries above ``ratio_from`` bytes
    ratio_from: int = 1 * MB
    refuse_encrypted: bool = True
    refuse_nested: bool = True


@dataclass(frozen=True)
class Inner:
    """A file taken out of the archive: its own name (no folders), bytes and type."""

    name: str
    data: bytes
    content_type: str


@dataclass(frozen=True)
class Refused:
    name: str
    reason: str  # Chinese, for HR


CONTENT_TYPES = {
    FileType.PDF: "application/pdf",
    FileType.WORD: WORD,
    FileType.OLE: "application/msword",
    FileType.HTML: "text/html",
    FileType.MHT: "text/html",  # a saved web page
    FileType.RTF: "text/plain",  # stored; the reader says why it cannot read it
    FileType.TEXT: "text/plain",
}


def sniff(data: bytes, filename: str) -> str | None:
    """The content type a résumé file is stored with, from ``filetypes.sniff`` (the name
    only separates an ``.html`` export from text, and a zip of résumés, ``zip``, from any
    other zip); None for anything that is no résumé."""
    kind = filetypes.sniff(data, filename)
    if kind is FileType.ZIP:
        return "zip" if filename.lower().endswith(".zip") else None
    return CONTENT_TYPES.get(kind) if kind else None


KIND_WORDS = {"pdf": "PDF", "doc": "Word", "docx": "Word", "txt": "文本", "html": "网页",
              "htm": "网页", "zip": "压缩包"}  # fmt: skip


def chat_name(name: str) -> str:
    """A file's name as a chat line says it: ``郭嘉.txt`` → ``郭嘉（文本）`` (people read
    no file extensions in chat)."""
    stem, dot, ext = name.rpartition(".")
    word = KIND_WORDS.get(ext.lower()) if dot and stem else None
    return f"{stem}（{word}）" if word else name


def display_name(name: str) -> str:
    """A file's own name, printable, without any folder."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return "".join(ch for ch in base if ch.isprintable())[:NAME_CHARS] or "简历"


def open_zip(
    data: bytes, archive_name: str, limits: ZipLimits
) -> tuple[list[Inner], list[Refused]]:
    """The résumés inside ``data`` and what was refused (the archive itself, by
    ``archive_name``, when it is refused whole)."""
    try:
        with open_archive(data) as archive:
            members = [m for m in archive.infolist() if not m.is_dir() and not _junk(m)]
            try:
                check_entries(members, limits)
            except ZipRefused as exc:
                return [], [Refused(archive_name, _whole_reason(exc.problem, limits))]
            if not members:
                return [], [Refused(archive_name, "压缩包是空的")]
            inner: list[Inner] = []
            refused: list[Refused] = []
            for member in members:
                got = _entry(archive, member, limits)
                if isinstance(got, Inner):
                    inner.append(got)
                else:
                    refused.append(got)
            return inner, refused
    except (ZipRefused, zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return [], [Refused(archive_name, "压缩包已损坏或无法读取")]


def _whole_reason(problem: ZipProblem, limits: ZipLimits) -> str:
    if problem is ZipProblem.TOO_MANY:
        return f"压缩包内文件过多（最多 {limits.max_entries} 个）"
    return "压缩包解压后异常庞大（疑似压缩炸弹），已拒绝"  # RATIO, INFLATED


def _entry(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limits: ZipLimits) -> Inner | Refused:
    name = display_name(_name(member))
    try:
        content = read_entry(archive, member, limits)
    except ZipRefused as exc:
        return Refused(name, _entry_reason(exc.problem, limits))
    kind = sniff(content, name)
    if kind is None:
        return Refused(name, "不支持的文件类型（压缩包内支持 PDF、Word、TXT、HTML）")
    return Inner(name, content, kind)


def _entry_reason(problem: ZipProblem, limits: ZipLimits) -> str:
    return {
        ZipProblem.ENCRYPTED: "文件已加密，无法读取",
        ZipProblem.ENTRY_TOO_LARGE: f"文件超过 {limits.max_bytes // MB} MB",
        ZipProblem.METHOD: "文件的压缩方式不受支持，请重新打包（ZIP 标准压缩）",
        ZipProblem.NESTED: "压缩包内不能再包含压缩包，请解压后重新打包",
    }.get(problem, "文件已损坏，无法读取")


def _name(member: zipfile.ZipInfo) -> str:
    """The entry's name as its author wrote it: without the UTF-8 flag, Chinese Windows
    writes GBK (Big5 in Taiwan and Hong Kong), which ``zipfile`` has read as cp437."""
    if member.flag_bits & UTF8_NAME:
        return member.filename
    try:
        return filetypes.decode_chinese_legacy(member.filename.encode("cp437"))
    except (UnicodeEncodeError, UnicodeDecodeError):
        return member.filename


def _junk(member: zipfile.ZipInfo) -> bool:
    name = member.filename.replace("\\", "/")
    return name.startswith("__MACOSX/") or name.rsplit("/", 1)[-1].startswith("._")
