"""The sandbox demo's recorded answers: a short video made at seed time and an analysis whose
transcript is the demo's written script instead of speech recognition.

Honesty: the script is sample data and says so (engine ``示例文字稿``, ``analysis["demo"]``);
everything computed from it (competency scores, evidence, confidence, the follow-up question)
is the real scoring engine's output on that text. No speech metrics and no camera signals
are reported: the demo video has neither a voice nor a face, so nothing is invented for them.
Used only by ``recruiting.services.demo_workbench`` through the ``MediaAnalysis`` port.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from interview_core.media.probe import MediaLimits, probe
from interview_core.service import CoreAnalysis, _scorer, job_for, with_question
from recruiting.errors import InvalidInput
from recruiting.ports.analysis import (
    AiScore,
    AnalysisOutcome,
    AnalysisRequest,
    DeviceCheck,
    MediaFacts,
    MediaKind,
)

if TYPE_CHECKING:
    from interview_core.speech.port import TranscriptSegment

log = logging.getLogger(__name__)

SCRIPT_ENGINE = "示例文字稿"
DEMO_NOTE = "示例数据：转写为演示脚本（非语音识别），评分与证据由评分引擎对该文字稿实际计算。"
NO_VISION = "示例录像没有人像，未做画面分析"
CHARS_PER_SECOND = 4.0  # a calm speaker: the video is as long as reading the script takes
_SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]?")


@dataclass
class ScriptedAnalysis:
    """``MediaAnalysis`` for demo answers: probes the real file, reads the script registered
    for its SHA-256 and scores that text with the configured engine."""

    core: CoreAnalysis = field(default_factory=CoreAnalysis)
    scripts: dict[str, str] = field(default_factory=dict)

    def register(self, media: bytes, script: str) -> None:
        self.scripts[hashlib.sha256(media).hexdigest()] = script

    def probe(self, path: Path, expect: MediaKind, max_seconds: float) -> MediaFacts:
        return self.core.probe(path, expect, max_seconds)

    def device_check(self, path: Path) -> DeviceCheck:
        return self.core.device_check(path)

    def analyze(self, request: AnalysisRequest) -> AnalysisOutcome:
        from interview_core.pipeline import AnalysisResult
        from interview_core.speech.port import Transcript
        from interview_core.text.followup import follow_up

        script = self.scripts.get(hashlib.sha256(request.media_path.read_bytes()).hexdigest())
        if script is None:
            log.warning("no demo script for %s", request.media_path.name)
            raise InvalidInput("这段录像不是演示录像，无法生成示例分析。")
        info = probe(request.media_path, MediaLimits(max_seconds=self.core.max_seconds))
        transcript = Transcript(True, SCRIPT_ENGINE, timed_segments(script, info.duration))
        job = job_for(request.job_code, request.job_title, request.competency_model)
        job = with_question(job, request.question, request.question_competencies)
        score = _scorer(self.core.scoring).score(
            script, request.question, job, self.core.min_coverage
        )
        result = AnalysisResult(job=job.title, question=request.question, media=info,
                                transcript=transcript, speech=None, vision=None, score=score,
                                followup=follow_up(script, request.question, job))  # fmt: skip
        analysis = result.to_json() | {"demo": DEMO_NOTE, "vision": {"skipped": NO_VISION}}
        scores = [
            AiScore(c.name, c.score, c.confidence or 0.0, [e.to_json() for e in c.evidence])
            for c in score.competencies
        ]
        return AnalysisOutcome(analysis=analysis, scores=scores, engine=f"ai:{score.engine}")


def timed_segments(script: str, duration: float) -> list[TranscriptSegment]:
    """The script's sentences laid over the recording in proportion to their length."""
    from interview_core.speech.port import TranscriptSegment

    sentences = [s.strip() for s in _SENTENCE.findall(script) if s.strip()]
    total = sum(len(s) for s in sentences) or 1
    segments: list[TranscriptSegment] = []
    at = 0.0
    for sentence in sentences:
        span = duration * len(sentence) / total
        segments.append(TranscriptSegment(round(at, 2), round(at + span, 2), sentence))
        at += span
    return segments


def demo_video(seed: int, seconds: float) -> bytes:
    """A quiet placeholder recording (H.264 in MP4, 320×240, 4 frames/s, no sound): a soft
    silhouette on a plain background, still; ``seed`` goes into the container's metadata so every
    answer's file (and its SHA-256) differs. About 30 ms and 20 KB per 40 s."""
    import av

    out = io.BytesIO()
    with av.open(out, "w", format="mp4") as container:
        container.metadata["comment"] = f"demo recording {seed}"
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        stream.options = {"preset": "ultrafast", "crf": "30"}
        frames = _frames()
        for n in range(max(1, round(seconds * FPS))):
            frame = frames[n % len(frames)]
            frame.pts = n
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out.getvalue()


FPS, WIDTH, HEIGHT = 4, 320, 240


@cache
def _frames() -> list[Any]:
    """One still frame of a silhouette (a still image keeps the file tiny and clean)."""
    import av
    import numpy as np

    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH]
    img = np.empty((HEIGHT, WIDTH, 3), np.uint8)
    img[...] = (200, 218, 232)
    img[(xx - 160) ** 2 + (yy - 105) ** 2 < 44**2] = (125, 140, 165)  # head
    img[(xx - 160) ** 2 / 92**2 + (yy - 245) ** 2 / 72**2 < 1] = (92, 110, 145)  # shoulders
    return [av.VideoFrame.from_ndarray(img, format="rgb24").reformat(format="yuv420p")]


def warm_up() -> None:
    """Load the scorer's word lists (about 2 s, once) while the seed writes its rows."""
    from interview_core.text.library import default_library
    from interview_core.text.sentences import words

    default_library()

    words("示例")


def script_seconds(script: str) -> float:
    return max(8.0, len(script) / CHARS_PER_SECOND)
