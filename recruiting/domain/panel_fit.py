"""Who should sit on a panel: interviewers matched to the opening before anyone's calendar.

A sales role is judged by sales people: availability only orders interviewers who fit
equally well. The fit of an interviewer to an opening adds up (0 means no sign of a fit):

* +4 when they work in the opening's department;
* +2 per business function both sides name (销售, 技术, 产品 …, read from the opening's title
  and department and the interviewer's title, department and expertise);
* +1 per competency of the opening or round (code or name) in the interviewer's expertise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

FUNCTIONS = (
    "销售",
    "市场",
    "客户",
    "商务",
    "技术",
    "研发",
    "开发",
    "工程",
    "测试",
    "数据",
    "算法",
    "产品",
    "设计",
    "运营",
    "财务",
    "会计",
    "人力",
    "人事",
    "招聘",
    "法务",
    "采购",
    "供应链",
    "物流",
    "生产",
    "质量",
    "行政",
    "客服",
)
DEPARTMENT = 4
FUNCTION = 2
COMPETENCY = 1


@dataclass(frozen=True)
class Opening:
    title: str
    department: str
    competencies: frozenset[str]  # codes and names of the opening's and the round's


@dataclass(frozen=True)
class Candidate:
    """An interviewer as far as the fit is concerned."""

    id: int
    title: str
    department: str
    expertise: frozenset[str]


def functions(texts: Iterable[str]) -> set[str]:
    joined = " ".join(texts)
    return {word for word in FUNCTIONS if word in joined}


def fit(opening: Opening, who: Candidate) -> int:
    score = 0
    if who.department and _same(who.department, opening.department):
        score += DEPARTMENT
    wanted = functions([opening.title, opening.department])
    offered = functions([who.title, who.department, *who.expertise])
    score += FUNCTION * len(wanted & offered)
    score += COMPETENCY * len(opening.competencies & who.expertise)
    return score


def fits(opening: Opening, pool: Sequence[Candidate]) -> dict[int, int]:
    return {who.id: fit(opening, who) for who in pool}


def preferred(fit_of: Mapping[int, int], panel_size: int) -> list[int] | None:
    """The interviewers who fit, when there are enough of them for a panel; None when a
    panel must draw on the others too."""
    matched = [who for who, score in fit_of.items() if score > 0]
    return matched if len(matched) >= panel_size else None


def _same(a: str, b: str) -> bool:
    a, b = a.strip(), b.strip()
    return bool(a and b) and (a == b or a in b or b in a)
