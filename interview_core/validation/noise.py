"""Speech-recogniser noise for written answers, so scoring is also judged on transcripts as
the pipeline gets them: no punctuation (the recogniser emits pieces joined by spaces, see
``interview_core.speech.port``) and some characters replaced by homophones.

Deterministic per answer (seeded by its id), so two runs give the same figures.
"""

from __future__ import annotations

import random
import re

# Characters a Mandarin recogniser commonly confuses with a homophone (same syllable, often
# the same tone), chosen among the words of interview answers.
_PAIRS = """
在再 再在 做作 作做 到道 已以 以已 是事 事是 户护 工公 单担 力利 会汇 成城 程成 流留 题提 决绝 理里
结节 果过 客可 服福 务物 投头 诉素 质制 效校 升生 降将 据剧 分份 析息 门们 店点 员元 经京 期其 时实
实时 及急 反返 馈溃 推退 动冻 调条 整正 定订 计记 划化 意异 见件 同通
"""
HOMOPHONES = {pair[0]: pair[1] for pair in _PAIRS.split()}  # character → homophone
_PAUSE = re.compile(r"[\s，,。！？!?；;：:、（）()“”\"'…]+")


def asr_like(text: str, key: str, rate: float) -> str:
    """``text`` as a recogniser might return it: punctuation turned into the spaces between
    recognised pieces, and each character with a known homophone swapped with probability
    ``rate``."""
    rng = random.Random(f"asr-noise:{key}")
    pieces = [p for p in _PAUSE.split(text) if p]
    swapped = ("".join(_swap(ch, rng, rate) for ch in piece) for piece in pieces)
    return " ".join(swapped)


def _swap(ch: str, rng: random.Random, rate: float) -> str:
    other = HOMOPHONES.get(ch)
    return other if other is not None and rng.random() < rate else ch
