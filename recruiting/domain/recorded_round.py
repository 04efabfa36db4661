"""Rules of a recorded interview: the questions of a round and the clock around each one.

The server, not the app, decides what a candidate may see and when: a question is revealed
only after the one before it was submitted or skipped; an answer must start uploading within
its preparation + answer time (plus a grace for slow networks) and may not be longer than
its answer time; retakes are counted; nothing is accepted after the deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from recruiting.errors import Conflict, InvalidInput

MAX_ANSWER_SECONDS = 300  # five minutes: longer answers lose the candidate and the reviewer
MAX_PREP_SECONDS = 600
MAX_RETAKES = 5
UPLOAD_START_GRACE = timedelta(minutes=10)  # recording ends on the phone, upload may lag
DURATION_TOLERANCE = 2.0  # seconds: encoders round container durations up


class DeadlinePassed(Conflict):
    code = "deadline_passed"


class AnswerWindowClosed(Conflict):
    code = "answer_window_closed"


class RetakeLimit(Conflict):
    code = "retake_limit"


class OutOfOrder(Conflict):
    code = "question_out_of_order"


@dataclass(frozen=True)
class RecordedQuestion:
    text: str
    competencies: tuple[str, ...]  # competency names of the library
    prep_seconds: int = 30
    answer_seconds: int = 180
    retakes: int = 1

    @classmethod
    def from_json(cls, data: dict[str, Any], position: int) -> RecordedQuestion:
        where = f"question {position + 1}"
        text = str(data.get("text") or "").strip()
        if not text:
            raise InvalidInput(f"{where}: text is required")
        competencies = data.get("competencies") or []
        if not isinstance(competencies, list) or not all(isinstance(c, str) for c in competencies):
            raise InvalidInput(f"{where}: competencies must be a list of names")
        question = cls(
            text=text,
            competencies=tuple(competencies),
            prep_seconds=_int(data, "prep_seconds", 30, where),
            answer_seconds=_int(data, "answer_seconds", 180, where),
            retakes=_int(data, "retakes", 1, where),
        )
        question.validate(where)
        return question

    def validate(self, where: str) -> None:
        if not 10 <= self.answer_seconds <= MAX_ANSWER_SECONDS:
            raise InvalidInput(f"{where}: answer_seconds must be 10..{MAX_ANSWER_SECONDS}")
        if not 0 <= self.prep_seconds <= MAX_PREP_SECONDS:
            raise InvalidInput(f"{where}: prep_seconds must be 0..{MAX_PREP_SECONDS}")
        if not 0 <= self.retakes <= MAX_RETAKES:
            raise InvalidInput(f"{where}: retakes must be 0..{MAX_RETAKES}")

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "competencies": list(self.competencies),
            "prep_seconds": self.prep_seconds,
            "answer_seconds": self.answer_seconds,
            "retakes": self.retakes,
        }

    def upload_window_end(self, revealed_at: datetime) -> datetime:
        """The last moment an upload of this answer may begin."""
        return (
            revealed_at
            + timedelta(seconds=self.prep_seconds + self.answer_seconds)
            + (UPLOAD_START_GRACE)
        )

    def accepts_duration(self, seconds: float) -> bool:
        return seconds <= self.answer_seconds + DURATION_TOLERANCE


def parse_questions(data: Any) -> tuple[RecordedQuestion, ...]:
    """The questions of a recorded round, validated; a round without questions is refused."""
    if not isinstance(data, list) or not data:
        raise InvalidInput("a recorded round needs a non-empty list of questions")
    return tuple(RecordedQuestion.from_json(q, i) for i, q in enumerate(data) if _is_map(q, i))


def check_deadline(deadline: datetime | None, now: datetime) -> None:
    if deadline is not None and now > deadline:
        raise DeadlinePassed(f"the deadline {deadline.isoformat()} has passed")


def check_retake(question: RecordedQuestion, used: int) -> None:
    if used >= question.retakes:
        raise RetakeLimit(f"no retakes left: {question.retakes} allowed, {used} used")


def _is_map(value: Any, position: int) -> bool:
    if not isinstance(value, dict):
        raise InvalidInput(f"question {position + 1}: must be a mapping")
    return True


def _int(data: dict[str, Any], key: str, default: int, where: str) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{where}: {key} must be an integer")
    return value
