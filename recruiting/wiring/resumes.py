"""The résumé reader behind the ``ResumeReader`` port (files → ``ParsedResume``)."""

from __future__ import annotations

from recruiting.infra.resumes.limits import ReadLimits
from recruiting.infra.resumes.reader import FileResumeReader
from recruiting.ports.resumes import ResumeReader


def resume_reader(*, as_of: str | None = None, limits: ReadLimits | None = None) -> ResumeReader:
    """A reader for uploads; ``as_of`` (``YYYY-MM``) pins what 至今 means (tests, evaluation)."""
    if as_of is None:
        return FileResumeReader(limits)
    month = as_of
    return FileResumeReader(limits, as_of=lambda: month)
