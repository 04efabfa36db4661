"""Advisory competency scores for one answer, every point traceable to quoted evidence.

The engine suggests, a person decides. It scores behaviour, not words (see ``episode``,
``evidence`` and ``gaming``); scores have one decimal.

Which competencies: a question of the job's structured interview (``JobModel.questions``, or
``competencies=`` given) says which ones it asks: those are scored from the story, even when
their names never appear. The job's other competencies are scored only when the story shows
one of their indicators by behaviour. A question the job does not know: every competency is
scored only from behaviour shown.

Per competency:

* no transcript at all (no speech model, the recogniser failed, a silent recording) → every
  competency not assessed because of the system or the recording, never "no evidence";
* nothing relevant (no story, no habit, nothing of the question's words or topic; or,
  outside the question, no indicator shown) → ``score = None``, "not assessed" with the
  reason (never 0);
* otherwise (rules-v3) ``score`` is a weighted sum of the answer's behavioural features for
  that competency (``features.features``: own actions and how many distinct verbs and
  objects, the team's, situation, task, results, numbers tied to what they measure, the
  chain, difficulty, a reusable improvement, reflection, named things and people, the
  competency's indicators shown by behaviour or told as habits, hedges, opinions and habits,
  CV jargon, self-praise and list items below the flags' thresholds, the off-topic and
  empty-numbers flags), never the answer's length. The weights are fitted by ridge
  regression on the rated corpus (``interview_core/data/scoring-weights.json``, ``python -m
  interview_core fit-weights``), each feature only on the side decided beforehand (more
  behaviour never lowers a score, hedges never raise it), and judged by leave-one-question-
  out cross-validation (``validate --part dev --cross-validate``). Clamped to 5; below 2 the
  sum is squeezed toward ``HONEST_FLOOR`` (1.3) without reaching it: an honest answer,
  however weak, stays above every non-answer and weak answers keep their order. The
  breakdown lists each feature's share of the score.
* thin evidence: a competency's score rests on the behaviour shown for it, not on the whole
  answer's level. ``CompetencyEvidence.support`` counts the sentences carrying it (those
  showing one of its indicators by behaviour, and for a competency the question asks the
  candidate's own actions in the story); with none or one the score stays at most 3.0, with
  two at most 4.0 (``SUPPORT_CAPS``, the guidelines' 3 and 4), so a competency shown in one
  passing sentence (之后我整理了一份上手文档，给组里做了一次分享 → 团队协作) stays at 3 however
  good the story is. The breakdown's ``thin_evidence`` says how much the cap took.
* gaming (``gaming.detect_gaming``): a keyword list, an echo, a self-description, or numbers
  piled up in a general account score 1.0 (the rating guidelines' level for a non-answer) on
  the competencies the question asks or the answer names, also when the answer is off the
  topic as well (1.1 for a keyword list wrapped round a story: one occasion and the
  candidate's actions told in buzzwords, still below every honest answer). An off-topic
  story is scored by the weights (the flag is a fitted penalty) and capped at 1.2, below
  every honest answer (the guidelines give it 1): on the 32 questions held out one by one the
  flag caught no honest story once its reading of the question's setting was fixed (客户、
  门店… name where a story happens, not what it is about); outside the question it is not
  assessed. Rates claimed around at most one concrete action (成功率提升了百分之五十、满意度
  百分之九十八) are an empty account; fewer numbers that measure nothing next to a story are
  a fitted penalty. Figures the candidate is seen analysing (two own actions of 导出、分组、
  统计、对比、算… beside 8周、6单、5人、21点…: ``gaming.analysed_figures``) are measured and
  never flagged. The
  flags are in the JSON with their reasons and quotes, and halve confidence.
* ``confidence`` (0.05..0.95) grows with the indicators shown, STAR completeness, a tied
  number in the result, specificity and a told story, and shrinks for short answers, for a
  competency resting on fewer than three sentences of its behaviour (``SUPPORT_TRUST``) and
  with each flag; it says how much to trust the score, not how good the answer is. Rules never
  claim certainty.

Validated against the rated corpus (``python -m interview_core validate``): the weights by
cross-validation on its development part, the whole engine once on each test part.

``overall`` (0..100) is the weighted mean of the assessed competencies, weights renormalised,
with ``(score − 1) / 4 × 100`` per competency; ``coverage`` is the weight assessed. With
nothing assessed, ``overall`` is None. Below ``min_coverage`` (default 40 %) the overall is
withheld from what people see (the JSON's ``overall`` is None, ``overall_withheld`` true):
90 / 100 earned on a quarter of the job's weight says little about the candidate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from interview_core.text.analysis import AnswerAnalysis, analyze_answer
from interview_core.text.concepts import question_key
from interview_core.text.episode import Episode
from interview_core.text.evidence import CompetencyEvidence, Evidence, find_evidence
from interview_core.text.features import Weights, default_weights, features
from interview_core.text.flags import Gaming, GamingFlag
from interview_core.text.gaming import detect_gaming, empty_account
from interview_core.text.jobs import JobCompetency, JobModel
from recruiting.domain.assessment_reasons import NotAssessed, not_assessed_for, not_assessed_label
from recruiting.domain.coverage import DEFAULT_MIN_COVERAGE

METHOD = "rules-v3 (jieba)"
GAMING_SCORE = 1.0  # the rating guidelines' level for a non-answer
BURIED_STORY = 1.1  # a keyword list around a story: below every honest one
SOFT_FLOOR = 2.0  # below it the fitted score is squeezed toward HONEST_FLOOR
HONEST_FLOOR = 1.3  # an honest, relevant answer, however weak, stays above every non-answer
# A story flagged off-topic: below HONEST_FLOOR, so below every honest answer (the rating
# guidelines give it 1), above the non-answers, on top of the fitted penalty. The flag reads
# words: held out by question it flagged no honest answer of the corpus, but a false flag
# would sink an honest story to here, so it stays conservative (see ``gaming._off_topic``).
OFF_TOPIC_CAP = 1.2
# The highest score a competency reaches on this many sentences of behaviour for it (its
# ``support``; more reach 5): the rating guidelines give 3 to one concrete action with a
# result and ask for several purposeful actions showing the competency's key behaviours for 4,
# so a competency shown in one passing sentence stays at 3 however good the rest of the
# answer is. Its level is that of the behaviour shown for it, not of the whole answer.
SUPPORT_CAPS = (3.0, 3.0, 4.0)
NON_ANSWERS = frozenset({Gaming.KEYWORD_LIST, Gaming.ECHO, Gaming.SELF_DESCRIPTION})
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

    @property
    def from_behaviour(self) -> bool:
        """Assessed on what the candidate did, not scored down as a non-answer nor as a
        story of another situation (its breakdown then carries the off-topic penalty)."""
        return self.score is not None and not {"gaming", "off_topic"} & self.breakdown.keys()

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
    competencies: Sequence[str] | None = None,
    weights: Weights | None = None,
) -> AnswerScore:
    """Score one answer against the competencies of the job (advisory, deterministic).

    ``competencies`` (names or codes) are the ones the question asks; by default the job's
    question of that text says, else none in particular. ``no_transcript`` (a
    ``NoTranscript`` code) says the answer was spoken but there is no text: nothing is
    scored, and each competency says why in the system's or the recording's name."""
    analysis = analyze_answer("" if no_transcript else answer, question)
    if no_transcript:
        cause = not_assessed_for(no_transcript)
        label = not_assessed_label(cause)
        scores = tuple(
            CompetencyScore(i.code, i.name, i.weight, None, None, (), None, label, {}, cause)
            for i in job.competencies
        )
        return AnswerScore(None, 0.0, scores, analysis, min_coverage)
    asked, flags, said = _asked_and_flags(answer, question, job, competencies, analysis)
    scores = tuple(
        _score_competency(
            item, analysis, flags, asked=item.name in asked, topics=said, weights=weights
        )
        for item in job.competencies
    )
    overall, coverage = overall_and_coverage(scores)
    return AnswerScore(overall, coverage, scores, analysis, min_coverage, flags)


def _asked_and_flags(
    answer: str,
    question: str,
    job: JobModel,
    competencies: Sequence[str] | None,
    analysis: AnswerAnalysis,
) -> tuple[frozenset[str], tuple[GamingFlag, ...], tuple[str, ...]]:
    """What ``score_answer`` and ``model_inputs`` both read before scoring a competency: the
    competencies the question asks, the gaming flags, and the asked competencies' topic words
    the answer says."""
    asked = asked_competencies(job, question, competencies)
    topics = tuple(
        dict.fromkeys(w for i in job.competencies if i.name in asked for w in _topic_words(i))
    )
    flags = detect_gaming(answer, question, analysis.episode, topics)
    said = tuple(w for w in topics if w in analysis.episode.reads)
    return asked, flags, said


def asked_competencies(
    job: JobModel, question: str, competencies: Sequence[str] | None = None
) -> frozenset[str]:
    """Names of the competencies the question asks (empty: a question the job does not know)."""
    if competencies is not None:
        wanted = {c.strip() for c in competencies}
        return frozenset(i.name for i in job.competencies if {i.name, i.code} & wanted)
    key = question_key(question)
    for item in job.questions:
        if key and question_key(item.text) == key:
            return frozenset(item.competencies)
    return frozenset()


def _topic_words(item: JobCompetency) -> tuple[str, ...]:
    return tuple(w for w in (*item.keywords, *item.competency.keywords) if len(w) >= 2)


def _score_competency(
    item: JobCompetency,
    a: AnswerAnalysis,
    flags: tuple[GamingFlag, ...],
    *,
    asked: bool,
    topics: tuple[str, ...] = (),
    weights: Weights | None = None,
) -> CompetencyScore:
    found, decided = _route(item, a, flags, asked=asked, topics=topics)
    if decided is not None:
        return decided
    model = weights or default_weights()
    values = features(a, found, flags)
    top = OFF_TOPIC_CAP if any(f.code == Gaming.OFF_TOPIC for f in flags) else 5.0
    fitted = _floored(model.predict(values))
    thin = support_cap(found.support)
    score = round(min(fitted, top, thin), 1)
    breakdown = model.contributions(values)
    if fitted > thin and thin < top:  # the cap is shown with the features it overrides
        breakdown["thin_evidence"] = round(thin - fitted, 2)
    return CompetencyScore(
        code=item.code,
        name=item.name,
        weight=item.weight,
        score=score,
        confidence=_confidence(found, a, flags),
        evidence=found.evidence or _fallback(a),
        anchor=item.competency.anchor(int(score + 0.5)),
        breakdown=breakdown,
    )


# How far to trust a score resting on 0, 1 or 2 sentences of behaviour for its competency
# (the same sentences ``SUPPORT_CAPS`` counts): HR reads a high confidence as "well founded".
SUPPORT_TRUST = (0.5, 0.6, 0.8)


def support_cap(support: int) -> float:
    """The highest score ``support`` sentences of behaviour for a competency can carry."""
    return SUPPORT_CAPS[support] if support < len(SUPPORT_CAPS) else 5.0


def _floored(value: float) -> float:
    """``value`` above ``SOFT_FLOOR``; below it, squeezed toward ``HONEST_FLOOR`` without
    reaching it, so weak honest answers keep their order (a habit above an opinion) and
    stay above every non-answer."""
    if value >= SOFT_FLOOR:
        return value
    room = SOFT_FLOOR - HONEST_FLOOR
    return HONEST_FLOOR + room * math.exp((value - SOFT_FLOOR) / room)


def _route(
    item: JobCompetency,
    a: AnswerAnalysis,
    flags: tuple[GamingFlag, ...],
    *,
    asked: bool,
    topics: tuple[str, ...],
) -> tuple[CompetencyEvidence, CompetencyScore | None]:
    """The competency's evidence, and its score when the rules decide it without the fitted
    model: a non-answer, an off-topic story outside the question, or nothing relevant."""
    episode = a.episode
    found = find_evidence(episode, item, story=asked)
    kinds = {f.code for f in flags}
    touched = _named(item, a.episode.reads) or (asked and (a.relevance > 0 or bool(topics)))
    piled = Gaming.EMPTY_NUMBERS in kinds and empty_account(episode)
    if kinds & NON_ANSWERS or piled:  # a non-answer, whether or not also off the topic
        if not touched:
            return found, _not_assessed(item)
        buried = kinds == {Gaming.KEYWORD_LIST} and _buried_story(episode)
        return found, _gamed(item, flags, a, BURIED_STORY if buried else GAMING_SCORE)
    if Gaming.OFF_TOPIC in kinds:
        if not asked:
            return found, _not_assessed(item)
    elif not (found.behaviour or (asked and (_relevant(a, found) or bool(topics)))):
        return found, _not_assessed(item)
    return found, None


def model_inputs(
    answer: str, question: str, job: JobModel, competencies: Sequence[str] | None = None
) -> dict[str, dict[str, float]]:
    """The features of each competency the fitted model would score (name → features):
    what ``fit-weights`` learns from. Competencies the rules decide alone are left out."""
    analysis = analyze_answer(answer, question)
    asked, flags, said = _asked_and_flags(answer, question, job, competencies, analysis)
    out = {}
    for item in job.competencies:
        if item.name not in asked:
            continue
        found, decided = _route(item, analysis, flags, asked=True, topics=said)
        if decided is None:
            out[item.name] = features(analysis, found, flags)
    return out


def non_answer(flags: tuple[GamingFlag, ...], episode: Episode) -> bool:
    """Flags that make the answer a non-answer (scored 1): a keyword list, an echo, a
    self-description, an off-topic story, numbers piled up in a general account."""
    kinds = {f.code for f in flags}
    piled = Gaming.EMPTY_NUMBERS in kinds and empty_account(episode)
    return bool(kinds & NON_ANSWERS) or Gaming.OFF_TOPIC in kinds or piled


def _buried_story(episode: Episode) -> bool:
    """A story under the jargon: one occasion (之前有一个流失的老客户), an action of the
    candidate and a result (or several actions), told in buzzwords. Still a non-answer, but
    not an empty one."""
    return bool(episode.particular and episode.own and (episode.results or episode.own[1:]))


def _relevant(a: AnswerAnalysis, found: CompetencyEvidence) -> bool:
    """An answer to the question at all: a story, a habit, or the question's topic."""
    return a.episode.told or bool(a.episode.habits) or a.relevance > 0 or bool(found.keywords)


def _named(item: JobCompetency, reads: str) -> bool:
    """The answer names the competency or one of its keywords (only used to say which
    competencies a gaming answer tried to claim)."""
    return item.name in reads or any(k in reads for k in _topic_words(item))


def _gamed(
    item: JobCompetency, flags: tuple[GamingFlag, ...], a: AnswerAnalysis,
    score: float = GAMING_SCORE,
) -> CompetencyScore:  # fmt: skip
    """A non-answer: the guidelines' lowest level, the flags as its evidence (for the
    competencies it names, or the question's when it speaks of the question's topic)."""
    evidence = tuple(
        Evidence(q, f.label) for f in flags for q in f.quotes if q and q in a.answer
    ) or _fallback(a)
    return CompetencyScore(
        code=item.code,
        name=item.name,
        weight=item.weight,
        score=score,
        confidence=_confidence(None, a, flags),
        evidence=evidence[:5],
        anchor=item.competency.anchor(int(score + 0.5)),
        breakdown={"gaming": score},
    )


def _fallback(a: AnswerAnalysis) -> tuple[Evidence, ...]:
    return tuple(Evidence(s, "回答原文") for s in a.sentences[:1] if s in a.answer)


def _not_assessed(item: JobCompetency) -> CompetencyScore:
    example = item.competency.indicators[0] if item.competency.indicators else item.name
    reason = f"回答中没有体现「{item.name}」的具体行为（如{example}），未评估（不是 0 分）"
    return CompetencyScore(
        item.code, item.name, item.weight, None, None, (), None, reason, {}, NotAssessed.NO_EVIDENCE
    )


def _confidence(
    found: CompetencyEvidence | None, a: AnswerAnalysis, flags: tuple[GamingFlag, ...]
) -> float:
    shown = min(len(found.indicators), 3) / 3 if found is not None else 0.0
    specific = 1.0 - a.vagueness.index
    raw = (
        0.1
        + 0.3 * shown
        + 0.2 * a.star.completeness
        + 0.15 * bool(a.quantified_results)
        + 0.15 * specific
        + 0.1 * a.episode.told
    )
    substantive = a.vagueness.substantive_length
    raw *= 0.6 if substantive < VERY_SHORT else 0.8 if substantive < SHORT else 1.0
    if found is not None and found.support < len(SUPPORT_TRUST):
        raw *= SUPPORT_TRUST[found.support]  # a score resting on one sentence is a guess
    raw *= 0.5 ** len(flags)
    return round(min(max(raw, 0.05), 0.95), 2)


def overall_and_coverage(scores: tuple[CompetencyScore, ...]) -> tuple[float | None, float]:
    """Every engine's overall: the weighted mean of ``(score − 1) / 4 × 100`` over the
    assessed competencies, weights renormalised; ``coverage`` is the weight assessed."""
    assessed = [s for s in scores if s.score is not None]
    weight = sum((s.weight for s in assessed), Decimal(0))
    if not assessed or weight == 0:
        return None, 0.0
    total = sum(float(s.weight) * ((s.score or 1.0) - 1.0) / 4.0 for s in assessed)
    return round(total / float(weight) * 100.0, 1), round(float(weight), 4)
