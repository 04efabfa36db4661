"""Reading a staff member's chat text as a live-interview command, tolerantly.

People type "开始面试吧", "好的，开始面试", "Start the interview!". The text is folded
(lower case, punctuation and spaces dropped, polite lead-ins and trailing particles removed)
and must then *be* a command phrase — it is never searched for one, because during an
interview every other text is a note, and a note may well mention 面试 or 开始.

``候选人 <姓名>`` carries an argument; ``explicit`` says whether a space or colon separated
it (``候选人张三说…`` is more likely a note than a look-up).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class LiveCommand(StrEnum):
    TODAY = "today"
    START = "start"
    FINISH = "finish"
    CANDIDATE = "candidate"


@dataclass(frozen=True)
class Parsed:
    command: LiveCommand
    argument: str = ""
    explicit: bool = True


_PUNCTUATION = re.compile(r"[\s,，。.!！?？~～、；;:：'\"“”‘’…()（）\[\]【】]+")
_LEAD = re.compile(r"^(?:好的|好吧|好|那就|那么|那|现在|请|麻烦|帮我|我要|我想|我们|咱们|可以"
                   r"|ok(?:ay)?|please|lets|let's)+")  # fmt: skip
_TAIL = re.compile(r"(?:吧|了|啦|咯|喽|呀|啊|吗|嘛|呢|哈|一下|please|now)+$")

_PHRASES: dict[LiveCommand, re.Pattern[str]] = {
    LiveCommand.TODAY: re.compile(
        r"(?:今天|今日)(?:的|有|有什么|有哪些|有几场|都有哪些)?面试(?:安排|列表)?"
        r"|(?:todays?|today's)(?:interviews?|schedule)?|interviews?today"
    ),
    LiveCommand.START: re.compile(
        r"开始(?:今天的|本场|这场|这次)?面试|面试开始|开始"
        r"|(?:start|begin)(?:the|my)?(?:interview)?"
    ),
    LiveCommand.FINISH: re.compile(
        r"结束(?:本场|这场|这次)?面试|面试(?:结束|完|完成)|完成面试|结束"
        r"|(?:end|finish|stop|close)(?:the|my)?(?:interview)?"
    ),
}
_CANDIDATE = re.compile(r"^\s*(?:候选人|candidate)(?P<sep>[\s:：]*)(?P<name>\S.*?)\s*$", re.I)
NAME_LIMIT = 20


def fold(text: str) -> str:
    """Lower case without punctuation, spaces, polite lead-ins or trailing particles."""
    folded = _PUNCTUATION.sub("", text.lower())
    folded = _LEAD.sub("", folded)
    return _TAIL.sub("", folded)


def parse(text: str) -> Parsed | None:
    """The command ``text`` is, or None (then it is a note, a comment or not understood)."""
    match = _CANDIDATE.match(text)
    if match is not None and len(match["name"]) <= NAME_LIMIT:
        return Parsed(LiveCommand.CANDIDATE, match["name"], explicit=bool(match["sep"]))
    folded = fold(text)
    for command, phrase in _PHRASES.items():
        if phrase.fullmatch(folded):
            return Parsed(command)
    return None
