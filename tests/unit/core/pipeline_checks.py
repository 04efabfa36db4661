"""What the pipeline tests share: the answer they analyse (espeak-ng Mandarin in a face
video, or a WeCom voice note) and the checks every result must pass, with a model
(``tests/speech``) or without one (``tests/unit/core/test_pipeline.py``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

from interview_core.media.audio import SAMPLE_RATE, load_pcm
from interview_core.text.jobs import JobModel
from interview_core.text.scoring import score_answer
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


def make_speech_wav(media_dir: Path) -> Path:
    """espeak-ng Mandarin (22.05 kHz wav), about six seconds."""
    return mediafactory.espeak_wav(media_dir / "answer.wav", PINYIN)


def make_speech_mp4(media_dir: Path, speech_wav: Path) -> Path:
    """h264 + aac: a face on a wall, the espeak answer from LEAD_SECONDS to the very end.

    The speech runs until the clip ends, so a voiced segment reaches the last sample.
    """
    speech = load_pcm(speech_wav)
    total = round(CLIP_SECONDS * SAMPLE_RATE)
    lead = round(LEAD_SECONDS * SAMPLE_RATE)
    audio = np.zeros(total, np.float32)
    audio[lead:] = np.resize(speech, total - lead)  # repeats the answer if it is too short
    return mediafactory.face_video(media_dir / "answer.mp4", CLIP_SECONDS, audio=audio)


def make_voice_amr(media_dir: Path, speech_wav: Path) -> Path:
    """A WeCom voice message: AMR-NB at 8 kHz, audio only."""
    return mediafactory.amr_from_wav(speech_wav, media_dir / "voice.amr")


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
