"""The recorded-answer analysis core as a fake: the database, locks and media store around it
stay real (the core itself runs for real in the e2e tests)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from recruiting.ports.analysis import (
    AiScore,
    AnalysisOutcome,
    AnalysisRequest,
    MediaAnalysis,
    MediaFacts,
)


class FakeAnalysis:
    """``MediaAnalysis`` (recruiting.ports.analysis): every file is a short usable video; each
    analysis is recorded and answers with the next of ``scores`` (the last repeats), or raises
    ``raise_`` when set."""

    def __init__(self) -> None:
        self.calls: list[AnalysisRequest] = []
        self.scores: list[float | None] = [4.0]
        self.raise_: Exception | None = None

    def probe(self, path: Path, expect: str, max_seconds: float) -> MediaFacts:
        return MediaFacts(5.0, True, True, 64, 64, "mov,mp4")

    def device_check(self, path: Path) -> Any:
        raise NotImplementedError

    def analyze(self, request: AnalysisRequest) -> AnalysisOutcome:
        self.calls.append(request)
        if self.raise_ is not None:
            raise self.raise_
        score = self.scores[min(len(self.calls), len(self.scores)) - 1]
        evidence = [{"quote": f"第{len(self.calls)}次的原话", "source": "transcript"}]
        competencies = {"沟通能力": {"score": score, "confidence": 0.8, "evidence": evidence}}
        return AnalysisOutcome({"score": {"competencies": competencies}},
                               [AiScore("沟通能力", score, 0.8, evidence)], "ai:fake@1")  # fmt: skip


if TYPE_CHECKING:  # mypy tests/fakes: each fake implements its port
    _analysis: MediaAnalysis = FakeAnalysis()
