"""Interviewers' notes about the candidate, turned into what the candidate said.

Notes are often written in the third person: 他说团队里他负责培训新人. Quoted back to the
candidate as their own words they read wrong (你提到"他说团队里他负责培训新人"). So a note
that reports the candidate is read as the candidate's words in the first person (for the
analysis: 团队里我负责培训新人), and a follow-up puts it back in the second person, without
quotation marks, since it is the interviewer's paraphrase and not a verbatim quote:
你提到团队里你负责培训新人，…

Third person singular (他 / 她 / TA / 候选人) is the candidate; 他们 / 她们 are other people
and stay. Deterministic, like the rest of the text core.
"""

from __future__ import annotations

import re

_WHO = r"(?:候选人|应聘者|面试者|对方|他|她|TA|ta)"
_SAYS = r"(?:说|提到|表示|称|讲|谈到|介绍|回答|自述|描述|强调|觉得|认为)"
# 他说 / 她刚才提到 / 候选人表示： at the start of a sentence or clause
_REPORTING = re.compile(
    rf"(?:(?<=^)|(?<=[。！？!?；;，,\n]))\s*{_WHO}\s*(?:刚才|之前|也|还|又)?\s*{_SAYS}"
    r"(?:了|过|道)?\s*[，,：:]?\s*"
)
# 他/她 only as a word of its own: not in 其他 / 吉他 / 他人 / 他们, nor ta inside data
_CANDIDATE = re.compile(
    r"候选人|应聘者|面试者|(?<![其吉利排])(?:他|她)(?![们人])|(?<![A-Za-z])(?:TA|ta)(?![A-Za-z])"
)
_FIRST = re.compile(r"我们|我")


def is_reported(note: str) -> bool:
    """True when the note speaks of the candidate in the third person."""
    return bool(_REPORTING.search(note) or _CANDIDATE.search(note))


def first_person(note: str) -> str:
    """The candidate's words as the note reports them (他说团队里他负责… → 团队里我负责…)."""
    return _CANDIDATE.sub("我", _REPORTING.sub("", note))


def second_person(text: str) -> str:
    """The candidate's first-person words addressed back to them (我们 → 你们, 我 → 你)."""
    return _FIRST.sub(lambda m: "你们" if m.group() == "我们" else "你", text)
