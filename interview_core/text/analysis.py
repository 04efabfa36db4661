"""Everything the rules see in one answer, independent of the job: sentences, STAR, numbers,
ownership, vagueness, relevance and length. Scoring and follow-ups both start from here."""

from __future__ import annotations

from dataclasses import dataclass

from interview_core.text.evidence import SentenceContext
from interview_core.text.sentences import split_sentences
from interview_core.text.signals import (
    Ownership,
    Quantity,
    Vagueness,
    find_quantities,
    measure_ownership,
    measure_vagueness,
    relevance,
)
from interview_core.text.star import StarAnalysis, detect_star


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

    @property
    def quantified_results(self) -> tuple[Quantity, ...]:
        """Numbers said in a result sentence: the measurable outcome of the story."""
        return tuple(q for q in self.quantities if q.quote in self.star.result)

    def context(self) -> SentenceContext:
        behaviour = frozenset(self.star.action) | frozenset(self.star.result)
        return SentenceContext(behaviour=behaviour, vague=self.vagueness.vague_sentences)


def analyze_answer(answer: str, question: str) -> AnswerAnalysis:
    sentences = split_sentences(answer)
    return AnswerAnalysis(
        answer=answer,
        question=question,
        sentences=sentences,
        star=detect_star(sentences),
        quantities=find_quantities(sentences),
        ownership=measure_ownership(sentences),
        vagueness=measure_vagueness(sentences),
        relevance=relevance(question, answer),
        length=sum(1 for ch in answer if not ch.isspace()),
    )
