"""Reading a candidate's answer to an invitation, and HR's 安排面试 command, tolerantly.

Candidates answer by tapping a choice (exact keys) or by typing: 「确认」「好的，我会准时参加」
「能改个时间吗」「不去了」「2」. Typed text is matched on keywords, decline before
reschedule before confirm, so 「确认不去了」 is read as a decline, the cautious reading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CONFIRM = "confirm"
RESCHEDULE = "reschedule"
DECLINE = "decline"
SLOT_PREFIX = "slot:"

INVITE_CHOICES = ((CONFIRM, "确认"), (RESCHEDULE, "改期"), (DECLINE, "拒绝"))

_DECLINE_WORDS = (
    "拒绝",
    "不去",
    "不参加",
    "放弃",
    "不考虑",
    "不来",
    "去不了",
    "来不了",
    "decline",
    "reject",
    "no",
)
_RESCHEDULE_WORDS = (
    "改期",
    "改时间",
    "换时间",
    "换个时间",
    "改个时间",
    "别的时间",
    "其他时间",
    "改约",
    "推迟",
    "延期",
    "没空",
    "reschedule",
    "another time",
)
_CONFIRM_WORDS = (
    "确认",
    "确定",
    "好的",
    "可以",
    "没问题",
    "准时",
    "参加",
    "ok",
    "yes",
    "confirm",
)
# An invitation's code (``iv`` + 10 hex digits, made with the invitation) typed into 微信客服:
# it tells who writes before the channel is bound to her.
REFERENCE = re.compile(r"\biv[0-9a-f]{10}\b")
_SLOT = re.compile(r"^\s*(?:选|选择|第|slot|option)?\s*([1-9])\s*(?:个|号)?\s*$", re.IGNORECASE)
_CHINESE_DIGITS = {"一": "1", "二": "2", "三": "3", "四": "4", "五": "5"}


@dataclass(frozen=True)
class Answer:
    """``key`` is confirm / reschedule / decline, or ``slot:<n>`` (0-based)."""

    key: str

    @property
    def slot(self) -> int | None:
        if not self.key.startswith(SLOT_PREFIX):
            return None
        return int(self.key.removeprefix(SLOT_PREFIX))


def read_answer(text: str) -> Answer | None:
    """An answer in free text, or None when the text is not one."""
    cleaned = text.strip().lower()
    if not cleaned:
        return None
    for zh, digit in _CHINESE_DIGITS.items():
        cleaned = re.sub(rf"^(选|选择|第)?{zh}(个|号)?$", digit, cleaned)
    slot = _SLOT.match(cleaned)
    if slot:
        return Answer(f"{SLOT_PREFIX}{int(slot.group(1)) - 1}")
    if _has(cleaned, _DECLINE_WORDS):
        return Answer(DECLINE)
    if _has(cleaned, _RESCHEDULE_WORDS):
        return Answer(RESCHEDULE)
    if _has(cleaned, _CONFIRM_WORDS):
        return Answer(CONFIRM)
    return None


def _has(text: str, words: tuple[str, ...]) -> bool:
    for word in words:
        if word.isascii():
            if re.search(rf"\b{re.escape(word)}\b", text):
                return True
        elif word in text:
            return True
    return False


_SCHEDULE = re.compile(
    r"^\s*(?:请|帮我|麻烦)?\s*(?:安排面试|安排一下面试|约面试|预约面试|schedule(?:\s+interview)?)"
    r"\s*[:：]?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)


_PLACE = re.compile(r"(?:面试)?(?:地点|地址)\s*(?:[:：]|是|在)?\s*(?P<place>.*)$")
_REMOTE_WORDS = ("线上", "远程", "视频", "online", "remote")
PLACE_CHARS = 60


@dataclass(frozen=True)
class ScheduleRequest:
    candidate: str
    job: str
    location: str = ""  # the place HR gave for an on-site interview ("" = the default)
    remote: bool = False  # 线上 / 远程: a WeCom meeting instead of a place


def read_schedule(text: str) -> ScheduleRequest | None:
    """``安排面试 赵敏 销售代表`` / ``schedule 赵敏 sales`` / ``安排面试：赵敏，销售代表`` /
    ``给赵敏安排销售代表的面试``, optionally ending in ``地点 北京总部3楼301`` or ``线上``;
    None when the text is not this command."""
    stripped = text.strip()
    location = ""
    place = _PLACE.search(stripped)
    if place is not None:
        location = place.group("place").strip(" ，,。;；")[:PLACE_CHARS]
        stripped = stripped[: place.start()].rstrip(" ，,;；")
    remote = False
    for word in _REMOTE_WORDS:
        pattern = rf"[\s,，]*(?:{re.escape(word)})(?:面试)?\s*$"
        if re.search(pattern, stripped, re.IGNORECASE):
            remote = True
            stripped = re.sub(pattern, "", stripped, flags=re.IGNORECASE)
            break
    found = _who_and_job(stripped)
    if found is None:
        return None
    return ScheduleRequest(found[0], found[1], "" if remote else location, remote)


def _who_and_job(stripped: str) -> tuple[str, str] | None:
    alt = re.match(
        r"^\s*(?:请|帮我)?给\s*(\S+?)\s*安排\s*(?:一个|一场)?\s*(\S+?)\s*(?:的)?面试\s*$", stripped
    )
    if alt:
        return alt.group(1), alt.group(2)
    match = _SCHEDULE.match(stripped)
    if not match:
        return None
    rest = match.group("rest").strip()
    parts = [p for p in re.split(r"[\s,，、/;；]+|应聘|的", rest) if p]
    if not parts:
        return "", ""
    if len(parts) == 1:
        return parts[0], ""
    return parts[0], " ".join(parts[1:])
