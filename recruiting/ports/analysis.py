"""The analysis core seen from the use cases: probe an upload, check a device, analyse an answer.

The core is CPU-bound and synchronous; callers run it off the event loop (a thread for the
quick probe and device check, a worker process pool for whole answers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

MediaKind = Literal["audio", "video"]


@dataclass(frozen=True)
class MediaFacts:
    duration: float
    has_audio: bool
    has_video: bool
    width: int | None
    height: int | None
    container: str


@dataclass(frozen=True)
class DeviceCheck:
    """What a 3–5 s test clip shows about the candidate's set-up; ``advice`` is for the app."""

    audible: bool
    face_visible: bool | None  # None: the clip has no picture
    lighting_ok: bool | None
    duration: float
    details: dict[str, Any] = field(default_factory=dict)
    advice: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return self.audible and self.face_visible is not False and self.lighting_ok is not False


@dataclass(frozen=True)
class AnalysisRequest:
    media_path: Path
    job_code: str
    job_title: str
    competency_model: list[dict[str, Any]]  # [{"code", "name", "weight"}]
    question: str
    question_competencies: tuple[str, ...]
    automated_assessment: bool  # False: transcript and metrics for people, no AI scores
    face_analysis: bool  # False: no vision signals at all


@dataclass(frozen=True)
class AiScore:
    competency: str  # name, as in the library
    value: float | None  # 1..5, None = not assessed
    confidence: float
    evidence: list[dict[str, Any]]


@dataclass(frozen=True)
class AnalysisOutcome:
    analysis: dict[str, Any]  # the whole analysis as JSON, shown to HR
    scores: list[AiScore]
    engine: str  # "ai:<engine>@<version>", the rater key of the scores


class MediaAnalysis(Protocol):
    def probe(self, path: Path, expect: MediaKind, max_seconds: float) -> MediaFacts:
        """Raise InvalidInput (MediaRejected) / PayloadTooLarge (MediaTooLong) if unusable."""

    def device_check(self, path: Path) -> DeviceCheck: ...

    def analyze(self, request: AnalysisRequest) -> AnalysisOutcome: ...
