"""Reading résumé files (PDF, Word, text, HTML exports) into facts.

Synchronous and CPU-bound: use cases call it in a worker thread or process, never on the
event loop. A reader never raises for a bad file: an encrypted, corrupt, oversized or
macro-bearing file comes back as ``ParseStatus.REFUSED`` and a scan without a text layer as
``ParseStatus.NEEDS_OCR``, each with a Chinese reason for HR (the technical detail goes to
the log).
"""

from __future__ import annotations

from typing import Protocol

from recruiting.domain.resume import ParsedResume


class ResumeReader(Protocol):
    def read(self, data: bytes, filename: str) -> ParsedResume:
        """Parse one file; ``filename`` only hints at the format (the bytes decide)."""
