"""A match told in a few lines for a chat card: the knock-out reasons first, then what
was missed, then what was met, then what the résumé does not say; each line
「✓/✗/？ requirement：why」, kept whole and cut only with ``shorten``."""

from __future__ import annotations

from recruiting.domain.resume_match import MatchResult, Verdict
from recruiting.domain.shorten import shorten

LINE_CHARS = 40
MARKS = {True: "✓", False: "✗", None: "？"}


def score_line(result: MatchResult) -> str:
    """``85 分 · 符合3 不符1 未提及1`` (``不满足必须条件`` when knocked out)."""
    met, missed, unknown = result.counts
    head = f"{result.score} 分"
    if result.knocked_out:
        return f"{head} · 不满足必须条件"
    return f"{head} · 符合{met} 不符{missed} 未提及{unknown}"


def verdict_lines(result: MatchResult) -> list[str]:
    """The knock-out reasons, then every other verdict as one line: must-haves before
    nice-to-haves, each missed, then met, then not mentioned."""

    def order(v: Verdict) -> tuple[int, int]:
        return (0 if v.requirement.must else 1, {False: 0, True: 1, None: 2}[v.met])

    lines = [shorten(k, max_chars=LINE_CHARS * 2) for k in result.knockouts]
    for v in sorted(result.verdicts, key=order):  # sorted is stable: requirement order kept
        if v.requirement.must and v.met is False:
            continue  # said by its knock-out reason
        must = "必须" if v.requirement.must else "加分"
        lines.append(
            shorten(f"{MARKS[v.met]} {must}·{v.requirement.label}：{v.note}", max_chars=LINE_CHARS)
        )
    return lines


def fit_lines(lines: list[str], max_chars: int) -> str:
    """As many whole lines as fit in ``max_chars``, then how many more there are."""
    kept: list[str] = []
    for n, line in enumerate(lines):
        rest = len(lines) - n
        if len("\n".join([*kept, line])) > max_chars - 14 and rest > 1:
            kept.append(f"……另 {rest} 项请在工作台查看")
            break
        kept.append(line)
    return shorten("\n".join(kept), max_chars=max_chars)
