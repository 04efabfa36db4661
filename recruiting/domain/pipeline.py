"""Where an application stands on the pipeline board, and why an application was rejected.

The stage is derived, never stored: it follows from the application's status, its
interviews and its offers, so no second copy can drift from them. The rule, first match
wins::

    hired / rejected / withdrawn      the application's closing status
    offer                             status ``offer``, or an offer that is not withdrawn
    live                              a live (on-site or remote) interview not cancelled
    recorded                          a recorded interview not cancelled
    screened                          status ``screening`` or ``interviewing``
    new                               otherwise (status ``applied``)

``recruiting.services.pipeline.board`` computes the same rule in SQL (one CASE per row);
a test holds the two to each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Stage(StrEnum):
    NEW = "new"
    SCREENED = "screened"
    RECORDED = "recorded"
    LIVE = "live"
    OFFER = "offer"
    HIRED = "hired"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


STAGE_NAMES: dict[Stage, str] = {
    Stage.NEW: "新申请",
    Stage.SCREENED: "已筛选",
    Stage.RECORDED: "录制面试",
    Stage.LIVE: "面试轮次",
    Stage.OFFER: "录用",
    Stage.HIRED: "已入职",
    Stage.REJECTED: "未通过",
    Stage.WITHDRAWN: "已撤回",
}

CLOSED_STAGES = frozenset({Stage.HIRED, Stage.REJECTED, Stage.WITHDRAWN})

# Offer statuses that no longer count as an offer in hand (the candidate stays in the
# stage before it).
DEAD_OFFERS = ("cancelled", "rejected", "withdrawn", "withdrawn_after_approval", "deleted")
# Interview statuses that do not put an application in a stage.
DEAD_INTERVIEWS = ("cancelled",)


def stage_of(status: str, *, recorded: bool, live: bool, offer: bool) -> Stage:
    """The stage of an application with ``status`` and the live records it has (see the
    module rule)."""
    if status in (Stage.HIRED, Stage.REJECTED, Stage.WITHDRAWN):
        return Stage(status)
    if status == "offer" or offer:
        return Stage.OFFER
    if live:
        return Stage.LIVE
    if recorded:
        return Stage.RECORDED
    if status in ("screening", "interviewing"):
        return Stage.SCREENED
    return Stage.NEW


class RejectReason(StrEnum):
    """Why HR turned an application down: a fixed choice (for reports and the candidate's
    message), with HR's own note beside it kept for HR."""

    SKILLS = "skills"
    EXPERIENCE = "experience"
    BETTER_MATCH = "better_match"
    POSITION_FILLED = "position_filled"
    EXPECTATIONS = "expectations"
    OTHER = "other"


REJECT_NAMES: dict[RejectReason, str] = {
    RejectReason.SKILLS: "能力与岗位要求有差距",
    RejectReason.EXPERIENCE: "经验与岗位要求不匹配",
    RejectReason.BETTER_MATCH: "有更匹配的候选人",
    RejectReason.POSITION_FILLED: "岗位已招满或暂停招聘",
    RejectReason.EXPECTATIONS: "双方期望（薪资、地点等）不一致",
    RejectReason.OTHER: "其他",
}

# The same reasons on a chat card's buttons (WeCom advises ≤ 10 characters a button).
REJECT_BUTTONS: dict[RejectReason, str] = {
    RejectReason.SKILLS: "能力有差距",
    RejectReason.EXPERIENCE: "经验不匹配",
    RejectReason.BETTER_MATCH: "有更合适人选",
    RejectReason.POSITION_FILLED: "岗位已招满",
    RejectReason.EXPECTATIONS: "期望不一致",
    RejectReason.OTHER: "其他原因",
}

# What the candidate reads: respectful, no scores, no AI, nothing HR wrote in the note.
REJECT_FOR_CANDIDATE: dict[RejectReason, str] = {
    RejectReason.SKILLS: "我们目前需要在岗位所需的部分能力上有更多积累的候选人",
    RejectReason.EXPERIENCE: "这个岗位目前需要的经验方向与您的经历不太一致",
    RejectReason.BETTER_MATCH: "我们最终选择了与岗位要求更贴近的候选人",
    RejectReason.POSITION_FILLED: "这个岗位目前已招满或暂停招聘",
    RejectReason.EXPECTATIONS: "双方在岗位安排上的期望暂时没能达成一致",
    RejectReason.OTHER: "经过综合考虑",
}


def reject_reason(value: str) -> RejectReason | None:
    """The reason ``value`` names (code or Chinese name), None when it names none."""
    for reason, name in REJECT_NAMES.items():
        if value in (reason.value, name):
            return reason
    return None


def rejection_text(job_title: str, reason: RejectReason) -> str:
    """The candidate's message when their application is turned down."""
    return (
        f"您好，感谢您应聘「{job_title}」并为此投入的时间和精力。"
        f"{REJECT_FOR_CANDIDATE[reason]}，很遗憾这次未能继续推进您的申请。"
        "这并不代表对您个人的否定，欢迎您今后继续关注我们的其他岗位，祝您求职顺利。"
    )


@dataclass(frozen=True)
class Mark:
    """Where an evidence quote sits in a transcript: segment, character span in that
    segment's text, and the segment's start time (seconds) to seek the video to."""

    quote: str
    segment: int
    start: int
    end: int
    at: float


def locate_quotes(segments: list[tuple[float, str]], quotes: list[str]) -> list[Mark | None]:
    """For each quote its place in ``segments`` (start seconds, text), None when the quote
    is not found (a paraphrasing engine, or an edited transcript).

    A quote may run over a segment boundary (segments are joined with a space in the
    transcript text); it is then marked from its start in the first segment to the end of
    that segment. Whitespace differences are ignored."""
    joined, owners = _joined(segments)
    marks: list[Mark | None] = []
    for quote in quotes:
        needle = "".join(quote.split())
        at = joined.find(needle) if needle else -1
        if at < 0:
            marks.append(None)
            continue
        seg, first = owners[at]
        last_seg, last = owners[at + len(needle) - 1]
        end = last + 1 if last_seg == seg else len(segments[seg][1])
        marks.append(Mark(quote, seg, first, end, segments[seg][0]))
    return marks


def _joined(segments: list[tuple[float, str]]) -> tuple[str, list[tuple[int, int]]]:
    """The segments' texts without whitespace, with each character's (segment, offset)."""
    chars: list[str] = []
    owners: list[tuple[int, int]] = []
    for index, (_, text) in enumerate(segments):
        for offset, char in enumerate(text):
            if not char.isspace():
                chars.append(char)
                owners.append((index, offset))
    return "".join(chars), owners


@dataclass(frozen=True)
class Happening:
    """One line of an application's timeline: when, what kind, what HR reads."""

    at: datetime
    kind: str
    text: str


def in_time_order(happenings: list[Happening]) -> list[Happening]:
    """Oldest first; happenings at the same moment keep the order they were gathered in
    (the order of cause and effect: an invitation before its reminder), and exact repeats
    (the same record reached twice) are shown once."""
    seen: set[Happening] = set()
    unique = []
    for h in happenings:
        if h not in seen:
            seen.add(h)
            unique.append(h)
    return sorted(unique, key=lambda h: h.at)


# The rules read behaviour, not meaning: HR is told they cannot tell an answer from a story
# about something else (interview_core/text/concepts.py)
RULES_ENGINE_NAME = "规则评分，结果可复现；不能判断所讲经历是否切题"


def ai_engine_name(rater_key: str) -> str:
    """The AI rater as HR reads it (a score's rater key is ``ai:<engine>``, e.g.
    ``ai:rules-v2 (jieba)`` or ``ai:llm:<model>``): which kind of engine, never the key."""
    engine = rater_key.removeprefix("ai:")
    if engine.startswith("llm:"):
        model = engine.removeprefix("llm:").rsplit("/", 1)[0]
        return f"大语言模型评分，模型 {model}" if model else "大语言模型评分"
    if engine.startswith("rules"):
        return RULES_ENGINE_NAME
    return "AI 评分"
