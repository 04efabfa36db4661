"""Voice activity detection by frame energy against an adaptive noise floor.

Speech metrics (speaking time, pauses) and ASR batching need to know when the candidate was
talking. Phone recordings differ wildly in level and background noise, so a frame counts as
voiced when it stands out from the local noise floor, not from a fixed level. Only one
number per 10 ms is kept, so ten minutes of audio cost a few hundred kilobytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from interview_core.speech.segments import Segment

SILENCE_DB = -100.0  # what digital silence reads as


@dataclass(frozen=True)
class VadSettings:
    frame_seconds: float = 0.03
    hop_seconds: float = 0.01
    margin_db: float = 10.0  # a voiced frame is this much above the noise floor...
    min_level_db: float = -55.0  # ...and above this absolute level (dB full scale)
    noise_window_seconds: float = 3.0  # the noise floor is the minimum over this window
    hangover_seconds: float = 0.03  # kept after speech stops (ASR callers add their own pad)
    min_speech_seconds: float = 0.15  # shorter bursts are clicks and bumps
    min_silence_seconds: float = 0.3  # shorter gaps are between syllables, not pauses


@dataclass(frozen=True)
class Gap(Segment):
    """A brief dip inside a voiced span; ``level_db`` is its quietest frame."""

    level_db: float = SILENCE_DB


@dataclass(frozen=True)
class VoicedSegment(Segment):
    """A voiced span, with the brief gaps inside it (breaths, dips): the places to cut it."""

    gaps: tuple[Gap, ...] = ()


def voiced_segments(
    chunks: Iterable[np.ndarray], sample_rate: int = 16000, settings: VadSettings | None = None
) -> list[Segment]:
    """Voiced spans (VoicedSegment) of mono float audio given as consecutive chunks."""
    settings = settings or VadSettings()
    hop = max(round(settings.hop_seconds * sample_rate), 1)
    energies, total_samples = frame_energies(
        chunks, hop, max(round(settings.frame_seconds / settings.hop_seconds), 1)
    )
    step = hop / sample_rate
    voiced = _voiced_frames(energies, settings, step)
    runs = _merge_short_gaps(_runs(voiced), round(settings.min_silence_seconds / step))
    min_frames = settings.min_speech_seconds / step
    runs = [run for run in runs if run[1] - run[0] >= min_frames]
    return _to_segments(
        runs, energies, step, total_samples / sample_rate, settings.hangover_seconds
    )


def frame_energies(
    chunks: Iterable[np.ndarray], hop: int, hops_per_frame: int = 3
) -> tuple[np.ndarray, int]:
    """Energy (dB full scale) of a frame of ``hops_per_frame`` hops centred on each hop.

    Overlapping frames (30 ms every 10 ms) place speech edges within about 10 ms.
    Returns the energies and the number of samples seen.
    """
    powers: list[np.ndarray] = []
    carry = np.zeros(0, np.float32)
    total = 0
    for chunk in chunks:
        total += len(chunk)
        data = np.concatenate([carry, np.asarray(chunk, np.float32).reshape(-1)])
        whole = len(data) // hop * hop
        if whole:
            powers.append(_mean_square(data[:whole].reshape(-1, hop)))
        carry = data[whole:]
    if len(carry):
        powers.append(_mean_square(carry.reshape(1, -1)))
    if not powers:
        return np.zeros(0), total
    window = np.ones(hops_per_frame) / hops_per_frame
    power = np.convolve(np.concatenate(powers), window, mode="same")
    return np.maximum(10 * np.log10(power + 1e-12), SILENCE_DB), total


def _mean_square(frames: np.ndarray) -> np.ndarray:
    power: np.ndarray = np.mean(np.square(frames, dtype=np.float64), axis=1)
    return power


def _voiced_frames(energies: np.ndarray, settings: VadSettings, step: float) -> np.ndarray:
    """Frames clearly above the local noise floor and above the absolute minimum level."""
    floor = noise_floor(energies, max(round(settings.noise_window_seconds / step), 1))
    result: np.ndarray = energies > np.maximum(floor + settings.margin_db, settings.min_level_db)
    return result


def noise_floor(energies: np.ndarray, window: int) -> np.ndarray:
    """The quietest frame within ``window`` frames around each frame (minimum statistics).

    Within a few seconds every speaker stops for breath, so the minimum is the background;
    when the background gets louder (a fan, traffic) the floor follows within half a window.
    """
    if len(energies) == 0:
        return energies
    half = window // 2
    padded = np.pad(energies, half, constant_values=np.inf)
    floor: np.ndarray = sliding_window_view(padded, 2 * half + 1).min(axis=1)
    return floor


def _runs(voiced: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) frame index pairs of consecutive voiced frames."""
    edges = np.diff(np.concatenate([[0], voiced.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


_Run = tuple[int, int, tuple[tuple[int, int], ...]]  # start, end, gaps inside (frames)


def _merge_short_gaps(runs: list[tuple[int, int]], min_gap: int) -> list[_Run]:
    """Join runs separated by less than ``min_gap`` frames, remembering the gaps."""
    merged: list[_Run] = []
    for start, end in runs:
        if merged and start - merged[-1][1] < min_gap:
            first, last, gaps = merged[-1]
            merged[-1] = (first, end, (*gaps, (last, start)))
        else:
            merged.append((start, end, ()))
    return merged


def _to_segments(
    runs: list[_Run], energies: np.ndarray, step: float, total: float, hangover: float
) -> list[Segment]:
    segments: list[Segment] = []
    for i, (start, end, gaps) in enumerate(runs):
        limit = runs[i + 1][0] * step if i + 1 < len(runs) else total
        segments.append(
            VoicedSegment(
                start=round(start * step, 3),
                end=round(min(end * step + hangover, limit, total), 3),
                gaps=tuple(
                    Gap(round(a * step, 3), round(b * step, 3), float(energies[a:b].min()))
                    for a, b in gaps
                ),
            )
        )
    return segments


def split_for_asr(segments: Sequence[Segment], max_seconds: float = 25.0) -> list[Segment]:
    """Cut spans longer than ``max_seconds`` into pieces a speech model can take in one go.

    Each cut falls in the middle of the quietest brief gap (VoicedSegment knows them) in the
    second half of the allowed length, else anywhere in it; with no gap, at the limit.
    Plain Segments (no gaps known) are cut at the limit.
    """
    pieces: list[Segment] = []
    for segment in segments:
        gaps: Sequence[Gap] = getattr(segment, "gaps", ())
        start = segment.start
        while segment.end - start > max_seconds:
            cut = _cut_point(gaps, start, max_seconds)
            pieces.append(Segment(start, cut))
            start = cut
        pieces.append(segment if start == segment.start else Segment(start, segment.end))
    return pieces


def _cut_point(gaps: Sequence[Gap], start: float, max_seconds: float) -> float:
    for earliest in (start + max_seconds / 2, start + 1.0):
        middles = [
            (-round(g.level_db), round((g.start + g.end) / 2, 3))
            for g in gaps
            if earliest < (g.start + g.end) / 2 <= start + max_seconds
        ]
        if middles:
            return max(middles)[1]  # the quietest; of equally quiet ones, the latest
    return round(start + max_seconds, 3)
