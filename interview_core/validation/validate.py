"""The validity table of a scoring engine on the rated corpus.

Per question and overall: Spearman's rho and Kendall's tau-b between the engine's answer
level and the reference rating, the share of gaming answers the engine ranks below every
genuine answer of their question, and the same figures for two naive baselines measured in
the same run (answer length; count of the question's competency keywords), so a number is
never read without what a trivial scorer would get.

An answer's level is the mean of its question's competencies (1..5), a competency the engine
did not assess counting as 1: for ranking, "no evidence of the behaviour" is the bottom.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from interview_core.text.jobs import JobModel, JobQuestion, builtin_job
from interview_core.text.scoring import AnswerScore
from interview_core.validation.corpus import LEVELS, Answer, Corpus, Question
from interview_core.validation.noise import asr_like
from interview_core.validation.stats import icc_2_1, kendall_tau_b, spearman, weighted_kappa

Scorer = Callable[[str, str, JobModel], AnswerScore]  # (answer, question, job) → score
CAP_KINDS = ("keyword_list", "echo")  # kept at or below TARGET_CAP / 100
TARGET_POOLED, TARGET_PER_QUESTION, TARGET_CAP = 0.75, 0.5, 40.0


@dataclass(frozen=True)
class Row:
    answer: Answer
    reference: float  # 1..5
    values: dict[str, float]  # method → answer level (higher = better)
    overall: float | None  # the engine's 0..100 on the question's competencies
    engine: str  # what scored it (an LLM run may have fallen back to the rules)
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class MethodFigures:
    per_question: dict[str, tuple[float | None, float | None]]  # id → (rho, tau)
    pooled: tuple[float | None, float | None]
    mean_rho: float | None
    gaming_below: tuple[int, int]  # gaming answers below every genuine one, of all gaming


@dataclass(frozen=True)
class Report:
    part: str
    engine: str
    noise: float
    rows: tuple[Row, ...]
    methods: dict[str, MethodFigures]
    agreement: dict[str, float | int | None] = field(default_factory=dict)

    @property
    def cap_max(self) -> float | None:
        capped = [r.overall or 0.0 for r in self.rows if r.answer.kind in CAP_KINDS]
        return max(capped) if capped else None

    def targets(self) -> list[tuple[str, bool]]:
        """The issue's 'done when' checks on this run, each with whether it holds."""
        engine = self.methods["engine"]
        rho = engine.pooled[0]
        rhos = [r for r, _ in engine.per_question.values()]
        below, gaming = engine.gaming_below
        cap = self.cap_max
        others = [m for name, m in self.methods.items() if name != "engine"]
        return [
            (f"overall Spearman ≥ {TARGET_POOLED}", rho is not None and rho >= TARGET_POOLED),
            (
                f"every question's Spearman ≥ {TARGET_PER_QUESTION}",
                all(r is not None and r >= TARGET_PER_QUESTION for r in rhos),
            ),
            ("every gaming answer below every genuine answer", below == gaming),
            (f"keyword lists and echoes ≤ {TARGET_CAP:.0f}/100", cap is None or cap <= TARGET_CAP),
            (
                "beats both baselines (overall Spearman)",
                rho is not None and all(m.pooled[0] is None or m.pooled[0] < rho for m in others),
            ),
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "part": self.part,
            "engine": self.engine,
            "asr_noise": self.noise,
            "answers": len(self.rows),
            "agreement": self.agreement,
            "methods": {
                name: {
                    "per_question": {
                        q: {"spearman": r, "kendall": t} for q, (r, t) in m.per_question.items()
                    },
                    "overall": {"spearman": m.pooled[0], "kendall": m.pooled[1]},
                    "mean_question_spearman": m.mean_rho,
                    "gaming_below_every_genuine": list(m.gaming_below),
                }
                for name, m in self.methods.items()
            },
            "keyword_lists_and_echoes_max": self.cap_max,
            "targets": {name: held for name, held in self.targets()},
        }


def validate(corpus: Corpus, scorer: Scorer, part: str, noise: float = 0.0) -> Report:
    """Score every answer of ``part`` and compare with the reference ratings; the report
    names the engine that scored most answers, and how many fell back to another."""
    answers = [a for a in corpus.split(part) if a.id in corpus.reference]
    if not answers:
        raise ValueError(f"no rated answers in part {part!r}")
    rows = tuple(row_of(a, corpus, scorer, noise) for a in answers)
    methods = {name: figures_of(rows, name) for name in ("engine", "length", "keywords")}
    engines = Counter(r.engine for r in rows).most_common()
    label = engines[0][0] + (
        f" ({sum(n for _, n in engines[1:])} answers by another engine)" if engines[1:] else ""
    )
    return Report(part, label, noise, rows, methods, agreement(corpus))


def agreement(corpus: Corpus) -> dict[str, float | int | None]:
    """How far the two raters agree, over every competency rating both made."""
    a, b = corpus.raters.get("rater_a", {}), corpus.raters.get("rater_b", {})
    pairs = [(a[i][c], b[i][c]) for i in sorted(a.keys() & b.keys()) for c in sorted(a[i])]
    if not pairs:
        return {"pairs": 0}
    exact = sum(x == y for x, y in pairs) / len(pairs)
    within_one = sum(abs(x - y) <= 1 for x, y in pairs) / len(pairs)
    return {
        "pairs": len(pairs),
        "icc_2_1": icc_2_1([[x, y] for x, y in pairs]),
        "weighted_kappa": weighted_kappa(
            [round(x) for x, _ in pairs], [round(y) for _, y in pairs], LEVELS
        ),
        "exact": exact,
        "within_one": within_one,
    }


def job_for(question: Question) -> JobModel:
    """The question's job model, with the question in it (so the engine knows which
    competencies it asks) even when the corpus adds a question the job file lacks."""
    job = builtin_job(question.job)
    if any(q.text == question.text for q in job.questions):
        return job
    asked = JobQuestion(question.text, question.competencies)
    return replace(job, questions=(*job.questions, asked))


def row_of(answer: Answer, corpus: Corpus, scorer: Scorer, noise: float) -> Row:
    question = answer.question
    text = asr_like(answer.text, answer.id, noise) if noise else answer.text
    job = job_for(question)
    scored = scorer(text, question.text, job)
    levels = [_level(scored, name) for name in question.competencies]
    level = statistics.fmean(levels)
    return Row(
        answer=answer,
        reference=corpus.reference_level(answer),
        values={
            "engine": level,
            "length": float(sum(1 for ch in text if not ch.isspace())),
            "keywords": float(_keyword_count(text, job, question.competencies)),
        },
        overall=round((level - 1.0) / 4.0 * 100.0, 1),
        engine=scored.engine,
        flags=tuple(str(f.code) for f in scored.flags),
    )


def _level(scored: AnswerScore, competency: str) -> float:
    try:
        value = scored.competency(competency).score
    except KeyError:
        return 1.0
    return 1.0 if value is None else value


def _keyword_count(text: str, job: JobModel, names: Sequence[str]) -> int:
    words: set[str] = set()
    for item in job.competencies:
        if item.name in names:
            words.update((*item.competency.keywords, *item.keywords))
    folded = text.casefold()
    return sum(folded.count(w.casefold()) for w in words)


def figures_of(rows: Sequence[Row], method: str) -> MethodFigures:
    per_question: dict[str, tuple[float | None, float | None]] = {}
    below = gaming = 0
    for question_id in dict.fromkeys(r.answer.question.id for r in rows):
        mine = [r for r in rows if r.answer.question.id == question_id]
        values = [r.values[method] for r in mine]
        reference = [r.reference for r in mine]
        per_question[question_id] = (spearman(values, reference), kendall_tau_b(values, reference))
        genuine = [r.values[method] for r in mine if not r.answer.gaming]
        for row in (r for r in mine if r.answer.gaming):
            gaming += 1
            below += bool(genuine) and row.values[method] < min(genuine)
    values = [r.values[method] for r in rows]
    reference = [r.reference for r in rows]
    rhos = [r for r, _ in per_question.values() if r is not None]
    return MethodFigures(
        per_question,
        (spearman(values, reference), kendall_tau_b(values, reference)),
        statistics.fmean(rhos) if rhos else None,
        (below, gaming),
    )


def render(report: Report) -> str:
    """The table for people: one line per question, then overall, agreement and targets."""
    names = {"engine": report.engine, "length": "length baseline", "keywords": "keyword baseline"}
    lines = [
        f"validity on the {report.part}"
        + ("" if " part" in report.part else " part")
        + f": {len(report.rows)} answers, "
        f"{len({r.answer.question.id for r in report.rows})} questions"
        + (f", recognition noise {report.noise:.0%}" if report.noise else ""),
        "",
        f"{'question':<10}{'n':>4}  "
        + "".join(f"{names[m][:18]:>20}" for m in report.methods)
        + "      (Spearman / Kendall)",
    ]
    question_ids = list(report.methods["engine"].per_question)
    for qid in question_ids:
        n = sum(r.answer.question.id == qid for r in report.rows)
        cells = "".join(_pair(m.per_question[qid]) for m in report.methods.values())
        lines.append(f"{qid:<10}{n:>4}  {cells}")
    lines.append(
        f"{'overall':<10}{len(report.rows):>4}  "
        + "".join(_pair(m.pooled) for m in report.methods.values())
    )
    lines.append(
        f"{'mean of q.':<10}{'':>4}  "
        + "".join(f"{_num(m.mean_rho):>20}" for m in report.methods.values())
    )
    lines.append(
        f"{'gaming↓':<10}{'':>4}  "
        + "".join(
            f"{f'{m.gaming_below[0]}/{m.gaming_below[1]} below genuine':>20}"
            for m in report.methods.values()
        )
    )
    cap = report.cap_max
    lines += [
        "",
        "keyword lists and echoes, highest: " + ("—" if cap is None else f"{cap:.0f} / 100"),
        "rater agreement (all parts): " + _agreement(report.agreement),
        "",
    ]
    lines += [f"[{'ok' if held else 'NOT MET'}] {name}" for name, held in report.targets()]
    return "\n".join(lines)


def _pair(pair: tuple[float | None, float | None]) -> str:
    return f"{_num(pair[0]) + ' / ' + _num(pair[1]):>20}"


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _agreement(values: dict[str, float | int | None]) -> str:
    if not values.get("pairs"):
        return "no double ratings"
    return (
        f"{values['pairs']} ratings, ICC(2,1) {_num(_float(values['icc_2_1']))}, "
        f"quadratic weighted kappa {_num(_float(values['weighted_kappa']))}, "
        f"exact {_float(values['exact']) or 0:.0%}, within one level "
        f"{_float(values['within_one']) or 0:.0%}"
    )


def _float(value: float | int | None) -> float | None:
    return None if value is None else float(value)
