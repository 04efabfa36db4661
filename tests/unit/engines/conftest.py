"""The fake endpoint (one per module) and a scorer aimed at it with short timeouts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from interview_core.engines.cache import LruScoreCache, ScoreCache
from interview_core.engines.llm.config import LlmConfig
from interview_core.engines.llm.engine import LlmScorer
from interview_core.text.jobs import JobModel, builtin_job
from tests.fakes.llm import FakeLlm, running

KEY = "sk-test-secret-4711"
MODEL = "fake-qwen"
QUESTION = "请讲一次你说服一位犹豫不决的客户最终成交的经历。"
ANSWER = (
    "去年三月我负责跟进一家连锁药店，采购经理一直犹豫，担心新系统上线会影响门店收银。"
    "我先约他面谈，把他的顾虑一条条记下来，然后带他去看了另一家客户门店的实际运行情况。"
    "我还主动提出先在两家门店试用一个月，由我每周去现场回访。"
    "试用期间收银没有出过问题，他们最后签了全部 36 家门店，合同金额 120 万。"
)


def good_verdict(**overrides: Any) -> dict[str, Any]:
    """What a well-behaved model answers for ANSWER: two competencies assessed."""
    items = {
        "customer_focus": {
            "code": "customer_focus",
            "score": 4,
            "evidence": ["我先约他面谈，把他的顾虑一条条记下来", "由我每周去现场回访"],
            "reason": "本人主动了解客户顾虑并持续跟进，结果清楚。",
        },
        "results_orientation": {
            "code": "results_orientation",
            "score": 3,
            "evidence": ["他们最后签了全部 36 家门店，合同金额 120 万"],
            "reason": "结果可量化，但目标设定过程没有讲。",
        },
        "communication": {
            "code": "communication",
            "score": 4,
            "evidence": ["带他去看了另一家客户门店的实际运行情况"],
            "reason": "针对顾虑调整了说服方式。",
        },
        "stress_tolerance": {
            "code": "stress_tolerance",
            "score": None,
            "evidence": [],
            "reason": "回答没有涉及压力情境。",
        },
        "learning_agility": {
            "code": "learning_agility",
            "score": None,
            "evidence": [],
            "reason": "回答没有涉及学习新知识。",
        },
    }
    for code, change in overrides.items():
        items[code] = {**items[code], **change}
    return {"schema": "answer-score/1", "competencies": list(items.values()), "flags": []}


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeLlm]:
    with running() as server:
        yield server


@pytest.fixture
def sales() -> JobModel:
    return builtin_job("sales")


@pytest.fixture
def delays() -> list[float]:
    return []


@pytest.fixture
def make_scorer(fake: FakeLlm, delays: list[float]) -> Callable[..., LlmScorer]:
    def make(cache: ScoreCache | None = None, **config: Any) -> LlmScorer:
        settings: dict[str, Any] = {
            "timeout_seconds": 0.5,
            "max_attempts": 3,
            "backoff_seconds": 0.05,
            "max_backoff_seconds": 2.0,
        } | config
        llm = LlmConfig(base_url=fake.base_url, model=MODEL, api_key=KEY, **settings)
        return LlmScorer(llm, cache=cache or LruScoreCache(16), sleep=delays.append)

    return make
