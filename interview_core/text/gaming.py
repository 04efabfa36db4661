"""Gaming detection of the rules engine: answers that say the right words instead of a story.

Five kinds (``flags.Gaming``), each with a Chinese reason and the verbatim pieces behind it:

* keyword list: at least ``LIST_ITEMS`` list items, a quarter of the clauses or more:
  short clauses without an action, mostly competency terms (the library's names and keywords,
  words ending in 能力/意识/精神/导向/思维/心态…) or a bare claim (我负责，我主导); or CV
  jargon (具备、善于、闭环、第一时间…) in one clause of five or more; or, whatever the words,
  an answer shaped like a list: no occasion at all and at least ``ENUMERATED`` enumerated
  items (``ENUMERATED_SHARE`` of the clauses) of a few characters without the words of
  speech (风险识别、风险评估、SOP、5S… — nobody doing anything to anything; 比如… examples
  and advice excepted). An episode has an occasion, an actor acting on an object and a
  consequence; a list has none of them;
* echo: the answer mostly re-uses the question's words: at least ``ECHO_SHARE`` of its words
  (two characters or more, repeats counted) come from the question;
* self-description: 我是一个……的人, 我……能力很强, 我擅长…, without a story (no result, at
  most one action);
* empty numbers: ``PILED_NUMBERS`` numbers or more in a general account (累计排查隐患3200
  多项，整改率100%…; a period summed up, 去年一年签了一百二十八单、连续三个季度销冠, is one
  too; ``empty_account``: scored as a non-answer), a career summed up in a story's clothes
  (``SUMMED_NUMBERS`` numbers, a general account, and at most one action done to something
  other than a count), numbers none of which says what it measures in an answer without a
  story (提升了百分之五十), or, in a story, most of several numbers saying nothing of what
  they measure (the numbers then earn nothing). Never figures the candidate is seen analysing
  (``analysed_figures``: 我导出了近8周的订单，按半小时分组统计…): they measure what was analysed;
* off-topic: a told story about something else than a question of the structured interview:
  it misses the situation and goal the question names (``concepts.missing_concepts``: the
  question's concepts in everyday words, 反复 ≈ 老是、总是、又来…) and speaks at most
  ``CONCEPT_USED`` of the question's own words (a story that says two of them is about the
  question in words the lexicon did not foresee); or its announced subject (我讲一个带新人的
  事吧) shares no word with the question nor with the topic words of the competencies it asks
  (their keywords and the job's), and the story itself uses at most one of the question's
  words and two topic words. A story that announces nothing and that no concept of the
  lexicon reads is never off-topic: paraphrase defeats word overlap (a call-centre story of
  电话特别多 answers 来电高峰期 without a word of it), and a false flag sinks an honest story
  to the bottom, so a question the lexicon does not know is judged on behaviour alone.
  Without a question of the interview nothing is off-topic.

Detection is conservative: a weak but honest answer (我一般会先道歉…) raises no flag.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from interview_core.text.concepts import missing_concepts
from interview_core.text.episode import POINTS, Clause, Episode
from interview_core.text.flags import Gaming, GamingFlag
from interview_core.text.library import default_library
from interview_core.text.sentences import content_words, plain, word_spaced
from interview_core.text.signals import question_words
from recruiting.domain.shorten import shorten

LIST_ITEMS = 4
LIST_SHARE = 0.25
ITEM_COVER = 0.6  # a list item is mostly competency terms (隐患排查、风险评估)
JARGON_MIN, JARGON_SHARE = 3, 0.2
# Advice (要…、应该…、我认为…) is an honest opinion, however abstract: no jargon counted there
PRESCRIPTIVE = re.compile(r"要|应该|需要|必须|一定|认为|觉得|作为|首先|其次|核心在于|关键")
JARGON = re.compile(
    r"具备|善于|擅长|精通|熟练掌握|始终坚持|坚持以|秉持|以[^，。]{1,6}为(?:导向|中心|核心)|闭环|赋能|"
    r"抓手|高效|精准|全力|全程|极强|优秀的|出色的|卓越|深度|全方位|多维度|标准化|体系化|精细化|常态化|"
    r"制度化|流程化|协同|拉通|打通|超额完成|冠军|第一时间|举一反三|快速上手|求同存异|换位思考|双赢|"
    r"共赢|落地|管控|提质增效|降本增效|主人翁|责任心|执行力|领导力|学习力|沟通能力|协作能力|抗压能力|"
    r"学习能力|意识|精神|理念|方法论|持续学习|快速迭代|高效协作|互相补位|跨部门对齐|对齐|高度认可|"
    r"一致好评|积极主动|数据驱动|精细化运营|一系列举措|以身作则|凝聚人心|凝聚力|执行到位|执行落地|"
    r"节点管控|过程管控|分工授权|目标拆解|首问负责|端到端|全链路|深刻体会|深入挖掘|痛点|学以致用|"
    r"抓落实|统筹协调|全局观|大局观|颗粒度|组合拳|价值最大化|资源整合|整合资源|协同作战|精益求精|"
    r"追求卓越|全面提升|显著提升|大幅提升|充分发挥|积极推动|有效推动|扎实推进|稳步推进|多措并举"
)
SHORT_CLAUSE = 8
# An answer shaped like a list: without any occasion, this many enumerated items and share
ENUMERATED, ENUMERATED_SHARE, ITEM_CHARS = 5, 0.3, 6
# Words of speech, not of a list: 这个问题、还是挺重要的、说我们乱扣费 are no items
_SPOKEN = re.compile(r"[的了是在我你他她们就还很挺这那吗吧呢啊个些说会把被让都又没么]")
_FIGURES = re.compile(r"[\d.%％]+|[余多]|项|起")
# 我一般会先道歉、倾听、记录: the steps of an honest habit, not claims
_WOULD = re.compile(r"会|如果|假如|的话")
_EXAMPLE = re.compile(r"比如|例如|譬如|像是|包括")
_ITEM_LEAD = re.compile(r"^(?:然后|还有|以及|和|并|及|再|也|还|通过)")
ECHO_SHARE = 0.45
# 我当时就是这样做的: a claim to have done what the question describes, told back in the
# question's own terms; with it a smaller share of the question's words is an echo (no
# honest answer of the corpus says it above 0.18, the paraphrasing echoes 0.37 and more)
ECHO_CLAIM = re.compile(
    r"(?:这样|这么)(?:做|干|处理|解决)(?:的|了)|我(?:当时|那时|那次)?(?:也|就)?是这样|"
    r"就是这样(?:做|干|处理)"
)
CLAIMED_ECHO_SHARE = 0.3
QUOTES = 3
REASON_QUOTE = 40  # characters of a quote inside a reason; the quotes stay verbatim
CONCEPT_USED = 1  # a story that speaks two of the question's own words is about it
ANNOUNCED_USED, ANNOUNCED_TOPICS = 1, 2  # at most this much of the question in the story
# 讲一次没做好的经历 frames the story, it does not name its subject
FRAMING = re.compile(r"没|失败|成功|难忘|印象|深刻|最|好|糟|遗憾|教训|真实|自己|弯路|不足")
# Where every story of a job happens (客户、门店、班组…): a question naming its setting does not
# name its situation, so a story sharing only these words with the question is not about it
SETTING = frozenset(
    ("客户", "顾客", "用户", "门店", "店里", "公司", "同事", "团队", "班组", "车间", "项目", "生产")
)
ANNOUNCED = re.compile(
    r"(?:讲|说|聊|分享)(?:一个|一次|一下|个)(?P<subject>[^，。！？]{1,20}?)"
    r"(?:的事情?|的经历|的事儿|的例子|的故事)"
)
PILED_NUMBERS = 3  # numbers piled up without a story
_COUNT_FIRST = re.compile(r"\d")
# 报修三天、二十天后: how long something took or waited sets the scene; it claims nothing
_CONTEXT = frozenset(("number", "duration"))
_UNIT_NEXT = re.compile(r"^[余多]?(?:项|个|次|篇|万|元|人|件|台|单|家|位|条|名|倍|块|箱|套|笔)")
# A setting changed by the candidate: 把…从…降到、改成、调到、换成
_SET = re.compile(
    r"把[^，。]{1,12}?(?:从|改|调|换|降|提|加|减|定)|改成|改为|调成|调到|换成|定成|设成"
)
# 从1.8%降到0.3%: a change measured from its baseline, the opposite of a bare claim
_FROM_TO = re.compile(
    r"从[^，。]{0,10}?[\d.一二三四五六七八九十百千]+[^，。]{0,6}?(?:降|升|提|涨|减|增|掉|回|到)"
)
CONCRETE_STORY = 3  # actions done to things: a story, however the occasion is told
# The candidate's own analysis of figures (导出、分组、统计、对比、算…): numbers next to it measure
# what was analysed (8周的订单、每半小时6单、21点以后), they claim nothing. 排查 is left out: a
# career's tally of it (累计排查隐患3200多项) analyses nothing
ANALYSIS = re.compile(
    r"导出|导了|拉出|调出|分组|分类|归类|统计|汇总|对比|比对|核对|计算|算出|算下来|算了|拆开|拆分|"
    r"按[^，。]{1,6}(?:分|排|看|算)"
)
ANALYSED = 2  # distinct analysis actions of the candidate beside measured figures
# A figure measures a thing: a unit after it, or a time of day (21点、9:30)
_MEASURED = frozenset(("count", "duration", "amount"))
_TIME_OF_DAY = re.compile(r"\d+(?:点|[:：]\d)|[一二三四五六七八九十两]+点")
SUMMED_NUMBERS = 5  # numbers of a career summed up in a story's clothes
CLAIMED_CHANGES = 3  # percentages and multiples claimed around at most one concrete action
SELF_SENTENCES = 2
SELF_TOLD = 3  # self-praise that outweighs a passing occasion (第二天又是满血复活)
_ABSTRACT = r"[\u4e00-\u9fff]{1,4}?(?:能力|意识|精神|导向|思维|心态|态度|素质|观念|品质|力)"
SELF_RE = re.compile(
    r"我(?:也|就|本身|一直|向来)?(?:是|算是|属于)(?:一个|一位|个|那种)?[^，。]{0,14}"
    r"的(?:人|[\u4e00-\u9fff]{1,2}?(?:长|员|手|者|师))|我(?:这个人|的性格|性格|为人)"
    r"|(?:能力|意识|心态|精神|素质|(?:^|(?<=[，。、\s我和且也])|(?<=我的))[\u4e00-\u9fff]{1,3}?(?:力|感|心|性))"
    r"(?:也|都|还)?"
    r"(?:很|非常|比较|特别|相当|超)?(?:强|突出|过硬|出色|优秀)"
    r"|(?:能力|意识|心态|精神|素质)(?:也|都|还)?(?:很|非常|比较|特别|相当|超)?(?:好|不错)"
    r"|(?<![他她户方])(?:性格|脾气|人缘)(?:也|都|还)?(?:很|非常|比较|特别|相当|挺)|我(?:最大的)?(?:优点|长处|优势)(?:就)?是"
    r"|(?:同事|大家|客户|领导)们?(?:也)?(?:都|常|经常|总)(?:说|夸)(?:我|跟我|，有我)|对我的评价(?:都|也)?是"
    r"|(?:^|(?<=[，。]))(?:也|就)?是(?:一个|一位|那种)[^，。]{1,14}?的人"
    r"|(?:讲讲|说说|说一下|讲一下|谈谈)(?:我)?自己"
    r"|我(?:很|非常|比较|特别|一直|向来)?(?:都)?(?:擅长|善于|喜欢|热爱|享受|乐于)"
    r"|(?:很|非常|比较|特别|也)(?:擅长|善于|乐于)|我(?:具备|拥有|具有)"
    r"|我(?:很|非常|比较|特别|一直|向来)(?:都)?(?:是|有)?(?:耐心|细心|负责|认真|努力|积极|主动|"
    r"乐观|自律|抗压|靠谱|踏实|有责任心|有耐心|有条理)"
)
_CLAIM_ITEM = re.compile(r"(?:我|本人)?(?:负责|主导|牵头|参与|带领|推动|统筹|落实)(?:了)?")


def detect_gaming(
    answer: str,
    question: str,
    episode: Episode,
    topics: Iterable[str] = (),
) -> tuple[GamingFlag, ...]:
    """The gaming flags of one answer (empty for an honest answer, however weak)."""
    if not plain(answer).strip():
        return ()
    flags = [
        _keyword_list(episode, shaped=not word_spaced(answer)),
        _echo(answer, question, episode),
        _self_description(episode),
        _empty_numbers(episode),
        _off_topic(answer, question, episode, tuple(topics)),
    ]
    return tuple(f for f in flags if f is not None)


def list_items(episode: Episode) -> list[str]:
    """Clauses that are items of an enumeration: a few characters (风险评估、目标拆解、30%)
    without the words of speech (的、了、我、这个…: nobody doing anything to anything),
    unless the clause that leads into them gives advice or the steps of a habit (我认为要做到：
    倾听、共情…; 我一般会先道歉、倾听…) or examples (比如说销售额、客流量…)."""
    found = []
    lead = ""  # the last clause that was no item: what introduces the enumeration
    for clause in episode.clauses:
        text = _ITEM_LEAD.sub("", clause.reads.strip())
        if len(text) > ITEM_CHARS or _SPOKEN.search(text) or _EXAMPLE.match(text):
            lead = clause.reads
            continue
        if not re.search(r"[A-Za-z\u4e00-\u9fff]", _FIGURES.sub("", text)):  # 30%: a number
            continue
        if any(p.search(lead) for p in (PRESCRIPTIVE, _WOULD, _EXAMPLE)):
            continue
        found.append(clause.text)
    return found


def _keyword_list(episode: Episode, *, shaped: bool = True) -> GamingFlag | None:
    """Competency terms as list items (short clauses without an action: 隐患排查、风险评估、
    应急预案…), or CV jargon (具备…能力、善于…、闭环、赋能、第一时间…) throughout. A
    transcript that spaces every word has no shape (``shaped=False``): only its jargon counts."""
    found: list[str] = []
    items: list[str] = []
    jargon: list[str] = []
    for clause in episode.clauses:
        text = clause.reads.strip()
        terms = _terms().findall(text)
        found.extend(t for t in terms if t not in found)
        if not PRESCRIPTIVE.search(text):
            jargon.extend(JARGON.findall(text))
        covered = sum(len(term) for term in terms) >= ITEM_COVER * len(text)
        bare = covered or _CLAIM_ITEM.fullmatch(text)
        if len(text) <= SHORT_CLAUSE and not clause.acts and bare:
            items.append(clause.text)
    clauses = max(len(episode.clauses), 1)
    listed = shaped and len(items) >= LIST_ITEMS and len(items) / clauses >= LIST_SHARE
    enumerated = list_items(episode) if shaped else []
    if not listed and not episode.particular and len(enumerated) >= ENUMERATED:
        listed = len(enumerated) / clauses >= ENUMERATED_SHARE
        items = items or enumerated
    if not listed and not episode.particular and len(episode.points) >= POINTS:
        listed, items = True, items or list(episode.points)  # 第一是…第二是…第三是…
    buzzing = len(jargon) >= JARGON_MIN and len(jargon) / clauses >= JARGON_SHARE
    if not (listed or buzzing) or not found:
        return None
    said = "、".join(dict.fromkeys((*jargon, *found)))
    listed_words = shorten(said, max_chars=REASON_QUOTE, inline=True)
    reason = f"回答罗列能力词语和套话（{listed_words}），没有讲述一次具体经历"
    quotes = items or [c.text for c in episode.clauses if JARGON.search(c.reads)]
    return GamingFlag(Gaming.KEYWORD_LIST, reason, tuple(quotes[:QUOTES]))


@lru_cache(maxsize=1)
def _terms() -> re.Pattern[str]:
    """Competency names and keywords of the library, and abstract words (…能力/…意识)."""
    library = default_library()
    words = {c.name for c in library.competencies}
    words |= {k for c in library.competencies for k in c.keywords if len(k) >= 2}
    listed = "|".join(sorted((re.escape(w) for w in words), key=lambda w: (-len(w), w)))
    return re.compile(f"{_ABSTRACT}|{listed}")


def _echo(answer: str, question: str, episode: Episode) -> GamingFlag | None:
    """Most of the answer's words (``ECHO_SHARE`` of its words of two characters or more,
    repeats counted) are the question's own; or, in an answer that claims to have done
    what the question describes (``ECHO_CLAIM``) with no figure and no named thing,
    ``CLAIMED_ECHO_SHARE`` of them."""
    if not question_words(question):
        return None
    said = [w for c in episode.clauses for w in c.words]
    if not said:
        return None
    echoed = [w for w in said if _in_question(w, question)]
    bare = not episode.named and not any(c.numbers for c in episode.clauses)
    claimed = bare and ECHO_CLAIM.search(plain(episode.reads)) is not None
    if len(echoed) / len(said) < (CLAIMED_ECHO_SHARE if claimed else ECHO_SHARE):
        return None
    distinct = list(dict.fromkeys(echoed))
    quotes = sorted(
        dict.fromkeys(c.sentence for c in episode.clauses),
        key=lambda s: -sum(w in s for w in distinct),
    )[:QUOTES]
    share = f"{len(echoed) / len(said):.0%}"
    reason = f"回答中{share}的词语来自题目（{'、'.join(distinct[:5])}），几乎没有新的内容"
    return GamingFlag(Gaming.ECHO, reason, tuple(quotes))


def _in_question(word: str, question: str) -> bool:
    return word in question or (len(word) >= 3 and word[:2] in question)


def _self_description(episode: Episode) -> GamingFlag | None:
    """Self-praise (我是一个……的人、我……能力很强、我善于…) making up much of an answer
    that tells no story: at least ``SELF_SENTENCES`` such phrases, or sentences holding them
    are half of the answer; in an answer with an occasion in it, ``SELF_TOLD`` phrases in half
    of its sentences (a passing 第二天 is no story). Read across sentence ends, since a
    recogniser's pauses split 我是一个性格随和 | 很好相处的人."""
    sentences = episode_sentences(episode)
    joined, starts = "", []
    for sentence in sentences:
        starts.append(len(joined))
        joined += plain(sentence)
    found = list(SELF_RE.finditer(joined))
    quotes = [
        s
        for s, at in zip(sentences, starts, strict=True)
        if any(m.start() < at + len(plain(s)) and m.end() > at for m in found)
    ]
    if not found or (len(found) < SELF_SENTENCES and len(quotes) * 2 < len(sentences)):
        return None
    if episode.told and (len(found) < SELF_TOLD or len(quotes) * 2 < len(sentences)):
        return None  # a story with a word of self-praise in it: the story is what counts
    praised = shorten("；".join(quotes[:2]), max_chars=REASON_QUOTE, inline=True)
    reason = f"回答是自我评价（{praised}），没有能说明这一点的具体事例"
    return GamingFlag(Gaming.SELF_DESCRIPTION, reason, tuple(quotes[:QUOTES]))


def _empty_numbers(episode: Episode) -> GamingFlag | None:
    """Numbers piled up in a general account (累计排查隐患3200多项，整改率100%…), numbers
    none of which says what it measures (提升了百分之五十), or, in a story, most of several
    numbers saying nothing of what they measure. Never figures the candidate is seen
    analysing (``analysed_figures``: 导出8周的订单、按半小时分组…): those are measured."""
    numbers = [q for c in episode.clauses for q in c.numbers if q.kind != "number"]
    if not numbers:
        return None
    unmeasured = episode.unmeasured
    if empty_account(episode) or (not episode.told and len(unmeasured) == len(numbers)):
        empty = tuple(numbers)
    elif episode.told and len(unmeasured) >= 2 and len(unmeasured) * 2 > len(numbers):
        if analysed_figures(episode):
            return None  # the candidate's own analysis says what the figures measure
        empty = unmeasured
    else:
        return None
    said = "、".join(q.text for q in empty[:4])
    reason = f"回答中的数字（{said}）没有说明衡量的是什么、是在什么情况下怎么做到的"
    quotes = tuple(dict.fromkeys(q.quote for q in empty))[:QUOTES]
    return GamingFlag(Gaming.EMPTY_NUMBERS, reason, quotes)


def _claimed_numbers(episode: Episode) -> int:
    """Figures that claim something: not a duration or a bare number, unless a recogniser's
    pause put the bare number's unit into the next clause (落地了 8 | 项新技术)."""
    clauses = episode.clauses
    claimed: set[str] = set()  # 把两人分开…分给两人: the same figure said twice is one
    for at, c in enumerate(clauses):
        for q in c.numbers:
            unit = at + 1 < len(clauses) and _UNIT_NEXT.match(clauses[at + 1].reads)
            if q.kind not in _CONTEXT or (q.kind == "number" and bool(unit)):
                claimed.add(q.text)
    return len(claimed)


def _concrete_actions(episode: Episode) -> int:
    """Actions of the candidate or the team done to something that is not a count: not
    tallies (学习并落地了8项、组织分享10余次; a recogniser's pause may put the count in the next
    clause: 落地了 | 8 项新技术). A setting the candidate changed (把回收料比例从30%降到20%、
    改成按前四周均值订货) is done to a thing: its figures say what was set, not a tally nor a
    result claimed (一次解决率达到百分之九十二)."""
    clauses = episode.clauses
    actions = {id(c) for c in (*episode.own, *episode.shared)}
    return sum(
        id(c) in actions
        and (not c.numbers or (_SET.search(c.reads) is not None and not _tallied(c)))
        and not (at + 1 < len(clauses) and _COUNT_FIRST.match(clauses[at + 1].reads))
        for at, c in enumerate(clauses)
    )


def _tallied(clause: Clause) -> bool:
    return any(q.kind == "count" for q in clause.numbers)


def _claims(episode: Episode) -> int:
    """Claims of change or rate (百分之五十、翻了两倍), whatever they name: a rate
    (成功率、满意度) names a measure, not what was done to move it. A change told from its
    baseline (从1.8%降到0.3%) is measured, not claimed."""
    return sum(
        q.kind in ("percent", "multiple")
        for c in episode.clauses
        if not _FROM_TO.search(c.reads)
        for q in c.numbers
    )


def analysed_figures(episode: Episode) -> bool:
    """The candidate analysed measured figures: ``ANALYSED`` distinct analysis actions of their
    own (我导出了…、按半小时分组、统计、对比…; a clause without a subject continues its
    sentence's) in or beside clauses whose figures measure a thing (8周、6单、5人、2400元、
    21点以后). Such numbers are what was measured, not an empty account. Conservative for
    the flag: a pile of claims with one 分析 in it (用三个维度去分析) stays a pile."""
    clauses = episode.clauses
    measured = [
        any(q.kind in _MEASURED for q in c.numbers) or bool(_TIME_OF_DAY.search(c.reads))
        for c in clauses
    ]
    verbs: set[str] = set()
    actor, sentence = None, ""
    for at, c in enumerate(clauses):
        if c.sentence != sentence:
            actor, sentence = None, c.sentence
        actor = c.actor or actor
        if actor != "self" or not any(measured[max(at - 1, 0) : at + 2]):
            continue
        verbs.update(m.group() for m in ANALYSIS.finditer(c.reads))
    return len(verbs) >= ANALYSED


def empty_account(episode: Episode) -> bool:
    """Numbers piled up (``PILED_NUMBERS`` or more) in a general account or without any
    action: results claimed, no episode that produced them. Scored as a non-answer. An
    account with ``CONCRETE_STORY`` actions done to things rather than tallies is a story the
    episode reader could not place (在某厂做主管时…), not an empty one."""
    numbers = _claimed_numbers(episode)
    if numbers < PILED_NUMBERS or analysed_figures(episode):
        return False
    concrete = _concrete_actions(episode)
    if not episode.told:
        if concrete >= CONCRETE_STORY:
            return False
        return bool(episode.general) or not episode.acted or numbers * 2 >= len(episode.clauses)
    if _claims(episode) >= CLAIMED_CHANGES and concrete <= 1:
        return True  # 那个客户…成功率提升了百分之五十，满意度百分之九十八…: a story's clothes
    general = len(episode.general)
    if general < 2 or general < len(episode.particular):
        return False
    # a career summed up: at most one action done to something that is not a count
    summary = (numbers >= SUMMED_NUMBERS and concrete <= 1) or not concrete
    return summary or numbers * 2 >= len(episode.clauses)


def _off_topic(
    answer: str, question: str, episode: Episode, topics: tuple[str, ...]
) -> GamingFlag | None:
    """A told story about something else. Candidates who change the subject often say so
    (我讲一个带新人的事吧): an announced subject sharing no word with the question nor with
    the topic words of the competencies it asks is off-topic. Without an announcement only
    the lexicon's concepts judge, and only a story that speaks at most one of the question's
    words: paraphrase defeats word overlap, and a false flag would sink an honest story."""
    wanted = question_words(question)
    if not wanted or not topics or not episode.told:
        return None
    reads = plain(answer)
    used = [w for w in wanted if w in reads or (len(w) >= 3 and w[:2] in reads)]
    missed = missing_concepts(question, episode.reads)
    if missed and len(used) <= CONCEPT_USED:
        told = f"回答讲的经历没有涉及题目所问的「{'」「'.join(missed)}」"
        return _off_topic_flag(episode, wanted, told, missed=True)
    # an announced subject is judged on the question's situation, not on its setting
    wanted = tuple(w for w in wanted if w not in SETTING)
    used = [w for w in used if w not in SETTING]
    touched = {t for t in topics if t in reads}
    announced = ANNOUNCED.search(plain(" ".join(episode_sentences(episode)[:2])))
    if announced is not None and not FRAMING.search(announced.group("subject")):
        subject = announced.group("subject")
        if _about(content_words(subject), wanted, topics):
            return None
        if len(used) > ANNOUNCED_USED or len(touched) > ANNOUNCED_TOPICS:
            return None  # the story itself speaks of the question after all
        told = f"回答讲的是「{shorten(subject, max_chars=REASON_QUOTE, inline=True)}」"
        return _off_topic_flag(episode, wanted, told)
    return None


def _about(said: frozenset[str], wanted: tuple[str, ...], topics: tuple[str, ...]) -> bool:
    """Do these words touch the question (its words, or a topic word of its competencies)?"""
    for word in said:
        if any(word == w or word in w or w in word or word[:2] == w[:2] for w in wanted):
            return True
        if any(word == t or t in word for t in topics):
            return True
    return False


def _off_topic_flag(
    episode: Episode, wanted: tuple[str, ...], told: str, *, missed: bool = False
) -> GamingFlag:
    story = [c.sentence for c in (*episode.own, *episode.shared)]
    quotes = tuple(dict.fromkeys(story))[:2]
    asked = "" if missed else f"，没有涉及题目所问的{'、'.join(wanted[:4])}"
    reason = f"{told}{asked}，与题目的情境不符，回答的是另一个问题"
    return GamingFlag(Gaming.OFF_TOPIC, reason, quotes)


def episode_sentences(episode: Episode) -> list[str]:
    return list(dict.fromkeys(c.sentence for c in episode.clauses))
