"""Which engine scores, decided once from the settings (the composition root passes them).

``ScorerChoice`` is plain data, cheap to import (no scoring tables), so it crosses to the
analysis worker processes; each process builds its scorer from it once (``build``) and keeps
it, with its HTTP client and cache.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from interview_core.engines.cache import LruScoreCache, RedisScoreCache, ScoreCache
from interview_core.engines.llm.config import LlmConfig

if TYPE_CHECKING:
    from interview_core.engines.port import AnswerScorer


@dataclass(frozen=True)
class ScorerChoice:
    llm: LlmConfig | None = None  # None: the rules engine alone
    cache_url: str = ""  # the service's Redis; empty: an in-process cache per worker

    def build(self) -> AnswerScorer:
        from interview_core.engines.rules import RulesScorer

        if self.llm is None:
            return RulesScorer()
        from interview_core.engines.llm.engine import LlmScorer

        return LlmScorer(self.llm, cache=self._cache(self.llm))

    def describe(self) -> dict[str, Any]:
        """For the health check and the logs: which engine, never the key."""
        if self.llm is None:
            return {"engine": "rules", "llm_configured": False}
        return {
            "engine": "llm",
            "llm_configured": True,
            "model": self.llm.model,
            "cache": "redis" if self.cache_url else "in-process",
        }

    def _cache(self, llm: LlmConfig) -> ScoreCache:
        if self.cache_url:
            return RedisScoreCache(self.cache_url, ttl_seconds=llm.cache_ttl_seconds)
        return LruScoreCache(llm.cache_size)
