"""Chinese sentence and clause splitting, and word segmentation with jieba.

Quotes are exact substrings of the answer (whitespace-trimmed, without the end punctuation),
so evidence can be found again in the transcript. jieba is set up once, lazily, with its
default dictionary and its logging silenced: importing this module loads nothing.

A speech recogniser's transcript has no punctuation: its segments are joined by single
spaces (``speech.port``). So a space between two Chinese characters ends a sentence too, and
a long stretch without any punctuation is cut before discourse markers (然后、于是、结果、最后…)
that start the next step of a story. Fillers and stutters (嗯、那个、就是、我我) stay in the
quotes but are dropped from the text the rules read (``plain``), so they never cost points.
"""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache
from typing import Protocol

SENTENCE_END = re.compile(r"[。！？；!?;…\n\r]+")
# A colon between digits is a clock time (21:00), not a clause break
CLAUSE_BREAK = re.compile(r"(?:[，,、（）()]|(?<!\d)[：:]|[：:](?!\d))+")
_HAN = r"\u4e00-\u9fff"
# A space between Chinese characters (or a Chinese character and a digit): a segment boundary.
SPACE_BREAK = re.compile(rf"(?<=[{_HAN}])\s+(?=[{_HAN}\d])|(?<=[\d%])\s+(?=[{_HAN}])")
PUNCTUATED = re.compile(r"[，。！？；,!?;]")
_NEVER = re.compile(r"(?!)")
UNPUNCTUATED = 28  # characters without any punctuation after which markers split
# Some recognisers space every word (我 之前 在 武汉 做 物流), not their pauses: pieces this
# short on average. Read as pauses, their pieces are a few characters each, so the shape of
# an answer (short items without the words of speech) says nothing there.
WORD_SPACED, WORD_SPACED_PIECES = 2.5, 8
MARKERS = re.compile(
    r"(?=然后|后来|于是|所以|因此|结果|最后|最终|接着|随后|之后|当时|首先|其次|但是|不过|可是|"
    r"因为|同时|另外|第二天|一周后|一个月后|三个月后|半年后|事后|那次|有一次)"
)
MIN_PIECE = 4
FILLERS = re.compile(
    r"嗯+|呃+|啊+(?=[，,\s]|$)|额+(?=[，,\s])|哎+|唉+|那个(?=那个|就是|嗯|我|[，,\s]|$)|就是说|"
    r"然后呢|怎么说呢|对吧|你知道吧|其实吧"
)
_STUTTER = re.compile(r"(我们|我|就是|那个|然后)(?:\s*\1)+")
_WORD = re.compile(r"[\w\u4e00-\u9fff]")

# Function words, fillers and hedges, plus the generic words of interview questions
# (请讲一次…的经历): none of them says what an answer is about.
_STOPWORDS = """
    的 了 着 过 和 与 及 跟 同 或 而 并 且 也 还 都 就 才 又 再 很 太 更 最 非常 比较 特别
    是 在 有 没有 没 不 被 把 让 给 对 向 从 到 为 为了 因为 所以 但是 但 可是 然后 后来
    于是 如果 虽然 而且 并且 或者 还是 就是 只是 这 那 这个 那个 这些 那些 这样 那样 这么
    那么 这种 那种 一个 一位 一名 一件 一项 一段 一份 一些 一种 一次 一下 一直 一起 一定
    已经 正在 其实 当然 自己 我 我们 你 你们 他 她 它 他们 她们 大家 咱们 本人 吗 呢 吧 啊
    呀 嘛 哦 嗯 呃 么 之 其 该 等 等等 上 下 中 里 内 外 时 时候 后 前 之后 之前 个 些 点 能
    会 要 想 去 来 说 做 让 使 可能 大概 一般 应该 差不多 之类 也许 或许 好像 似乎 基本上
    估计 什么的 还行 还可以 请 讲 讲讲 说说 谈谈 聊聊 介绍 描述 分享 举例 例子 经历 经验
    一下 如何 怎么 怎样 什么 哪些 哪个 为什么 是否 具体 当时 情况 时间 方面 问题 事情 东西
    工作 处理 面对 遇到
"""
STOPWORDS = frozenset(_STOPWORDS.split())


class _Tokenizer(Protocol):
    def lcut(self, sentence: str, cut_all: bool = ..., HMM: bool = ...) -> list[str]: ...


_lock = threading.Lock()
_built: list[_Tokenizer] = []


def tokenizer() -> _Tokenizer:
    """A private jieba tokenizer on the default dictionary, built once, on first use."""
    if not _built:
        with _lock:
            if not _built:
                _built.append(_build_tokenizer())
    return _built[0]


def _build_tokenizer() -> _Tokenizer:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    instance: _Tokenizer = jieba.Tokenizer(jieba.DEFAULT_DICT)
    instance.lcut("预热")  # builds the prefix dictionary now, not in the middle of a score
    return instance


def split_sentences(text: str) -> tuple[str, ...]:
    """Sentences split on 。！？；…, newlines and the spaces between a recogniser's segments,
    long unpunctuated stretches also before discourse markers; trimmed, empty ones dropped."""
    found: list[str] = []
    # Written text with punctuation keeps its spaces (提升 300%、学习了 8 项): only a
    # recogniser's unpunctuated transcript pauses with them
    spaced = SPACE_BREAK if not PUNCTUATED.search(text) else _NEVER
    for part in SENTENCE_END.split(text):
        for piece in spaced.split(part):
            found.extend(_at_markers(piece.strip()))
    return tuple(part for part in found if part and _WORD.search(plain(part)))


def word_spaced(text: str) -> bool:
    """An unpunctuated transcript whose spaces separate words, not pauses."""
    pieces = text.split()
    if PUNCTUATED.search(text) or len(pieces) < WORD_SPACED_PIECES:
        return False
    return sum(len(p) for p in pieces) / len(pieces) <= WORD_SPACED


def _at_markers(piece: str) -> list[str]:
    """A long piece without punctuation cut before its discourse markers (pieces of at least
    ``MIN_PIECE`` characters; a shorter one stays with its neighbour)."""
    if len(piece) < UNPUNCTUATED or CLAUSE_BREAK.search(piece):
        return [piece]
    cuts = [m.start() for m in MARKERS.finditer(piece) if m.start() > 0]
    pieces: list[str] = []
    start = 0
    for cut in cuts:
        if cut - start >= MIN_PIECE and len(piece) - cut >= MIN_PIECE:
            pieces.append(piece[start:cut])
            start = cut
    pieces.append(piece[start:])
    return pieces


# The same clause is read by the episode, STAR and gaming rules: a small cache serves one
# answer (a few dozen clauses) without keeping texts of other answers around.
@lru_cache(maxsize=256)
def plain(text: str) -> str:
    """The text the rules read: fillers (嗯、那个、就是说) and stutters (我我) dropped, and
    a recogniser's homophones of the words the rules look for put right (客护 → 客户)."""
    text = FILLERS.sub("", _STUTTER.sub(r"\1", text))
    if not _HAN_RE.search(text):
        return text
    fix, words = _homophones()

    def put_right(m: re.Match[str]) -> str:
        heard, word = m.group(), words[m.group()]
        # after a figure its first character is the unit the recogniser heard right
        # (2400元工资 is no 2400员工资)
        after_figure = m.start() > 0 and _FIGURE_END.match(text, m.start() - 1)
        return heard if after_figure and heard[0] != word[0] else word

    return fix.sub(put_right, text)


_FIGURE_END = re.compile(r"[\d零一二三四五六七八九十百千万两]")


# Characters a Mandarin recogniser confuses (same syllable): each pair both ways.
_CONFUSED = """
在再 做作 到道 已以 是事 户护 工公 单担 力利 会汇 成城 程承 流留 题提 决绝 理里 结节 果过
客可 服福 务物 投头 诉素 质制 效校 升生 降将 据剧 分份 析息 门们 店点 员元 经京 期其 时实
及急 反返 馈溃 推退 动冻 调条 整正 定订 计记 划化 意异 见件 同通 测侧 券卷 违为 谨紧 话化
红洪 熟数 案按 柜贵 油游 地底 叉插 带代 联连 诉述 报抱 议易 绩迹
"""
_COMMON = """
客户 顾客 投诉 测试 电话 方案 柜台 产品 问题 解决 结果 效率 服务 业绩 目标 压力 数据 分析 门店
员工 经理 同事 项目 计划 需求 沟通 处理 反馈 调整 推动 检查 整改 安全 隐患 违章 叉车 优惠券 谨慎
熟练 红字 地线 油管 连带率 客诉 提案 成交 签单 回访 道歉 退款 经验 流程 质量 效果 升级 降低 意见
"""
_HAN_RE = re.compile(r"[\u4e00-\u9fff]")
_fixes: list[tuple[re.Pattern[str], dict[str, str]]] = []


def _homophones() -> tuple[re.Pattern[str], dict[str, str]]:
    """Misheard forms of the words the rules look for (the library's keywords, the jobs'
    keywords and common interview words), one confused character each; a form that is a
    word of its own in jieba's dictionary is left alone. Built once, on first use."""
    if _fixes:
        return _fixes[0]
    from interview_core.text.jobs import builtin_jobs
    from interview_core.text.library import default_library

    pairs: dict[str, set[str]] = {}
    for pair in _CONFUSED.split():
        pairs.setdefault(pair[0], set()).add(pair[1])
        pairs.setdefault(pair[1], set()).add(pair[0])
    library = default_library()
    wanted = set(_COMMON.split()) | {c.name for c in library.competencies}
    wanted |= {k for c in library.competencies for k in c.keywords}
    wanted |= {k for job in builtin_jobs().values() for c in job.competencies for k in c.keywords}
    known = tokenizer_words()
    words: dict[str, str] = {}
    for word in sorted(w for w in wanted if len(w) >= 2 and _HAN_RE.search(w)):
        for at, ch in enumerate(word):
            for other in sorted(pairs.get(ch, ())):
                heard = word[:at] + other + word[at + 1 :]
                if heard not in known and heard not in wanted:
                    words.setdefault(heard, word)
    alternation = "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))
    with _lock:
        if not _fixes:
            _fixes.append((re.compile(alternation or "(?!)"), words))
    return _fixes[0]


def tokenizer_words() -> frozenset[str]:
    """The words of jieba's dictionary (frequency above 0)."""
    instance = tokenizer()
    instance.lcut("预热")
    return frozenset(w for w, n in getattr(instance, "FREQ", {}).items() if n)


def split_clauses(sentence: str) -> tuple[str, ...]:
    """The comma-level clauses of one sentence (，、：and brackets)."""
    parts = (part.strip() for part in CLAUSE_BREAK.split(sentence))
    return tuple(part for part in parts if part and _WORD.search(part))


def words(text: str) -> list[str]:
    """jieba tokens of a text, punctuation and spaces dropped."""
    return [w for w in tokenizer().lcut(text) if w.strip() and _WORD.search(w)]


def content_words(text: str) -> frozenset[str]:
    """Words that carry meaning: no stopwords, no single characters, no bare numbers."""
    return frozenset(
        w for w in words(text) if len(w) > 1 and w not in STOPWORDS and not w.isdigit()
    )
