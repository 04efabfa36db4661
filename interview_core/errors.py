"""Errors of the analysis core, rooted in the service's hierarchy (recruiting.errors)."""

from __future__ import annotations

from recruiting.errors import InvalidInput, PayloadTooLarge, RecruitingError


class MediaRejected(InvalidInput):
    """The file is not usable media: corrupt, empty, not audio/video, or the wrong kind."""

    code = "media_rejected"


class MediaTooLong(PayloadTooLarge):
    """Longer (or larger) than the configured limit."""

    code = "media_too_long"


class ModelUnavailable(RecruitingError):
    """A model (speech) is not installed or cannot be loaded; analysis goes on without it."""

    code = "model_unavailable"
