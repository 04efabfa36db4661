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
from typing import Protocol

SENTENCE_END = re.compile(r"[。！？；!?;…\n\r]+")
CLAUSE_BREAK = re.compile(r"[，,、：:（）()]+")
_HAN = r"\u4e00-\u9fff"
# A space between Chinese characters (or a Chinese character and a digit): a segment boundary.
SPACE_BREAK = re.compile(rf"(?<=[{_HAN}])\s+(?=[{_HAN}\d])|(?<=[\d%])\s+(?=[{_HAN}])")
UNPUNCTUATED = 28  # characters without any punctuation after which markers split
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
    for part in SENTENCE_END.split(text):
        for piece in SPACE_BREAK.split(part):
            found.extend(_at_markers(piece.strip()))
    return tuple(part for part in found if part and _WORD.search(plain(part)))


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


def plain(text: str) -> str:
    """The text the rules read: fillers (嗯、那个、就是说) and stutters (我我) dropped."""
    return FILLERS.sub("", _STUTTER.sub(r"\1", text))


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
