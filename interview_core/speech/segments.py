"""Time spans within an answer, in seconds from its start; shared by VAD, ASR and metrics."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Segment:
    start: float
    end: float

    @property
    def duration(self) -> float:
        return max(self.end - self.start, 0.0)
