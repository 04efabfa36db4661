"""Whether an answer's overall AI score may be shown: only when the competencies it rests on
cover enough of the job's weight. One rule for the report, HR's chat message and the JSON,
also for analyses stored before the threshold was recorded in them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_MIN_COVERAGE = 0.4  # single answers often cover 40–45% of a job's weight


@dataclass(frozen=True)
class Overall:
    value: float | None  # what may be shown: None when nothing was assessed or it is withheld
    coverage: float  # share of the job's weight assessed, 0..1
    threshold: float  # the coverage an overall needs
    withheld: bool  # an overall exists but covers too little of the job to be shown


def overall_of(score: Mapping[str, Any]) -> Overall:
    """The overall of a stored ``score`` JSON (``AnswerScore.to_json``)."""
    coverage = float(score.get("coverage") or 0.0)
    stored = score.get("min_coverage")
    threshold = DEFAULT_MIN_COVERAGE if stored is None else float(stored)
    raw = score.get("overall")
    withheld = bool(score.get("overall_withheld")) or (raw is not None and coverage < threshold)
    value = None if withheld or raw is None else float(raw)
    return Overall(value, coverage, threshold, withheld)
