"""The LLM engine behind the answer-scorer port.

One answer: build the prompt (no candidate data), look the verdict up in the cache, else ask
the endpoint (temperature 0, fixed seed, bounded retries), validate it strictly, keep only
quotes found verbatim in the transcript, and turn it into the same ``AnswerScore`` the rules
produce. Any failure scores the answer with the rules instead and says why in
``engine_run["fallback"]``; latency and tokens of every call are in ``engine_run`` and the log.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import httpx

from interview_core.engines.cache import LruScoreCache, ScoreCache, open_entry, seal_entry
from interview_core.engines.llm.client import ChatClient, ChatReply
from interview_core.engines.llm.config import LlmConfig
from interview_core.engines.llm.failure import LlmFailed
from interview_core.engines.llm.prompt import (
    PROMPT_VERSION,
    SCHEMA_VERSION,
    build_messages,
    input_hash,
    input_secret,
)
from interview_core.engines.llm.scored import answer_score
from interview_core.engines.llm.verdict import Verdict, parse_verdict
from interview_core.engines.port import AnswerScorer
from interview_core.engines.rules import RulesScorer
from interview_core.text.jobs import JobModel
from interview_core.text.scoring import AnswerScore
from recruiting.domain.coverage import DEFAULT_MIN_COVERAGE

log = logging.getLogger(__name__)


class LlmScorer:
    def __init__(
        self,
        config: LlmConfig,
        *,
        cache: ScoreCache | None = None,
        fallback: AnswerScorer | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._config = config
        self._cache = cache or LruScoreCache(config.cache_size)
        self._fallback = fallback or RulesScorer()
        self._client = ChatClient(config, transport=transport, sleep=sleep)
        self.engine = f"{config.engine}/{PROMPT_VERSION}"

    def score(
        self,
        answer: str,
        question: str,
        job: JobModel,
        min_coverage: float = DEFAULT_MIN_COVERAGE,
        *,
        no_transcript: str = "",
    ) -> AnswerScore:
        if no_transcript or not answer.strip():  # nothing to ask about: not a failure
            return self._fallback.score(
                answer, question, job, min_coverage, no_transcript=no_transcript
            )
        messages = build_messages(answer, question, job)
        key = f"{self.engine}:{input_hash(messages)}"
        secret = input_secret(messages)
        codes = tuple(c.code for c in job.competencies)
        started = time.perf_counter()
        verdict = self._cached(key, secret, codes)
        if verdict is not None:
            run = _run(self.engine, cached=True, latency_ms=_ms_since(started))
            return self._scored(verdict, answer, question, job, min_coverage, run)
        reply: ChatReply | None = None
        try:
            reply = self._client.complete(messages)
            verdict = parse_verdict(reply.content, codes)
        except LlmFailed as failure:
            return self._fell_back(failure, reply, answer, question, job, min_coverage)
        self._cache.set(key, seal_entry(json.dumps(verdict.to_json(), ensure_ascii=False), secret))
        run = _run(
            self.engine,
            cached=False,
            latency_ms=reply.latency_ms,
            attempts=reply.attempts,
            prompt_tokens=reply.prompt_tokens,
            completion_tokens=reply.completion_tokens,
        )
        return self._scored(verdict, answer, question, job, min_coverage, run)

    def close(self) -> None:
        self._client.close()

    def _cached(self, key: str, secret: bytes, codes: tuple[str, ...]) -> Verdict | None:
        entry = self._cache.get(key)
        stored = None if entry is None else open_entry(entry, secret)
        if stored is None:
            return None
        try:
            return parse_verdict(stored, codes)
        except LlmFailed:  # an entry nobody should have written: ask again
            log.warning("llm scoring: unreadable cache entry ignored")
            return None

    def _scored(
        self,
        verdict: Verdict,
        answer: str,
        question: str,
        job: JobModel,
        min_coverage: float,
        run: dict[str, Any],
    ) -> AnswerScore:
        scored = answer_score(verdict, answer, question, job, min_coverage, self.engine)
        run |= scored.engine_run
        log.info(
            "llm scoring: model=%s cached=%s attempts=%s latency_ms=%s prompt_tokens=%s "
            "completion_tokens=%s quotes_verified=%s/%s",
            self._config.model,
            run["cached"],
            run["attempts"],
            run["latency_ms"],
            run["prompt_tokens"],
            run["completion_tokens"],
            run["quotes_verified"],
            run["quotes_given"],
        )
        return replace(scored, engine_run=run)

    def _fell_back(
        self,
        failure: LlmFailed,
        reply: ChatReply | None,
        answer: str,
        question: str,
        job: JobModel,
        min_coverage: float,
    ) -> AnswerScore:
        """The rules' score, with the reason the LLM's was not used."""
        run = _run(
            self.engine,
            cached=False,
            latency_ms=reply.latency_ms if reply else failure.latency_ms,
            attempts=reply.attempts if reply else failure.attempts,
            prompt_tokens=reply.prompt_tokens if reply else None,
            completion_tokens=reply.completion_tokens if reply else None,
        )
        run["fallback"] = {"reason": failure.reason.value, "detail": failure.detail}
        log.warning(
            "llm scoring fell back to the rules: model=%s reason=%s detail=%s attempts=%s "
            "latency_ms=%s prompt_tokens=%s completion_tokens=%s",
            self._config.model,
            failure.reason.value,
            failure.detail,
            run["attempts"],
            run["latency_ms"],
            run["prompt_tokens"],
            run["completion_tokens"],
        )
        rules = self._fallback.score(answer, question, job, min_coverage)
        return replace(rules, engine_run=run | {"scored_by": rules.engine})


def _run(
    engine: str,
    *,
    cached: bool,
    latency_ms: int,
    attempts: int = 0,
    prompt_tokens: int | None = 0,
    completion_tokens: int | None = 0,
) -> dict[str, Any]:
    """The call's record (``AnswerScore.engine_run``); a cache hit costs no tokens."""
    return {
        "requested": engine,
        "schema": SCHEMA_VERSION,
        "cached": cached,
        "attempts": attempts,
        "latency_ms": latency_ms,
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
    }


def _ms_since(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
