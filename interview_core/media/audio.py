"""Stream any audio (WeCom AMR voice, wav, mp3, m4a, opus, the track of a video) as 16 kHz mono.

Speech models and the VAD want one format: float32 mono in [-1, 1] at 16 kHz. Decoding is
streamed in fixed-size chunks so a ten-minute answer never sits in memory as a whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
import av.audio.frame
import av.container
import numpy as np

from interview_core.errors import MediaRejected, MediaTooLong

SAMPLE_RATE = 16000


def pcm_chunks(
    path: str | Path, *, sample_rate: int = SAMPLE_RATE, chunk_seconds: float = 10.0
) -> Iterator[np.ndarray]:
    """Yield float32 mono chunks of exactly ``chunk_seconds`` (the last one may be shorter).

    Raises MediaRejected when the file has no audio track, no samples, or breaks mid-file.
    """
    path = Path(path)
    rechunk = _Rechunker(max(round(chunk_seconds * sample_rate), 1))
    produced = False
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            for samples in _mono_frames(container, path, sample_rate):
                for chunk in rechunk.push(samples):
                    produced = True
                    yield chunk
    except av.FFmpegError as exc:
        raise MediaRejected(f"{path.name}: audio cannot be decoded ({exc})") from exc
    for chunk in rechunk.rest():
        produced = True
        yield chunk
    if not produced:
        raise MediaRejected(f"{path.name}: the audio track holds no samples")


def load_pcm(
    path: str | Path, max_seconds: float = 600.0, *, sample_rate: int = SAMPLE_RATE
) -> np.ndarray:
    """The whole track as one array, for short clips (voice notes); refuses anything longer."""
    limit = round(max_seconds * sample_rate)
    chunks: list[np.ndarray] = []
    total = 0
    for chunk in pcm_chunks(path, sample_rate=sample_rate):
        total += len(chunk)
        if total > limit:
            raise MediaTooLong(f"{Path(path).name}: audio is longer than {max_seconds:.0f}s")
        chunks.append(chunk)
    return np.concatenate(chunks)


def _mono_frames(
    container: av.container.InputContainer, path: Path, sample_rate: int
) -> Iterator[np.ndarray]:
    """Decoded, resampled frames as 1-D arrays; a new resampler whenever the input changes."""
    if not container.streams.audio:
        raise MediaRejected(f"{path.name} has no audio track")
    stream = container.streams.audio[0]
    resampler: av.AudioResampler | None = None
    setup: tuple[str, str, int] | None = None
    for frame in container.decode(stream):
        frame_setup = (frame.format.name, frame.layout.name, frame.sample_rate)
        if resampler is None or frame_setup != setup:
            if resampler is not None:
                yield from _samples(resampler, None)
            resampler = av.AudioResampler(format="flt", layout="mono", rate=sample_rate)
            setup = frame_setup
        yield from _samples(resampler, frame)
    if resampler is not None:
        yield from _samples(resampler, None)


def _samples(
    resampler: av.AudioResampler, frame: av.audio.frame.AudioFrame | None
) -> Iterator[np.ndarray]:
    for out in resampler.resample(frame):
        samples = out.to_ndarray().reshape(-1).astype(np.float32, copy=False)
        yield np.clip(samples, -1.0, 1.0)


class _Rechunker:
    """Regroups arbitrary frame sizes into fixed chunks, holding at most one chunk + one frame."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.parts: list[np.ndarray] = []
        self.count = 0

    def push(self, samples: np.ndarray) -> Iterator[np.ndarray]:
        self.parts.append(samples)
        self.count += len(samples)
        while self.count >= self.size:
            joined = np.concatenate(self.parts)
            yield joined[: self.size]
            tail = joined[self.size :].copy()
            self.parts, self.count = [tail], len(tail)

    def rest(self) -> Iterator[np.ndarray]:
        if self.count:
            yield np.concatenate(self.parts)
        self.parts, self.count = [], 0
