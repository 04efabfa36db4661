"""The whole analysis pipeline with a speech model: probe → audio → VAD → ASR → speech
metrics → vision → scoring → follow-up → JSON (and the HTML report through the CLI).

Speech is espeak-ng Mandarin; the recogniser is a tiny randomly initialised conformer
installed from a tarball through ``install_model``, so its text is random. The tests assert
structure and honesty (timestamps inside the media, every quote verbatim in the transcript),
never words or score values.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from interview_core.pipeline import analyze
from interview_core.speech.choose import recognizer_from_settings
from interview_core.speech.port import (
    SpeechRecognizer,
    UnavailableRecognizer,
)
from interview_core.text.jobs import JobModel, resolve_job
from tests.unit.core import mediafactory
from tests.unit.core.pipeline_checks import (
    CLIP_SECONDS,
    LEAD_SECONDS,
    QUESTION,
    TOP_KEYS,
    assert_honest_score,
    assert_speech_metrics,
    assert_timestamps_inside,
    make_speech_mp4,
    make_speech_wav,
    make_voice_amr,
    run_cli,
)

# -- media and model, made once per module -------------------------------------------------


@pytest.fixture(scope="module")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pipeline-media")


@pytest.fixture(scope="module")
def speech_wav(media_dir: Path) -> Path:
    return make_speech_wav(media_dir)


@pytest.fixture(scope="module")
def speech_mp4(media_dir: Path, speech_wav: Path) -> Path:
    return make_speech_mp4(media_dir, speech_wav)


@pytest.fixture(scope="module")
def voice_amr(media_dir: Path, speech_wav: Path) -> Path:
    return make_voice_amr(media_dir, speech_wav)


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models directory with the tiny conformer installed (and active) from a tarball."""
    if importlib.util.find_spec("paddlespeech") is None:
        pytest.skip("paddlepaddle + paddlespeech are not installed in this environment")
    from interview_core.speech.models import install_model
    from tests.speech import tinyconformer

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


# -- the command line ----------------------------------------------------------------------


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
