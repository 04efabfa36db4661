"""Voice messages from WeCom chat, behind the service's ``VoiceSource`` port.

``media/get`` serves a voice message's AMR for three days only, so the use case calls this
when the message arrives.
"""

from __future__ import annotations

from wecom_bot.client.media import MediaApi


class WeComVoiceSource:
    def __init__(self, media: MediaApi) -> None:
        self._media = media

    async def download(self, media_id: str) -> bytes:
        return (await self._media.get(media_id)).content
