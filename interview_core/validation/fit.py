"""Fitting rules-v3's weights on the rated corpus: ridge regression in closed form (numpy).

One row per answer and competency the fitted model scores (``scoring.model_inputs``: the rules
decide non-answers and "nothing relevant" alone), its target the reference rating of that
competency. Each answer's features are read as if the concept lexicon had not been written
from its question (``concepts.unseen_questions``), as for a question HR writes tomorrow, so
the weights learn what carries to an unseen question. Features are standardised, the
intercept is not penalised, and the solution is turned back into weights on the raw
features: deterministic, no random start, the same corpus gives the same file.

``python -m interview_core fit-weights interview_core/data/corpus`` writes
``interview_core/data/scoring-weights.json``; ``validate --cross-validate`` refits on all
questions but one for each question held out.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from interview_core.text.concepts import unseen_questions
from interview_core.text.features import Weights
from interview_core.text.scoring import model_inputs, score_answer
from interview_core.validation.corpus import Corpus, Question
from interview_core.validation.crossval import ScorerFactory, rated_answers
from interview_core.validation.validate import Scorer, job_for
from recruiting.errors import InvalidInput

ALPHA = 20.0  # ridge penalty on standardised features: about 700 rows, 31 features
# What each feature may do to a score, decided before fitting: more behaviour never lowers it,
# hedges, unmeasured numbers and opinions never raise it. A feature the data would weigh the
# other way is dropped and the rest refitted (e.g. hedges come with long spoken stories in
# the corpus: rewarding 可能、大概 would be learning the corpus, not the guidelines).
LOWERS = frozenset(
    (
        "general_account", "habits", "points", "hedges", "vague", "off_topic",
        "empty_numbers", "unmeasured_numbers", "jargon", "self_claims", "list_items",
        "no_experience",
    )
)  # fmt: skip
Row = tuple[dict[str, float], float]  # features, reference level


def training_rows(corpus: Corpus, questions: Sequence[Question]) -> list[Row]:
    """The rows of the answers to ``questions`` (those with a reference rating)."""
    rows: list[Row] = []
    for question in questions:
        job = job_for(question)
        with unseen_questions([question.text]):
            for answer in rated_answers(corpus, question):
                inputs = model_inputs(answer.text, question.text, job, question.competencies)
                reference = corpus.reference[answer.id]
                rows.extend((values, reference[name]) for name, values in inputs.items())
    return rows


def fit_ridge(rows: Sequence[Row], alpha: float = ALPHA, fitted_on: str = "") -> Weights:
    """Ridge weights for ``rows`` (closed form on standardised features), each feature's sign
    as ``LOWERS`` says or the feature left out."""
    if not rows:
        raise InvalidInput(
            "no rated answer to fit on: the rules score every one alone "
            "(non-answers, off-topic, nothing relevant)"
        )
    names = sorted(rows[0][0])
    x = np.array([[values[n] for n in names] for values, _ in rows], dtype=float)
    y = np.array([target for _, target in rows], dtype=float)
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std == 0] = 1.0
    z = (x - mean) / std
    sign = np.array([-1.0 if n in LOWERS else 1.0 for n in names])
    kept = np.ones(len(names), dtype=bool)
    beta = np.zeros(len(names))
    while True:
        zk = z[:, kept]
        beta = np.zeros(len(names))
        beta[kept] = np.linalg.solve(
            zk.T @ zk + alpha * np.eye(int(kept.sum())), zk.T @ (y - y.mean())
        )
        wrong = kept & (beta * sign < 0)
        if not wrong.any():
            break
        kept &= ~wrong
    raw = beta / std
    intercept = float(y.mean() - raw @ mean)
    weights = {n: round(float(w), 4) for n, w, k in zip(names, raw, kept, strict=True) if k}
    return Weights(round(intercept, 4), weights, fitted_on)


def ridge_factory(corpus: Corpus, alpha: float = ALPHA) -> ScorerFactory:
    """For cross-validation: rules-v3 with weights fitted on the questions given."""
    cache: dict[str, list[Row]] = {}

    def rows_of(question: Question) -> list[Row]:
        if question.id not in cache:
            cache[question.id] = training_rows(corpus, [question])
        return cache[question.id]

    def factory(others: Sequence[Question]) -> Scorer:
        weights = fit_ridge([r for q in others for r in rows_of(q)], alpha)
        return lambda a, q, j: score_answer(a, q, j, weights=weights)

    return factory


def write_weights(corpus: Corpus, path: Path, alpha: float = ALPHA) -> Weights:
    """Fit on every rated question of the development part and write the weights file.
    Never on the test part: it measures the engine once, and is made ``dev`` once opened."""
    answered = {a.question.id for a in corpus.split("dev")}
    questions = [q for q in corpus.questions if q.id in answered]
    rows = training_rows(corpus, questions)
    ids = ", ".join(q.id for q in questions)
    note = (
        f"ridge (alpha {alpha:g}, standardised features) on {len(rows)} answer-competency "
        f"ratings of {len(questions)} questions ({ids}); "
        "python -m interview_core fit-weights interview_core/data/corpus"
    )
    weights = fit_ridge(rows, alpha, note)
    path.write_text(
        json.dumps(weights.to_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return weights
