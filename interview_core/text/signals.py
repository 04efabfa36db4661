"""Answer-level signals: quantified results, first-person ownership, vagueness, relevance.

Each is a small, explainable measurement with the quotes behind it, so a reviewer can check
why an answer was judged specific, owned, vague or off-topic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from interview_core.text.sentences import content_words, split_clauses
from interview_core.text.star import SITUATION_RE, action_verb_at, is_habitual

_CN = "零一二两三四五六七八九十百千万"
_NUM = r"\d+(?:[.,]\d+)*"
QUANTITY_RE = re.compile(
    rf"(?P<date>\d{{4}}年(?:\d{{1,2}}月)?(?:\d{{1,2}}[日号])?|\d{{1,2}}月\d{{1,2}}[日号])"
    rf"|(?P<percent>百分之[{_CN}点\d.]+|{_NUM}\s*[%％]|(?:{_NUM}|[{_CN}]+)个百分点)"
    rf"|(?P<multiple>(?:{_NUM}|[{_CN}半]+)倍|翻了?[一两二三四]?番)"
    rf"|(?P<amount>{_NUM}\s*(?:万|千|百万|亿|元|块|[kKwW])元?|(?<![第有那某这每])[{_CN}]+[万亿]元?)"
    rf"|(?P<duration>(?:{_NUM}|(?<![第有那某这每])[{_CN}半]+)个?多?"
    rf"(?:小时|分钟|秒钟?|天|周|星期|个月|年))"
    rf"|(?P<count>{_NUM}\s*(?:个|位|名|家|单|台|件|次|条|项|人|户|套|款|张|份|笔|分|支|瓶|盒|箱|辆|ms|毫秒|QPS|qps)"
    rf"|(?<![第有那某这每一])[两三四五六七八九十百千]+[几多]?(?:个|位|名|家|单|台|件|次|条|项|人|户|套|支|瓶|盒|箱|辆|张|笔|份))"
    rf"|(?P<number>{_NUM})"
)
HEDGE_RE = re.compile(
    r"可能|大概|一般|应该|差不多|之类|也许|或许|好像|似乎|基本上|估计|什么的|还行|还可以|等等|"
    r"尽量|多多少少|某种程度|说不清|记不清|不太记得|反正"
)
GENERIC_RE = re.compile(
    r"觉得|认为|通常|平时|总是|往往|一般来说|很重要|非常重要|最重要|关键是|一定要|要学会|我会|都会|"
    r"我一般|擅长|善于|我是一个|我这个人"
)
SELF_PRAISE_RE = re.compile(r"(?:能力|意识|心态)[^，。]{0,4}?(?:强|好|不错|突出|过硬)")
_COLLECTIVE = r"我们|咱们|大家|我和|我跟|整个团队|我的团队|团队|全组|全店|全员"
_CONNECTOR = (
    r"当时|那时|后来|然后|于是|所以|因此|最后|最终|接着|随后|同时|首先|其次|另外|之后|"
    r"但是|但|而且|并且|不过|其实|结果"
)
SUBJECT_RE = re.compile(rf"^(?:{_CONNECTOR})?(?P<subject>{_COLLECTIVE}|我|本人)")


@dataclass(frozen=True)
class Quantity:
    text: str
    kind: str  # percent, multiple, amount, duration, count, number
    quote: str  # the sentence it is in

    def to_json(self) -> dict[str, str]:
        return {"text": self.text, "kind": self.kind, "quote": self.quote}


@dataclass(frozen=True)
class Ownership:
    first_person: int  # action clauses whose subject is 我 / 本人
    collective: int  # action clauses whose subject is 我们 / 大家 / 团队 / 我和…
    collective_quotes: tuple[str, ...]

    @property
    def ratio(self) -> float | None:
        """Share of 我 among the subjects; None when the answer names no subject."""
        total = self.first_person + self.collective
        return round(self.first_person / total, 2) if total else None

    def to_json(self) -> dict[str, object]:
        return {
            "first_person": self.first_person,
            "collective": self.collective,
            "ratio": self.ratio,
        }


@dataclass(frozen=True)
class Vagueness:
    hedges: tuple[str, ...]  # every hedge word, in order of appearance
    generic: tuple[str, ...]  # sentences of opinion or habit, without anything specific
    vague_sentences: frozenset[str]
    sentence_count: int
    substantive_length: int  # characters of the sentences that are not vague

    @property
    def index(self) -> float:
        """0 (specific) .. 1 (all hedges and generalities)."""
        marks = len(self.hedges) + len(self.generic)
        return round(min(marks / max(self.sentence_count, 1), 1.0), 2)

    def to_json(self) -> dict[str, object]:
        return {
            "index": self.index,
            "hedges": list(self.hedges),
            "generic": list(self.generic),
            "substantive_length": self.substantive_length,
        }


def find_quantities(sentences: tuple[str, ...]) -> tuple[Quantity, ...]:
    """Numbers with their kind (dates are context, not results, and are left out)."""
    found = []
    for sentence in sentences:
        for match in QUANTITY_RE.finditer(sentence):
            kind = match.lastgroup or "number"
            if kind != "date":
                found.append(Quantity(match.group().strip(), kind, sentence))
    return tuple(found)


def measure_vagueness(sentences: tuple[str, ...]) -> Vagueness:
    hedges: list[str] = []
    generic: list[str] = []
    vague: set[str] = set()
    for sentence in sentences:
        found = HEDGE_RE.findall(sentence)
        hedges.extend(found)
        if is_generic(sentence):
            generic.append(sentence)
        if is_generic(sentence) or (found and not QUANTITY_RE.search(sentence)):
            vague.add(sentence)
    substantive = sum(len(s) for s in sentences if s not in vague)
    return Vagueness(tuple(hedges), tuple(generic), frozenset(vague), len(sentences), substantive)


def is_generic(sentence: str) -> bool:
    """Self-praise (我抗压能力比较强), or an opinion or habit with no instance in it
    (我觉得沟通很重要): no number, no time or place of a story, no action that was done."""
    if SELF_PRAISE_RE.search(sentence):
        return True
    if not GENERIC_RE.search(sentence) or SITUATION_RE.search(sentence):
        return False
    if any(ch.isdigit() for ch in sentence):
        return False
    return is_habitual(sentence) or all(
        action_verb_at(clause) is None for clause in split_clauses(sentence)
    )


def relevance(question: str, answer: str) -> float:
    """Share of the question's content words (jieba, stopwords removed) the answer uses; a
    long word counts when its first two characters are used (犹豫不决 → 犹豫)."""
    wanted = question_words(question)
    if not wanted:
        return 0.0
    used = sum(1 for w in wanted if w in answer or (len(w) >= 4 and w[:2] in answer))
    return round(used / len(wanted), 2)


@lru_cache(maxsize=256)
def question_words(question: str) -> tuple[str, ...]:
    """Content words of a question, sorted; cached since many answers share a question."""
    return tuple(sorted(content_words(question)))
