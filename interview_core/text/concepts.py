"""Question relevance: does a story engage the situation and the goal its question names?

A question of a structured interview names a situation and a goal (客户反复遇到的问题、交期
压力下坚持按规程、说服犹豫的客户). A story can be concrete, owned and well told and still
answer another question (one angry customer for a repeated problem, a speed-up for refusing
to break the rules). Word overlap with the question misses paraphrase (反复 ≈ 老是、总是、又来),
so the rules read the question's concepts (``interview_core/data/concepts.yaml``: each with
its everyday words in an answer) and check which the story says.

``missing_concepts`` is the rule, conservative since a false flag sinks an honest story: a
question that names one or two concepts is answered when the story engages any of them, one
that names three or more when it engages two; otherwise the concepts it misses are returned.

Which concepts a question names is written down with the question (``questions`` in the
file), as its competencies are, never guessed from its words: guessed on questions the
lexicon was not written for, concepts matched incidental words (流程 in 工作流程中的疏漏 is no
按规程操作) and on the third test part flagged seven honest stories off-topic while catching no
off-topic one. A question with no entry names no concept and is judged on behaviour.
Cross-validation (``validation.crossval``) reads each held-out question as such a question
(``unseen_questions``), as HR's next one will be until its concepts are written.
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
    said: re.Pattern[str]  # the answer says it, in everyday words


@dataclass(frozen=True)
class Lexicon:
    concepts: dict[str, Concept]
    questions: dict[str, tuple[Concept, ...]]  # question key -> the concepts it names


def question_key(text: str) -> str:
    """A question's text without spaces and punctuation: how a question is found again (in
    this file, and among a job's questions by ``scoring.asked_competencies``)."""
    return re.sub(r"[\s，。！？,.!?：:；;、“”\"'（）()]+", "", text)


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The file, checked: every concept a question names exists (a typo would silently turn
    the off-topic check off for that question)."""
    data = yaml.safe_load(CONCEPTS_PATH.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{CONCEPTS_PATH}: not a mapping")
    items, asked = data.get("concepts"), data.get("questions")
    if not isinstance(items, list) or not isinstance(asked, list):
        raise ValueError(f"{CONCEPTS_PATH}: concepts and questions must be lists")
    concepts = {
        str(item["name"]): Concept(str(item["name"]), re.compile(_alternation(item["said"])))
        for item in items
    }
    questions: dict[str, tuple[Concept, ...]] = {}
    for entry in asked:
        names = [str(n) for n in entry.get("concepts") or ()]
        unknown = [n for n in names if n not in concepts]
        if unknown or not names:
            raise ValueError(f"{CONCEPTS_PATH}: {entry.get('text')!r} names {unknown or 'none'}")
        questions[question_key(str(entry["text"]))] = tuple(concepts[n] for n in names)
    return Lexicon(concepts, questions)


def _alternation(text: str) -> str:
    return "|".join(part.strip() for part in str(text).split("|") if part.strip())


_unseen: frozenset[str] = frozenset()  # question keys read as unseen while validating


def question_concepts(question: str) -> tuple[Concept, ...]:
    """The concepts a question names: none unless they were written down with it."""
    key = question_key(question)
    if key in _unseen:
        return ()
    return lexicon().questions.get(key, ())


@contextmanager
def unseen_questions(questions: Iterable[str]) -> Iterator[None]:
    """Read ``questions`` as questions whose concepts were not written down (validation only:
    not thread-safe, restored on exit)."""
    global _unseen
    before, _unseen = _unseen, frozenset(question_key(q) for q in questions)
    try:
        yield
    finally:
        _unseen = before


def missing_concepts(question: str, reads: str) -> tuple[str, ...]:
    """Names of the question's concepts the answer (``reads``: as the rules read it) misses,
    when they are too many for the answer to be about the question; empty otherwise."""
    named = question_concepts(question)
    if not named:
        return ()
    missed = tuple(c.name for c in named if not c.said.search(reads))
    needed = FEW_NEEDED if len(named) <= FEW else MANY_NEEDED
    return missed if len(named) - len(missed) < needed else ()
