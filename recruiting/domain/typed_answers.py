"""Reading what a candidate typed (not tapped) as an answer to an offer or to a survey
question, cautiously: a decision is taken only when the text says nothing else.

Offer: 「接受offer」「我接受」「同意」「好的，我接受这份 offer，谢谢」 accept; 「婉拒」「拒绝offer」
「不接受」「我不考虑了」 decline. Negations are read first, so 「不接受」 is a decline. Text
that holds a decision word and more (「接受，但希望晚一周入职」), both kinds of words, or
only a vague assent (「确认」「好的」) is ``UNCLEAR``: the candidate is asked, never decided
for. Text about the offer without a decision (「offer 什么时候截止？」) is ``ABOUT``: it
goes to HR. Text that names the interview and not the offer is not an offer answer.

Survey: the current question's option, typed as its number (「4」「4分」), its label
(「很满意」) or its key.

Talent pool (a consent, so only an explicit answer counts): once greetings, thanks and
「人才库」 are set aside, the text must be exactly a yes (「同意」「同意加入」「愿意」「加入」)
or a no (「不同意」「不愿意」「不加入」「不需要」「拒绝」); 「好的」 alone, or a yes with a
condition, decides nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from recruiting.domain.surveys import Question

ACCEPT = "accept"
DECLINE = "decline"

_DECLINE_WORDS = (
    "婉拒", "拒绝", "不接受", "不同意", "不考虑", "不愿意", "不想加入", "不加入", "不去",
    "不来", "放弃", "谢绝", "decline", "reject",
)  # fmt: skip
_ACCEPT_WORDS = (
    "接受", "同意", "愿意加入", "加入", "确认入职", "同意入职", "按时入职", "accept",
)  # fmt: skip
_VAGUE_WORDS = (
    "确认", "确定", "好的", "好", "可以", "行", "没问题", "收到", "嗯", "是的", "ok", "yes",
)  # fmt: skip
_FILLERS = (
    "您好", "你好", "谢谢", "感谢", "非常", "十分", "很", "我", "您", "的", "了", "啦", "呀",
    "哦", "嗯", "呢", "这份", "这个", "贵公司", "贵司", "公司", "offer", "录用", "邀请",
    "通知", "决定", "选择", "hr", "老师", "好的",
)  # fmt: skip
_OFFER_WORDS = ("offer", "录用", "入职", "聘用", "薪资", "薪酬", "月薪")
_INTERVIEW_WORDS = ("面试", "改期", "改时间", "换时间", "时间")


class Reading(StrEnum):
    DECISION = "decision"  # ``key`` is accept / decline
    UNCLEAR = "unclear"  # ask the candidate; ``extra`` when there is more to tell HR
    ABOUT = "about"  # about the offer, no decision: for HR
    NONE = "none"  # not about the offer


@dataclass(frozen=True)
class OfferReading:
    kind: Reading
    key: str = ""
    extra: bool = False


def normalize(text: str) -> str:
    """Lower case without spaces, punctuation or emoji."""
    return re.sub(r"[\W_]+", "", text.lower())


def names_offer(text: str) -> bool:
    return _has(normalize(text), _OFFER_WORDS)


def names_interview(text: str) -> bool:
    return _has(normalize(text), _INTERVIEW_WORDS)


def read_offer_answer(text: str) -> OfferReading:
    t = normalize(text)
    if not t or (_has(t, _INTERVIEW_WORDS) and not _has(t, _OFFER_WORDS)):
        return OfferReading(Reading.NONE)
    declined = _has(t, _DECLINE_WORDS)
    accepted = _has(_strip(t, _DECLINE_WORDS), _ACCEPT_WORDS)
    if declined and accepted:
        return OfferReading(Reading.UNCLEAR, extra=True)
    if declined or accepted:
        key, words = (DECLINE, _DECLINE_WORDS) if declined else (ACCEPT, _ACCEPT_WORDS)
        if _strip(t, words + _FILLERS + _VAGUE_WORDS):
            return OfferReading(Reading.UNCLEAR, key, extra=True)
        return OfferReading(Reading.DECISION, key)
    if not _strip(t, _VAGUE_WORDS + _FILLERS):
        return OfferReading(Reading.UNCLEAR)
    if _has(t, _OFFER_WORDS):
        return OfferReading(Reading.ABOUT)
    return OfferReading(Reading.NONE)


POOL_GRANT = "grant"  # the keys of ``services.personal_data.talent_pool.CHOICES``
POOL_DECLINE = "decline"
_POOL_YES = frozenset(
    {"同意", "同意加入", "愿意", "愿意加入", "加入", "可以加入", "想加入", "要加入"}
)
_POOL_NO = frozenset(
    {"不同意", "不同意加入", "不愿意", "不愿意加入", "不加入", "不想加入", "不要", "不要加入",
     "不需要", "不用", "拒绝", "拒绝加入", "no"}
)  # fmt: skip
_POOL_FILLERS = ("加入人才库", "人才库", "您的", "你们的", "不好意思", "抱歉", "暂时", "先")


def read_pool_answer(text: str) -> str | None:
    """``POOL_GRANT`` / ``POOL_DECLINE`` for a typed answer to the talent-pool question, or
    None when the text is not exactly one of them."""
    t = normalize(text)
    if not t:
        return None
    rest = _strip(t, _POOL_FILLERS + _FILLERS)
    rest = _strip(rest, tuple(w for w in _VAGUE_WORDS if len(w) > 1 and w not in ("可以",)))
    if rest in _POOL_NO:
        return POOL_DECLINE
    if rest in _POOL_YES:
        return POOL_GRANT
    return None


def read_option(q: Question, text: str) -> str | None:
    """The option of ``q`` the text names, or None."""
    t = normalize(text)
    if not t:
        return None
    for o in q.options:
        label = normalize(o.label)
        bare = normalize(o.label.split(" ", 1)[-1])
        if t in (o.key.lower(), label, bare, f"{o.key}分", f"{o.key}星", f"选{o.key}"):
            return o.key
    return None


def _has(text: str, words: tuple[str, ...]) -> bool:
    return any(w in text for w in words)


def _strip(text: str, words: tuple[str, ...]) -> str:
    for word in sorted(words, key=len, reverse=True):
        text = text.replace(word, "")
    return text
