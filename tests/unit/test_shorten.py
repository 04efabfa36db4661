"""The one way text for people is shortened: within WeCom's byte limits, at a boundary,
never inside a word, a number or a parenthesis, with a link to the full text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from recruiting.domain.shorten import (
    CLOSERS,
    ELLIPSIS,
    MORE_LABEL,
    OPENERS,
    shorten,
    utf8_len,
)

PIECES = st.sampled_from(
    [
        "北京",
        "时间",
        "面试",
        "候选人",
        "offer",
        "HR",
        "2048",
        "3.5",
        "10:00",
        "（北京时间）",
        "(AI)",
        "“好”",
        "。",
        "，",
        "、",
        "；",
        "！",
        "？",
        "\n",
        " ",
        "😀",
        "é",
        "é",
    ]
)
TEXTS = st.lists(PIECES | st.text(max_size=6), max_size=80).map("".join)
MARKS = "。！？；!?;，、：,:.\n "


def _depth_zero(text: str) -> bool:
    depth = 0
    for ch in text:
        if ch in OPENERS:
            depth += 1
        elif ch in CLOSERS:
            depth = max(depth - 1, 0)
    return depth == 0


@settings(max_examples=400, deadline=None)
@given(TEXTS, st.integers(min_value=0, max_value=300), st.booleans())
def test_result_fits_and_is_a_clean_prefix(text: str, limit: int, link: bool) -> None:
    url = "https://hr.example.com/r/1" if link else ""
    out = shorten(text, limit, more_url=url)
    assert utf8_len(out) <= limit
    out.encode("utf-8")  # never half a surrogate pair or of a multibyte character
    if utf8_len(text) <= limit:
        assert out == text
        return
    if not out:
        assert limit < utf8_len(ELLIPSIS)
        return
    link_tail = f"{ELLIPSIS}\n{MORE_LABEL}{url}"
    if url and out.endswith(link_tail):
        kept = out[: -len(link_tail)]
    else:
        assert out.endswith(ELLIPSIS)
        kept = out[: -len(ELLIPSIS)]
    assert text.startswith(kept)
    assert _depth_zero(kept), "cut inside a parenthesis"
    if kept:
        after = text[len(kept)]
        last = kept[-1]
        at_mark = after in MARKS or after.isspace() or last in "。！？；\n" + CLOSERS
        between_han = "\u3400" <= last <= "\u9fff" and "\u3400" <= after <= "\u9fff"
        assert at_mark or between_han, (kept, after)
        assert not (last.isascii() and last.isalnum() and after.isascii() and after.isalnum())


@settings(max_examples=200, deadline=None)
@given(TEXTS, st.integers(min_value=1, max_value=80))
def test_character_limits_hold_too(text: str, chars: int) -> None:
    out = shorten(text, max_chars=chars)
    assert len(out) <= chars
    assert out == text or out.endswith(ELLIPSIS) or out == ""


def test_cut_at_the_clause_never_inside_the_parenthesis() -> None:
    text = "面试时间：12月8日 10:00–11:00（北京时间），地点：会议室三，请提前十分钟到达。"
    out = shorten(text, 60)
    assert out == "面试时间：12月8日 10:00–11:00（北京时间）…"
    assert "（北京时间）" in shorten(text, 48) or "（" not in shorten(text, 48)


def test_a_whole_line_wins_over_a_longer_clause() -> None:
    text = "第一行说明，内容很长的一句话\n第二行：这里是更多的内容，还有后面的部分，继续写"
    assert shorten(text, 90) == "第一行说明，内容很长的一句话\n第二行：这里是更多的内容…"
    assert shorten(text, 70) == "第一行说明，内容很长的一句话…"  # not "…\n第二行…"


def test_numbers_and_words_stay_whole() -> None:
    out = shorten("The score was 3.5 points and 10:00 start", 20)
    assert out == "The score was 3.5…"
    assert shorten("abcdefghijklmnopqrstuvwxyz", 10) == ELLIPSIS


def test_link_to_the_full_text_when_there_is_one() -> None:
    text = "评语：" + "候选人表现稳定，沟通清楚。" * 50
    url = "https://hr.example.com/reports/7"
    out = shorten(text, 300, more_url=url)
    assert out.endswith(f"{ELLIPSIS}\n{MORE_LABEL}{url}") and utf8_len(out) <= 300
    assert shorten("短文本", 300, more_url=url) == "短文本"


def test_inline_collapses_whitespace_for_quotes() -> None:
    assert shorten("我负责\n  培训新人", max_chars=20, inline=True) == "我负责 培训新人"


def test_unbroken_chinese_is_cut_between_characters() -> None:
    out = shorten("候选人沟通能力很强" * 10, 30)
    assert out.endswith(ELLIPSIS) and utf8_len(out) <= 30 and len(out) > 1
