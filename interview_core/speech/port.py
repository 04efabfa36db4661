"""Speech recognition behind a port, so analysis never depends on a model being installed.

Two implementations: :class:`~interview_core.speech.paddle.PaddleSpeechRecognizer` (a local
PaddleSpeech model directory, see :mod:`interview_core.speech.models`) and
:class:`UnavailableRecognizer`, which says precisely why there is no transcript. Nothing
downstream invents text: an unavailable transcript has no segments, and a segment that could
not be decoded has an empty text and an ``error``.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, runtime_checkable

from interview_core.errors import ModelUnavailable
from interview_core.speech.models import default_models_dir, find_model_dir, install_hint
from interview_core.speech.segments import Segment

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
    model failed on every segment); ``reason`` then says why.
    """

    available: bool
    engine: str
    segments: list[TranscriptSegment] = field(default_factory=list)
    reason: str = ""

    @property
    def text(self) -> str:
        """The decoded segments' texts in order, separated by a space (a pause)."""
        return " ".join(s.text for s in self.segments if s.text)

    def to_json(self) -> dict[str, Any]:
        return {
            "available": self.available,
            "engine": self.engine,
            "reason": self.reason,
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

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def transcribe(self, pcm: Pcm, sample_rate: int, segments: Sequence[Segment]) -> Transcript:
        return Transcript(available=False, engine=self.name, segments=[], reason=self.reason)

    def __repr__(self) -> str:
        return f"UnavailableRecognizer({self.reason!r})"


def recognizer_from_settings(model_dir: str | None, *, device: str = "cpu") -> SpeechRecognizer:
    """The PaddleSpeech recogniser for an installed model, else an UnavailableRecognizer.

    ``model_dir`` is a model directory or a models directory holding installed models (the
    active one is used); None means ``$SPEECH_MODEL_DIR`` or ``var/models/speech``. Loading
    happens here, once per process and directory, so a broken model shows at start-up.
    """
    where = Path(model_dir) if model_dir else default_models_dir()
    found = find_model_dir(where)
    if found is None:
        return UnavailableRecognizer(f"no speech model installed in {where}; {install_hint()}")
    if importlib.util.find_spec("paddlespeech") is None:
        return UnavailableRecognizer(
            "paddlespeech is not installed (pip install paddlepaddle==3.1.1 paddlespeech==1.5.0)"
        )
    from interview_core.speech.paddle import PaddleSpeechRecognizer

    try:
        return PaddleSpeechRecognizer.from_model_dir(found, device=device)
    except ModelUnavailable as exc:
        return UnavailableRecognizer(exc.message)
