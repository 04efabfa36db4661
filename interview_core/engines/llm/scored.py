"""A validated verdict as an ``AnswerScore``: the shape the rules produce, so reports, live
prompts and stored analyses need no second path.

Per competency: the model's 1–5 only when at least one of its quotes is found verbatim in
the answer; otherwise not assessed (never 0). Confidence says how far the model's reading
is backed by the transcript::

    (0.45 + 0.1 × verified quotes, at most 3) × verified / quoted
    × 0.7 with a gaming flag × 0.8 for an answer under 40 characters, within 0.05..0.9

An LLM never gets certainty either. A gaming flag keeps only its quotes found in the answer,
and is dropped when it quoted something and none of it is there. The structural parts (STAR,
numbers, ownership) come from ``analyze_answer``, as for the rules.
"""

from __future__ import annotations

from interview_core.engines.llm.quotes import verified
from interview_core.engines.llm.verdict import CompetencyVerdict, Verdict
from interview_core.text.analysis import AnswerAnalysis, analyze_answer
from interview_core.text.evidence import Evidence
from interview_core.text.flags import GamingFlag
from interview_core.text.jobs import JobCompetency, JobModel
from interview_core.text.scoring import AnswerScore, CompetencyScore, overall_and_coverage
from recruiting.domain.assessment_reasons import NotAssessed

FLAGGED_FACTOR = 0.7
SHORT_FACTOR, SHORT = 0.8, 40
CONFIDENCE_RANGE = (0.05, 0.9)


def answer_score(
    verdict: Verdict,
    answer: str,
    question: str,
    job: JobModel,
    min_coverage: float,
    engine: str,
) -> AnswerScore:
    analysis = analyze_answer(answer, question)
    flags = _flags(verdict, answer)
    scores = tuple(
        _competency(item, verdict.competencies[item.code], analysis, bool(flags))
        for item in job.competencies
    )
    given = sum(len(v.evidence) for v in verdict.competencies.values())
    kept = sum(len(s.evidence) for s in scores)
    overall, coverage = overall_and_coverage(scores)
    return AnswerScore(
        overall=overall,
        coverage=coverage,
        competencies=scores,
        analysis=analysis,
        min_coverage=min_coverage,
        flags=flags,
        engine=engine,
        engine_run={"quotes_given": given, "quotes_verified": kept},
    )


def _flags(verdict: Verdict, answer: str) -> tuple[GamingFlag, ...]:
    """Flags with their quotes found in the answer; a flag whose every quote is invented
    is unfounded and dropped (one that quotes nothing stands on its reason)."""
    kept = []
    for flag in verdict.flags:
        quotes = verified(flag.quotes, answer)
        if quotes or not flag.quotes:
            kept.append(GamingFlag(flag.code, flag.reason, quotes))
    return tuple(kept)


def _competency(
    item: JobCompetency, verdict: CompetencyVerdict, analysis: AnswerAnalysis, flagged: bool
) -> CompetencyScore:
    quotes = verified(verdict.evidence, analysis.answer)
    breakdown = {"quotes": float(len(verdict.evidence)), "verified": float(len(quotes))}
    if verdict.score is None or not quotes:
        reason = (
            f"回答中没有与「{item.name}」相关的具体行为，未评估（不是 0 分）"
            if verdict.score is None
            else f"模型给出的「{item.name}」依据在回答原文中找不到，未评估（不是 0 分）"
        )
        return CompetencyScore(
            item.code, item.name, item.weight, None, None, (), None, reason, breakdown,
            NotAssessed.NO_EVIDENCE,
        )  # fmt: skip
    confidence = (0.45 + 0.1 * min(len(quotes), 3)) * len(quotes) / len(verdict.evidence)
    confidence *= FLAGGED_FACTOR if flagged else 1.0
    confidence *= SHORT_FACTOR if analysis.length < SHORT else 1.0
    low, high = CONFIDENCE_RANGE
    return CompetencyScore(
        code=item.code,
        name=item.name,
        weight=item.weight,
        score=float(verdict.score),
        confidence=round(min(max(confidence, low), high), 2),
        evidence=tuple(Evidence(q, verdict.reason) for q in quotes),
        anchor=item.competency.anchor(verdict.score),
        breakdown={"model": float(verdict.score), **breakdown},
    )
