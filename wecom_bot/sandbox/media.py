"""Temporary media (``media/upload``, ``media/get``): WeCom's types, limits and 3-day life.

A ``media_id`` dies after three days, which is why the service must download voice notes and
images on arrival; the sandbox enforces it so a late download fails here as in production.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from wecom_bot.sandbox import codes
from wecom_bot.sandbox.tokens import Clock

MEDIA_TTL = 3 * 86400
MIN_SIZE = 5
_LIMITS = {"image": 10 << 20, "voice": 2 << 20, "video": 10 << 20, "file": 20 << 20}
_SIZE_ERRORS = {"image": codes.INVALID_IMAGE_SIZE, "video": codes.INVALID_VIDEO_SIZE}
_CONTENT_TYPES = {"image": "image/jpeg", "voice": "audio/amr", "video": "video/mp4"}
AMR_MAGIC = b"#!AMR\n"


@dataclass(frozen=True)
class Media:
    media_id: str
    type: str
    filename: str
    content_type: str
    data: bytes
    created_at: float


def _check_format(kind: str, data: bytes) -> None:
    """Voice must be AMR and images JPG/PNG, as WeCom's upload limits say."""
    if kind == "voice" and not data.startswith(AMR_MAGIC):
        raise codes.ApiError(codes.INVALID_MEDIA_FILE, "voice must be AMR")
    if kind == "image" and not data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")):
        raise codes.ApiError(codes.INVALID_MEDIA_FILE, "image must be JPG or PNG")


class MediaStore:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._items: dict[str, Media] = {}

    def upload(self, kind: str, filename: str, content_type: str, data: bytes) -> Media:
        if kind not in _LIMITS:
            raise codes.ApiError(codes.INVALID_MEDIA_TYPE, f"invalid media type: {kind!r}")
        if not data:
            raise codes.ApiError(codes.EMPTY_MEDIA, "media data missing")
        if not MIN_SIZE <= len(data) <= _LIMITS[kind]:
            raise codes.ApiError(
                _SIZE_ERRORS.get(kind, codes.INVALID_FILE_SIZE), "invalid media size"
            )
        _check_format(kind, data)
        if kind == "image" and data.startswith(b"\x89PNG"):
            content_type = "image/png"
        media = Media(
            media_id="3" + secrets.token_urlsafe(45),
            type=kind,
            filename=filename or f"{kind}.bin",
            content_type=content_type or _CONTENT_TYPES.get(kind, "application/octet-stream"),
            data=data,
            created_at=self._clock(),
        )
        self._items[media.media_id] = media
        return media

    def get(self, media_id: str) -> Media:
        """41006 without an id; 40007 for an unknown or expired one."""
        if not media_id:
            raise codes.ApiError(codes.MISSING_MEDIA_ID, "missing media_id")
        media = self._items.get(media_id)
        if media is None or media.created_at + MEDIA_TTL <= self._clock():
            raise codes.ApiError(codes.INVALID_MEDIA_ID, "invalid media_id")
        return media

    @staticmethod
    def upload_answer(media: Media) -> dict[str, Any]:
        return {
            "type": media.type,
            "media_id": media.media_id,
            "created_at": str(int(media.created_at)),
        }
