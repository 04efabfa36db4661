"""Voice activity detection and speech metrics, on audio with known voiced spans."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from interview_core.media.audio import load_pcm, pcm_chunks
from interview_core.speech.metrics import count_characters, count_fillers, speech_metrics
from interview_core.speech.segments import Segment
from interview_core.speech.vad import VoicedSegment, split_for_asr, voiced_segments
from tests.unit.core import mediafactory as mf

SR = 16000


def _assert_spans(found: list[Segment], truth: list[Segment], tolerance: float = 0.1) -> None:
    assert len(found) == len(truth), found
    for got, want in zip(found, truth, strict=True):
        assert got.start == pytest.approx(want.start, abs=tolerance)
        assert got.end == pytest.approx(want.end, abs=tolerance)


# --- VAD -----------------------------------------------------------------------------------


@pytest.mark.parametrize("ext", [".wav", ".mp3", ".ogg", ".amr"])
def test_vad_finds_the_known_bursts(tmp_path: Path, ext: str) -> None:
    wav = tmp_path / "bursts.wav"
    truth = mf.speech_with_pauses(wav)
    path = mf.amr_from_wav(wav, tmp_path / "b.amr") if ext == ".amr" else wav
    if ext not in (".wav", ".amr"):
        path = mf.write_audio(tmp_path / f"b{ext}", load_pcm(wav), SR)

    _assert_spans(voiced_segments(pcm_chunks(path, chunk_seconds=1.7)), truth)


@pytest.mark.parametrize("noise_db", [-45.0, -30.0])
def test_vad_adapts_to_background_noise(tmp_path: Path, noise_db: float) -> None:
    truth = mf.speech_with_pauses(tmp_path / "noisy.wav", noise_db=noise_db)

    _assert_spans(voiced_segments(pcm_chunks(tmp_path / "noisy.wav")), truth)


def test_vad_floor_follows_noise_that_gets_louder() -> None:
    """A fan switched on at 8 s must not count as speech for the rest of the answer."""
    rng = np.random.default_rng(0)
    audio = np.concatenate(
        [0.001 * rng.standard_normal(8 * SR), 0.03 * rng.standard_normal(22 * SR)]
    )
    audio = audio.astype(np.float32)
    audio[2 * SR : 4 * SR] += mf.speech_like(2.0)
    audio[24 * SR : 27 * SR] += mf.speech_like(3.0)

    found = voiced_segments([audio])

    assert sum(s.duration for s in found) < 2.0 + 3.0 + 2.0  # at most a short false start
    assert found[-1].start == pytest.approx(24.0, abs=0.1)
    assert found[-1].end == pytest.approx(27.0, abs=0.1)


def test_vad_is_silent_on_silence_and_empty_input() -> None:
    assert voiced_segments([np.zeros(3 * SR, np.float32)]) == []
    assert voiced_segments([]) == []


def test_vad_chunking_does_not_change_the_result() -> None:
    audio = np.concatenate(
        [np.zeros(SR // 3), mf.speech_like(2.2), np.zeros(SR), mf.speech_like(1.1)]
    )
    audio = audio.astype(np.float32)

    whole = voiced_segments([audio])
    pieces = voiced_segments([audio[i : i + 777] for i in range(0, len(audio), 777)])

    assert whole == pieces and len(whole) == 2


def test_vad_on_real_mandarin_speech_finds_the_long_pause(tmp_path: Path) -> None:
    first = load_pcm(mf.espeak_wav(tmp_path / "a.wav", "ni3 hao3, wo3 jiao4 li3 ming2."))
    second = load_pcm(mf.espeak_wav(tmp_path / "b.wav", "wo3 zuo4 hou4 duan1 kai1 fa1."))
    audio = np.concatenate([first, np.zeros(3 * SR, np.float32), second])

    found = voiced_segments([audio])
    gaps = [b.start - a.end for a, b in itertools.pairwise(found)]

    assert max(gaps) == pytest.approx(3.0, abs=0.4)  # espeak's own trailing silence adds a bit
    assert sum(s.duration for s in found) == pytest.approx((len(first) + len(second)) / SR, rel=0.3)


# --- split for ASR -------------------------------------------------------------------------


def test_split_for_asr_cuts_at_brief_gaps() -> None:
    """A minute of speech with 0.15 s breaths every 7 s is cut at breaths, under 25 s each."""
    parts = [
        np.concatenate([mf.speech_like(6.85, seed=i), np.zeros(int(0.15 * SR))]) for i in range(9)
    ]
    audio = np.concatenate(parts).astype(np.float32)
    spans = voiced_segments([audio])
    assert len(spans) == 1 and isinstance(spans[0], VoicedSegment)

    pieces = split_for_asr(spans, max_seconds=25.0)

    assert all(p.duration <= 25.0 for p in pieces) and len(pieces) == 3
    for cut in (p.end for p in pieces[:-1]):
        assert min(abs(cut - (7.0 * k - 0.075)) for k in range(1, 10)) < 0.05
    assert pieces[0].start == spans[0].start and pieces[-1].end == spans[0].end


def test_split_for_asr_hard_cuts_without_gaps_and_keeps_short_spans() -> None:
    short = Segment(0.0, 10.0)
    long = Segment(12.0, 72.0)

    pieces = split_for_asr([short, long], max_seconds=25.0)

    assert pieces == [short, Segment(12.0, 37.0), Segment(37.0, 62.0), Segment(62.0, 72.0)]


# --- metrics -------------------------------------------------------------------------------

SPANS = [Segment(0.5, 10.0), Segment(10.5, 20.0), Segment(23.0, 40.0), Segment(45.5, 58.0)]


def test_metrics_pauses_and_speaking_time() -> None:
    m = speech_metrics(SPANS, 60.0, None)

    assert m.speaking_seconds == pytest.approx(9.5 + 9.5 + 17.0 + 12.5)
    assert m.speaking_ratio == pytest.approx(48.5 / 60)
    assert m.pause_count == 3
    assert m.pause_mean_seconds == pytest.approx((0.5 + 3.0 + 5.5) / 3)
    assert m.pause_longest_seconds == pytest.approx(5.5)
    assert [(p.start, p.seconds) for p in m.long_pauses] == [(20.0, 3.0), (40.0, 5.5)]
    assert not m.too_short
    assert any("2 次超过 2 秒的停顿" in n and "20 秒" in n for n in m.notes)


def test_metrics_without_transcript_invent_nothing() -> None:
    m = speech_metrics(SPANS, 60.0, None)

    assert m.speaking_rate_cpm is None and m.characters is None
    assert m.fillers is None and m.filler_count is None and m.fillers_per_minute is None
    assert any("没有转写文本" in n for n in m.notes)
    assert m.to_json()["speaking_rate_cpm"] is None


def test_metrics_speaking_rate_from_transcript() -> None:
    text = "我在上一家公司负责后端开发，主要做订单系统。" * 10  # 20 characters, 10 times
    spans = [Segment(0.0, 30.0), Segment(31.0, 61.0)]  # one minute of speaking

    m = speech_metrics(spans, 62.0, text)

    assert m.characters == 200
    assert m.speaking_rate_cpm == pytest.approx(200.0)
    assert not any("语速" in n for n in m.notes)


def test_metrics_fillers_are_counted_as_words() -> None:
    text = "嗯嗯，我觉得这个问题啊，就是说，呃，然后我们那个，也就是说团队对吧，然后就是这样"

    fillers = count_fillers(text)

    assert fillers == {
        "嗯": 2, "这个": 1, "啊": 1, "就是说": 1, "呃": 1, "然后": 2, "那个": 1, "对吧": 1,
        "就是": 1,
    }  # fmt: skip
    assert count_characters("我们用Python做了3个项目。") == 8


def test_metrics_filler_rate_and_note() -> None:
    text = "嗯，然后，那个，我们就是做了这个项目，嗯，对吧。" * 4
    m = speech_metrics([Segment(0.0, 30.0)], 30.0, text)

    assert m.filler_count == 28
    assert m.fillers_per_minute == pytest.approx(56.0)
    assert any("口头语较多" in n for n in m.notes)


def test_metrics_too_short_answer() -> None:
    m = speech_metrics([Segment(1.0, 9.0), Segment(10.0, 15.0)], 30.0, "我没什么要说的")

    assert m.too_short and m.speaking_seconds == pytest.approx(13.0)
    assert any("少于 20 秒" in n for n in m.notes)
    assert not speech_metrics([Segment(0.0, 13.0)], 13.0, None, min_answer_seconds=10.0).too_short


def test_metrics_of_silence() -> None:
    m = speech_metrics([], 30.0, "")

    assert m.speaking_seconds == 0 and m.too_short and m.pause_count == 0
    assert m.speaking_rate_cpm is None and m.fillers == {}
    assert m.to_json()["long_pauses"] == []


def test_metrics_from_real_vad_output(tmp_path: Path) -> None:
    path = tmp_path / "answer.wav"
    mf.speech_with_pauses(path, spans=((0.5, 12.0), (15.0, 24.0)), total=25.0)

    m = speech_metrics(voiced_segments(pcm_chunks(path)), 25.0, None)

    assert m.speaking_seconds == pytest.approx(20.5, abs=0.2)
    assert [round(p.seconds) for p in m.long_pauses] == [3]
