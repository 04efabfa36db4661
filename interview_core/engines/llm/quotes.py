"""Every quote the model gives is looked up in the transcript; only what is there counts.

Whitespace is the one thing normalised (a transcript's spacing is arbitrary): the quote must
otherwise appear character for character, and the evidence shown is the transcript's own
span, not the model's copy.
"""

from __future__ import annotations


def locate(quote: str, text: str) -> str | None:
    """The span of ``text`` equal to ``quote`` when whitespace is ignored, as ``text`` has
    it; None when the quote is not in the text."""
    wanted = "".join(quote.split())
    if not wanted:
        return None
    positions = [i for i, ch in enumerate(text) if not ch.isspace()]
    compact = "".join(text[i] for i in positions)
    start = compact.find(wanted)
    if start < 0:
        return None
    return text[positions[start] : positions[start + len(wanted) - 1] + 1]


def verified(quotes: tuple[str, ...], text: str) -> tuple[str, ...]:
    """The quotes found in ``text`` (as spans of it), in order, each once."""
    found = (locate(q, text) for q in quotes)
    return tuple(dict.fromkeys(q for q in found if q is not None))
