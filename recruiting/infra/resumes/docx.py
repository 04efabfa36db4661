"""Word ``.docx`` résumés → lines: paragraphs, tables (row by row) and text boxes, in order.

Many templates are tables: a row of single-paragraph cells reads ``姓名 | 张三 | 电话 | …``;
a row whose cells hold whole blocks (a two-column layout built from a borderless table) is
read cell by cell, each paragraph its own line. Text boxes (another way templates make a
sidebar) follow the paragraph that anchors them. The zip is checked first (containers.py).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

from recruiting.infra.resumes.containers import check_zip
from recruiting.infra.resumes.limits import Deadline, ReadLimits, Refused

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_CORRUPT = "文件已损坏或格式不完整，无法读取，请重新导出后上传"


def read_docx(data: bytes, limits: ReadLimits, deadline: Deadline) -> list[str]:
    archive = check_zip(data, limits)
    if "word/document.xml" not in archive.namelist():
        raise Refused(
            "无法识别的文件格式，请上传 PDF、Word（.docx）、网页或文本格式的简历",
            "zip without word/document.xml",
        )
    _check_pages(archive, limits)
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, SyntaxError) as exc:
        raise Refused(_CORRUPT, f"docx: {exc!r}") from exc
    lines: list[str] = []
    for line in _block(document.element.body, deadline):
        lines.append(line)
        if len(lines) > limits.max_lines:
            raise Refused("文件文字过多，不像一份简历，请只上传简历本身", "too many lines")
    return lines


def _check_pages(archive: zipfile.ZipFile, limits: ReadLimits) -> None:
    """Word records the page count it last laid out in docProps/app.xml: trust it to refuse
    a long document before reading it (a missing or odd count is not a refusal)."""
    try:
        app = archive.read("docProps/app.xml")[:65536].decode("utf-8", errors="replace")
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, ValueError):
        return
    found = re.search(r"<(?:\w+:)?Pages>\s*(\d{1,7})\s*<", app)
    if found and int(found.group(1)) > limits.max_pages:
        raise Refused(
            f"文件有 {found.group(1)} 页，超过 {limits.max_pages} 页的上限，请只上传简历本身",
            f"docx app.xml says {found.group(1)} pages",
        )


def _block(element: Any, deadline: Deadline) -> Iterator[str]:
    for child in element.iterchildren():
        if child.tag == f"{_W}p":
            text = _paragraph_text(child)
            if text.strip():
                yield text.strip()
            yield from _text_boxes(child, deadline)
        elif child.tag == f"{_W}tbl":
            deadline.check()
            yield from _table(child, deadline)
        elif child.tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                yield from _block(content, deadline)


def _paragraph_text(p: Any) -> str:
    """Runs' text of one paragraph, skipping text boxes (read separately) and deleted text."""
    parts: list[str] = []
    for node in p.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}txbxContent"):
        if _inside_textbox(node, p):
            continue
        if node.tag == f"{_W}t":
            parts.append(node.text or "")
        elif node.tag == f"{_W}tab":
            parts.append("  ")
        elif node.tag == f"{_W}br":
            parts.append("\n")
    return "".join(parts)


def _inside_textbox(node: Any, stop: Any) -> bool:
    parent = node.getparent()
    while parent is not None and parent is not stop:
        if parent.tag == f"{_W}txbxContent":
            return True
        parent = parent.getparent()
    return False


def _text_boxes(p: Any, deadline: Deadline) -> Iterator[str]:
    for box in p.iter(f"{_W}txbxContent"):
        if any(a.tag == _MC_FALLBACK for a in box.iterancestors()):
            continue  # the same box again, for old readers
        yield from _block(box, deadline)


def _table(tbl: Any, deadline: Deadline) -> Iterator[str]:
    for tr in tbl.iterchildren(f"{_W}tr"):
        cells = list(tr.iterchildren(f"{_W}tc"))
        blocks = [list(_block(tc, deadline)) for tc in cells]
        nested = any(tc.find(f"{_W}tbl") is not None for tc in cells)
        if nested or any(len(b) > 2 for b in blocks):
            for block in blocks:  # cells are columns of a layout: read each through
                yield from block
            continue
        texts = [" ".join(b) for b in blocks if b]
        merged: list[str] = []
        for text in texts:  # merged cells repeat their text
            if not merged or merged[-1] != text:
                merged.append(text)
        if merged:
            yield " | ".join(merged)
