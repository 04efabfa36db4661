"""Probing, audio streaming and frame sampling on real files written by FFmpeg encoders."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import av
import numpy as np
import pytest

from interview_core.errors import MediaRejected, MediaTooLong
from interview_core.media import video
from interview_core.media.audio import load_pcm, pcm_chunks
from interview_core.media.probe import MediaLimits, probe
from interview_core.media.video import sample_frames
from tests.unit.core import mediafactory as mf

SECONDS = 3.0
AUDIO_FORMATS = {
    ".wav": "pcm_s16le",
    ".mp3": "mp3",
    ".m4a": "aac",
    ".ogg": "opus",
    ".webm": "opus",
    ".amr": "amr_nb",
}
VIDEO_FILES = {"video.mp4": ("h264", "aac"), "video.webm": ("vp8", "opus")}


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A 3 s 440 Hz tone in every audio format, and 3 s videos with and without sound."""
    folder = tmp_path_factory.mktemp("media")
    files = {"tone.wav": mf.tone_wav(folder / "tone.wav", SECONDS)}
    for ext in AUDIO_FORMATS:
        if ext == ".amr":
            files[f"tone{ext}"] = mf.amr_from_wav(files["tone.wav"], folder / "tone.amr")
        elif ext != ".wav":
            files[f"tone{ext}"] = mf.write_audio(folder / f"tone{ext}", mf.tone(SECONDS), 16000)
    frames = mf.face_frames(SECONDS, fps=10)
    for name in VIDEO_FILES:
        codec = "libx264" if name.endswith(".mp4") else "libvpx"
        files[name] = mf.write_video(folder / name, frames, 10, codec, audio=mf.tone(SECONDS))
    files["silent.webm"] = mf.write_video(folder / "silent.webm", frames, 10, "libvpx-vp9")
    files["faststart.mp4"] = mf.write_video(folder / "faststart.mp4", frames, 10, faststart=True)
    files["live.webm"] = mf.write_video(folder / "live.webm", frames, 10, "libvpx", live=True)
    return files


# --- probe ---------------------------------------------------------------------------------


@pytest.mark.parametrize("ext", AUDIO_FORMATS)
def test_probe_accepts_each_audio_format(media: dict[str, Path], ext: str) -> None:
    info = probe(media[f"tone{ext}"], expect="audio")

    assert info.has_audio and not info.has_video
    assert info.audio_codec == AUDIO_FORMATS[ext]
    assert info.duration == pytest.approx(SECONDS, abs=0.15)
    assert info.width is None and info.fps is None


@pytest.mark.parametrize("name", VIDEO_FILES)
def test_probe_describes_video_with_sound(media: dict[str, Path], name: str) -> None:
    info = probe(media[name], expect="video")

    assert (info.video_codec, info.audio_codec) == VIDEO_FILES[name]
    assert (info.width, info.height, info.fps) == (640, 480, 10.0)
    assert info.has_audio and info.has_video
    assert info.duration == pytest.approx(SECONDS, abs=0.1)


def test_probe_counts_duration_when_the_container_has_none(media: dict[str, Path]) -> None:
    """Browser-recorded webm carries no duration; the packets are counted instead."""
    assert probe(media["live.webm"]).duration == pytest.approx(SECONDS, abs=0.15)

    with pytest.raises(MediaTooLong):
        probe(media["live.webm"], MediaLimits(max_seconds=2.0))


def test_probe_refuses_text_renamed_mp4(tmp_path: Path) -> None:
    fake = tmp_path / "answer.mp4"
    fake.write_text("这不是视频 " * 100, encoding="utf-8")

    with pytest.raises(MediaRejected, match=r"answer\.mp4"):
        probe(fake)


def test_probe_refuses_empty_and_missing_files(tmp_path: Path) -> None:
    (tmp_path / "empty.mp4").write_bytes(b"")

    with pytest.raises(MediaRejected, match="empty"):
        probe(tmp_path / "empty.mp4")
    with pytest.raises(MediaRejected, match="no such file"):
        probe(tmp_path / "missing.mp4")


@pytest.mark.parametrize(
    ("name", "fraction"),
    [("video.mp4", 0.5), ("faststart.mp4", 0.5), ("faststart.mp4", 0.8), ("video.webm", 0.5)],
)
def test_probe_refuses_truncated_uploads(
    media: dict[str, Path], tmp_path: Path, name: str, fraction: float
) -> None:
    cut = mf.truncate(media[name], tmp_path / f"cut-{name}", fraction)

    with pytest.raises(MediaRejected):
        probe(cut)


def test_probe_refuses_truncated_audio_whose_header_claims_more(
    media: dict[str, Path], tmp_path: Path
) -> None:
    cut = mf.truncate(media["tone.mp3"], tmp_path / "cut.mp3", 0.5)

    with pytest.raises(MediaRejected, match="truncated"):
        probe(cut)


def test_probe_refuses_over_limit_duration_size_and_dimensions(media: dict[str, Path]) -> None:
    with pytest.raises(MediaTooLong, match="over the limit of 2s"):
        probe(media["tone.wav"], MediaLimits(max_seconds=2.0))
    with pytest.raises(MediaTooLong, match="bytes"):
        probe(media["video.mp4"], MediaLimits(max_bytes=1000))
    with pytest.raises(MediaRejected, match="640x480"):
        probe(media["video.mp4"], MediaLimits(max_width=320, max_height=240))


def test_probe_accepts_portrait_within_landscape_limits(tmp_path: Path) -> None:
    portrait = [np.rot90(f).copy() for f in mf.face_frames(1.0, fps=10)]
    path = mf.write_video(tmp_path / "portrait.mp4", portrait, 10)

    info = probe(path, MediaLimits(max_width=640, max_height=480))

    assert (info.width, info.height) == (480, 640)


def test_probe_refuses_the_wrong_kind(media: dict[str, Path]) -> None:
    with pytest.raises(MediaRejected, match="no video track"):
        probe(media["tone.m4a"], expect="video")
    with pytest.raises(MediaRejected, match="no audio track"):
        probe(media["silent.webm"], expect="audio")


# --- audio ---------------------------------------------------------------------------------


def _dominant_frequency(samples: np.ndarray, sample_rate: int = 16000) -> float:
    spectrum = np.abs(np.fft.rfft(samples))
    return float(np.argmax(spectrum) * sample_rate / len(samples))


@pytest.mark.parametrize("name", [f"tone{ext}" for ext in AUDIO_FORMATS] + list(VIDEO_FILES))
def test_pcm_chunks_streams_16khz_mono_of_the_right_length(
    media: dict[str, Path], name: str
) -> None:
    chunks = list(pcm_chunks(media[name], chunk_seconds=0.5))
    samples = np.concatenate(chunks)

    assert all(c.dtype == np.float32 and c.ndim == 1 for c in chunks)
    assert all(len(c) == 8000 for c in chunks[:-1]) and 0 < len(chunks[-1]) <= 8000
    assert len(samples) / 16000 == pytest.approx(SECONDS, rel=0.02)
    assert np.abs(samples).max() <= 1.0
    assert _dominant_frequency(samples) == pytest.approx(440, abs=3)  # resampled correctly
    assert 0.25 < float(np.sqrt(np.mean(samples**2))) < 0.45  # the 0.5-amplitude tone


def test_pcm_chunks_memory_stays_bounded(tmp_path: Path) -> None:
    """Two minutes of audio pass through in 1 s chunks without the whole track in memory."""
    path = mf.write_audio(tmp_path / "long.wav", mf.tone(120.0), 16000)
    whole_track = 120 * 16000 * 4

    tracemalloc.start()
    try:
        total = sum(len(chunk) for chunk in pcm_chunks(path, chunk_seconds=1.0))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert total == 120 * 16000
    assert peak < whole_track / 4


def test_load_pcm_is_bounded(media: dict[str, Path]) -> None:
    assert len(load_pcm(media["tone.amr"])) == pytest.approx(SECONDS * 16000, rel=0.02)

    with pytest.raises(MediaTooLong):
        load_pcm(media["tone.wav"], max_seconds=1.0)


def test_pcm_chunks_rejects_files_without_usable_audio(
    media: dict[str, Path], tmp_path: Path
) -> None:
    with pytest.raises(MediaRejected, match="no audio track"):
        list(pcm_chunks(media["silent.webm"]))
    text = tmp_path / "voice.amr"
    text.write_text("#!AMR but not really", encoding="utf-8")
    with pytest.raises(MediaRejected):
        list(pcm_chunks(text))


def test_pcm_chunks_rejects_audio_broken_mid_file(media: dict[str, Path], tmp_path: Path) -> None:
    broken = mf.truncate(media["tone.amr"], tmp_path / "broken.amr", 0.5)

    with pytest.raises(MediaRejected, match="cannot be decoded"):
        list(pcm_chunks(broken))


# --- video ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["video.mp4", "video.webm", "silent.webm", "live.webm"])
def test_sample_frames_by_timestamp_and_downscaled(media: dict[str, Path], name: str) -> None:
    frames = list(sample_frames(media[name], fps=2.0, max_width=320))

    assert [f.t for f in frames] == pytest.approx([0.0, 0.5, 1.0, 1.5, 2.0, 2.5], abs=0.05)
    assert all(f.gray.shape == (240, 320) and f.gray.dtype == np.uint8 for f in frames)
    assert all(f.bgr is None for f in frames)


def test_sample_frames_of_30fps_h264_stay_on_the_grid(tmp_path: Path) -> None:
    """Non-reference frames are not decoded at 30 fps; samples still land near the grid."""
    path = mf.write_video(tmp_path / "30.mp4", mf.face_frames(4.0, fps=30, size=(320, 240)), 30)

    times = [f.t for f in sample_frames(path, fps=2.0)]

    assert times == pytest.approx([0.5 * i for i in range(8)], abs=0.07)


def test_sample_frames_gives_bgr_on_request_and_never_upscales(media: dict[str, Path]) -> None:
    frame = next(sample_frames(media["video.mp4"], max_width=1280, with_bgr=True))

    assert frame.gray.shape == (480, 640)
    assert frame.bgr is not None and frame.bgr.shape == (480, 640, 3)
    assert frame.gray.mean() == pytest.approx(frame.bgr.mean(), abs=15)


def test_sample_frames_turns_phone_video_upright(tmp_path: Path) -> None:
    """Stored sideways with a 'turn clockwise' matrix, as phones do; frames come out upright."""
    upright = mf.face_frames(1.0, fps=10)
    stored = [np.rot90(f).copy() for f in upright]  # sensor orientation: turned anticlockwise
    path = mf.rotate_mp4(mf.write_video(tmp_path / "s.mp4", stored, 10), tmp_path / "r.mp4")

    frame = next(sample_frames(path, max_width=640, with_bgr=True))

    assert frame.bgr is not None and frame.bgr.shape == upright[0].shape
    difference = np.abs(frame.bgr.astype(int) - upright[0].astype(int)).mean()
    assert difference < 10


@pytest.mark.parametrize("fmt", ["yuv420p", "yuvj420p", "yuv422p", "yuv444p", "nv12", "nv21"])
@pytest.mark.parametrize("color_range", [0, 1, 2])  # unspecified, limited (TV), full (JPEG)
def test_gray_read_from_the_luma_plane_equals_libswscale(fmt: str, color_range: int) -> None:
    """The fast path gives exactly the pixels of ``to_ndarray(format="gray")``, padded rows
    (an odd width) and limited range included."""
    noise = np.random.default_rng(5).integers(0, 256, (362, 642, 3), dtype=np.uint8)
    frame = av.VideoFrame.from_ndarray(noise, format="bgr24").reformat(format=fmt)
    frame.color_range = color_range

    luma = video._luma(frame)

    assert luma is not None and luma.flags.c_contiguous
    assert np.array_equal(luma, frame.to_ndarray(format="gray"))


def test_sample_frames_rejects_audio_only(media: dict[str, Path]) -> None:
    with pytest.raises(MediaRejected, match="no video track"):
        list(sample_frames(media["tone.mp3"]))
