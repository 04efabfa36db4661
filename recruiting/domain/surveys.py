"""The post-interview surveys: their questions, answer validation and the summary per job
and round (pure rules; the use cases live in ``recruiting.services.after_interview.surveys``).

Every question is single-choice. Rating questions (1–5) have a mean; the others only a
distribution. The response rate is complete responses over surveys sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from recruiting.errors import InvalidInput

COMMENT_LIMIT = 500  # characters of a candidate's free comment


@dataclass(frozen=True)
class Option:
    key: str
    label: str


@dataclass(frozen=True)
class Question:
    key: str
    title: str
    options: tuple[Option, ...]
    rating: bool = False  # options are "1".."5": a mean makes sense

    def option(self, key: str) -> Option | None:
        return next((o for o in self.options if o.key == key), None)


def _scale(*labels: str) -> tuple[Option, ...]:
    return tuple(Option(str(i), f"{i} {label}") for i, label in enumerate(labels, start=1))


CANDIDATE_QUESTIONS: tuple[Question, ...] = (
    Question(
        "satisfaction",
        "您对本次面试的整体满意度？",
        _scale("很不满意", "不满意", "一般", "满意", "很满意"),
        rating=True,
    ),
    Question(
        "relevance",
        "面试问题与应聘岗位的相关程度？",
        _scale("完全无关", "关系不大", "一般", "比较相关", "非常相关"),
        rating=True,
    ),
    Question(
        "difficulty",
        "您觉得面试的难度如何？",
        (Option("easy", "太简单"), Option("right", "适中"), Option("hard", "太难")),
    ),
)
INTERVIEWER_QUESTIONS: tuple[Question, ...] = (
    Question(
        "questions_fit",
        "题目是否合适",
        (Option("fit", "合适"), Option("partly", "部分合适"), Option("unfit", "不合适")),
    ),
    Question(
        "time_enough",
        "时间是否充足",
        (Option("enough", "充足"), Option("tight", "偏紧"), Option("short", "不足")),
    ),
    Question(
        "prompts_useful",
        "AI 追问提示是否有用",
        (
            Option("useful", "有用"),
            Option("somewhat", "一般"),
            Option("useless", "没用"),
            Option("unused", "未使用"),
        ),
    ),
)


def question(questions: Sequence[Question], key: str) -> Question | None:
    return next((q for q in questions if q.key == key), None)


def validate_answers(
    questions: Sequence[Question], answers: Mapping[str, object]
) -> dict[str, str]:
    """Every question answered with one of its options (ratings may come as numbers)."""
    if not isinstance(answers, Mapping):
        raise InvalidInput("answers must be an object")
    unknown = sorted(set(answers) - {q.key for q in questions})
    if unknown:
        raise InvalidInput(f"unknown survey questions: {', '.join(unknown)}")
    chosen: dict[str, str] = {}
    for q in questions:
        value = answers.get(q.key)
        key = str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""
        if q.option(key) is None:
            allowed = "/".join(o.key for o in q.options)
            raise InvalidInput(f"{q.key} must be one of {allowed}")
        chosen[q.key] = key
    return chosen


def clean_comment(text: object) -> str:
    if text is None:
        return ""
    if not isinstance(text, str):
        raise InvalidInput("comment must be text")
    text = text.strip()
    if len(text) > COMMENT_LIMIT:
        raise InvalidInput(f"comment is longer than {COMMENT_LIMIT} characters")
    return text


def complete(questions: Sequence[Question], answers: Mapping[str, str]) -> bool:
    return all(q.option(str(answers.get(q.key, ""))) is not None for q in questions)


@dataclass(frozen=True)
class QuestionStats:
    key: str
    title: str
    n: int  # how many answered it
    mean: float | None  # rating questions only
    distribution: tuple[tuple[str, int], ...]  # (option label, count) in option order

    def to_json(self) -> dict[str, object]:
        return {
            "key": self.key,
            "title": self.title,
            "n": self.n,
            "mean": self.mean,
            "distribution": [{"option": label, "count": c} for label, c in self.distribution],
        }


@dataclass(frozen=True)
class SurveyStats:
    sent: int
    answered: int
    questions: tuple[QuestionStats, ...]

    @property
    def response_rate(self) -> float | None:
        return round(self.answered / self.sent, 3) if self.sent else None

    def to_json(self) -> dict[str, object]:
        return {
            "sent": self.sent,
            "answered": self.answered,
            "response_rate": self.response_rate,
            "questions": [q.to_json() for q in self.questions],
        }


def summarise(questions: Sequence[Question], responses: Iterable[Mapping[str, str]]) -> SurveyStats:
    """Counts, means and distributions over ``responses`` (one answers mapping per survey
    sent; partly answered ones count for the questions they answered)."""
    rows = list(responses)
    stats = []
    for q in questions:
        counts = {o.key: 0 for o in q.options}
        for answers in rows:
            key = str(answers.get(q.key, ""))
            if key in counts:
                counts[key] += 1
        n = sum(counts.values())
        mean = None
        if q.rating and n:
            mean = round(sum(int(k) * c for k, c in counts.items()) / n, 2)
        dist = tuple((o.label, counts[o.key]) for o in q.options)
        stats.append(QuestionStats(q.key, q.title, n, mean, dist))
    answered = sum(1 for answers in rows if complete(questions, answers))
    return SurveyStats(len(rows), answered, tuple(stats))


def stats_line(stats: SurveyStats) -> str:
    """One short line per question for chat: mean or the most chosen option."""
    parts = []
    for q in stats.questions:
        if not q.n:
            continue
        if q.mean is not None:
            parts.append(f"{_short(q.title)} 均分 {q.mean:.1f}")
        else:
            shown = "、".join(f"{label} {c}" for label, c in q.distribution if c)
            parts.append(f"{_short(q.title)} {shown}")
    return "；".join(parts)


_SHORT = {
    "您对本次面试的整体满意度？": "满意度",
    "面试问题与应聘岗位的相关程度？": "相关度",
    "您觉得面试的难度如何？": "难度",
}


def _short(title: str) -> str:
    return _SHORT.get(title, title)


_COMMAND = re.compile(
    r"^\s*(?:问卷|问卷汇总|调查问卷|surveys?)(?:[\s:：]+(?P<job>\S.*?))?\s*$", re.I
)


def parse_command(text: str) -> str | None:
    """``问卷 <岗位>`` / ``survey <job>``: the job text ("" when none was given), or None
    when the text is not this command."""
    match = _COMMAND.match(text)
    if match is None:
        return None
    return (match["job"] or "").strip()
