"""What the LLM engine needs to reach its endpoint; plain data, so it crosses to worker
processes by pickling (the key is hidden from ``repr`` and never logged)."""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_SEED = 20260  # fixed: the same input asks the same question of the model


@dataclass(frozen=True)
class LlmConfig:
    base_url: str  # the API root, e.g. http://127.0.0.1:8000/v1; /chat/completions is added
    model: str
    api_key: str = field(repr=False)
    timeout_seconds: float = 30.0  # per request
    max_attempts: int = 3  # timeouts, connection errors, 429 and 5xx are retried
    backoff_seconds: float = 1.0  # before the second attempt, doubled after each
    max_backoff_seconds: float = 20.0  # also caps a server's Retry-After
    json_mode: bool = True  # response_format json_object (off for servers that reject it)
    seed: int = DEFAULT_SEED
    max_tokens: int = 2048
    cache_size: int = 1024  # in-process results kept when there is no Redis
    cache_ttl_seconds: int = 30 * 86400

    @property
    def endpoint(self) -> str:
        return self.base_url.rstrip("/") + "/chat/completions"

    @property
    def engine(self) -> str:
        """What ``AnswerScore.engine`` says when this model scored (prompt version added)."""
        return f"llm:{self.model}"
