"""Competency evidence: the sentences of an answer that speak to a competency, and why.

A sentence is evidence when it contains one of the competency's keywords or synonyms (from the
library) or one of the job's own keywords for it. Keywords weigh 1 point, job keywords 1.5;
each distinct keyword counts once, at the strongest sentence it appears in: full weight in an
action or result sentence, 0.6 elsewhere, and half of that again in a vague sentence. So
"我觉得沟通很重要" is weak evidence and "我先约客户面谈，倾听了他的顾虑" is strong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from interview_core.text.jobs import JobCompetency

KEYWORD_POINTS = 1.0
JOB_KEYWORD_POINTS = 1.5
BEHAVIOUR_FACTOR = 1.0  # the sentence tells an action or a result
MENTION_FACTOR = 0.6  # the keyword is only mentioned
VAGUE_FACTOR = 0.5  # multiplies the above in a vague sentence


@dataclass(frozen=True)
class Evidence:
    quote: str
    why: str

    def to_json(self) -> dict[str, str]:
        return {"quote": self.quote, "why": self.why}


@dataclass(frozen=True)
class CompetencyEvidence:
    evidence: tuple[Evidence, ...]
    keywords: tuple[str, ...]  # distinct keywords found, in order of appearance
    points: float


@dataclass(frozen=True)
class SentenceContext:
    """What the answer-level analysis knows about each sentence."""

    behaviour: frozenset[str]  # sentences telling an action or a result
    vague: frozenset[str]


def find_evidence(
    sentences: tuple[str, ...], item: JobCompetency, context: SentenceContext
) -> CompetencyEvidence:
    pattern, canonical = keyword_pattern(item.competency.keywords, item.keywords)
    job_words = frozenset(item.keywords)
    evidence: list[Evidence] = []
    best: dict[str, float] = {}
    for sentence in sentences:
        found = (canonical[m.group().casefold()] for m in pattern.finditer(sentence))
        hits = list(dict.fromkeys(found))
        if not hits:
            continue
        factor = _factor(sentence, context)
        for word in hits:
            points = (JOB_KEYWORD_POINTS if word in job_words else KEYWORD_POINTS) * factor
            best[word] = max(best.get(word, 0.0), points)
        evidence.append(Evidence(sentence, _why(hits, job_words, sentence, context)))
    return CompetencyEvidence(tuple(evidence), tuple(best), round(sum(best.values()), 2))


@lru_cache(maxsize=512)
def keyword_pattern(
    keywords: tuple[str, ...], job_keywords: tuple[str, ...]
) -> tuple[re.Pattern[str], dict[str, str]]:
    """One case-blind alternation of all keywords, longest first so 大客户 wins over 客户,
    and the keyword as written for each casefolded match (job keywords win ties)."""
    canonical = {w.casefold(): w for w in (*keywords, *job_keywords)}
    words = sorted(canonical, key=lambda w: (-len(w), w))
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE), canonical


def _factor(sentence: str, context: SentenceContext) -> float:
    factor = BEHAVIOUR_FACTOR if sentence in context.behaviour else MENTION_FACTOR
    return factor * VAGUE_FACTOR if sentence in context.vague else factor


def _why(hits: list[str], job_words: frozenset[str], sentence: str, ctx: SentenceContext) -> str:
    general = [w for w in hits if w not in job_words]
    specific = [w for w in hits if w in job_words]
    parts = []
    if specific:
        parts.append("岗位关键词：" + "、".join(specific))
    if general:
        parts.append("关键词：" + "、".join(general))
    if sentence in ctx.behaviour:
        parts.append("描述了具体行动或结果")
    if sentence in ctx.vague:
        parts.append("表述含糊或泛泛而谈")
    return "；".join(parts)
