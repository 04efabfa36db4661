"""Makers of real test media: every file here is encoded by FFmpeg (through PyAV) or espeak-ng.

Tests decode what real encoders wrote instead of mocking the decoder, so a change in PyAV,
FFmpeg or a codec shows up as a failing test. Ground truth (durations, burst times, face
count) is known by construction.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path

import av
import av.audio.stream
import av.container
import av.video.stream
import cv2
import numpy as np
import pytest
import skimage.data

from interview_core.speech.segments import Segment

VIDEO_SIZE = (640, 480)  # width, height
ASTRONAUT: Callable[[], np.ndarray] = skimage.data.astronaut  # a face photo shipped offline

# codec → container-friendly sample format and rate
_AUDIO_CODECS = {
    ".wav": ("pcm_s16le", None),
    ".mp3": ("libmp3lame", None),
    ".m4a": ("aac", None),
    ".ogg": ("libopus", 48000),
    ".webm": ("libopus", 48000),
    ".opus": ("libopus", 48000),
    ".amr": ("libopencore_amrnb", 8000),
}


def require_encoder(*names: str) -> str:
    """The first available encoder of ``names``; skip the test when the FFmpeg build has none."""
    for name in names:
        try:
            av.Codec(name, "w")
        except Exception:  # unknown names raise different exception types
            continue
        return name
    pytest.skip(f"PyAV's FFmpeg has none of the encoders {names}")


def write_audio(
    path: Path, samples: np.ndarray, sample_rate: int, codec: str | None = None
) -> Path:
    """Encode mono float samples in [-1, 1]; the codec follows the file extension."""
    default_codec, rate = _AUDIO_CODECS[path.suffix]
    codec = require_encoder(codec or default_codec, *_fallbacks(default_codec))
    if rate and rate != sample_rate:
        samples = _resample(samples, sample_rate, rate)
        sample_rate = rate
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=sample_rate, layout="mono")
        assert isinstance(stream, av.audio.stream.AudioStream)
        if codec.startswith("libopencore") or codec == "amr_nb":
            stream.bit_rate = 12200
        _encode_audio(container, stream, samples, sample_rate)
    return path


def _fallbacks(codec: str) -> tuple[str, ...]:
    return {"libmp3lame": ("mp3",), "libopus": ("opus",), "libopencore_amrnb": ("amr_nb",)}.get(
        codec, ()
    )


def _encode_audio(
    container: av.container.OutputContainer,
    stream: av.audio.stream.AudioStream,
    samples: np.ndarray,
    sample_rate: int,
) -> None:
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype(np.int16)
    step = 1024
    for offset in range(0, len(pcm), step):
        frame = av.AudioFrame.from_ndarray(pcm[None, offset : offset + step], "s16", "mono")
        frame.sample_rate = sample_rate
        frame.pts = offset
        frame.time_base = Fraction(1, sample_rate)
        container.mux(stream.encode(frame))
    container.mux(stream.encode(None))


def _resample(samples: np.ndarray, source_rate: int, target_rate: int) -> np.ndarray:
    n = round(len(samples) * target_rate / source_rate)
    positions = np.linspace(0, len(samples) - 1, n)
    resampled: np.ndarray = np.interp(positions, np.arange(len(samples)), samples)
    return resampled.astype(np.float32)


def tone(
    seconds: float, freq: float = 440.0, sr: int = 16000, amplitude: float = 0.5
) -> np.ndarray:
    t = np.arange(round(seconds * sr)) / sr
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def tone_wav(path: Path, seconds: float, freq: float = 440.0, sr: int = 16000) -> Path:
    return write_audio(path, tone(seconds, freq, sr), sr)


def speech_like(seconds: float, sr: int = 16000, seed: int = 0) -> np.ndarray:
    """A burst with a voice-like spectrum and a 4 Hz syllable envelope that never falls silent."""
    t = np.arange(round(seconds * sr)) / sr
    rng = np.random.default_rng(seed)
    f0 = 140 + 20 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(f0) / sr
    voice = sum(np.sin(k * phase) / k for k in range(1, 6))
    envelope = 0.6 + 0.4 * np.sin(2 * np.pi * 4 * t + rng.uniform(0, np.pi))
    return (0.25 * voice * envelope).astype(np.float32)


def speech_with_pauses(
    path: Path,
    spans: Sequence[tuple[float, float]] = ((0.5, 3.0), (3.6, 6.0), (9.0, 12.5), (13.0, 15.0)),
    total: float = 16.0,
    *,
    sr: int = 16000,
    noise_db: float = -60.0,
) -> list[Segment]:
    """Voice-like bursts at ``spans`` over faint noise; returns the bursts as ground truth."""
    rng = np.random.default_rng(1)
    signal = (10 ** (noise_db / 20) * rng.standard_normal(round(total * sr))).astype(np.float32)
    for i, (start, end) in enumerate(spans):
        a, b = round(start * sr), round(end * sr)
        signal[a:b] += speech_like((b - a) / sr, sr, seed=i)
    write_audio(path, signal, sr)
    return [Segment(start, end) for start, end in spans]


def amr_from_wav(src: Path, dst: Path) -> Path:
    """Re-encode ``src`` as AMR-NB at 8 kHz, the format of WeCom voice messages."""
    with av.open(str(src)) as container:
        chunks: list[np.ndarray] = []
        resampler = av.AudioResampler("flt", "mono", 8000)
        for frame in container.decode(audio=0):
            chunks += [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
        chunks += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    return write_audio(dst.with_suffix(".amr"), np.concatenate(chunks), 8000)


def espeak_wav(path: Path, pinyin_text: str) -> Path:
    """Mandarin speech from espeak-ng's pinyin voice (tone numbers, e.g. ``ni3 hao3``)."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        message = "espeak-ng is not installed (apt-get install espeak-ng)"
        if os.environ.get("CI") == "true" or os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    subprocess.run(
        [exe, "-v", "cmn-latn-pinyin", "-s", "160", "-w", str(path), pinyin_text],
        check=True,
        capture_output=True,
    )
    return path


# --- video -------------------------------------------------------------------------------


def write_video(
    path: Path,
    frames_bgr: Sequence[np.ndarray],
    fps: float,
    codec: str = "libx264",
    *,
    audio: np.ndarray | None = None,
    sample_rate: int = 16000,
    faststart: bool = False,
    live: bool = False,
) -> Path:
    """Encode BGR frames (and optionally a mono audio track) into mp4 or webm.

    ``faststart`` puts the mp4 index first (as streaming uploads do); ``live`` writes webm
    the way a browser's MediaRecorder does: no duration, no seek index.
    """
    height, width = frames_bgr[0].shape[:2]
    options = {"movflags": "+faststart"} if faststart else {"live": "1"} if live else {}
    with av.open(str(path), "w", options=options) as container:
        stream = container.add_stream(
            require_encoder(codec), rate=Fraction(fps).limit_denominator()
        )
        assert isinstance(stream, av.video.stream.VideoStream)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        if codec.startswith("libvpx"):
            stream.options = {"deadline": "realtime", "cpu-used": "8"}
        audio_stream: av.audio.stream.AudioStream | None = None
        if audio is not None:
            audio_codec = "aac" if path.suffix == ".mp4" else require_encoder("libopus", "opus")
            rate = 48000 if "opus" in audio_codec else sample_rate
            audio = _resample(audio, sample_rate, rate) if rate != sample_rate else audio
            added = container.add_stream(audio_codec, rate=rate, layout="mono")
            assert isinstance(added, av.audio.stream.AudioStream)
            audio_stream = added
        for image in frames_bgr:
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="bgr24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
        if audio_stream is not None and audio is not None:
            _encode_audio(container, audio_stream, audio, int(audio_stream.rate))
    return path


def _face_crop(height: int) -> np.ndarray:
    """The astronaut's head (BGR), scaled to ``height`` pixels."""
    photo: np.ndarray = ASTRONAUT()
    bgr = cv2.cvtColor(photo[20:215, 135:315], cv2.COLOR_RGB2BGR)
    width = round(bgr.shape[1] * height / bgr.shape[0])
    head: np.ndarray = cv2.resize(bgr, (width, height), interpolation=cv2.INTER_AREA)
    return head


def _background(width: int, height: int) -> np.ndarray:
    """A textured office-like wall, so sharp frames have real edges away from the face."""
    rng = np.random.default_rng(7)
    image = np.full((height, width, 3), (150, 160, 170), np.uint8)
    for _ in range(40):
        x, y = rng.integers(0, width - 40), rng.integers(0, height - 40)
        w, h = rng.integers(20, 120), rng.integers(20, 120)
        color = tuple(int(c) for c in rng.integers(60, 230, 3))
        cv2.rectangle(image, (int(x), int(y)), (int(x + w), int(y + h)), color, -1)
    return image


def face_frames(
    seconds: float,
    *,
    fps: float = 10.0,
    faces: int = 1,
    dark: bool = False,
    blur: bool = False,
    size: tuple[int, int] = VIDEO_SIZE,
    second_between: tuple[float, float] | None = None,
) -> list[np.ndarray]:
    """Frames of 0, 1 or 2 astronaut heads on a wall, drifting a few pixels over time.

    ``second_between`` (start, end seconds): two heads' places, the second one taken only
    then, like a second person sitting down in view and leaving again.
    """
    width, height = size
    wall = _background(width, height)
    head = _face_crop(round(height * 0.5))
    hh, hw = head.shape[:2]
    layout = 2 if second_between else faces
    centres = {0: [], 1: [width // 2], 2: [width // 4 + 10, 3 * width // 4 - 10]}[layout]
    frames = []
    for i in range(round(seconds * fps)):
        image = wall.copy()
        dx = round(8 * np.sin(i / fps * 1.3))
        dy = round(4 * np.cos(i / fps * 0.9))
        for k, cx in enumerate(centres):
            if k and second_between and not second_between[0] <= i / fps < second_between[1]:
                continue
            x0, y0 = cx - hw // 2 + dx, (height - hh) // 2 + dy
            image[y0 : y0 + hh, x0 : x0 + hw] = head
        if blur:
            image = cv2.GaussianBlur(image, (0, 0), 6)
        if dark:
            image = (image.astype(np.float32) * 0.12).astype(np.uint8)
        frames.append(image)
    return frames


def face_video(
    path: Path,
    seconds: float,
    *,
    faces: int = 1,
    dark: bool = False,
    blur: bool = False,
    fps: float = 10.0,
    codec: str = "libx264",
    audio: np.ndarray | None = None,
    second_between: tuple[float, float] | None = None,
) -> Path:
    frames = face_frames(
        seconds, fps=fps, faces=faces, dark=dark, blur=blur, second_between=second_between
    )
    return write_video(path, frames, fps, codec, audio=audio)


def rotate_mp4(src: Path, dst: Path) -> Path:
    """Copy an mp4 with its display matrix set to "turn 90° clockwise", as phones record.

    The frames stay as stored; only the track header's matrix changes (36 bytes in tkhd).
    """
    data = bytearray(src.read_bytes())
    identity = struct.pack(">9i", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
    clockwise = struct.pack(">9i", 0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000)
    at = data.index(identity, data.index(b"tkhd"))
    data[at : at + 36] = clockwise
    dst.write_bytes(bytes(data))
    return dst


def truncate(src: Path, dst: Path, fraction: float) -> Path:
    """The first ``fraction`` of ``src``'s bytes, like an upload cut off mid-way."""
    data = src.read_bytes()
    dst.write_bytes(data[: int(len(data) * fraction)])
    return dst
