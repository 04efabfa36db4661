"""Probe an uploaded file before analysis: is it real, readable media of the right kind and size?

A bad upload must fail here with a clear reason, not minutes later inside a decoder. Probing
reads container metadata, decodes the first frames of each stream and demuxes (without
decoding) the last second, so truncated uploads are caught without decoding the whole file.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import av
import av.container
import av.stream

from interview_core.errors import MediaRejected, MediaTooLong

Expect = Literal["any", "audio", "video"]

_HEAD_PACKETS = 96  # packets to try per stream before calling it undecodable
_STILL_IMAGE_FORMATS = ("image2", "_pipe", "gif", "apng", "webp")


@dataclass(frozen=True)
class MediaLimits:
    """What the service accepts; larger or longer uploads are refused before any analysis."""

    max_seconds: float = 600.0
    max_bytes: int = 500 * 2**20
    max_width: int = 3840
    max_height: int = 2160


@dataclass(frozen=True)
class MediaInfo:
    duration: float
    has_audio: bool
    has_video: bool
    audio_codec: str | None
    video_codec: str | None
    width: int | None
    height: int | None
    fps: float | None
    container: str


def probe(path: str | Path, limits: MediaLimits | None = None, expect: Expect = "any") -> MediaInfo:
    """Describe ``path`` or raise MediaRejected / MediaTooLong saying what is wrong with it."""
    limits = limits or MediaLimits()
    path = Path(path)
    _check_file(path, limits)
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            return _probe_open(container, path, limits, expect)
    except av.FFmpegError as exc:
        raise MediaRejected(f"{path.name} is corrupt or not audio/video ({exc})") from exc


def _check_file(path: Path, limits: MediaLimits) -> None:
    if not path.is_file():
        raise MediaRejected(f"{path.name}: no such file")
    size = path.stat().st_size
    if size == 0:
        raise MediaRejected(f"{path.name} is empty")
    if size > limits.max_bytes:
        raise MediaTooLong(f"{path.name} is {size} bytes, over the limit of {limits.max_bytes}")


def _probe_open(
    container: av.container.InputContainer, path: Path, limits: MediaLimits, expect: Expect
) -> MediaInfo:
    fmt = container.format.name
    if any(marker in fmt for marker in _STILL_IMAGE_FORMATS):
        raise MediaRejected(f"{path.name} is a still image ({fmt}), not a recording")
    audio, video = _first_stream(container, "audio"), _first_stream(container, "video")
    _check_kind(path, audio, video, expect)
    if video is not None:
        _check_dimensions(path, video, limits)
    claimed = _claimed_duration(container)
    if claimed is not None and claimed > limits.max_seconds:
        raise MediaTooLong(_too_long(path, claimed, limits))
    for stream in (audio, video):
        if stream is not None and not _decodes(container, stream):
            raise MediaRejected(f"{path.name}: its {stream.type} stream cannot be decoded")
    duration = _measured_duration(container, path, claimed, limits, audio)
    return _info(container, audio, video, duration)


def _first_stream(container: av.container.InputContainer, kind: str) -> av.stream.Stream | None:
    """The first audio/video stream that has a decoder; cover art is not video."""
    for stream in container.streams:
        if stream.type != kind or stream.codec_context is None:
            continue
        if kind == "video" and stream.disposition & av.stream.Disposition.attached_pic:
            continue
        return stream
    return None


def _check_kind(
    path: Path, audio: av.stream.Stream | None, video: av.stream.Stream | None, expect: Expect
) -> None:
    if audio is None and video is None:
        raise MediaRejected(f"{path.name} has no decodable audio or video stream")
    if expect == "audio" and audio is None:
        raise MediaRejected(f"{path.name} has no audio track (expected audio)")
    if expect == "video" and video is None:
        raise MediaRejected(f"{path.name} has no video track (expected video)")


def _check_dimensions(path: Path, video: av.stream.Stream, limits: MediaLimits) -> None:
    """Portrait phone video is normal, so compare long side with long side."""
    ctx = video.codec_context
    width, height = int(getattr(ctx, "width", 0)), int(getattr(ctx, "height", 0))
    if width <= 0 or height <= 0:
        raise MediaRejected(f"{path.name}: video has no frame size")
    long_limit = max(limits.max_width, limits.max_height)
    short_limit = min(limits.max_width, limits.max_height)
    if max(width, height) > long_limit or min(width, height) > short_limit:
        raise MediaRejected(
            f"{path.name}: video is {width}x{height}, over the limit of "
            f"{limits.max_width}x{limits.max_height}"
        )


def _claimed_duration(container: av.container.InputContainer) -> float | None:
    if container.duration is not None and container.duration > 0:
        return float(container.duration / av.time_base)
    spans = [
        float(s.duration * s.time_base)
        for s in container.streams
        if s.duration and s.time_base is not None
    ]
    return max(spans) if spans else None


def _decodes(container: av.container.InputContainer, stream: av.stream.Stream) -> bool:
    """True once one frame comes out of the first packets (the last packet flushes)."""
    _seek(container, 0.0)
    for count, packet in enumerate(container.demux(stream)):
        if any(True for _ in packet.decode()):
            return True
        if count >= _HEAD_PACKETS:
            break
    return False


def _measured_duration(
    container: av.container.InputContainer,
    path: Path,
    claimed: float | None,
    limits: MediaLimits,
    audio: av.stream.Stream | None,
) -> float:
    """The claimed duration, checked against the packets actually present at the end."""
    seek_to = None if claimed is None else max(claimed - 1.0, 0.0)
    end = _data_end(container, seek_to, limits, audio)
    if claimed is not None and end < claimed - max(1.0, 0.02 * claimed):
        raise MediaRejected(
            f"{path.name} is truncated: data ends at {end:.1f}s of a claimed {claimed:.1f}s"
        )
    duration = max(end, claimed or 0.0)
    if duration > limits.max_seconds:
        raise MediaTooLong(_too_long(path, duration, limits))
    if duration <= 0.0:
        raise MediaRejected(f"{path.name} has zero duration")
    return duration


def _data_end(
    container: av.container.InputContainer,
    seek_to: float | None,
    limits: MediaLimits,
    audio: av.stream.Stream | None,
) -> float:
    """End time of the last packet, demuxing from ``seek_to`` (or from the start if unknown).

    Audio packets of the last second are decoded too (cheap) to catch a broken final packet.
    Without a claimed duration the count stops just past the limit, which is all it needs.
    """
    start = (container.start_time or 0) / av.time_base
    _seek(container, seek_to or 0.0)
    end = 0.0
    for packet in container.demux():
        if seek_to is not None and packet.stream is audio:
            packet.decode()
        if packet.pts is None or packet.time_base is None:
            continue
        end = max(end, float((packet.pts + (packet.duration or 0)) * packet.time_base) - start)
        if seek_to is None and end > limits.max_seconds:
            break
    return end


def _seek(container: av.container.InputContainer, seconds: float) -> None:
    """Seek if the format allows; if not, reading goes on from where it is (still to the end)."""
    with contextlib.suppress(av.FFmpegError):
        container.seek(int(seconds * av.time_base), any_frame=True)


def _too_long(path: Path, seconds: float, limits: MediaLimits) -> str:
    return f"{path.name} lasts {seconds:.1f}s, over the limit of {limits.max_seconds:.0f}s"


def _info(
    container: av.container.InputContainer,
    audio: av.stream.Stream | None,
    video: av.stream.Stream | None,
    duration: float,
) -> MediaInfo:
    fps = None
    if video is not None:
        rate = getattr(video, "average_rate", None) or getattr(video, "guessed_rate", None)
        fps = float(rate) if rate else None
    return MediaInfo(
        duration=round(duration, 3),
        has_audio=audio is not None,
        has_video=video is not None,
        audio_codec=_codec_name(audio),
        video_codec=_codec_name(video),
        width=int(getattr(video.codec_context, "width", 0)) if video is not None else None,
        height=int(getattr(video.codec_context, "height", 0)) if video is not None else None,
        fps=fps,
        container=container.format.name,
    )


def _codec_name(stream: av.stream.Stream | None) -> str | None:
    if stream is None:
        return None
    codec = stream.codec_context.codec
    return str(getattr(codec, "canonical_name", None) or codec.name)
