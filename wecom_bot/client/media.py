"""Temporary media (path/90253, path/90254): download on arrival, media ids live 3 days."""

from __future__ import annotations

import mimetypes
from typing import Any

from recruiting.errors import InvalidInput
from wecom_bot.client.base import MediaFile, WeComBaseClient

MEDIA_KINDS = frozenset({"image", "voice", "video", "file"})

__all__ = ["MEDIA_KINDS", "MediaApi", "MediaFile"]


class MediaApi:
    def __init__(self, client: WeComBaseClient) -> None:
        self._client = client

    async def get(self, media_id: str) -> MediaFile:
        """The bytes, content type and file name of ``media_id`` (voice is AMR-NB).

        Files over 20 MB would need Range requests; this fetches in one piece.
        """
        return await self._client.request(
            "GET", "/cgi-bin/media/get", params={"media_id": media_id}, raw=True
        )

    async def upload(
        self, kind: str, filename: str, data: bytes, content_type: str | None = None
    ) -> dict[str, Any]:
        """Upload temporary media; the answer holds ``media_id`` and ``created_at``."""
        if kind not in MEDIA_KINDS:
            raise InvalidInput(f"media kind must be one of {sorted(MEDIA_KINDS)}, got {kind!r}")
        if not data:
            raise InvalidInput("media upload is empty")
        ctype = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        return await self._client.request(
            "POST",
            "/cgi-bin/media/upload",
            params={"type": kind},
            files={"media": (filename, data, ctype)},
        )
