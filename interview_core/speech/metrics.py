"""How an answer was spoken: speaking time, pauses, pace and filler words.

These are descriptive facts for the interviewer's report, each explained in plain Chinese.
Pace and fillers need a transcript; without one they stay None rather than being guessed.
Filler words are counted as words (jieba segmentation), so "也就是说" is not "就是", but a
plain "这个" or "然后" may still be ordinary usage: the counts are hints, not verdicts.
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import jieba

from interview_core.speech.segments import Segment

MIN_PAUSE_SECONDS = 0.3  # shorter gaps are breaths between words
LONG_PAUSE_SECONDS = 2.0
SLOW_CPM, FAST_CPM = 120.0, 330.0  # typical interview Mandarin is roughly 180-280 per minute
MANY_FILLERS_PER_MINUTE = 12.0
LOW_SPEAKING_RATIO = 0.4

INTERJECTIONS = ("嗯", "啊", "呃", "额", "唔")  # counted per character: "嗯嗯" is two
FILLER_WORDS = ("那个", "这个", "就是", "就是说", "然后", "对吧", "的话", "反正")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class Pause:
    start: float
    seconds: float


@dataclass(frozen=True)
class SpeechMetrics:
    total_seconds: float
    speaking_seconds: float
    speaking_ratio: float
    pause_count: int
    pause_mean_seconds: float | None
    pause_longest_seconds: float | None
    long_pauses: list[Pause]
    characters: int | None
    speaking_rate_cpm: float | None
    fillers: dict[str, int] | None
    filler_count: int | None
    fillers_per_minute: float | None
    too_short: bool
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        return {k: round(v, 2) if isinstance(v, float) else v for k, v in data.items()} | {
            "long_pauses": [
                {"start": round(p.start, 2), "seconds": round(p.seconds, 2)}
                for p in self.long_pauses
            ]
        }


def speech_metrics(
    segments: Sequence[Segment],
    total_seconds: float,
    transcript_text: str | None,
    *,
    min_answer_seconds: float = 20.0,
) -> SpeechMetrics:
    """Describe one answer from its voiced segments and (when there is one) its transcript."""
    spans = sorted(segments, key=lambda s: s.start)
    speaking = sum(s.duration for s in spans)
    pauses = _pauses(spans)
    minutes = speaking / 60
    characters = count_characters(transcript_text) if transcript_text is not None else None
    fillers = count_fillers(transcript_text) if transcript_text is not None else None
    filler_count = sum(fillers.values()) if fillers is not None else None
    metrics = SpeechMetrics(
        total_seconds=total_seconds,
        speaking_seconds=speaking,
        speaking_ratio=speaking / total_seconds if total_seconds > 0 else 0.0,
        pause_count=len(pauses),
        pause_mean_seconds=sum(p.seconds for p in pauses) / len(pauses) if pauses else None,
        pause_longest_seconds=max(p.seconds for p in pauses) if pauses else None,
        long_pauses=[p for p in pauses if p.seconds > LONG_PAUSE_SECONDS],
        characters=characters,
        speaking_rate_cpm=characters / minutes if characters is not None and minutes else None,
        fillers=fillers,
        filler_count=filler_count,
        fillers_per_minute=filler_count / minutes if filler_count is not None and minutes else None,
        too_short=speaking < min_answer_seconds,
    )
    metrics.notes.extend(_notes(metrics, min_answer_seconds))
    return metrics


def _pauses(spans: Sequence[Segment]) -> list[Pause]:
    """Gaps between consecutive voiced spans; silence before the first word is not a pause."""
    gaps = (Pause(a.end, b.start - a.end) for a, b in itertools.pairwise(spans))
    return [gap for gap in gaps if gap.seconds >= MIN_PAUSE_SECONDS]


def count_characters(text: str) -> int:
    """Chinese characters spoken; punctuation, digits and Latin letters are not counted."""
    return len(_HAN.findall(text))


def count_fillers(text: str) -> dict[str, int]:
    """Occurrences of each filler word or interjection, found among jieba's words."""
    counts: dict[str, int] = {}
    words = [w for w in _segmenter()(text) if w.strip()]
    for i, word in enumerate(words):
        if word in FILLER_WORDS:
            found = [word]
        elif word == "对" and i + 1 < len(words) and words[i + 1] == "吧":
            found = ["对吧"]
        else:
            found = [ch for ch in word if ch in INTERJECTIONS] if _only_interjections(word) else []
        for filler in found:
            counts[filler] = counts.get(filler, 0) + 1
    return counts


def _only_interjections(word: str) -> bool:
    return all(ch in INTERJECTIONS for ch in word)


@functools.cache
def _segmenter() -> Callable[[str], list[str]]:
    """jieba's cutter (no HMM: fillers are dictionary words); the dictionary loads once."""
    jieba.setLogLevel(logging.WARNING)
    return functools.partial(jieba.lcut, HMM=False)


def _notes(m: SpeechMetrics, min_answer_seconds: float) -> list[str]:
    notes = []
    if m.too_short:
        notes.append(
            f"有效说话时长约 {m.speaking_seconds:.0f} 秒，少于 {min_answer_seconds:.0f} 秒，"
            "回答可能不完整。"
        )
    if m.long_pauses:
        starts = "、".join(f"{p.start:.0f} 秒" for p in m.long_pauses[:5])
        notes.append(
            f"有 {len(m.long_pauses)} 次超过 {LONG_PAUSE_SECONDS:.0f} 秒的停顿"
            f"（最长 {m.pause_longest_seconds:.1f} 秒，开始于 {starts}处）。"
        )
    if m.total_seconds > 0 and m.speaking_ratio < LOW_SPEAKING_RATIO:
        notes.append(f"录音中只有约 {m.speaking_ratio:.0%} 的时间在说话。")
    pace = _pace_note(m)
    if pace:
        notes.append(pace)
    if m.fillers_per_minute is not None and m.fillers_per_minute > MANY_FILLERS_PER_MINUTE:
        top = sorted((m.fillers or {}).items(), key=lambda kv: -kv[1])[:3]
        words = "、".join(f"“{w}”{n} 次" for w, n in top)
        notes.append(
            f"口头语较多：每分钟约 {m.fillers_per_minute:.0f} 次（{words}；"
            "按词计数，可能含正常用法）。"
        )
    return notes


def _pace_note(m: SpeechMetrics) -> str | None:
    if m.characters is None:
        return "没有转写文本，语速和口头语未统计。"
    rate = m.speaking_rate_cpm
    if rate is not None and rate < SLOW_CPM:
        return f"语速约每分钟 {rate:.0f} 字，偏慢。"
    if rate is not None and rate > FAST_CPM:
        return f"语速约每分钟 {rate:.0f} 字，偏快。"
    return None
