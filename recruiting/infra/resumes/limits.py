"""Limits on one résumé file, and the two ways a format reader stops early.

A reader raises ``Refused`` (encrypted, corrupt, oversized, macro-bearing, zip bomb, too
slow) or ``NeedsOcr`` (no text layer); ``FileResumeReader`` turns both into a status with the
Chinese reason. ``detail`` is for the log only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from recruiting.infra.zip_limits import ZipLimits


@dataclass(frozen=True)
class ReadLimits:
    max_bytes: int = 20 * 1024 * 1024  # a résumé is rarely over 5 MB; scans of 20 pages can be
    max_pages: int = 50
    seconds: float = 10.0  # per file, checked between pages / parts
    max_unzipped_bytes: int = 60 * 1024 * 1024  # all entries of a .docx together
    max_zip_entries: int = 2000
    max_zip_ratio: float = 200.0  # uncompressed / compressed, for entries over 1 MB
    max_xml_part_bytes: int = 8 * 1024 * 1024  # one XML part parsed into a tree (~10× in RAM)
    max_lines: int = 20_000  # text lines handed to the extractor

    def zip_limits(self) -> ZipLimits:
        """What the zip checker refuses in a .docx."""
        return ZipLimits(
            max_entries=self.max_zip_entries,
            max_inflated=self.max_unzipped_bytes,
            max_ratio=self.max_zip_ratio,
        )


class Refused(Exception):
    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason
        self.detail = detail or reason


class NeedsOcr(Exception):
    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason
        self.detail = detail or reason


class Deadline:
    """Cooperative time limit: readers call ``check()`` between pages and parts."""

    def __init__(self, seconds: float) -> None:
        self._until = time.monotonic() + seconds
        self._seconds = seconds

    def check(self) -> None:
        if time.monotonic() > self._until:
            raise Refused(
                "文件解析超时，可能内容过于复杂，请另存为较简单的 PDF 或 Word 后重新上传",
                f"over the {self._seconds:g}s limit",
            )
