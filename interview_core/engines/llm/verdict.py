"""The model's answer, validated strictly against the schema the prompt asked for.

Schema ``answer-score/1`` (a JSON object, nothing around it but an optional code fence)::

    {"schema": "answer-score/1",
     "competencies": [{"code": str, "score": 1..5 | null, "evidence": [str, ...≤3],
                       "reason": str (Chinese)}],   # every requested code exactly once
     "flags": [{"code": a Gaming code, "reason": str (Chinese), "quotes": [str]}]}

Any other key, type or value is a violation and the answer is not used: a half-understood
verdict is worse than the rules' honest one. Quotes are checked against the transcript later
(``locate``); here only their shape.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, NoReturn

from interview_core.engines.llm.failure import Failure, LlmFailed
from interview_core.engines.llm.prompt import MAX_QUOTES, SCHEMA_VERSION
from interview_core.text.flags import Gaming

MAX_REASON_CHARS = 300
_FENCE = re.compile(r"^```(?:json)?\s*\n(.*)\n```$", re.DOTALL)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_TOP = frozenset({"schema", "competencies", "flags"})
_ITEM = frozenset({"code", "score", "evidence", "reason"})
_FLAG = frozenset({"code", "reason", "quotes"})


@dataclass(frozen=True)
class CompetencyVerdict:
    code: str
    score: int | None
    evidence: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class FlagVerdict:
    code: Gaming
    reason: str
    quotes: tuple[str, ...]


@dataclass(frozen=True)
class Verdict:
    competencies: dict[str, CompetencyVerdict]  # by competency code
    flags: tuple[FlagVerdict, ...]

    def to_json(self) -> dict[str, Any]:
        """The schema's own shape: what the cache keeps and ``parse_verdict`` reads back."""
        return {
            "schema": SCHEMA_VERSION,
            "competencies": [
                {"code": c.code, "score": c.score, "evidence": list(c.evidence), "reason": c.reason}
                for c in self.competencies.values()
            ],
            "flags": [
                {"code": f.code.value, "reason": f.reason, "quotes": list(f.quotes)}
                for f in self.flags
            ],
        }


def parse_verdict(content: str, codes: tuple[str, ...]) -> Verdict:
    """The verdict on exactly the competencies ``codes``; LlmFailed (MALFORMED or SCHEMA)
    says what is wrong, without quoting the content."""
    data = _json(content)
    _keys(data, _TOP, "the answer")
    if data["schema"] != SCHEMA_VERSION:
        _violation(f"schema is not {SCHEMA_VERSION}")
    items = _list(data["competencies"], "competencies")
    verdicts: dict[str, CompetencyVerdict] = {}
    for item in items:
        verdict = _competency(item, codes)
        if verdict.code in verdicts:
            _violation(f"competency {verdict.code} given twice")
        verdicts[verdict.code] = verdict
    missing = [c for c in codes if c not in verdicts]
    if missing:
        _violation(f"competencies missing: {', '.join(missing)}")
    flags = tuple(_flag(item) for item in _list(data["flags"], "flags"))
    return Verdict({c: verdicts[c] for c in codes}, flags)


def _json(content: str) -> dict[str, Any]:
    text = content.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1).strip()
    try:
        data = json.loads(text, object_pairs_hook=_unique_keys)
    except ValueError as exc:
        raise LlmFailed(Failure.MALFORMED, f"content is not JSON ({type(exc).__name__})") from exc
    if not isinstance(data, dict):
        raise LlmFailed(Failure.MALFORMED, "content is not a JSON object")
    return data


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("duplicate key")
    return dict(pairs)


def _competency(item: Any, codes: tuple[str, ...]) -> CompetencyVerdict:
    _keys(item, _ITEM, "a competency")
    code = item["code"]
    if code not in codes:
        _violation(f"unknown competency code {str(code)[:40]!r}")
    score = item["score"]
    if score is not None and (type(score) is not int or not 1 <= score <= 5):
        _violation(f"{code}: score must be an integer 1..5 or null")
    evidence = _strings(item["evidence"], f"{code}: evidence")
    if len(evidence) > MAX_QUOTES:
        _violation(f"{code}: more than {MAX_QUOTES} quotes")
    return CompetencyVerdict(code, score, evidence, _reason(item["reason"], code))


def _flag(item: Any) -> FlagVerdict:
    _keys(item, _FLAG, "a flag")
    try:
        code = Gaming(item["code"])
    except ValueError:
        _violation(f"unknown flag code {str(item['code'])[:40]!r}")
    return FlagVerdict(code, _reason(item["reason"], code), _strings(item["quotes"], "quotes"))


def _keys(item: Any, expected: frozenset[str], what: str) -> None:
    if not isinstance(item, dict) or set(item) != expected:
        _violation(f"{what} must be an object with exactly {', '.join(sorted(expected))}")


def _list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        _violation(f"{what} must be a list")
    return value


def _strings(value: Any, what: str) -> tuple[str, ...]:
    items = _list(value, what)
    if not all(isinstance(s, str) and s.strip() for s in items):
        _violation(f"{what} must be non-empty strings")
    return tuple(items)


def _reason(value: Any, code: str) -> str:
    """Reasons are shown to HR: Chinese, one or two sentences."""
    if not isinstance(value, str) or not _CJK.search(value) or len(value) > MAX_REASON_CHARS:
        _violation(f"{code}: reason must be Chinese text of at most {MAX_REASON_CHARS} chars")
    return value.strip()


def _violation(detail: str) -> NoReturn:
    raise LlmFailed(Failure.SCHEMA, detail)
