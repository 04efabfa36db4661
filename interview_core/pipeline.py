"""One recorded answer in, everything HR needs out: transcript, speech metrics, vision
signals, competency scores with evidence, a follow-up question.

Each stage says when it could not run (no audio, no video, no speech model) instead of
inventing a value; scoring then works on what exists and marks the rest "not assessed".
Vision results are reported next to the scores and never feed them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from interview_core.engines.port import AnswerScorer
from interview_core.engines.rules import RulesScorer
from interview_core.media.audio import SAMPLE_RATE, load_pcm
from interview_core.media.probe import MediaInfo, MediaLimits, probe
from interview_core.speech.metrics import SpeechMetrics, speech_metrics
from interview_core.speech.port import SpeechRecognizer, Transcript, UnavailableRecognizer
from interview_core.speech.vad import split_for_asr, voiced_segments
from interview_core.text.followup import FollowUp, follow_up
from interview_core.text.jobs import JobModel
from interview_core.text.scoring import AnswerScore
from interview_core.vision.signals import VisionSettings, VisionSignals, analyze_video
from recruiting.domain.assessment_reasons import NoTranscript
from recruiting.domain.coverage import DEFAULT_MIN_COVERAGE


@dataclass(frozen=True)
class AnalysisSettings:
    limits: MediaLimits = field(default_factory=MediaLimits)
    vision: VisionSettings = field(default_factory=VisionSettings)
    min_answer_seconds: float = 20.0
    asr_segment_seconds: float = 25.0
    min_coverage: float = DEFAULT_MIN_COVERAGE  # below it no overall score is shown


@dataclass(frozen=True)
class AnalysisResult:
    job: str
    question: str
    media: MediaInfo
    transcript: Transcript
    speech: SpeechMetrics | None
    vision: VisionSignals | None
    score: AnswerScore
    followup: FollowUp | None

    def to_json(self) -> dict[str, Any]:
        return {
            "job": self.job,
            "question": self.question,
            "media": dict(vars(self.media)),
            "transcript": self.transcript.to_json(),
            "speech": self.speech.to_json() if self.speech else None,
            "vision": self.vision.to_json() if self.vision else None,
            "score": self.score.to_json(),
            "followup": self.followup.to_json() if self.followup else None,
        }


def analyze(
    path: str | Path,
    job: JobModel,
    question: str,
    recognizer: SpeechRecognizer,
    settings: AnalysisSettings | None = None,
    *,
    vision: bool = True,
    scorer: AnswerScorer | None = None,
) -> AnalysisResult:
    """Run every stage the media allows (``vision=False``: no camera signals at all, e.g.
    without consent). ``scorer`` None: the rules engine. Raises MediaRejected/MediaTooLong
    for bad input."""
    settings = settings or AnalysisSettings()
    scorer = scorer or RulesScorer()
    info = probe(path, settings.limits)
    transcript, speech = _speech(path, info, recognizer, settings)
    signals = analyze_video(path, settings.vision) if info.has_video and vision else None
    text = transcript.text if transcript.available else ""
    unavailable = "" if transcript.available else transcript.code or NoTranscript.MODEL_FAILED
    return AnalysisResult(
        job=job.title,
        question=question,
        media=info,
        transcript=transcript,
        speech=speech,
        vision=signals,
        score=scorer.score(text, question, job, settings.min_coverage, no_transcript=unavailable),
        followup=follow_up(text, question, job) if text.strip() else None,
    )


def _speech(
    path: str | Path, info: MediaInfo, recognizer: SpeechRecognizer, settings: AnalysisSettings
) -> tuple[Transcript, SpeechMetrics | None]:
    if not info.has_audio:
        return UnavailableRecognizer(
            "the recording has no audio track", NoTranscript.NO_AUDIO
        ).transcribe(np.zeros(0, dtype=np.float32), SAMPLE_RATE, []), None
    # Decoders return whole codec frames: AAC pads its last one with up to 1023 samples the
    # container's duration excludes. Cut them so no timestamp lies past the recording's end.
    pcm = load_pcm(path, settings.limits.max_seconds)[: max(round(info.duration * SAMPLE_RATE), 1)]
    voiced = voiced_segments([pcm], SAMPLE_RATE)
    pieces = split_for_asr(voiced, settings.asr_segment_seconds)
    transcript = recognizer.transcribe(pcm, SAMPLE_RATE, pieces)
    if transcript.available and not transcript.text.strip():
        code = NoTranscript.EMPTY_RESULT if pieces else NoTranscript.NO_SPEECH
        transcript = replace(transcript, available=False, code=code, reason=code.value)
    text = transcript.text if transcript.available else None
    metrics = speech_metrics(
        voiced, len(pcm) / SAMPLE_RATE, text, min_answer_seconds=settings.min_answer_seconds
    )
    return transcript, metrics
