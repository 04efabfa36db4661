"""A zip of résumés is opened within limits (``services.intake.files.open_zip``): each
limit refuses what passes it, with a Chinese reason, and nothing else."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable

from recruiting.services.intake.files import MB, ZipLimits, open_zip

LIMITS = ZipLimits()
TXT = "韦一笑\n手机：13600136000\n工作经历".encode()
PDF = b"%PDF-1.4\n" + "赵敏 简历".encode() + b"\n%%EOF\n"


def make(
    entries: list[tuple[str | zipfile.ZipInfo, bytes]], method: int = zipfile.ZIP_DEFLATED
) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as z:
        for name, data in entries:
            z.writestr(name, data)
    return out.getvalue()


def test_each_resume_comes_out_by_its_own_name_and_type() -> None:
    data = make([("简历/2024/韦一笑.txt", TXT), ("../../evil/赵敏.pdf", PDF), ("空目录/", b"")])
    inner, refused = open_zip(data, "batch.zip", LIMITS)
    assert refused == []
    assert [(i.name, i.content_type) for i in inner] == [
        ("韦一笑.txt", "text/plain"),
        ("赵敏.pdf", "application/pdf"),
    ]  # folders (and a path climbing out) are ignored: only the file's own name is kept
    assert inner[0].data == TXT


def test_too_many_entries_refuse_the_archive() -> None:
    data = make([(f"{n}.txt", TXT) for n in range(LIMITS.max_entries + 1)])
    inner, refused = open_zip(data, "many.zip", LIMITS)
    assert inner == [] and refused[0].name == "many.zip" and "文件过多" in refused[0].reason
    just = make([(f"{n}.txt", TXT) for n in range(LIMITS.max_entries)])
    assert len(open_zip(just, "ok.zip", LIMITS)[0]) == LIMITS.max_entries


def test_total_inflated_size_and_ratio_refuse_the_archive() -> None:
    small = ZipLimits(max_bytes=4 * MB, max_inflated=5 * MB)
    spread = make([(f"{n}.txt", b"a" * (2 * MB)) for n in range(3)])  # 6 MB in all
    inner, refused = open_zip(spread, "big.zip", small)
    assert inner == [] and "压缩炸弹" in refused[0].reason
    bomb = make([("cv.txt", b"a" * (3 * MB))])  # ~1000:1
    inner, refused = open_zip(bomb, "bomb.zip", LIMITS)
    assert inner == [] and "压缩炸弹" in refused[0].reason
    stored = make([("cv.txt", b"a" * (3 * MB))], zipfile.ZIP_STORED)  # 1:1, not a bomb
    assert len(open_zip(stored, "plain.zip", LIMITS)[0]) == 1


def test_an_entry_over_the_size_limit_is_refused_alone() -> None:
    small = ZipLimits(max_bytes=1000, ratio_from=10 * MB)
    data = make([("big.txt", "简".encode() * 400), ("ok.txt", TXT)], zipfile.ZIP_STORED)
    inner, refused = open_zip(data, "b.zip", small)
    assert [i.name for i in inner] == ["ok.txt"]
    assert [(r.name, r.reason) for r in refused] == [("big.txt", "文件超过 0 MB")]


def test_nested_zips_are_refused() -> None:
    nested = make([("inner.zip", make([("a.txt", TXT)])), ("renamed.pdf", make([("a.txt", TXT)]))])
    inner, refused = open_zip(nested, "outer.zip", LIMITS)
    assert inner == []
    assert {r.name for r in refused} == {"inner.zip", "renamed.pdf"}
    assert all("不能再包含压缩包" in r.reason for r in refused)


def test_encrypted_entries_are_refused_alone() -> None:
    data = bytearray(make([("locked.txt", TXT), ("ok.txt", TXT)], zipfile.ZIP_STORED))
    _set_flag(data, "locked.txt", 0x1)  # the "encrypted" bit, in both headers
    inner, refused = open_zip(bytes(data), "enc.zip", LIMITS)
    assert [i.name for i in inner] == ["ok.txt"]
    assert [(r.name, r.reason) for r in refused] == [("locked.txt", "文件已加密，无法读取")]


def test_an_entry_that_lies_about_its_size_or_checksum_is_refused() -> None:
    data = bytearray(make([("cv.txt", TXT)], zipfile.ZIP_STORED))
    at = data.index(TXT)
    data[at] ^= 0xFF  # the bytes no longer match the CRC
    inner, refused = open_zip(bytes(data), "bad.zip", LIMITS)
    assert inner == [] and refused[0].reason == "文件已损坏，无法读取"
    assert (
        open_zip(b"PK\x03\x04 not a zip", "x.zip", LIMITS)[1][0].reason == "压缩包已损坏或无法读取"
    )


def test_other_types_and_junk_and_empty() -> None:
    data = make([("virus.exe", b"MZ\x90\x00"), ("__MACOSX/._cv.txt", b"\x00\x05"), ("cv.txt", TXT)])
    inner, refused = open_zip(data, "m.zip", LIMITS)
    assert [i.name for i in inner] == ["cv.txt"]
    assert [r.name for r in refused] == ["virus.exe"] and "不支持的文件类型" in refused[0].reason
    assert open_zip(make([]), "empty.zip", LIMITS)[1][0].reason == "压缩包是空的"


def test_names_written_by_chinese_windows_read_as_gbk() -> None:
    info = zipfile.ZipInfo("placeholder.txt")
    data = bytearray(make([(info, TXT)], zipfile.ZIP_STORED))
    gbk = "张三简历.txt".encode("gbk")
    assert len(gbk) == len(b"placeholder.txt") - 3
    # rewrite both headers' names as GBK bytes without the UTF-8 flag (what WinRAR writes)
    data = bytearray(bytes(data).replace(b"placeholder.txt", gbk + b"   "))
    inner, _ = open_zip(bytes(data), "win.zip", LIMITS)
    assert inner[0].name.startswith("张三简历.txt")


def _set_flag(data: bytearray, name: str, bit: int) -> None:
    raw = name.encode()
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        while at >= 0:
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(raw)] == raw:
                (flags,) = struct.unpack_from("<H", data, at + offset)
                struct.pack_into("<H", data, at + offset, flags | bit)
            at = data.find(signature, at + 4)


def test_the_one_zip_checker_refuses_by_the_limits_it_is_given() -> None:
    """The checker the résumé zip, the .xlsx and the .docx readers share: too many entries
    first, then an entry's ratio (before the caller's own check of it), then the total."""
    from recruiting.infra.zip_limits import ZipLimits as Checker
    from recruiting.infra.zip_limits import (
        ZipProblem,
        ZipRefused,
        check_entries,
        open_archive,
        read_entry,
    )

    def problem(
        data: bytes, limits: Checker, each: Callable[[zipfile.ZipInfo], None] | None = None
    ) -> ZipProblem | None:
        archive = open_archive(data)
        try:
            check_entries(archive.infolist(), limits, each)
            for info in archive.infolist():
                read_entry(archive, info, limits)
        except ZipRefused as exc:
            return exc.problem
        return None

    loose = Checker(max_entries=3, max_inflated=3 * MB, max_ratio=100)
    bomb = make([("a.xml", b"\0" * (4 * MB))])  # over the total too: the ratio speaks first
    assert problem(bomb, loose) is ZipProblem.RATIO
    assert problem(make([(f"{i}.txt", TXT) for i in range(4)]), loose) is ZipProblem.TOO_MANY
    big = make([("a.bin", bytes(range(256)) * (4 * MB // 256))], zipfile.ZIP_STORED)
    assert problem(big, loose) is ZipProblem.INFLATED
    seen: list[str] = []
    assert problem(make([("x.txt", TXT)]), loose, lambda info: seen.append(info.filename)) is None
    assert seen == ["x.txt"]
    nested = make([("inner.zip", make([("a.txt", TXT)]))])
    assert problem(nested, loose) is None  # only a caller that refuses nesting refuses it
    assert problem(nested, Checker(3, 3 * MB, 100, refuse_nested=True)) is ZipProblem.NESTED
    assert problem(make([("a.txt", TXT)]), Checker(3, 3 * MB, 100, max_bytes=10)) is (
        ZipProblem.ENTRY_TOO_LARGE
    )
    try:
        open_archive(b"PK\x03\x04 not a zip")
    except ZipRefused as exc:
        assert exc.problem is ZipProblem.DAMAGED
    else:
        raise AssertionError("a damaged zip opened")
