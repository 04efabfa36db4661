"""The rated corpus on disk (see ``interview_core/data/corpus/README.md``): questions, answers,
two raters' ratings and the resolved reference.

Loading checks everything a figure depends on (every answer rated on exactly its question's
competencies, levels 1..5, known kinds and splits) and names the file and line of each fault:
a validity table computed on a silently broken corpus would be worse than none.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from interview_core.text.flags import Gaming
from interview_core.text.library import read_yaml
from recruiting.errors import InvalidInput

GENUINE = "genuine"
KINDS = frozenset({GENUINE, *(g.value for g in Gaming)})
STYLES = frozenset({"written", "spoken", "asr"})
SPLITS = ("dev", "test")
LEVELS = (1, 2, 3, 4, 5)
RATERS = ("rater_a", "rater_b")
DISAGREEMENT = 2  # raters this far apart are adjudicated, closer ones averaged


@dataclass(frozen=True)
class Question:
    id: str
    job: str
    text: str
    competencies: tuple[str, ...]
    split: str


@dataclass(frozen=True)
class Answer:
    id: str
    question: Question
    kind: str
    style: str
    text: str
    intended: Mapping[str, int]  # the author's aim: never used for figures

    @property
    def gaming(self) -> bool:
        return self.kind != GENUINE


Ratings = dict[str, dict[str, float]]  # answer id → competency → level


@dataclass(frozen=True)
class Corpus:
    questions: tuple[Question, ...]
    answers: tuple[Answer, ...]
    raters: dict[str, Ratings] = field(default_factory=dict)
    reference: Ratings = field(default_factory=dict)

    def split(self, part: str) -> tuple[Answer, ...]:
        """Answers of one split ("dev", "test") or of all ("all")."""
        return tuple(a for a in self.answers if part == "all" or a.question.split == part)

    def reference_level(self, answer: Answer) -> float:
        """The answer's reference: the mean of its competencies' reference ratings."""
        levels = self.reference[answer.id]
        return sum(levels.values()) / len(levels)


def load_corpus(root: Path | str) -> Corpus:
    """Questions, answers and whatever ratings exist yet under ``root``."""
    root = Path(root)
    questions = _questions(root / "questions.yaml")
    by_id = {q.id: q for q in questions}
    answers: list[Answer] = []
    for path in sorted((root / "answers").glob("*.jsonl")):
        answers.extend(_answer(record, by_id, where) for record, where in _jsonl(path))
    _unique((a.id for a in answers), root / "answers")
    if not answers:
        raise InvalidInput(f"{root}: no answers in answers/*.jsonl")
    known = {a.id: a for a in answers}
    raters = {}
    for name in RATERS:
        path = root / "ratings" / f"{name}.jsonl"
        if path.exists():
            raters[name] = _ratings(path, known)
    reference_path = root / "ratings" / "reference.jsonl"
    reference = _ratings(reference_path, known) if reference_path.exists() else {}
    return Corpus(questions, tuple(answers), raters, reference)


def resolve_reference(
    a: Ratings, b: Ratings, adjudicated: Mapping[str, Mapping[str, float]]
) -> tuple[Ratings, list[tuple[str, str]]]:
    """The reference ratings from two raters: their mean where they are within one level,
    the adjudicated level where they are further apart. Returns the reference and the
    (answer, competency) pairs still waiting for adjudication."""
    reference: Ratings = {}
    waiting: list[tuple[str, str]] = []
    for answer_id in sorted(a.keys() & b.keys()):
        levels = {}
        for competency, level_a in a[answer_id].items():
            level_b = b[answer_id][competency]
            if abs(level_a - level_b) < DISAGREEMENT:
                levels[competency] = (level_a + level_b) / 2
            elif competency in adjudicated.get(answer_id, {}):
                levels[competency] = float(adjudicated[answer_id][competency])
            else:
                waiting.append((answer_id, competency))
        reference[answer_id] = levels
    return reference, waiting


def blind_sheet(corpus: Corpus, seed: int = 13) -> list[dict[str, Any]]:
    """What a rater sees: id, question, competencies and answer, in a shuffled order, without
    the author's kind, style or aim."""
    rows = [
        {
            "id": a.id,
            "question": a.question.text,
            "competencies": list(a.question.competencies),
            "answer": a.text,
        }
        for a in corpus.answers
    ]
    random.Random(seed).shuffle(rows)
    return rows


def _questions(path: Path) -> tuple[Question, ...]:
    data = read_yaml(path)
    entries = data.get("questions") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise InvalidInput(f"{path}: needs a non-empty 'questions' list")
    questions = []
    for entry in entries:
        try:
            question = Question(
                id=str(entry["id"]),
                job=str(entry["job"]),
                text=str(entry["text"]),
                competencies=tuple(str(c) for c in entry["competencies"]),
                split=str(entry["split"]),
            )
        except (KeyError, TypeError) as exc:
            raise InvalidInput(f"{path}: question {entry!r}: missing or malformed {exc}") from exc
        if question.split not in SPLITS or not question.competencies:
            raise InvalidInput(f"{path}: question {question.id}: split must be dev or test")
        questions.append(question)
    _unique((q.id for q in questions), path)
    return tuple(questions)


def _answer(record: Any, questions: Mapping[str, Question], where: str) -> Answer:
    try:
        question = questions[record["question"]]
        answer = Answer(
            id=str(record["id"]),
            question=question,
            kind=str(record["kind"]),
            style=str(record["style"]),
            text=str(record["answer"]),
            intended={str(k): int(v) for k, v in record["intended"].items()},
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InvalidInput(f"{where}: missing or malformed {exc}") from exc
    if answer.kind not in KINDS or answer.style not in STYLES or not answer.text.strip():
        raise InvalidInput(f"{where}: unknown kind/style or empty answer")
    _check_levels(answer.intended, question, where)
    return answer


def _ratings(path: Path, answers: Mapping[str, Answer]) -> Ratings:
    ratings: Ratings = {}
    for record, where in _jsonl(path):
        try:
            answer = answers[record["id"]]
            levels = {str(k): float(v) for k, v in record["ratings"].items()}
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InvalidInput(f"{where}: missing or malformed {exc}") from exc
        _check_levels(levels, answer.question, where)
        if answer.id in ratings:
            raise InvalidInput(f"{where}: {answer.id} rated twice")
        ratings[answer.id] = levels
    return ratings


def _check_levels(levels: Mapping[str, float], question: Question, where: str) -> None:
    if set(levels) != set(question.competencies):
        wanted = "、".join(question.competencies)
        raise InvalidInput(f"{where}: needs exactly the competencies {wanted}")
    if any(not LEVELS[0] <= v <= LEVELS[-1] for v in levels.values()):
        raise InvalidInput(f"{where}: levels must be within 1..5")


def _jsonl(path: Path) -> Iterable[tuple[Any, str]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: cannot read ({exc})") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield json.loads(line), f"{path}:{number}"
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"{path}:{number}: not JSON ({exc.msg})") from exc


def _unique(ids: Iterable[str], where: Path) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise InvalidInput(f"{where}: duplicate id {item}")
        seen.add(item)
