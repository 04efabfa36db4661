"""Voice notes: fetching a chat voice message, and turning its audio into text.

WeCom keeps a voice message's media for three days, so it is fetched when it arrives. The
transcriber never invents text: without a usable model it says why (``reason``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class VoiceSource(Protocol):
    async def download(self, media_id: str) -> bytes:
        """The audio of a voice message (AMR-NB); raises ExternalServiceError."""


@dataclass(frozen=True)
class SpokenText:
    available: bool
    text: str
    seconds: float  # length of the audio
    reason: str = ""  # why there is no text, in Chinese for the interviewer
    engine: str = ""
    code: str = ""  # the ``NoTranscript`` code of ``reason``


class SpeechToText(Protocol):
    def transcribe(self, audio: bytes, fmt: str) -> SpokenText:
        """Decode and transcribe (synchronous, CPU-bound); unusable audio is reported in
        ``reason``, not raised."""
