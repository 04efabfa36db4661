"""Speech recognition behind a port, so analysis never depends on a model being installed.

Two implementations: :class:`~interview_core.speech.paddle.PaddleSpeechRecognizer` (a local
PaddleSpeech model directory, see :mod:`interview_core.speech.models`) and
:class:`UnavailableRecognizer`, which says precisely why there is no transcript. Which one
runs is chosen in :mod:`interview_core.speech.choose`, so this port imports neither the
model installer nor the adapter. Nothing
downstream invents text: an unavailable transcript has no segments, and a segment that could
not be decoded has an empty text and an ``error``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, runtime_checkable

from interview_core.speech.segments import Segment
from recruiting.domain.assessment_reasons import NoTranscript, no_transcript_label

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Pcm: TypeAlias = npt.NDArray[np.float32]


@dataclass(frozen=True)
class TranscriptSegment:
    """The text of one voiced segment, with the segment's own timestamps (seconds).

    ``error`` is set when the segment was not decoded (too short, or the model failed on
    it); its ``text`` is then empty.
    """

    start: float
    end: float
    text: str
    error: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text, "error": self.error}


@dataclass(frozen=True)
class Transcript:
    """What a recogniser made of an answer.

    ``available`` is False when there is no usable text at all (no model installed, the
    model failed on every segment); ``code`` then says why (a ``NoTranscript`` code, shown
    to people by its Chinese label) and ``reason`` gives operators the technical detail,
    which stays out of the JSON that staff and candidates read.
    """

    available: bool
    engine: str
    segments: list[TranscriptSegment] = field(default_factory=list)
    reason: str = ""
    code: str = ""

    @property
    def text(self) -> str:
        """The decoded segments' texts in order, separated by a space (a pause)."""
        return " ".join(s.text for s in self.segments if s.text)

    def to_json(self) -> dict[str, Any]:
        return {
            "available": self.available,
            "engine": self.engine,
            "reason_code": self.code,
            "reason": no_transcript_label(self.code) if self.code else "",
            "text": self.text,
            "segments": [s.to_json() for s in self.segments],
        }


@runtime_checkable
class SpeechRecognizer(Protocol):
    """Turns the voiced segments of a mono float32 signal into text, one result per segment."""

    name: str

    def transcribe(self, pcm: Pcm, sample_rate: int, segments: Sequence[Segment]) -> Transcript:
        """Decode each segment separately, keeping its start and end unchanged."""
        ...


class UnavailableRecognizer:
    """Stands in when no model can be used; every transcript says why and holds no text."""

    name = "unavailable"

    def __init__(self, reason: str, code: str = NoTranscript.MODEL_FAILED) -> None:
        self.reason = reason
        self.code = code

    def transcribe(self, pcm: Pcm, sample_rate: int, segments: Sequence[Segment]) -> Transcript:
        return Transcript(
            available=False, engine=self.name, segments=[], reason=self.reason, code=self.code
        )

    def __repr__(self) -> str:
        return f"UnavailableRecognizer({self.reason!r})"
