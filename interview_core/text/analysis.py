"""Everything the rules see in one answer, independent of the job: sentences, the behavioural
episode (who did what, situation, result, chain), STAR, numbers, ownership, vagueness,
relevance and length. Scoring, gaming flags and follow-ups all start from here."""

from __future__ import annotations

import re
from dataclasses import dataclass

from interview_core.text.episode import Episode, read_episode
from interview_core.text.sentences import split_sentences
from interview_core.text.signals import (
    Ownership,
    Quantity,
    Vagueness,
    find_quantities,
    measure_vagueness,
    relevance,
)
from interview_core.text.star import StarAnalysis, detect_star

PUNCTUATION = re.compile(r"[，。！？；、,.!?;]")  # none: a recogniser's transcript


@dataclass(frozen=True)
class AnswerAnalysis:
    answer: str
    question: str
    sentences: tuple[str, ...]
    star: StarAnalysis
    quantities: tuple[Quantity, ...]
    ownership: Ownership
    vagueness: Vagueness
    relevance: float
    length: int  # characters, whitespace excluded
    episode: Episode

    @property
    def quantified_results(self) -> tuple[Quantity, ...]:
        """Numbers of the story that say what they measure, said in a result sentence."""
        tied = {(q.text, q.quote) for q in self.episode.tied_numbers}
        return tuple(
            q for q in self.quantities if q.quote in self.star.result and (q.text, q.quote) in tied
        )


def analyze_answer(answer: str, question: str) -> AnswerAnalysis:
    sentences = split_sentences(answer)
    episode = read_episode(sentences, spoken=not PUNCTUATION.search(answer))
    return AnswerAnalysis(
        answer=answer,
        question=question,
        sentences=sentences,
        star=detect_star(sentences),
        quantities=find_quantities(sentences),
        ownership=ownership_of(episode),
        vagueness=measure_vagueness(sentences),
        relevance=relevance(question, answer),
        length=sum(1 for ch in answer if not ch.isspace()),
        episode=episode,
    )


def ownership_of(episode: Episode) -> Ownership:
    """Who did it: the candidate's done actions (我) against the team's (我们/大家/团队)."""
    ours = tuple(c.text for c in episode.shared)
    return Ownership(len(episode.own), len(ours), ours)
