"""Checks on containers before any parser opens them: zip bombs, macros, OLE files.

A ``.docx`` is a zip: its entries' declared sizes are read from the central directory and
refused when they add up too large, are too many, or compress suspiciously well (the one
zip checker, ``infra.zip_limits``) — before python-docx decompresses anything.
Macro-bearing documents (``vbaProject.bin``, a macro-enabled content type, ``.docm``) and
legacy OLE files are refused, since a résumé never needs code.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable

from recruiting.infra.resumes.limits import ReadLimits, Refused
from recruiting.infra.zip_limits import ZipProblem, ZipRefused, check_entries, open_archive

_MACROS = "文件包含宏代码，出于安全考虑不予解析，请另存为不含宏的 .docx 或 PDF 后上传"
_CORRUPT = "文件已损坏或格式不完整，无法读取，请重新导出后上传"
_UNSUPPORTED = "无法识别的文件格式，请上传 PDF、Word（.docx）、网页或文本格式的简历"


def check_zip(data: bytes, limits: ReadLimits) -> zipfile.ZipFile:
    """Open a zip after checking sizes, ratios and macros; the caller reads from it."""
    try:
        archive = open_archive(data)
        check_entries(archive.infolist(), limits.zip_limits(), _no_macros_nor_huge_xml(limits))
    except ZipRefused as exc:
        raise Refused(_ZIP_REASONS.get(exc.problem, _CORRUPT), exc.detail) from exc
    try:
        types = archive.read("[Content_Types].xml").decode("utf-8", errors="replace").lower()
    except KeyError as exc:
        raise Refused(_UNSUPPORTED, "zip without [Content_Types].xml") from exc
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise Refused(_CORRUPT, f"zip: {exc!r}") from exc
    if "macroenabled" in types or "vbaproject" in types:
        raise Refused(_MACROS, "macro-enabled content type")
    return archive


_ZIP_REASONS = {  # DAMAGED and TOO_MANY: the file is not what a résumé's .docx looks like
    ZipProblem.RATIO: "文件内部结构异常（压缩比过高），出于安全考虑不予解析",
    ZipProblem.INFLATED: "文件解压后过大，出于安全考虑不予解析，请压缩图片后重新上传",
}


def _no_macros_nor_huge_xml(limits: ReadLimits) -> Callable[[zipfile.ZipInfo], None]:
    """A part's own check, run by the zip checker right after its ratio: an XML part too
    large to parse into a tree, or a part that carries macros or ActiveX controls."""

    def check(info: zipfile.ZipInfo) -> None:
        name = info.filename.lower()
        if name.endswith((".xml", ".rels")) and info.file_size > limits.max_xml_part_bytes:
            raise Refused(
                "文件内部结构异常，出于安全考虑不予解析，请另存为 PDF 后上传",
                f"{info.filename}: {info.file_size} bytes of XML",
            )
        if name.endswith("vbaproject.bin") or name.endswith("vbadata.xml") or "/activex/" in name:
            raise Refused(_MACROS, f"macro part {info.filename}")

    return check


def check_ole(data: bytes) -> None:
    """Legacy OLE (.doc, encrypted .docx): always refused, with the most useful reason."""
    if "EncryptedPackage".encode("utf-16-le") in data or b"E\x00n\x00c\x00r\x00y\x00p\x00t" in data:
        raise Refused("文件已加密，请去掉密码后重新上传", "OLE EncryptedPackage")
    for marker in ("_VBA_PROJECT", "Macros", "VBA"):
        if marker.encode("utf-16-le") in data:
            raise Refused(_MACROS, f"OLE stream {marker}")
    raise Refused(
        "暂不支持旧版 Word（.doc）格式，请另存为 .docx 或 PDF 后上传", "legacy OLE document"
    )
