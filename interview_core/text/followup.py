"""Follow-up questions that close the gaps of an answer, quoting the candidate's own words.

They read the same behavioural episode as the scores (``episode``). The gaps, in this order:
situation (no time, place or background), task, action (nothing the candidate or the team did,
only opinions, habits or claims), result (actions without an outcome), ownership (more 我们
than 我 in the actions) and quantification (a result without a number that says what it
measures). A gaming answer (a keyword list, a self-description, an echo, empty numbers, an
off-topic story) is asked for one real episode first, quoting what raised the flag. Otherwise
the question targets the most useful gap (action, result, ownership, quantification, task,
situation) and quotes a short, verbatim clause of the answer: 你提到"优化了生产流程"，最后结果
如何？ With no gap, it asks for depth on the competency the story shows least, among those the
question asks (never one the answer only names: a buzzword is no evidence). Deterministic.

An interviewer's note (``note=True``) in the third person is not the candidate's wording: it
is read as the candidate's words in the first person and asked back in the second person,
without quotation marks (你提到团队里你负责培训新人，…; see ``reported``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from interview_core.text.analysis import AnswerAnalysis, analyze_answer
from interview_core.text.concepts import missing_concepts
from interview_core.text.flags import Gaming, GamingFlag
from interview_core.text.gaming import detect_gaming
from interview_core.text.jobs import JobModel
from interview_core.text.reported import first_person, is_reported, second_person
from interview_core.text.scoring import (
    AnswerScore,
    asked_competencies,
    non_answer,
    score_answer,
)
from interview_core.text.sentences import plain, split_clauses, tokenizer
from interview_core.text.signals import HEDGE_RE, QUANTITY_RE, SUBJECT_RE, is_generic
from interview_core.text.star import action_verb_at, clause_parts

GAP_ORDER = ("situation", "task", "action", "result", "ownership", "quantification")
PRIORITY = ("action", "result", "ownership", "quantification", "task", "situation")
QUOTE_CHARS = 20
MIN_QUOTE_CHARS = 6

TEMPLATES = {
    "situation": "你提到“{quote}”，当时是在什么背景下发生的？涉及哪些人，是什么时候的事？",
    "task": "你提到“{quote}”，当时你具体承担什么职责？要达成的目标是什么？",
    "action": "你提到“{quote}”，能举个具体的例子吗？你本人是怎么推动的、做了哪些事？",
    "result": "你提到“{quote}”，最后结果如何？有没有可以衡量的变化？",
    "ownership": "你提到“{quote}”，这里面你本人具体负责哪一部分、亲自做了什么？",
    "quantification": "你提到“{quote}”，有没有具体的数字能说明效果，比如提升了多少、用了多长时间？",
    "depth": "你提到“{quote}”，能具体讲讲这件事里体现{competency}的地方吗？你是怎么考虑和取舍的？",
    "reflection": "你提到“{quote}”，如果重来一次，你会做哪些不同的调整？为什么？",
    "on_topic": (
        "你提到“{quote}”，这与题目所问的情境不太一样。能讲一次与题目直接相关的亲身经历吗？"
        "当时是什么情况，你本人做了什么，结果如何？"
    ),
    "on_concept": (
        "你提到“{quote}”，这与题目所问的情境不太一样（题目问的是{competency}的经历）。"
        "能讲一次与题目直接相关的亲身经历吗？当时是什么情况，你本人做了什么，结果如何？"
    ),
    "example": (
        "你提到“{quote}”，能讲一次你亲身经历的具体事例吗？当时是什么情况，你本人做了什么，结果如何？"
    ),
}
NO_QUOTE = "能举一个你亲身经历的具体例子吗？当时是什么情况，你本人做了什么，结果如何？"
RESULT_SUFFIX = "结果如何？"

# Which clauses make the best quote for each gap: the candidate's own words closest to it.
QUOTE_FROM = {
    "situation": "action",
    "task": "action",
    "action": "statement",
    "result": "action",
    "ownership": "collective",
    "quantification": "result",
}


@dataclass(frozen=True)
class FollowUp:
    missing: list[str]  # every gap, in GAP_ORDER; "depth" is not a gap
    question: str
    quote: str  # verbatim from the answer ("" for an empty answer)
    competency: str | None  # competency name the question serves, when a job is given
    target: str = "depth"  # the gap the question asks about (or "depth"/"reflection")
    verbatim: bool = True  # False: the quote paraphrases a note, not the candidate's words

    def to_json(self) -> dict[str, object]:
        return {
            "missing": self.missing,
            "target": self.target,
            "question": self.question,
            "quote": self.quote,
            "verbatim": self.verbatim,
            "competency": self.competency,
        }


def follow_up(
    answer: str,
    question: str,
    job: JobModel | None = None,
    *,
    note: bool = False,
    competencies: Sequence[str] | None = None,
) -> FollowUp:
    """The next question to ask about this answer (advisory; the interviewer chooses).
    ``note``: ``answer`` is an interviewer's note, which may report the candidate;
    ``competencies``: the ones the question asks (see ``score_answer``)."""
    reported = note and is_reported(answer)
    if reported:
        answer = first_person(answer)
    scored = (
        score_answer(answer, question, job, competencies=competencies) if job is not None else None
    )
    analysis = scored.analysis if scored is not None else analyze_answer(answer, question)
    missing = gaps(analysis)
    flags = (
        scored.flags if scored is not None else detect_gaming(answer, question, analysis.episode)
    )
    if non_answer(flags, analysis.episode):
        found = _example(analysis, flags, missing, whole=reported, question=question)
        return _addressed(found) if reported else found
    target = next((gap for gap in PRIORITY if gap in missing), None)
    if target is None:
        asked = asked_competencies(job, question, competencies) if job else frozenset()
        found = _depth(analysis, scored, missing, whole=reported, asked=asked)
        return _addressed(found) if reported else found
    quote = pick_quote(analysis, QUOTE_FROM[target], whole=reported)
    text = _ask(target, quote)
    if target == "action" and "result" in missing and quote:
        text += RESULT_SUFFIX
    competency = _competency_of(quote, scored) if scored is not None else None
    found = FollowUp(missing, text, quote, competency, target)
    return _addressed(found) if reported else found


def _addressed(found: FollowUp) -> FollowUp:
    """A follow-up on a reported note: the quote in the second person, not in quotation
    marks (the interviewer's paraphrase), the question otherwise the same."""
    if not found.quote:
        return replace(found, verbatim=False)
    said = second_person(found.quote)
    question = found.question.replace(f"“{found.quote}”", said, 1)
    return replace(found, question=question, quote=said, verbatim=False)


def gaps(analysis: AnswerAnalysis) -> list[str]:
    """What the story lacks, from the episode: no situation, task, personal or team action,
    result, ownership (more 我们 than 我) or a number measuring the result."""
    episode = analysis.episode
    found = set()
    if not episode.part("situation"):
        found.add("situation")
    if not episode.part("task"):
        found.add("task")
    if not episode.acted:
        found.add("action")
    if not episode.results:
        found.add("result")
    ratio = analysis.ownership.ratio
    if ratio is not None and ratio < 0.5:
        found.add("ownership")
    if not analysis.quantified_results and "result" not in found:
        found.add("quantification")
    return [gap for gap in GAP_ORDER if gap in found]


def _example(
    analysis: AnswerAnalysis,
    flags: tuple[GamingFlag, ...],
    missing: list[str],
    *,
    whole: bool,
    question: str = "",
) -> FollowUp:
    """A non-answer: ask for one real episode, quoting what raised the first flag; an
    off-topic story is told which situation of the question it misses (「反复出现的问题」)."""
    first = next((f for f in flags if f.quotes), None)
    clauses = [c for q in (first.quotes if first else ()) for c in split_clauses(q)]
    clauses = [c for c in clauses if len(plain(c).strip()) >= 2]
    if first is None or not clauses:
        return FollowUp(missing, NO_QUOTE, "", None, "example")
    best = max(clauses[:3], key=lambda c: (len(plain(c)), -clauses.index(c)))
    quote = _cut_at_word(best, QUOTE_CHARS) if whole else trim_clause(best)
    if first.code != Gaming.OFF_TOPIC:
        return FollowUp(missing, _ask("example", quote), quote, None, "example")
    missed = missing_concepts(question, analysis.episode.reads)
    if missed:
        named = "".join(f"「{name}」" for name in missed)
        return FollowUp(missing, _ask("on_concept", quote, named), quote, None, "example")
    return FollowUp(missing, _ask("on_topic", quote), quote, None, "example")


def pick_quote(analysis: AnswerAnalysis, kind: str, *, whole: bool = False) -> str:
    """The most specific clause of the wanted kind (any clause if none), trimmed short
    (``whole``: from its start, as a paraphrase reads best whole)."""
    clauses = [c for s in analysis.sentences for c in split_clauses(s)]
    if not clauses:
        return ""
    wanted = [c for c in clauses if _is_kind(c, kind, analysis)] or clauses
    best = max(wanted, key=lambda c: (_specificity(c), -clauses.index(c)))
    if whole:
        return _cut_at_word(best, QUOTE_CHARS)
    return trim_clause(best, keep_subject=kind == "collective")


def trim_clause(clause: str, keep_subject: bool = False) -> str:
    """A short verbatim piece: from the action verb if that leaves enough to read, else from
    after the connector and subject (kept when asking about 我们), cut at a word boundary."""
    subject = SUBJECT_RE.match(clause)
    verb = action_verb_at(clause)
    starts = []
    if keep_subject and subject is not None:
        starts.append(subject.start("subject"))
    if verb is not None:
        starts.append(verb)
    if subject is not None:
        starts.append(subject.end("subject"))
    start = next((i for i in starts if len(clause) - i >= MIN_QUOTE_CHARS), 0)
    return _cut_at_word(clause[start:], QUOTE_CHARS)


def _cut_at_word(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    kept = ""
    for word in tokenizer().lcut(text):
        if kept and len(kept) + len(word) > limit:
            break
        kept += word
    return kept


def _is_kind(clause: str, kind: str, analysis: AnswerAnalysis) -> bool:
    if kind == "collective":
        return clause in analysis.ownership.collective_quotes
    if kind == "statement":
        return not (HEDGE_RE.search(clause) or is_generic(clause))
    return kind in clause_parts(clause)


def _specificity(clause: str) -> int:
    points = 3 * (action_verb_at(clause) is not None) + 2 * bool(QUANTITY_RE.search(clause))
    points += 1 if 6 <= len(clause) <= 24 else 0
    points -= 3 if HEDGE_RE.search(clause) or is_generic(clause) else 0
    return points


def _ask(target: str, quote: str, competency: str = "") -> str:
    if not quote:
        return NO_QUOTE
    return TEMPLATES[target].format(quote=quote, competency=competency)


def _depth(
    analysis: AnswerAnalysis,
    scored: AnswerScore | None,
    missing: list[str],
    *,
    whole: bool,
    asked: frozenset[str] = frozenset(),
) -> FollowUp:
    weakest = _weakest(scored, asked) if scored is not None else None
    quote = pick_quote(analysis, "action", whole=whole)
    if weakest is None:
        return FollowUp(missing, _ask("reflection", quote), quote, None, "reflection")
    return FollowUp(missing, _ask("depth", quote, weakest), quote, weakest, "depth")


def _weakest(scored: AnswerScore, asked: frozenset[str] = frozenset()) -> str | None:
    """The heaviest competency not assessed, else the lowest-scored one (job order on ties),
    among those the question asks when it asks some."""
    items = tuple(c for c in scored.competencies if c.name in asked) or scored.competencies
    unassessed = [c for c in items if c.score is None]
    if unassessed:
        return max(unassessed, key=lambda c: (c.weight, -items.index(c))).name
    return min(items, key=lambda c: (c.score or 0.0, items.index(c))).name if items else None


def _competency_of(quote: str, scored: AnswerScore) -> str | None:
    """The competency whose behaviour evidence contains the quote (heaviest first), if any:
    a sentence that only names a competency is no evidence of it."""
    holders = [
        c
        for c in scored.competencies
        if any(quote in e.quote and "体现「" in e.why for e in c.evidence)
    ]
    if not holders:
        return None
    return max(holders, key=lambda c: (c.weight, -scored.competencies.index(c))).name
