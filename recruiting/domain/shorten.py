"""Shortening what people read to WeCom's limits at a sentence or clause, never mid-word.

WeCom counts UTF-8 bytes (text and markdown 2048 B, textcard title 128 B and description
512 B, see wecom-protocol.md §3). Cutting at a byte or character count splits words, numbers
and parentheses (``…（北京时间``). Here a text that does not fit is cut at its last boundary
that fits: a line break, a sentence mark (。！？；), a clause mark (，、：), a closed bracket
or a space between words, always outside brackets and quotes; an ellipsis marks the cut,
and a link to the full text follows when there is one. Only a text without any boundary
(one unbroken run of Chinese) is cut between two Chinese characters, never inside a Latin
word or a number.

This is the one way the service shortens text for a person; database column limits are
a different matter (``value[:64]`` on keys and technical notes).
"""

from __future__ import annotations

from collections.abc import Iterator

ELLIPSIS = "…"
MORE_LABEL = "全文："
LINE_BREAKS = "\n"
SENTENCE_MARKS = "。！？；!?;"
CLAUSE_MARKS = "，、：,:"
OPENERS = "（(【[「『“《〈‘{"
CLOSERS = "）)】]」』”》〉’}"
_ASCII_MARKS = ",.:;!?"  # boundaries only before a space or the end: 3.5, 10:00, 1,000
_LINE, _SENTENCE, _CLAUSE, _WORD = 0, 1, 2, 3
_PREFER_SHARE = 0.6  # a stronger boundary wins when it keeps at least this share


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def one_line(text: str) -> str:
    """Runs of whitespace (line breaks included) as one space: for quotes inside a line."""
    return " ".join(text.split())


def shorten(
    text: str,
    max_bytes: int | None = None,
    *,
    max_chars: int | None = None,
    more_url: str = "",
    inline: bool = False,
) -> str:
    """``text`` unchanged when it fits ``max_bytes`` UTF-8 bytes and ``max_chars``
    characters, else its longest prefix ending at a boundary, then ``…`` and, with
    ``more_url``, a line ``全文：<url>`` (dropped when even that does not fit).
    ``inline``: whitespace runs become one space first (a quote inside a line)."""
    if inline:
        text = one_line(text)
    if _fits(text, max_bytes, max_chars):
        return text
    for tail in (f"{ELLIPSIS}\n{MORE_LABEL}{more_url}" if more_url else ELLIPSIS, ELLIPSIS):
        byte_room = None if max_bytes is None else max_bytes - utf8_len(tail)
        char_room = None if max_chars is None else max_chars - len(tail)
        if (byte_room is None or byte_room >= 0) and (char_room is None or char_room >= 0):
            return _prefix(text, byte_room, char_room) + tail
    return ""  # not even the ellipsis fits


def _fits(text: str, max_bytes: int | None, max_chars: int | None) -> bool:
    return (max_chars is None or len(text) <= max_chars) and (
        max_bytes is None or utf8_len(text) <= max_bytes
    )


def _prefix(text: str, max_bytes: int | None, max_chars: int | None) -> str:
    """The longest clean prefix within the room, preferring a stronger boundary that keeps
    most of it (a whole line over a clause)."""
    reach = _reach(text, max_bytes, max_chars)
    best: dict[int, str] = {}
    for end, strength in boundaries(text[: reach + 2]):  # a mark just past reach is dropped
        kept = _clean(text[:end])
        if kept and len(kept) <= reach and len(kept) > len(best.get(strength, "")):
            best[strength] = kept
    if not best:
        return ""
    longest = max(len(kept) for kept in best.values())
    return next(best[s] for s in sorted(best) if len(best[s]) >= longest * _PREFER_SHARE)


def _reach(text: str, max_bytes: int | None, max_chars: int | None) -> int:
    """How many leading characters fit the room."""
    reach = len(text) if max_chars is None else min(len(text), max(max_chars, 0))
    if max_bytes is not None:
        used = 0
        for i, ch in enumerate(text[:reach]):
            used += utf8_len(ch)
            if used > max_bytes:
                return i
    return reach


def _clean(prefix: str) -> str:
    """The prefix without trailing spaces and clause marks (``，…`` reads badly)."""
    return prefix.rstrip().rstrip(CLAUSE_MARKS + _ASCII_MARKS.replace(".", "")).rstrip()


def boundaries(text: str) -> Iterator[tuple[int, int]]:
    """``(end, strength)`` for every place ``text[:end]`` may end, outside brackets:
    0 a line break, 1 a sentence mark, 2 a clause mark or a space between words, 3 (only
    when there is nothing else) between two Chinese characters."""
    depth = 0
    found = False
    weak: list[int] = []
    for i, ch in enumerate(text):
        nxt = text[i + 1] if i + 1 < len(text) else " "
        if ch in OPENERS:
            depth += 1
        elif ch in CLOSERS:
            depth = max(depth - 1, 0)
            if not depth and not nxt.isspace() and nxt not in SENTENCE_MARKS + CLAUSE_MARKS:
                found = True
                yield i + 1, _CLAUSE  # after a closed parenthesis: （周二）|10:00
            continue
        if depth:
            continue
        if ch in LINE_BREAKS:
            found = True
            yield i, _LINE
        elif ch in SENTENCE_MARKS and (ch not in _ASCII_MARKS or nxt.isspace()):
            found = True
            yield i + 1, _SENTENCE
        elif ch in CLAUSE_MARKS and (ch not in _ASCII_MARKS or nxt.isspace()):
            found = True
            yield i + 1, _CLAUSE
        elif ch == "." and nxt.isspace():
            found = True
            yield i + 1, _SENTENCE
        elif ch.isspace() and i > 0:
            found = True
            yield i, _WORD
        elif _cjk(ch) and _cjk(nxt) and nxt not in OPENERS:
            weak.append(i + 1)
    if not found:
        for end in weak:
            yield end, _WORD + 1


def _cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"
