"""Gaming detection of the rules engine: answers that say the right words instead of a story.

Five kinds (``flags.Gaming``), each with a Chinese reason and the verbatim pieces behind it:

* keyword list: at least ``LIST_ITEMS`` list items, half of the clauses or more: short
  clauses that are a competency term (the library's names and keywords, words ending in
  能力/意识/精神/导向/思维/心态…) or a bare claim (我负责，我主导), and no story (at most one
  action of the candidate or the team);
* echo: the answer mostly re-uses the question's words: at least ``ECHO_SHARE`` of its content
  words come from the question and it adds at most ``ECHO_NEW`` new ones;
* self-description: 我是一个……的人, 我……能力很强, 我擅长…, without a story (no result, at
  most one action);
* empty numbers: without a story, ``PILED_NUMBERS`` numbers or more (业绩提升了200%，满意度
  100%，累计500万), or numbers none of which says what it measures (提升了百分之五十); next
  to a story, most of several numbers saying nothing of what they measure;
* off-topic: a told story (actions of the candidate or the team) that shares almost nothing
  with a question of the structured interview: none of its content words, or one and none
  of the topic words of the competencies it asks (their keywords and the job's). Without
  them (a free question) nothing is off-topic: synonyms are beyond the rules.

Detection is conservative: a weak but honest answer (我一般会先道歉…) raises no flag.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from interview_core.text.episode import Episode
from interview_core.text.flags import Gaming, GamingFlag
from interview_core.text.library import default_library
from interview_core.text.sentences import content_words, plain
from interview_core.text.signals import question_words

LIST_ITEMS = 3
LIST_SHARE = 0.5
SHORT_CLAUSE = 8
ECHO_SHARE = 0.5
ECHO_NEW = 4
ECHO_STORY = 3  # three actions or more are a story, not an echo
QUOTES = 3
PILED_NUMBERS = 3  # numbers piled up without a story
_ABSTRACT = r"[\u4e00-\u9fff]{1,4}?(?:能力|意识|精神|导向|思维|心态|态度|素质|观念|品质|力)"
SELF_RE = re.compile(
    r"我(?:是|算是|属于)(?:一个|一位|个)?[^，。]{0,14}的人|我(?:这个人|的性格|性格|为人)"
    r"|(?:能力|意识|心态|精神|素质|执行力|领导力|学习力)(?:也|都|还)?(?:很|非常|比较|特别|相当|超)?"
    r"(?:强|好|突出|过硬|不错|出色|优秀)"
    r"|我(?:很|非常|比较|特别|一直|向来)?(?:都)?(?:擅长|善于|喜欢|热爱|享受|乐于)"
    r"|我(?:很|非常|比较|特别|一直|向来)(?:都)?(?:是|有)?(?:耐心|细心|负责|认真|努力|积极|主动|"
    r"乐观|自律|抗压|靠谱|踏实|有责任心|有耐心|有条理)"
)
_CLAIM_ITEM = re.compile(r"(?:我|本人)?(?:负责|主导|牵头|参与|带领|推动|统筹|落实)(?:了)?")
_GENERIC_NEW = frozenset(
    (
        "重要", "能力", "经历", "工作", "时候", "情况", "事情", "我们", "自己", "这样",
        "一些", "非常", "能够", "最终", "问题", "方面", "然后", "就是", "所以", "因为",
        "觉得", "认为", "一定", "需要", "通过", "进行", "一次",
    )
)  # fmt: skip


def detect_gaming(answer: str, question: str, episode: Episode,
                  topics: Iterable[str] = ()) -> tuple[GamingFlag, ...]:  # fmt: skip
    """The gaming flags of one answer (empty for an honest answer, however weak)."""
    if not plain(answer).strip():
        return ()
    flags = [
        _keyword_list(episode),
        _echo(answer, question, episode),
        _self_description(episode),
        _empty_numbers(episode),
        _off_topic(answer, question, episode, tuple(topics)),
    ]
    return tuple(f for f in flags if f is not None)


def _story_size(episode: Episode) -> int:
    return len(episode.own) + len(episode.shared)


def _keyword_list(episode: Episode) -> GamingFlag | None:
    """List items: short clauses (at most ``SHORT_CLAUSE`` characters) that are a competency
    term or a bare claim (我负责，我主导), with no action done to anything."""
    if _story_size(episode) > 1:
        return None
    found: list[str] = []
    items: list[str] = []
    for clause in episode.clauses:
        text = clause.reads.strip()
        if len(text) > SHORT_CLAUSE or clause.acts:
            continue
        terms = _terms().findall(text)
        if terms or _CLAIM_ITEM.fullmatch(text):
            items.append(clause.text)
            found.extend(t for t in terms if t not in found)
    clauses = max(len(episode.clauses), 1)
    if len(items) < LIST_ITEMS or len(items) / clauses < LIST_SHARE or len(found) < 2:
        return None
    reason = f"回答罗列了{len(found)}个能力词语（{'、'.join(found[:5])}），没有讲述一次具体经历"
    return GamingFlag(Gaming.KEYWORD_LIST, reason, tuple(items[:QUOTES]))


@lru_cache(maxsize=1)
def _terms() -> re.Pattern[str]:
    """Competency names and keywords of the library, and abstract words (…能力/…意识)."""
    library = default_library()
    words = {c.name for c in library.competencies}
    words |= {k for c in library.competencies for k in c.keywords if len(k) >= 2}
    listed = "|".join(sorted((re.escape(w) for w in words), key=lambda w: (-len(w), w)))
    return re.compile(f"{_ABSTRACT}|{listed}")


def _echo(answer: str, question: str, episode: Episode) -> GamingFlag | None:
    wanted = question_words(question)
    if not wanted or _story_size(episode) >= ECHO_STORY:
        return None
    said = content_words(plain(answer))
    if not said:
        return None
    echoed = {w for w in said if _in_question(w, question)}
    new = [w for w in sorted(said - echoed) if w not in _GENERIC_NEW]
    if len(echoed) / len(said) < ECHO_SHARE or len(new) > ECHO_NEW or episode.tied_numbers:
        return None
    quotes = sorted(
        {c.sentence for c in episode.clauses},
        key=lambda s: -sum(w in s for w in echoed),
    )[:QUOTES]
    reason = f"回答主要是题目中的词（{'、'.join(sorted(echoed)[:5])}），几乎没有新的内容"
    return GamingFlag(Gaming.ECHO, reason, tuple(quotes))


def _in_question(word: str, question: str) -> bool:
    return word in question or (len(word) >= 3 and word[:2] in question)


def _self_description(episode: Episode) -> GamingFlag | None:
    if _story_size(episode) > 1 or (episode.told and episode.results):
        return None
    quotes = list(dict.fromkeys(c.text for c in episode.clauses if SELF_RE.search(c.reads)))
    if not quotes:
        return None
    reason = f"回答是自我评价（{'；'.join(quotes[:2])}），没有能说明这一点的具体事例"
    return GamingFlag(Gaming.SELF_DESCRIPTION, reason, tuple(quotes[:QUOTES]))


def _empty_numbers(episode: Episode) -> GamingFlag | None:
    """Numbers without a story nor a situation they belong to (业绩提升了200%), or, in a story,
    several numbers that do not even say what they measure."""
    numbers = [q for c in episode.clauses for q in c.numbers]
    if not numbers:
        return None
    if episode.told:
        empty = episode.unmeasured
        if len(empty) < 2 or len(empty) * 2 <= len(numbers):
            return None
    elif len(numbers) >= PILED_NUMBERS or len(episode.unmeasured) == len(numbers):
        empty = tuple(numbers)
    else:
        return None
    said = "、".join(q.text for q in empty[:4])
    reason = f"回答中的数字（{said}）没有说明衡量的是什么、是在什么情况下怎么做到的"
    quotes = tuple(dict.fromkeys(q.quote for q in empty))[:QUOTES]
    return GamingFlag(Gaming.EMPTY_NUMBERS, reason, quotes)


def _off_topic(
    answer: str, question: str, episode: Episode, topics: tuple[str, ...]
) -> GamingFlag | None:
    wanted = question_words(question)
    if not wanted or not topics or _story_size(episode) < 2:
        return None
    reads = plain(answer)
    used = [w for w in wanted if w in reads or (len(w) >= 3 and w[:2] in reads)]
    topical = [t for t in topics if t in reads]
    if len(used) > 1 or (used and topical) or len(topical) > 1:
        return None
    story = [c.sentence for c in (*episode.own, *episode.shared)]
    quotes = tuple(dict.fromkeys(story))[:2]
    reason = (
        "回答讲了一段经历，但与题目所问的情境无关（没有涉及题目中的" + "、".join(wanted[:4]) + "）"
    )
    return GamingFlag(Gaming.OFF_TOPIC, reason, quotes)
