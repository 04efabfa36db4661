"""Which engine scored, in words for the HR person reading the report."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from interview_core.engines.llm.failure import failure_label

# The rules read behaviour, not meaning: whether a story answers *this* question is judged only
# for questions whose situation concepts are written down (text/concepts.py), so HR is told
RULES_LABEL = "规则评分（按固定规则逐句分析，结果可复现；不能判断所讲经历是否切题，请对照原文核实）"


def engine_label(score: Mapping[str, Any]) -> str:
    """From a stored score JSON (``AnswerScore.to_json``): the engine, and why the rules
    scored when the LLM was asked."""
    method = str(score.get("method") or "")
    run = score.get("engine_run") or {}
    if method.startswith("llm:"):
        model = method.removeprefix("llm:").rsplit("/", 1)[0]
        return f"大语言模型评分（模型 {model}，引用的原文均已逐字核对）"
    fallback = run.get("fallback") if isinstance(run, Mapping) else None
    if isinstance(fallback, Mapping):
        why = failure_label(str(fallback.get("reason") or ""))
        return f"{RULES_LABEL}；{why}，本题未使用大语言模型评分"
    return RULES_LABEL if method else ""
