"""The analysis pipeline without a speech model on real media made here: probe → audio →
VAD → speech metrics → vision → scoring → JSON, refusing bad input before recognition.

Speech is espeak-ng Mandarin. With no model installed the transcript is missing for a
system reason and nothing is invented; ``tests/speech/test_pipeline_with_model.py`` runs
the same media through a tiny real recogniser.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from interview_core.errors import MediaRejected, MediaTooLong
from interview_core.media.probe import MediaLimits
from interview_core.pipeline import AnalysisSettings, analyze
from interview_core.report.explain import candidate_explanation
from interview_core.speech.choose import recognizer_from_settings
from interview_core.speech.port import Transcript, UnavailableRecognizer
from interview_core.speech.segments import Segment
from interview_core.text.jobs import JobModel, resolve_job
from interview_core.text.scoring import score_answer
from recruiting.domain.assessment_reasons import (
    NO_TRANSCRIPT_LABELS,
    NOT_ASSESSED_LABELS,
    NotAssessed,
    NoTranscript,
)
from tests.unit.core.pipeline_checks import (
    CLIP_SECONDS,
    QUESTION,
    STAR_PARTS,
    TOP_KEYS,
    assert_honest_score,
    assert_speech_metrics,
    make_speech_mp4,
    make_speech_wav,
)

# -- media, made once per module -----------------------------------------------------------


@pytest.fixture(scope="module")
def speech_mp4(tmp_path_factory: pytest.TempPathFactory) -> Path:
    media_dir = tmp_path_factory.mktemp("pipeline-media")
    return make_speech_mp4(media_dir, make_speech_wav(media_dir))


@pytest.fixture(scope="module")
def sales() -> JobModel:
    return resolve_job("sales")


@pytest.fixture(scope="module")
def no_model_result(
    speech_mp4: Path, sales: JobModel, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, Any], Path]:
    empty = tmp_path_factory.mktemp("no-models")
    recognizer = recognizer_from_settings(str(empty))
    assert isinstance(recognizer, UnavailableRecognizer)
    return analyze(speech_mp4, sales, QUESTION, recognizer).to_json(), empty


# -- video without a model -----------------------------------------------------------------


def test_video_without_a_model_invents_nothing(
    no_model_result: tuple[dict[str, Any], Path], sales: JobModel
) -> None:
    result, empty = no_model_result
    assert set(result) == TOP_KEYS
    transcript = result["transcript"]
    assert transcript["available"] is False
    assert transcript["segments"] == [] and transcript["text"] == ""
    # people read the code's Chinese label; the path and install command are for operators
    assert transcript["reason_code"] == NoTranscript.MODEL_MISSING
    assert transcript["reason"] == NO_TRANSCRIPT_LABELS[NoTranscript.MODEL_MISSING]
    assert str(empty) not in json.dumps(result) and "install-model" not in json.dumps(result)

    assert_speech_metrics(result)  # VAD needs no model
    speech = result["speech"]
    for key in ("characters", "speaking_rate_cpm", "fillers", "filler_count"):
        assert speech[key] is None, key

    score = result["score"]
    assert score["overall"] is None and score["coverage"] == 0.0
    for item in score["competencies"].values():  # the system's fault, not the candidate's
        assert item["score"] is None
        assert item["not_assessed_code"] == NotAssessed.SYSTEM_NO_TRANSCRIPT
        assert item["not_assessed_reason"] == NOT_ASSESSED_LABELS[NotAssessed.SYSTEM_NO_TRANSCRIPT]
    assert all(score["star"][part] == [] for part in STAR_PARTS)
    assert result["followup"] is None
    assert result["vision"] is not None and result["vision"]["face_present_ratio"] > 0.5
    assert_honest_score(result, sales)


def test_explanation_without_a_model_speaks_to_the_candidate(
    no_model_result: tuple[dict[str, Any], Path],
) -> None:
    """What ``/explanation`` shows her: the system's reason in Chinese, no install command."""
    result, empty = no_model_result
    text = "".join(candidate_explanation(result))
    assert "由于系统原因，您的录音没能转写为文字" in text and "与您的回答无关" in text
    assert "本次没有语音转写（系统暂未开通语音识别）" in text
    assert "install" not in text and str(empty) not in text and "没有相关依据" not in text


# -- bad input -----------------------------------------------------------------------------


class NeverCalled:
    """A recogniser that fails the test if bad input ever reaches speech recognition."""

    name = "never-called"

    def transcribe(self, pcm: Any, sample_rate: int, segments: Sequence[Segment]) -> Transcript:
        raise AssertionError("bad input reached the recogniser")


def test_text_file_renamed_mp4_is_rejected(tmp_path: Path, sales: JobModel) -> None:
    fake = tmp_path / "answer.mp4"
    fake.write_text("这不是视频，只是一段文字。\n" * 20, encoding="utf-8")
    with pytest.raises(MediaRejected) as caught:
        analyze(fake, sales, QUESTION, NeverCalled())
    assert "answer.mp4" in caught.value.message


def test_media_over_the_limit_is_refused(speech_mp4: Path, sales: JobModel) -> None:
    settings = AnalysisSettings(limits=MediaLimits(max_seconds=CLIP_SECONDS / 2))
    with pytest.raises(MediaTooLong) as caught:
        analyze(speech_mp4, sales, QUESTION, NeverCalled(), settings)
    assert "over the limit" in caught.value.message


# -- determinism ---------------------------------------------------------------------------


def test_scoring_the_same_transcript_twice_is_identical(sales: JobModel) -> None:
    answer = (
        "去年三月我负责一家连锁餐饮客户，老板一直犹豫。我先约他面谈，耐心倾听他的顾虑，"
        "然后协调实施团队制定了试点方案。最终签下了28家门店的合同，金额86万元。"
    )
    first = json.dumps(score_answer(answer, QUESTION, sales).to_json(), ensure_ascii=False)
    second = json.dumps(score_answer(answer, QUESTION, sales).to_json(), ensure_ascii=False)
    assert first == second
    assert json.loads(first)["overall"] is not None
