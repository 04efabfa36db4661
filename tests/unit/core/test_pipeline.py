"""The whole analysis pipeline on real media made here: probe → audio → VAD → ASR → speech
metrics → vision → scoring → follow-up → JSON (and the HTML report through the CLI).

Speech is espeak-ng Mandarin; the recogniser is a tiny randomly initialised conformer
installed from a tarball through ``install_model``, so its text is random. The tests assert
structure and honesty (timestamps inside the media, every quote verbatim in the transcript,
"not assessed" instead of invented scores), never words or score values.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from interview_core.errors import MediaRejected, MediaTooLong
from interview_core.media.audio import SAMPLE_RATE, load_pcm
from interview_core.media.probe import MediaLimits
from interview_core.pipeline import AnalysisSettings, analyze
from interview_core.report.explain import candidate_explanation
from interview_core.speech.port import (
    SpeechRecognizer,
    Transcript,
    UnavailableRecognizer,
    recognizer_from_settings,
)
from interview_core.speech.segments import Segment
from interview_core.text.jobs import JobModel, resolve_job
from interview_core.text.scoring import score_answer
from recruiting.domain.assessment_reasons import (
    NO_TRANSCRIPT_LABELS,
    NOT_ASSESSED_LABELS,
    NotAssessed,
    NoTranscript,
)
from tests.unit.core import mediafactory

ROOT = Path(__file__).resolve().parents[3]
CLIP_SECONDS = 5.0
LEAD_SECONDS = 0.4  # silence before the candidate starts talking
QUESTION = "请讲一次你说服一位犹豫不决的客户最终成交的经历。"
PINYIN = (
    "qu4 nian2 wo3 fu4 ze2 yi2 ge4 da4 ke4 hu4, ta1 yi4 zhi2 you2 yu4. "
    "wo3 xian1 yue1 ta1 mian4 tan2, ran2 hou4 zhi4 ding4 le5 shi4 dian3 fang1 an4, "
    "zui4 zhong1 qian1 xia4 le5 ba1 shi2 liu4 wan4 de5 he2 tong2."
)
STAR_PARTS = ("situation", "task", "action", "result")
TOP_KEYS = {"job", "question", "media", "transcript", "speech", "vision", "score", "followup"}


# -- media and model, made once per module -------------------------------------------------


@pytest.fixture(scope="module")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pipeline-media")


@pytest.fixture(scope="module")
def speech_wav(media_dir: Path) -> Path:
    """espeak-ng Mandarin (22.05 kHz wav), about six seconds."""
    return mediafactory.espeak_wav(media_dir / "answer.wav", PINYIN)


@pytest.fixture(scope="module")
def speech_mp4(media_dir: Path, speech_wav: Path) -> Path:
    """h264 + aac: a face on a wall, the espeak answer from LEAD_SECONDS to the very end.

    The speech runs until the clip ends, so a voiced segment reaches the last sample.
    """
    speech = load_pcm(speech_wav)
    total = round(CLIP_SECONDS * SAMPLE_RATE)
    lead = round(LEAD_SECONDS * SAMPLE_RATE)
    audio = np.zeros(total, np.float32)
    audio[lead:] = np.resize(speech, total - lead)  # repeats the answer if it is too short
    return mediafactory.face_video(media_dir / "answer.mp4", CLIP_SECONDS, audio=audio)


@pytest.fixture(scope="module")
def voice_amr(media_dir: Path, speech_wav: Path) -> Path:
    """A WeCom voice message: AMR-NB at 8 kHz, audio only."""
    return mediafactory.amr_from_wav(speech_wav, media_dir / "voice.amr")


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models directory with the tiny conformer installed (and active) from a tarball."""
    if importlib.util.find_spec("paddlespeech") is None:
        pytest.skip("paddlepaddle + paddlespeech are not installed in this environment")
    from interview_core.speech.models import install_model
    from tests.unit.core import tinyconformer

    archive = tinyconformer.build_archive(tmp_path_factory.mktemp("tiny-archive"))
    models = tmp_path_factory.mktemp("speech-models")
    install_model(str(archive), models_dir=models, md5=tinyconformer.md5(archive))
    return models


@pytest.fixture(scope="module")
def recognizer(models_dir: Path) -> SpeechRecognizer:
    found = recognizer_from_settings(str(models_dir))
    assert not isinstance(found, UnavailableRecognizer), found
    return found


@pytest.fixture(scope="module")
def sales() -> JobModel:
    return resolve_job("sales")


@pytest.fixture(scope="module")
def video_result(speech_mp4: Path, sales: JobModel, recognizer: SpeechRecognizer) -> dict[str, Any]:
    return analyze(speech_mp4, sales, QUESTION, recognizer).to_json()


@pytest.fixture(scope="module")
def no_model_result(
    speech_mp4: Path, sales: JobModel, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, Any], Path]:
    empty = tmp_path_factory.mktemp("no-models")
    recognizer = recognizer_from_settings(str(empty))
    assert isinstance(recognizer, UnavailableRecognizer)
    return analyze(speech_mp4, sales, QUESTION, recognizer).to_json(), empty


# -- shared checks -------------------------------------------------------------------------


def transcript_text(result: dict[str, Any]) -> str:
    transcript = result["transcript"]
    return str(transcript["text"]) if transcript["available"] else ""


def assert_timestamps_inside(result: dict[str, Any]) -> None:
    duration = result["media"]["duration"]
    segments = result["transcript"]["segments"]
    assert segments, "voiced speech must give at least one segment"
    previous_end = 0.0
    for segment in segments:
        assert 0.0 <= segment["start"] < segment["end"] <= duration, (segment, duration)
        assert segment["start"] >= previous_end  # in order, not overlapping
        previous_end = segment["end"]
        assert isinstance(segment["text"], str)
        assert isinstance(segment["error"], str)
        assert not (segment["text"] and segment["error"])  # an error means no text


def assert_speech_metrics(result: dict[str, Any]) -> None:
    speech = result["speech"]
    assert speech is not None
    duration = result["media"]["duration"]
    # The PCM analysed is the recording: not longer than it (decoders pad the last frame).
    assert 0.0 < speech["total_seconds"] <= duration
    assert 0.0 < speech["speaking_seconds"] <= speech["total_seconds"]
    assert 0.0 < speech["speaking_ratio"] <= 1.0
    assert speech["too_short"] is True  # a few seconds is below the 20 s minimum
    assert speech["notes"]


def assert_honest_score(result: dict[str, Any], job: JobModel) -> None:
    """Scores only where the transcript gives evidence; every quote is verbatim."""
    text = transcript_text(result)
    score = result["score"]
    assert {"overall", "coverage", "competencies", "star", "method"} <= set(score)
    assert list(score["competencies"]) == [c.name for c in job.competencies]
    assessed = 0
    for name, item in score["competencies"].items():
        if item["score"] is None:
            assert item["evidence"] == [] and item["confidence"] is None, name
            assert item["not_assessed_reason"] and "未评估" in item["not_assessed_reason"]
            continue
        assessed += 1
        assert 1.0 <= item["score"] <= 5.0
        assert item["evidence"], f"{name} scored without evidence"
        for evidence in item["evidence"]:
            assert evidence["quote"] and evidence["quote"] in text, evidence
    assert set(STAR_PARTS) <= set(score["star"])
    for part in STAR_PARTS:
        for quote in score["star"][part]:
            assert quote and quote in text, (part, quote)
    if assessed:
        assert 0.0 <= score["overall"] <= 100.0 and 0.0 < score["coverage"] <= 1.0
    else:
        assert score["overall"] is None and score["coverage"] == 0.0
    followup = result["followup"]
    if text.strip():
        assert followup is not None and followup["question"]
        assert followup["quote"] in text
    else:
        assert followup is None
    # Scores come from the transcript alone: vision and speech metrics never feed them.
    transcript = result["transcript"]
    missing = "" if transcript["available"] else transcript["reason_code"]
    direct = score_answer(text, result["question"], job, no_transcript=missing).to_json()
    assert json.loads(json.dumps(direct)) == json.loads(json.dumps(score))


# -- video with a model --------------------------------------------------------------------


def test_video_with_a_model_gives_every_stage(
    video_result: dict[str, Any], sales: JobModel
) -> None:
    result = video_result
    assert set(result) == TOP_KEYS
    json.dumps(result)  # plain JSON, no custom encoder needed
    assert result["job"] == sales.title and result["question"] == QUESTION

    media = result["media"]
    assert media["has_video"] and media["has_audio"]
    assert (media["video_codec"], media["audio_codec"]) == ("h264", "aac")
    assert (media["width"], media["height"]) == mediafactory.VIDEO_SIZE
    assert media["duration"] == pytest.approx(CLIP_SECONDS, abs=0.1)

    transcript = result["transcript"]
    assert transcript["available"] is True and transcript["reason"] == ""
    assert transcript["engine"].startswith("paddlespeech:")
    assert_timestamps_inside(result)
    assert result["transcript"]["segments"][0]["start"] >= LEAD_SECONDS - 0.15
    assert transcript["text"] == " ".join(s["text"] for s in transcript["segments"] if s["text"])

    assert_speech_metrics(result)
    speech = result["speech"]
    assert isinstance(speech["characters"], int)
    assert speech["speaking_rate_cpm"] is not None and speech["speaking_rate_cpm"] >= 0
    assert isinstance(speech["fillers"], dict) and isinstance(speech["filler_count"], int)

    vision = result["vision"]
    assert vision is not None
    assert vision["not_scored"] is True
    assert vision["face_present_ratio"] > 0.5
    assert 8 <= vision["frames_analyzed"] <= 11  # 2 sampled frames per second of 5 s
    assert vision["seconds_analyzed"] <= media["duration"]
    assert vision["neutral_expression_count"] is None  # off unless enabled

    assert_honest_score(result, sales)


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


# -- a WeCom voice message -----------------------------------------------------------------


def test_wecom_amr_voice_note_is_audio_only(
    voice_amr: Path, sales: JobModel, recognizer: SpeechRecognizer
) -> None:
    result = analyze(voice_amr, sales, QUESTION, recognizer).to_json()
    media = result["media"]
    assert media["has_audio"] and not media["has_video"]
    assert media["audio_codec"] is not None and "amr" in media["audio_codec"]
    assert media["width"] is None and media["fps"] is None
    assert result["vision"] is None
    assert result["transcript"]["available"] is True
    assert result["transcript"]["engine"] == recognizer.name
    assert_timestamps_inside(result)
    assert_speech_metrics(result)
    assert_honest_score(result, sales)


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


# -- the command line ----------------------------------------------------------------------


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SPEECH_MODEL_DIR"}
    return subprocess.run(
        [sys.executable, "-m", "interview_core", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )


def test_cli_analyze_prints_json_and_writes_the_report(
    speech_mp4: Path, models_dir: Path, tmp_path: Path, sales: JobModel
) -> None:
    report = tmp_path / "report"
    done = run_cli("analyze", str(speech_mp4), "--job", "sales", "--question", QUESTION,
                   "--report", str(report), "--model-dir", str(models_dir))  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert set(result) == TOP_KEYS | {"report"}
    assert result["transcript"]["available"] is True
    assert result["vision"]["not_scored"] is True
    assert_timestamps_inside(result)
    assert_honest_score(result, sales)
    html_path = report / "report.html"
    assert Path(result["report"]) == html_path
    assert (report / "radar.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    html = html_path.read_text(encoding="utf-8")
    assert "AI 分析仅供参考" in html and "不参与能力评分" in html
    assert result["transcript"]["engine"] in html


def test_cli_analyze_broken_media_is_one_error_line(models_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 8)
    done = run_cli("analyze", str(broken), "--job", "sales", "--question", QUESTION,
                   "--model-dir", str(models_dir), "--report", str(tmp_path / "r"))  # fmt: skip
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "broken.mp4" in lines[0], lines
    assert not (tmp_path / "r").exists()


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
