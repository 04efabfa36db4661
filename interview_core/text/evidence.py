"""Competency evidence: what the candidate did that shows a competency, quoted verbatim.

Behaviour is the evidence. A competency's indicator is shown when one of its cues (the
library's ``indicators[].cues``) matches a clause that tells a done action or a result of the
story: the candidate's (我), the team's (我们), or a result. The same cue in an opinion, a plan
or a habit (我一般会…, 如果…) is a habit: weak, and counted apart. Keywords (the library's and
the job's) are weak, capped support and only count in such behaviour clauses: naming a
competency is no evidence of it.

For the competencies a question asks, the story itself is evidence too: its own actions,
results and situation are quoted even when the competency is never named (``story``).

``support`` counts the sentences that carry behaviour for the competency: those showing one of
its indicators by behaviour and, for a competency the question asks, those telling the
candidate's own actions in the story. A competency the answer shows in one passing sentence
has little behaviour behind it, whatever the rest of the answer is worth (``scoring``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from interview_core.text.episode import Clause, Episode
from interview_core.text.jobs import JobCompetency
from interview_core.text.library import Competency

MAX_QUOTES = 5


@dataclass(frozen=True)
class Evidence:
    quote: str
    why: str

    def to_json(self) -> dict[str, str]:
        return {"quote": self.quote, "why": self.why}


@dataclass(frozen=True)
class CompetencyEvidence:
    evidence: tuple[Evidence, ...]
    indicators: tuple[str, ...]  # indicator texts shown by behaviour in the story
    habits: tuple[str, ...]  # indicator texts only told as habits or hypotheses
    keywords: tuple[str, ...]  # distinct keywords found in behaviour clauses
    support: int = 0  # sentences carrying behaviour for this competency

    @property
    def behaviour(self) -> bool:
        return bool(self.indicators)


def find_evidence(episode: Episode, item: JobCompetency, *, story: bool) -> CompetencyEvidence:
    """The behaviour of ``episode`` that shows ``item`` (``story``: the question asks for this
    competency, so the story's own actions and results count as evidence as well)."""
    shown: dict[str, Clause] = {}
    habits: list[str] = []
    done = [c for c in episode.clauses if _behaviour(c)]
    usual = [c for c in episode.clauses if c.habitual]
    for behaviour in item.competency.behaviours:
        if behaviour.cues is None:
            continue
        seen = next((c for c in done if behaviour.cues.search(c.reads)), None)
        if seen is not None:
            shown[behaviour.text] = seen
        elif any(behaviour.cues.search(c.reads) for c in usual):
            habits.append(behaviour.text)
    habits = [h for h in habits if h not in shown]
    keywords = _keywords(episode, item)
    evidence: dict[str, list[str]] = {}
    for text, clause in shown.items():
        evidence.setdefault(clause.sentence, []).append(f"体现「{text}」")
    if story:
        for clause in episode.own[:3]:
            evidence.setdefault(clause.sentence, []).append(
                f"本人行动：{clause.verb}{clause.object}"
            )
        for clause in episode.results[:2]:
            evidence.setdefault(clause.sentence, []).append("结果")
        if not episode.told:
            for clause in episode.habits[:2]:
                evidence.setdefault(clause.sentence, []).append("习惯或假设的做法，不是具体经历")
    quotes = tuple(Evidence(q, "；".join(dict.fromkeys(w))) for q, w in evidence.items())
    backing = {c.sentence for c in shown.values()}
    if story:
        backing.update(c.sentence for c in episode.own)
    return CompetencyEvidence(
        quotes[:MAX_QUOTES], tuple(shown), tuple(habits), keywords, len(backing)
    )


def shown_indicators(episode: Episode, competency: Competency) -> tuple[str, ...]:
    """The indicators of a competency the story shows by behaviour."""
    return tuple(
        b.text
        for b in competency.behaviours
        if b.cues is not None
        and any(_behaviour(c) and b.cues.search(c.reads) for c in episode.clauses)
    )


def _behaviour(clause: Clause) -> bool:
    """A clause of the story telling what the candidate or the team did, or a result."""
    if clause.habitual:
        return False
    if clause.acts and clause.actor in ("self", "we"):
        return True
    return "result" in clause.parts or "action" in clause.parts


def _keywords(episode: Episode, item: JobCompetency) -> tuple[str, ...]:
    pattern = keyword_pattern(item.competency.keywords, item.keywords)
    found: list[str] = []
    for clause in episode.clauses:
        if _behaviour(clause):
            found.extend(pattern.findall(clause.reads))
    return tuple(dict.fromkeys(found))


@lru_cache(maxsize=512)
def keyword_pattern(keywords: tuple[str, ...], job_keywords: tuple[str, ...]) -> re.Pattern[str]:
    """One case-blind alternation of all keywords, longest first (大客户 wins over 客户)."""
    words = sorted({w for w in (*keywords, *job_keywords) if w}, key=lambda w: (-len(w), w))
    return re.compile("|".join(re.escape(w) for w in words) or "(?!)", re.IGNORECASE)
