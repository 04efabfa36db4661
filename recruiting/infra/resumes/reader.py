"""``ResumeReader`` over files: the bytes pick the format, limits first, never raises.

Order of checks: size, then the format from its bytes (``infra.filetypes.sniff``, the same
answer the upload check gets; the file name only breaks ties and flags ``.docm``), then the
container checks and the format reader under a per-file time limit, then the text → facts
extractor. Images and scans come back NEEDS_OCR; everything that cannot or must not be read
comes back REFUSED with a Chinese reason, and the technical detail goes to the log.
Importing this module has no side effects (no parser is loaded until a file of that kind
arrives).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from recruiting import clock
from recruiting.domain.resume import ParsedResume, ParseStatus
from recruiting.domain.resume_extract import extract
from recruiting.infra import filetypes
from recruiting.infra.filetypes import FileType, sniff
from recruiting.infra.resumes.limits import Deadline, NeedsOcr, ReadLimits, Refused

log = logging.getLogger(__name__)

_UNSUPPORTED = "无法识别的文件格式，请上传 PDF、Word（.docx）、网页或文本格式的简历"
_CORRUPT = "文件已损坏或格式不完整，无法读取，请重新导出后上传"
_OCR_IMAGE = "这是一张图片，没有可读取的文字，需要文字识别（OCR）后才能解析"


def _this_month() -> str:
    return clock.now().strftime("%Y-%m")


class FileResumeReader:
    """Reads PDF, .docx, HTML/MHT and text résumés; ``as_of`` says which month 至今 means."""

    def __init__(
        self, limits: ReadLimits | None = None, as_of: Callable[[], str] = _this_month
    ) -> None:
        self.limits = limits or ReadLimits()
        self._as_of = as_of

    def read(self, data: bytes, filename: str) -> ParsedResume:
        try:
            lines = self._lines(data, filename)
            if not any(line.strip() for line in lines):
                raise Refused("文件中没有可读取的文字", "no text")
            return extract(lines, as_of=self._as_of())
        except Refused as exc:
            log.info("résumé %s refused: %s", _safe_name(filename), exc.detail)
            return ParsedResume(status=ParseStatus.REFUSED, reason=exc.reason)
        except NeedsOcr as exc:
            log.info("résumé %s needs OCR: %s", _safe_name(filename), exc.detail)
            return ParsedResume(status=ParseStatus.NEEDS_OCR, reason=exc.reason)
        except (RecursionError, MemoryError) as exc:
            log.warning("résumé %s too deep or too large: %r", _safe_name(filename), exc)
            return ParsedResume(status=ParseStatus.REFUSED, reason=_CORRUPT)
        except Exception:  # a third-party parser's surprise: refuse this file, keep going
            log.warning("résumé %s could not be read", _safe_name(filename), exc_info=True)
            return ParsedResume(status=ParseStatus.REFUSED, reason=_CORRUPT)

    def _lines(self, data: bytes, filename: str) -> list[str]:
        limits = self.limits
        if len(data) > limits.max_bytes:
            raise Refused(
                f"文件超过 {limits.max_bytes // (1024 * 1024)} MB 的上限，请压缩后重新上传",
                f"{len(data)} bytes",
            )
        if not data.strip():
            raise Refused("文件是空的", "empty")
        deadline = Deadline(limits.seconds)
        suffix = filetypes.suffix(filename)
        if suffix in ("docm", "dotm", "xlsm", "pptm"):
            raise Refused(
                "文件包含宏代码，出于安全考虑不予解析，请另存为不含宏的 .docx 或 PDF 后上传",
                f"macro-enabled extension .{suffix}",
            )
        kind = sniff(data, filename)
        if kind is FileType.PDF:
            from recruiting.infra.resumes.pdf import read_pdf

            return read_pdf(data, limits, deadline)
        if kind in (FileType.WORD, FileType.ZIP, FileType.DAMAGED_ZIP):  # docx says why not
            from recruiting.infra.resumes.docx import read_docx

            return read_docx(data, limits, deadline)
        if kind is FileType.OLE:
            from recruiting.infra.resumes.containers import check_ole

            check_ole(data)
        if kind is FileType.IMAGE:
            raise NeedsOcr(_OCR_IMAGE, "image file")
        if kind is FileType.RTF:
            raise Refused("暂不支持 RTF 格式，请另存为 .docx 或 PDF 后上传", "rtf")
        if suffix in ("pdf", "docx", "doc", "png", "jpg", "jpeg"):
            raise Refused(_CORRUPT, f".{suffix} without its magic bytes")
        if kind is FileType.MHT:
            from recruiting.infra.resumes.html import read_mht

            return read_mht(data)
        if kind is FileType.HTML:
            from recruiting.infra.resumes.html import read_html

            return read_html(data)
        from recruiting.infra.resumes.text import read_text

        return read_text(data)


def _safe_name(filename: str) -> str:
    """The extension only: file names of résumés carry the candidate's name."""
    return "*." + filename.rsplit(".", 1)[-1][:8] if "." in filename else "(no extension)"
