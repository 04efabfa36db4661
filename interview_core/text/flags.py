"""Gaming flags: why an answer's score was lowered for what it is rather than what it says.

Both scoring engines (rules and LLM) raise the same flags, with a reason in Chinese for the
people who read it and the verbatim quotes behind it. A flag lowers score and confidence and
is shown in the JSON, the report, the live prompt and HR's card, so a reviewer can disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Gaming(StrEnum):
    """What kind of non-answer an answer is."""

    KEYWORD_LIST = "keyword_list"  # abstract nouns and round numbers, no episode
    ECHO = "echo"  # little beyond the question's own words
    OFF_TOPIC = "off_topic"  # a story whose situation does not answer the question
    SELF_DESCRIPTION = "self_description"  # 我是一个……的人, no episode
    EMPTY_NUMBERS = "empty_numbers"  # numbers with nothing they measure


GAMING_LABELS: dict[Gaming, str] = {
    Gaming.KEYWORD_LIST: "罗列能力词语，没有讲述具体经历",
    Gaming.ECHO: "基本是在复述题目，没有新的内容",
    Gaming.OFF_TOPIC: "讲述的经历与题目所问的情境不符",
    Gaming.SELF_DESCRIPTION: "只有自我评价，没有具体事例",
    Gaming.EMPTY_NUMBERS: "数字没有说明衡量的是什么、怎么做到的",
}


@dataclass(frozen=True)
class GamingFlag:
    code: Gaming
    reason: str  # Chinese, for people: what in this answer raised the flag
    quotes: tuple[str, ...] = ()  # verbatim pieces of the answer behind the flag

    @property
    def label(self) -> str:
        return GAMING_LABELS[self.code]

    def to_json(self) -> dict[str, object]:
        return {
            "code": self.code.value,
            "label": self.label,
            "reason": self.reason,
            "quotes": list(self.quotes),
        }
