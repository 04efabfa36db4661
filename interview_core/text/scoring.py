"""Advisory competency scores for one answer, every point traceable to quoted evidence.

The engine suggests, a person decides. Per competency of the job (scores have one decimal):

* no keyword evidence → ``score = None``, "not assessed", with the reason (never 0);
* no transcript at all (no speech model, the recogniser failed, a silent recording) → every
  competency not assessed because of the system or the recording, never "no evidence":
  the candidate is not blamed for text nobody could read;
* otherwise ``base = 1.5 + 1.0 × strength`` where ``strength = min(points / 3, 1)`` are the
  evidence points (see ``evidence``), then, shared by all competencies of the answer:
  STAR parts present +0.2 situation, +0.2 task, +0.4 action, +0.4 result;
  a number in a result sentence +0.4, two or more numbers +0.2;
  ownership ``(share of 我 among the subjects of actions − 0.5) × 0.6`` (±0.3, 0 if none);
  relevance to the question ``+0.4 × share of question words used``;
  vagueness −0.25 per hedge or generic sentence (at most −1.0);
  fewer than 40 substantive characters −0.5, fewer than 80 −0.25;
  clamped to 1..5. The anchor shown is the library's anchor of the rounded level.
* ``confidence`` (0.05..0.95) grows with evidence, STAR completeness, a number in the result
  and specificity, and shrinks for short answers; it says how much to trust the score, not
  how good the answer is. Rules never claim certainty.

``overall`` (0..100) is the weighted mean of the assessed competencies, weights renormalised,
with ``(score − 1) / 4 × 100`` per competency; ``coverage`` is the weight assessed. With
nothing assessed, ``overall`` is None. Below ``min_coverage`` (default 40 %) the overall is
withheld from what people see (the JSON's ``overall`` is None, ``overall_withheld`` true):
90 / 100 earned on a quarter of the job's weight says little about the candidate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from interview_core.text.analysis import AnswerAnalysis, analyze_answer
from interview_core.text.evidence import Evidence, find_evidence
from interview_core.text.flags import GamingFlag
from interview_core.text.jobs import JobCompetency, JobModel
from recruiting.domain.assessment_reasons import NotAssessed, not_assessed_for, not_assessed_label
from recruiting.domain.coverage import DEFAULT_MIN_COVERAGE

METHOD = "rules-v1 (jieba)"
STAR_POINTS = {"situation": 0.2, "task": 0.2, "action": 0.4, "result": 0.4}
FULL_EVIDENCE_POINTS = 3.0
SHORT, VERY_SHORT = 80, 40


@dataclass(frozen=True)
class CompetencyScore:
    code: str
    name: str
    weight: Decimal
    score: float | None  # 1.0..5.0, one decimal; None = not assessed
    confidence: float | None
    evidence: tuple[Evidence, ...]
    anchor: str | None
    not_assessed_reason: str | None = None  # Chinese, for people
    breakdown: dict[str, float] = field(default_factory=dict)
    not_assessed_code: str | None = None  # a ``NotAssessed`` code

    @property
    def assessed(self) -> bool:
        return self.score is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "score": self.score,
            "confidence": self.confidence,
            "evidence": [e.to_json() for e in self.evidence],
            "anchor": self.anchor,
            "not_assessed_reason": self.not_assessed_reason,
            "not_assessed_code": self.not_assessed_code,
            "breakdown": self.breakdown,
        }


@dataclass(frozen=True)
class AnswerScore:
    overall: float | None  # 0..100, None when nothing was assessed
    coverage: float  # share of the job's weight assessed, 0..1
    competencies: tuple[CompetencyScore, ...]
    analysis: AnswerAnalysis
    min_coverage: float = DEFAULT_MIN_COVERAGE  # below it the overall is not shown
    flags: tuple[GamingFlag, ...] = ()  # why the answer was scored down as a non-answer
    engine: str = METHOD  # which engine scored: shown in the report
    # How the engine ran (latency, tokens, cache, fallback reason): operators' record
    engine_run: dict[str, Any] = field(default_factory=dict)

    @property
    def withheld(self) -> bool:
        """True when an overall exists but covers too little of the job to be shown."""
        return self.overall is not None and self.coverage < self.min_coverage

    def competency(self, name: str) -> CompetencyScore:
        """A competency's score by Chinese name or code."""
        for item in self.competencies:
            if name in (item.name, item.code):
                return item
        raise KeyError(name)

    def to_json(self) -> dict[str, Any]:
        a = self.analysis
        return {
            "overall": None if self.withheld else self.overall,
            "overall_withheld": self.withheld,
            "coverage": self.coverage,
            "min_coverage": self.min_coverage,
            "competencies": {c.name: c.to_json() for c in self.competencies},
            "star": a.star.to_json(),
            "quantified": [q.to_json() for q in a.quantities],
            "ownership": a.ownership.to_json(),
            "relevance": a.relevance,
            "vagueness": a.vagueness.to_json(),
            "length": a.length,
            "flags": [f.to_json() for f in self.flags],
            "method": self.engine,
            "engine_run": self.engine_run,
        }


def score_answer(
    answer: str,
    question: str,
    job: JobModel,
    min_coverage: float = DEFAULT_MIN_COVERAGE,
    *,
    no_transcript: str = "",
) -> AnswerScore:
    """Score one answer against every competency of the job (advisory, deterministic).

    ``no_transcript`` (a ``NoTranscript`` code) says the answer was spoken but there is no
    text: nothing is scored, and each competency says why in the system's or the
    recording's name."""
    analysis = analyze_answer("" if no_transcript else answer, question)
    if no_transcript:
        cause = not_assessed_for(no_transcript)
        label = not_assessed_label(cause)
        scores = tuple(
            CompetencyScore(i.code, i.name, i.weight, None, None, (), None, label, {}, cause)
            for i in job.competencies
        )
        return AnswerScore(None, 0.0, scores, analysis, min_coverage)
    modifiers = answer_modifiers(analysis)
    scores = tuple(_score_competency(item, analysis, modifiers) for item in job.competencies)
    overall, coverage = _overall(scores)
    return AnswerScore(overall, coverage, scores, analysis, min_coverage)


def answer_modifiers(a: AnswerAnalysis) -> dict[str, float]:
    """The answer-level raises and cuts every assessed competency shares."""
    ratio = a.ownership.ratio
    marks = len(a.vagueness.hedges) + len(a.vagueness.generic)
    substantive = a.vagueness.substantive_length
    return {
        "star": sum((STAR_POINTS[p] for p in STAR_POINTS if p not in a.star.missing), 0.0),
        "quantified": 0.4 * bool(a.quantified_results) + 0.2 * (len(a.quantities) >= 2),
        "ownership": 0.0 if ratio is None else round((ratio - 0.5) * 0.6, 2),
        "relevance": round(0.4 * a.relevance, 2),
        "vagueness": 0.0 - min(0.25 * marks, 1.0),
        "length": -0.5 if substantive < VERY_SHORT else -0.25 if substantive < SHORT else 0.0,
    }


def _score_competency(
    item: JobCompetency, analysis: AnswerAnalysis, modifiers: dict[str, float]
) -> CompetencyScore:
    found = find_evidence(analysis.sentences, item, analysis.context())
    if not found.evidence:
        return _not_assessed(item)
    strength = min(found.points / FULL_EVIDENCE_POINTS, 1.0)
    breakdown = {"base": 1.0, "evidence": round(0.5 + strength, 2), **modifiers}
    score = round(min(max(sum(breakdown.values()), 1.0), 5.0), 1)
    return CompetencyScore(
        code=item.code,
        name=item.name,
        weight=item.weight,
        score=score,
        confidence=_confidence(strength, analysis),
        evidence=found.evidence,
        anchor=item.competency.anchor(int(score + 0.5)),
        breakdown={k: round(v, 2) for k, v in breakdown.items()},
    )


def _not_assessed(item: JobCompetency) -> CompetencyScore:
    examples = "、".join((*item.keywords, *item.competency.keywords)[:4])
    reason = f"回答中没有与「{item.name}」相关的关键词或行为（如{examples}），未评估（不是 0 分）"
    return CompetencyScore(
        item.code, item.name, item.weight, None, None, (), None, reason, {}, NotAssessed.NO_EVIDENCE
    )


def _confidence(strength: float, a: AnswerAnalysis) -> float:
    specific = 1.0 - a.vagueness.index
    raw = (
        0.1
        + 0.35 * strength
        + 0.2 * a.star.completeness
        + 0.15 * bool(a.quantified_results)
        + 0.15 * specific
    )
    substantive = a.vagueness.substantive_length
    raw *= 0.6 if substantive < VERY_SHORT else 0.8 if substantive < SHORT else 1.0
    return round(min(max(raw, 0.05), 1.0), 2)


def _overall(scores: tuple[CompetencyScore, ...]) -> tuple[float | None, float]:
    assessed = [s for s in scores if s.score is not None]
    weight = sum((s.weight for s in assessed), Decimal(0))
    if not assessed or weight == 0:
        return None, 0.0
    total = sum(float(s.weight) * ((s.score or 1.0) - 1.0) / 4.0 for s in assessed)
    return round(total / float(weight) * 100.0, 1), round(float(weight), 4)
