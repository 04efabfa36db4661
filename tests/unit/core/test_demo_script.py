"""The sandbox demo's recordings (``interview_core.demo_script``): the placeholder video is
real media of the script's length, each file differs, the transcript is laid over the
recording in order, and only a registered recording is ever "analysed" from a script."""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path

import pytest

from interview_core.demo_script import (
    DEMO_NOTE,
    SCRIPT_ENGINE,
    ScriptedAnalysis,
    demo_video,
    script_seconds,
    timed_segments,
)
from interview_core.media.probe import MediaLimits, probe
from recruiting.errors import InvalidInput
from recruiting.ports.analysis import AnalysisRequest

SCRIPT = (
    "去年双十一前，订单服务在晚高峰大量超时。我负责排查，用慢查询日志定位到一条没走索引的查询。"
    "我当晚把查询降级到从库，又加了联合索引，接口的 P99 从两秒降到一百二十毫秒。"
)
MODEL = [{"code": "problem_solving", "name": "问题解决", "weight": "0.6"},
         {"code": "professional_skill", "name": "专业技能", "weight": "0.4"}]  # fmt: skip


def _request(path: Path) -> AnalysisRequest:
    return AnalysisRequest(path, "demo-x", "后端开发工程师（示例）", MODEL,
                           "请讲一次你排查并解决线上疑难故障的经历。", ("问题解决", "专业技能"),
                           automated_assessment=True, face_analysis=False)  # fmt: skip


def test_video_is_real_media_as_long_as_reading_the_script(tmp_path: Path) -> None:
    seconds = script_seconds(SCRIPT)
    data = demo_video(1, seconds)
    path = tmp_path / "a.mp4"
    path.write_bytes(data)
    info = probe(path, MediaLimits(max_seconds=600))
    assert info.has_video and not info.has_audio
    assert abs(info.duration - seconds) < 0.6
    assert len(data) < 60_000
    assert hashlib.sha256(demo_video(2, seconds)).digest() != hashlib.sha256(data).digest()


def test_segments_cover_the_recording_in_order() -> None:
    segments = timed_segments(SCRIPT, 30.0)
    assert "".join(s.text for s in segments) == SCRIPT
    assert segments[0].start == 0 and abs(segments[-1].end - 30.0) < 0.05
    pairs = itertools.pairwise(segments)
    assert all(a.end == pytest.approx(b.start, abs=0.02) for a, b in pairs)
    longest = max(segments, key=lambda s: len(s.text))
    assert longest.end - longest.start == max(s.end - s.start for s in segments)


def test_a_registered_recording_is_scored_from_its_script(tmp_path: Path) -> None:
    analysis = ScriptedAnalysis()
    data = demo_video(3, script_seconds(SCRIPT))
    analysis.register(data, SCRIPT)
    path = tmp_path / "b.mp4"
    path.write_bytes(data)
    outcome = analysis.analyze(_request(path))
    assert outcome.analysis["demo"] == DEMO_NOTE
    assert outcome.analysis["transcript"]["engine"] == SCRIPT_ENGINE
    assert outcome.analysis["speech"] is None and "skipped" in outcome.analysis["vision"]
    scored = {s.competency: s for s in outcome.scores}
    assert scored["问题解决"].value is not None and scored["问题解决"].evidence
    assert all(e["quote"] in SCRIPT for s in outcome.scores for e in s.evidence)
    assert outcome.engine.startswith("ai:rules")


def test_any_other_recording_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.mp4"
    path.write_bytes(demo_video(4, 10))
    with pytest.raises(InvalidInput) as refused:
        ScriptedAnalysis().analyze(_request(path))
    assert "演示录像" in refused.value.message  # HR reads it: Chinese, no developer text
