"""The analysis core behind the service's ``MediaAnalysis`` port (recruiting.ports.analysis).

Instances are picklable (only settings inside), so a process pool can run them; the speech
model is loaded lazily, once per process, on the first answer that needs it. Only the probe
(PyAV) is imported up front: a web process that merely checks uploads does not carry OpenCV,
jieba and the scoring tables (about 60 MB) until it runs a device check or an analysis.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from interview_core.media.probe import MediaLimits, probe
from recruiting.domain.coverage import DEFAULT_MIN_COVERAGE
from recruiting.domain.shorten import shorten
from recruiting.errors import InvalidInput
from recruiting.ports.analysis import (
    AiScore,
    AnalysisOutcome,
    AnalysisRequest,
    DeviceCheck,
    MediaFacts,
    MediaKind,
)

log = logging.getLogger(__name__)

DEVICE_CLIP_SECONDS = 15.0
AUDIBLE_VOICED_SECONDS = 0.5  # speech the detector found in the clip
AUDIBLE_PEAK_DBFS = -45.0  # below this the microphone is muted or far away
FACE_VISIBLE_RATIO = 0.5
# Stored in the analysis and shown with it (staff's results, the candidate's export).
NO_FACE_CONSENT = "候选人未同意人脸分析。"
NO_ASSESSMENT_CONSENT = "候选人选择只由人工评审，不做自动评估。"
LIGHTING_BAD_RATIO = 0.5


if TYPE_CHECKING:
    import numpy as np

    from interview_core.engines.choose import ScorerChoice
    from interview_core.engines.port import AnswerScorer
    from interview_core.pipeline import AnalysisSettings
    from interview_core.speech.port import SpeechRecognizer
    from interview_core.text.jobs import JobModel
    from interview_core.vision.signals import VisionSettings


@dataclass(frozen=True)
class CoreAnalysis:
    """``MediaAnalysis`` on the local CPU. ``model_dir`` None: ``$SPEECH_MODEL_DIR``."""

    model_dir: str | None = None
    vision_settings: VisionSettings | None = None  # None: the defaults
    max_seconds: float = 600.0
    min_coverage: float = DEFAULT_MIN_COVERAGE  # job weight an overall needs
    scoring: ScorerChoice | None = None  # None: the rules engine

    @property
    def vision(self) -> VisionSettings:
        from interview_core.vision.signals import VisionSettings

        return self.vision_settings or VisionSettings()

    def probe(self, path: Path, expect: MediaKind, max_seconds: float) -> MediaFacts:
        info = probe(path, MediaLimits(max_seconds=max_seconds), expect)
        return MediaFacts(
            duration=info.duration,
            has_audio=info.has_audio,
            has_video=info.has_video,
            width=info.width,
            height=info.height,
            container=info.container,
        )

    def device_check(self, path: Path) -> DeviceCheck:
        from interview_core.media.audio import SAMPLE_RATE, load_pcm
        from interview_core.speech.vad import voiced_segments
        from interview_core.vision.signals import analyze_video

        info = probe(path, MediaLimits(max_seconds=DEVICE_CLIP_SECONDS))
        details: dict[str, object] = {"duration": round(info.duration, 2)}
        advice: list[str] = []
        audible = False
        if info.has_audio:
            pcm = load_pcm(path, DEVICE_CLIP_SECONDS)
            voiced = sum(s.end - s.start for s in voiced_segments([pcm], SAMPLE_RATE))
            peak = _peak_dbfs(pcm)
            audible = voiced >= AUDIBLE_VOICED_SECONDS and peak >= AUDIBLE_PEAK_DBFS
            details |= {"voiced_seconds": round(voiced, 2), "peak_dbfs": round(peak, 1)}
        if not audible:
            advice.append("没有检测到清晰的声音：请检查麦克风权限，并靠近手机说几句话。")
        face, lighting = None, None
        if info.has_video:
            signals = analyze_video(path, self.vision)
            face = signals.face_present_ratio >= FACE_VISIBLE_RATIO
            dark, bright = signals.dark_ratio, signals.bright_ratio
            lighting = dark < LIGHTING_BAD_RATIO and bright < LIGHTING_BAD_RATIO
            details |= {
                "face_present_ratio": round(signals.face_present_ratio, 2),
                "dark_ratio": round(dark, 2),
                "bright_ratio": round(bright, 2),
            }
            if not face:
                advice.append("画面中没有稳定地看到人脸：请正对镜头，让脸部完整出现在画面中。")
            if not lighting:
                advice.append("光线不合适：请避免逆光或过暗的环境，面向光源。")
        else:
            advice.append("测试片段没有画面：请允许使用摄像头。")
        return DeviceCheck(audible, face, lighting, info.duration, details, advice)

    def analyze(self, request: AnalysisRequest) -> AnalysisOutcome:
        """The whole pipeline, limited to what the candidate consented to."""
        from interview_core.pipeline import AnalysisSettings, analyze

        settings = AnalysisSettings(
            limits=MediaLimits(max_seconds=self.max_seconds),
            vision=self.vision,
            min_coverage=self.min_coverage,
        )
        if not request.automated_assessment:
            return self._vision_only(request, settings)
        job = job_for(request.job_code, request.job_title, request.competency_model)
        job = with_question(job, request.question, request.question_competencies)
        result = analyze(
            request.media_path,
            job,
            request.question,
            _recognizer(self.model_dir),
            settings,
            vision=request.face_analysis,
            scorer=_scorer(self.scoring),
        )
        analysis = result.to_json()
        if not request.face_analysis:
            analysis["vision"] = {"skipped": NO_FACE_CONSENT}
        scores = [
            AiScore(
                competency=c.name,
                value=c.score,
                confidence=c.confidence or 0.0,
                evidence=[e.to_json() for e in c.evidence],
            )
            for c in result.score.competencies
        ]
        return AnalysisOutcome(analysis=analysis, scores=scores, engine=f"ai:{result.score.engine}")

    def _vision_only(self, request: AnalysisRequest, settings: AnalysisSettings) -> AnalysisOutcome:
        """Human review only: no transcript, no scores; integrity signals if consented."""
        from interview_core.text.scoring import METHOD
        from interview_core.vision.signals import analyze_video

        info = probe(request.media_path, settings.limits)
        vision: dict[str, object] = {"skipped": NO_FACE_CONSENT}
        if request.face_analysis and info.has_video:
            vision = analyze_video(request.media_path, settings.vision).to_json()
        analysis = {
            "media": dict(vars(info)),
            "transcript": None,
            "speech": None,
            "score": None,
            "vision": vision,
            "assessment": NO_ASSESSMENT_CONSENT,
        }
        return AnalysisOutcome(analysis=analysis, scores=[], engine=f"ai:{METHOD}")


@cache
def _recognizer(model_dir: str | None) -> SpeechRecognizer:
    from interview_core.speech.choose import recognizer_from_settings

    return recognizer_from_settings(model_dir)


@cache
def _scorer(choice: ScorerChoice | None) -> AnswerScorer:
    """Once per process: an LLM scorer keeps its HTTP connections and cache."""
    from interview_core.engines.rules import RulesScorer

    return RulesScorer() if choice is None else choice.build()


def with_question(job: JobModel, question: str, competencies: tuple[str, ...]) -> JobModel:
    """The job with the asked question and the competencies it assesses (those the job
    weighs), so an engine can tell them from the job's other competencies."""
    from interview_core.text.jobs import JobQuestion

    if any(q.text.strip() == question.strip() for q in job.questions):
        return job
    weighed = {c.name for c in job.competencies}
    targets = tuple(name for name in competencies if name in weighed)
    return replace(job, questions=(*job.questions, JobQuestion(question.strip(), targets)))


def job_for(code: str, title: str, model: list[dict[str, object]]) -> JobModel:
    """The opening's competency model as the scorer's job; a built-in job with the same
    competencies lends its job-specific keywords."""
    from interview_core.text.jobs import JobCompetency, JobModel, builtin_jobs
    from interview_core.text.library import default_library

    names = [str(item.get("name") or item.get("code") or "") for item in model]
    builtin = builtin_jobs().get(code)
    if builtin is not None and {c.name for c in builtin.competencies} == set(names):
        return builtin
    library = default_library()
    items = []
    for name, item in zip(names, model, strict=True):
        shown = shorten(name, max_chars=20, inline=True) or "未命名的能力"
        try:
            competency = library.get(name)
        except InvalidInput as exc:
            log.info("job %s: %s", code, exc.message)
            raise InvalidInput(
                f"岗位能力模型中的「{shown}」不在能力库中，无法自动评分；"
                "请在岗位设置中改用能力库里的能力。"
            ) from exc
        try:
            weight = Decimal(str(item["weight"]))
            if not weight.is_finite():  # NaN would break the sum check below
                raise InvalidOperation(f"weight {weight}")
            items.append(JobCompetency(competency, weight))
        except (KeyError, ArithmeticError) as exc:
            log.info("job %s: competency %r has no usable weight", code, name)
            raise InvalidInput(
                f"岗位能力模型中的「{shown}」没有设置权重，无法自动评分；请在岗位设置中补上权重。"
            ) from exc
    job = JobModel(code=code, title=title, competencies=tuple(items))
    try:
        job.competency_model()
    except InvalidInput as exc:
        log.info("job %s: %s", code, exc.message)
        raise InvalidInput(
            "岗位能力模型的设置不完整（能力不能为空或重复，权重合计须为 100%），无法自动评分；"
            "请在岗位设置中检查能力模型。"
        ) from exc
    return job


def _peak_dbfs(pcm: np.ndarray) -> float:
    import numpy as np

    peak = float(np.max(np.abs(pcm))) if pcm.size else 0.0
    return 20 * float(np.log10(peak)) if peak > 0 else -100.0
