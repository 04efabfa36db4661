"""Question relevance: does a story engage the situation and the goal its question names?

A question of a structured interview names a situation and a goal (客户反复遇到的问题、交期
压力下坚持按规程、说服犹豫的客户). A story can be concrete, owned and well told and still
answer another question (one angry customer for a repeated problem, a speed-up for refusing
to break the rules). Word overlap with the question misses paraphrase (反复 ≈ 老是、总是、又来),
so the rules read the question's concepts (``interview_core/data/concepts.yaml``: each with
what in a question names it, and its everyday words in an answer) and check which the story
says.

``missing_concepts`` is the rule, conservative since a false flag sinks an honest story: a
question that names one or two concepts is answered when the story engages any of them, one
that names three or more when it engages two; otherwise the concepts it misses are returned.
A question that names none is never judged here.

The lexicon was written question by question, so a question HR writes tomorrow has no entry of
its own. Cross-validation (``validation.crossval``) measures that case: ``hidden_concepts``
hides, for the question held out, the entries that only it names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

CONCEPTS_PATH = Path(__file__).resolve().parent.parent / "data" / "concepts.yaml"
FEW, FEW_NEEDED, MANY_NEEDED = 2, 1, 2  # concepts a story engages: of few, of many


@dataclass(frozen=True)
class Concept:
    name: str  # Chinese, shown in the flag's reason
    asks: re.Pattern[str]  # the question names it
    said: re.Pattern[str]  # the answer says it, in everyday words


@lru_cache(maxsize=1)
def concepts() -> tuple[Concept, ...]:
    data = yaml.safe_load(CONCEPTS_PATH.read_text(encoding="utf-8"))
    return tuple(
        Concept(
            str(item["name"]),
            re.compile(_alternation(item["asks"])),
            re.compile(_alternation(item["said"])),
        )
        for item in data["concepts"]
    )


def _alternation(text: str) -> str:
    return "|".join(part.strip() for part in str(text).split("|") if part.strip())


_hidden: frozenset[str] = frozenset()  # names hidden while measuring an unseen question


def question_concepts(question: str) -> tuple[Concept, ...]:
    """The concepts a question names (cached: many answers share a question)."""
    return _question_concepts(question, _hidden)


@lru_cache(maxsize=256)
def _question_concepts(question: str, hidden: frozenset[str]) -> tuple[Concept, ...]:
    return tuple(c for c in concepts() if c.name not in hidden and c.asks.search(question))


def own_concepts(question: str, others: Iterable[str]) -> frozenset[str]:
    """Names of the concepts ``question`` names and none of the ``others`` does: the entries
    that exist only because this question was seen."""
    theirs = {c.name for text in others for c in _question_concepts(text, frozenset())}
    return frozenset(c.name for c in _question_concepts(question, frozenset())) - theirs


@contextmanager
def hidden_concepts(names: Iterable[str]) -> Iterator[None]:
    """Read questions as if the lexicon had no entries ``names`` (validation only: not
    thread-safe, restored on exit)."""
    global _hidden
    before, _hidden = _hidden, frozenset(names)
    try:
        yield
    finally:
        _hidden = before


def missing_concepts(question: str, reads: str) -> tuple[str, ...]:
    """Names of the question's concepts the answer (``reads``: as the rules read it) misses,
    when they are too many for the answer to be about the question; empty otherwise."""
    named = question_concepts(question)
    if not named:
        return ()
    missed = tuple(c.name for c in named if not c.said.search(reads))
    needed = FEW_NEEDED if len(named) <= FEW else MANY_NEEDED
    return missed if len(named) - len(missed) < needed else ()
