"""Leave-one-question-out cross-validation: how the rules do on a question they never saw.

A test part can be scored only once; after that it is opened and the rules are tuned on it.
What stays honest is to hold each question out in turn: anything fitted from data (the
weights of ``interview_core/data/scoring-weights.json``) is fitted on the other questions
only, and the held-out question is read as one the concept lexicon was not written from
(``concepts.unseen_questions``), as a question HR writes tomorrow. The figures are those
of ``validate`` (per question, pooled, gaming below every genuine answer, the length and
keyword baselines) over the held-out scores.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from interview_core.text.concepts import unseen_questions
from interview_core.validation.corpus import Answer, Corpus, Question
from interview_core.validation.validate import Report, Row, Scorer, agreement, figures_of, row_of
from recruiting.errors import InvalidInput

# The scorer for one held-out question, given the questions it may learn from
ScorerFactory = Callable[[Sequence[Question]], Scorer]


def cross_validate(
    corpus: Corpus, factory: ScorerFactory, part: str = "dev", by: str = "question"
) -> Report:
    """Score each question of ``part`` by a scorer built from the others, read as a question
    the lexicon does not know; the report's figures are over these held-out scores. ``by="job"``
    holds out a whole job's questions at once (stricter: its words are all new)."""
    questions = [
        q for q in corpus.questions if any(a.question.id == q.id for a in corpus.split(part))
    ]

    def fold_of(question: Question) -> str:
        return question.job if by == "job" else question.id

    folds = list(dict.fromkeys(fold_of(q) for q in questions))
    if len(folds) < 2:
        raise InvalidInput(f"cross-validation needs two {by}s or more in the {part} part")
    rows: list[Row] = []
    for fold in folds:
        held = [q for q in questions if fold_of(q) == fold]
        others = [q for q in questions if q not in held]
        scorer = factory(others)
        for question in held:
            with unseen_questions([question.text]):
                rows.extend(row_of(a, corpus, scorer, 0.0) for a in rated_answers(corpus, question))
    methods = {name: figures_of(rows, name) for name in ("engine", "length", "keywords")}
    engines = Counter(r.engine for r in rows).most_common()
    label = f"{part} part, leave-one-{by}-out"
    return Report(label, engines[0][0], 0.0, tuple(rows), methods, agreement(corpus))


def rated_answers(corpus: Corpus, question: Question) -> list[Answer]:
    """The answers to ``question`` that have a reference rating (what is scored and fitted)."""
    return [a for a in corpus.answers if a.question.id == question.id and a.id in corpus.reference]
