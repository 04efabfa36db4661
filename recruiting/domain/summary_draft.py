"""Drafting the summary a candidate may read after an interview, from the stored scores.

Rules (HR reads, edits and releases the draft; nothing here reaches a candidate by itself):

* Human panel scores come first: when any interviewer scored, the candidate's text rests on
  their scores alone and the AI's advisory scores appear only in HR's notes, marked as such.
  With no human score the AI's are used and HR is told so.
* Strengths are the best-rated competencies (≥ 3.5, at most two), described with the rubric
  anchor of the level reached; areas to improve are the weakest (< 3.5, at most two), with
  the anchor of the next level as the concrete thing to work on.
* Candidates never see numbers. Quotes are the candidate's own recorded words only (never
  an interviewer's notes), and none at all when the application is rejected.
* Rejected applications get respectful suggestions tied to the weakest competencies.
* Nothing is invented: with no scores the draft is empty, says what is missing, and HR must
  write the summary.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from recruiting.domain.shorten import shorten

STRONG = 3.5
SHOWN = 2  # competencies per list
NO_SCORES = (
    "本场面试还没有任何评分（面试官未打分，AI 也没有可依据的评估），无法起草。请 HR 撰写后发布。"
)
QUOTE_CHARS = 40


class Outcome(StrEnum):
    PENDING = "pending"  # still being decided
    REJECTED = "rejected"
    OFFER = "offer"


class Basis(StrEnum):
    HUMAN = "human"
    AI = "ai"
    NONE = "none"


@dataclass(frozen=True)
class Rubric:
    """A competency of the job's model with its level anchors (texts for levels 1..5)."""

    name: str
    anchors: tuple[str, ...] = ()

    def anchor(self, level: int) -> str:
        if not self.anchors:
            return ""
        return self.anchors[min(max(level, 1), len(self.anchors)) - 1]


@dataclass(frozen=True)
class Rating:
    """One competency's scores: each interviewer's, and the AI's advisory one."""

    human: tuple[float, ...] = ()
    ai: float | None = None
    ai_quotes: tuple[str, ...] = ()
    raters: tuple[str, ...] = ()  # names, in the order of ``human``

    @property
    def human_mean(self) -> float | None:
        return round(sum(self.human) / len(self.human), 2) if self.human else None


@dataclass(frozen=True)
class DraftInput:
    job_title: str
    round_name: str
    rubrics: Sequence[Rubric]  # in the job's weight order
    ratings: Mapping[str, Rating]  # competency name → scores
    outcome: Outcome = Outcome.PENDING
    own_words_quotable: bool = False  # AI evidence quotes the candidate (recorded answers)
    missing_raters: tuple[str, ...] = ()
    # A rejected application's reason: how the candidate is told (respectful, no scores)
    # and, for HR's notes only, the reason's name with HR's own note.
    rejection_for_candidate: str = ""
    rejection_for_hr: str = ""


@dataclass(frozen=True)
class Draft:
    strengths: str
    improvements: str
    next_step: str
    hr_notes: str
    basis: Basis
    needs_writing: bool
    levels: dict[str, float] = field(default_factory=dict)  # what the text rests on


def draft_summary(data: DraftInput) -> Draft:
    """The draft of ``data`` (see the module rules)."""
    basis, levels = _levels(data)
    notes = _hr_notes(data, basis)
    if basis is Basis.NONE:
        missing = NO_SCORES
        return Draft("", "", "", f"{missing}\n{notes}".strip(), basis, True, {})
    rejected = data.outcome is Outcome.REJECTED
    ordered = [r for r in data.rubrics if r.name in levels]
    best = sorted(ordered, key=lambda r: -levels[r.name])
    strong = [r for r in best if levels[r.name] >= STRONG][:SHOWN]
    weak = [r for r in reversed(best) if levels[r.name] < STRONG][:SHOWN]
    quotes = data.own_words_quotable and not rejected
    strengths = "\n".join(_strength(r, levels[r.name], data, quotes) for r in strong)
    if not strengths:
        strengths = "本场面试中各项能力表现较为接近，暂未出现特别突出的方面。"
    if weak:
        improvements = "\n".join(_improvement(r, levels[r.name], rejected) for r in weak)
    else:
        top = best[-1]
        improvements = f"各项表现均达到较好水平。若想更进一步，可以关注{top.name}：{_next(top, 5)}"
    return Draft(strengths, improvements, _next_step(data), notes, basis, False, levels)


def _levels(data: DraftInput) -> tuple[Basis, dict[str, float]]:
    names = {r.name for r in data.rubrics}
    human = {n: r.human_mean for n, r in data.ratings.items() if n in names and r.human_mean}
    if human:
        return Basis.HUMAN, {n: v for n, v in human.items() if v is not None}
    ai = {n: r.ai for n, r in data.ratings.items() if n in names and r.ai is not None}
    if ai:
        return Basis.AI, {n: v for n, v in ai.items() if v is not None}
    return Basis.NONE, {}


def _level(value: float) -> int:
    return min(max(math.floor(value + 0.5), 1), 5)


def _strength(rubric: Rubric, value: float, data: DraftInput, quotes: bool) -> str:
    anchor = rubric.anchor(_level(value))
    line = f"{rubric.name}：面试中的表现接近这样的描述——{anchor}" if anchor else f"{rubric.name}"
    rating = data.ratings.get(rubric.name)
    if quotes and rating is not None and rating.ai_quotes:
        line += f"例如您提到“{_clip(rating.ai_quotes[0])}”。"
    return line


def _improvement(rubric: Rubric, value: float, rejected: bool) -> str:
    target = max(_level(value) + 1, 4 if rejected else 3)
    anchor = _next(rubric, target)
    if rejected:
        return (
            f"{rubric.name}：建议准备一两个亲身经历的具体事例，按“情境—任务—行动—结果”讲清楚"
            f"您做了什么、结果如何。表现较好的回答通常能做到：{anchor}"
        )
    return f"{rubric.name}：可以朝这个方向准备——{anchor}"


def _next(rubric: Rubric, level: int) -> str:
    return rubric.anchor(level) or "多用具体事例说明自己的做法和结果。"


def _next_step(data: DraftInput) -> str:
    if data.outcome is Outcome.REJECTED:
        why = "经过综合评估，这次我们没有继续推进您的申请。"
        if data.rejection_for_candidate:
            why = f"{data.rejection_for_candidate}，很遗憾这次未能继续推进您的申请。"
        return (
            f"感谢您投入时间参加{data.job_title}的面试。{why}希望以上建议对您今后的面试有所帮助，"
            "也欢迎您关注我们今后的其他岗位。"
        )
    if data.outcome is Outcome.OFFER:
        return "招聘团队会尽快与您联系后续的 offer 事宜。"
    return f"招聘团队正在综合评估{data.round_name}的结果，确定后会通知您下一步安排。"


def _hr_notes(data: DraftInput, basis: Basis) -> str:
    """What the draft rests on, for HR only: every rater's scores, the AI's marked."""
    lines = []
    if basis is Basis.HUMAN:
        lines.append("依据：面试官评分（AI 评分仅作参考，未用于起草）。")
    elif basis is Basis.AI:
        lines.append("依据：仅有 AI 参考评分，面试官尚未评分。请核对后再发布。")
    for rubric in data.rubrics:
        rating = data.ratings.get(rubric.name)
        if rating is None:
            continue
        parts = []
        if rating.human:
            pairs = zip(rating.raters, rating.human, strict=False)
            people = "、".join(f"{n} {v:g}" for n, v in pairs)
            parts.append(f"面试官 {people}")
        if rating.ai is not None:
            quote = f"「{_clip(rating.ai_quotes[0])}」" if rating.ai_quotes else ""
            parts.append(f"AI 参考 {rating.ai:g}{quote}")
        if parts:
            lines.append(f"· {rubric.name}：{'；'.join(parts)}")
    if data.missing_raters:
        lines.append(f"尚未评分：{'、'.join(data.missing_raters)}")
    if data.rejection_for_hr:
        lines.append(f"未通过原因：{data.rejection_for_hr}")
    return "\n".join(lines)


def _clip(text: str) -> str:
    return shorten(text, max_chars=QUOTE_CHARS, inline=True)
