"""Sample video frames at a fixed rate, small and upright, for the vision signals.

Behaviour signals need a couple of frames per second, not every frame: frames are picked by
timestamp (so variable frame rates and dropped frames do not skew the sampling), scaled down
by libswscale while converting, and turned upright when a phone stored them rotated.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import av.video.frame
import av.video.stream
import numpy as np

from interview_core.errors import MediaRejected

# Decoders that honour skip_frame: their non-reference frames (often half of all frames) need
# not be decoded when only a few frames per second are wanted. A skipped run is a few frames
# long, so skipping waits until the source has over _SKIP_RATIO frames per sampling step.
_SKIPPABLE = ("h264", "hevc")
_SKIP_RATIO = 6


@dataclass(frozen=True)
class Frame:
    """One sampled frame: ``t`` seconds from the start, 8-bit gray and, on request, BGR."""

    t: float
    gray: np.ndarray
    bgr: np.ndarray | None = None


def sample_frames(
    path: str | Path, *, fps: float = 2.0, max_width: int = 640, with_bgr: bool = False
) -> Iterator[Frame]:
    """Yield about ``fps`` frames per second of video, at most ``max_width`` pixels wide.

    Each frame is the first decoded one at or after its point on the 1/fps grid.

    Raises MediaRejected when the file has no video track or breaks while decoding.
    """
    if fps <= 0:
        raise ValueError("fps must be positive")
    path = Path(path)
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.streams.video:
                raise MediaRejected(f"{path.name} has no video track")
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            start = _stream_start(stream)
            rate = float(stream.average_rate or stream.guessed_rate or 25)
            if stream.codec_context.name in _SKIPPABLE and rate > fps * _SKIP_RATIO:
                stream.codec_context.skip_frame = "NONREF"
                # Sparse sampling for face detection at a reduced size: the deblocking
                # filter's finer picture is not needed, and skipping it cuts decoding ~30%.
                stream.codec_context.options = {"skip_loop_filter": "all", "flags2": "+fast"}
            next_t = 0.0
            for index, frame in enumerate(container.decode(stream)):
                t = frame.time - start if frame.time is not None else index / rate
                if t + 1e-3 < next_t:
                    continue
                next_t = (math.floor(t * fps + 1e-3) + 1) / fps
                yield _convert(frame, max(t, 0.0), max_width, with_bgr)
    except av.FFmpegError as exc:
        raise MediaRejected(f"{path.name}: video cannot be decoded ({exc})") from exc


def _convert(frame: av.video.frame.VideoFrame, t: float, max_width: int, with_bgr: bool) -> Frame:
    quarter_turns = round(frame.rotation / 90) % 4
    shown_width = frame.height if quarter_turns % 2 else frame.width
    scale = min(1.0, max_width / shown_width)
    width, height = max(round(frame.width * scale), 1), max(round(frame.height * scale), 1)

    def pixels(fmt: str) -> np.ndarray:
        image = frame.to_ndarray(format=fmt, width=width, height=height, interpolation="AREA")
        return _upright(image, quarter_turns)

    return Frame(t=t, gray=pixels("gray"), bgr=pixels("bgr24") if with_bgr else None)


def _stream_start(stream: av.video.stream.VideoStream) -> float:
    if stream.start_time is None or stream.time_base is None:
        return 0.0
    return float(stream.start_time * stream.time_base)


def _upright(image: np.ndarray, quarter_turns: int) -> np.ndarray:
    """Apply the display rotation (counter-clockwise quarter turns) the player would apply."""
    if quarter_turns == 0:
        return image
    return np.ascontiguousarray(np.rot90(image, k=quarter_turns))
