"""What a panel made of a finished live interview: each rater's scores per competency, the
AI's advisory score with its quotes, and where people disagree enough to talk it over.

A value with no database or WeCom behind it, so the scoring use case builds it and the texts
render it without either importing the other.
"""

from __future__ import annotations

from dataclasses import dataclass

DISAGREEMENT = 2.0  # points between the highest and lowest human score


@dataclass(frozen=True)
class CompetencyLine:
    name: str
    ratings: list[tuple[str, float | None]]  # (rater name, score) in panel order
    ai: float | None
    ai_quotes: list[str]

    @property
    def spread(self) -> float | None:
        values = [v for _, v in self.ratings if v is not None]
        return max(values) - min(values) if len(values) >= 2 else None

    @property
    def disagreement(self) -> bool:
        return self.spread is not None and self.spread >= DISAGREEMENT


@dataclass(frozen=True)
class PanelSummary:
    interview_id: int
    title: str
    raters: list[tuple[str, bool]]  # (name, lead)
    lines: list[CompetencyLine]
    comments: list[tuple[str, str]]  # (rater name, comment)
    missing: list[str]  # raters who have not scored every competency

    @property
    def complete(self) -> bool:
        return bool(self.raters) and not self.missing

    @property
    def disagreements(self) -> list[str]:
        return [line.name for line in self.lines if line.disagreement]
