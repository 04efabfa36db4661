"""One chat completion over HTTP with timeouts and bounded retries.

Synchronous: scoring runs in an analysis worker (a process, or a thread with ``processes``
0), never on the event loop. Transient failures (timeout, connection, 429, 5xx) are retried
with exponential backoff, honouring a short ``Retry-After``; anything else fails at once with
a ``Failure`` code, which the engine records as the reason it fell back to the rules.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from interview_core.engines.llm.config import LlmConfig
from interview_core.engines.llm.failure import Failure, LlmFailed

RETRIED = frozenset(
    {Failure.TIMEOUT, Failure.CONNECTION, Failure.RATE_LIMITED, Failure.SERVER_ERROR}
)


@dataclass(frozen=True)
class ChatReply:
    content: str
    prompt_tokens: int | None
    completion_tokens: int | None
    latency_ms: int  # all attempts, backoff excluded
    attempts: int


class ChatClient:
    """POST ``{base_url}/chat/completions``; ``transport`` and ``sleep`` are test seams."""

    def __init__(
        self,
        config: LlmConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._config = config
        self._transport = transport
        self._sleep = sleep
        self._http: httpx.Client | None = None

    def complete(self, messages: list[dict[str, str]]) -> ChatReply:
        body = self._body(messages)
        spent = 0
        for attempt in range(1, self._config.max_attempts + 1):
            started = time.perf_counter()
            try:
                reply = self._once(body)
            except LlmFailed as exc:
                spent += _ms_since(started)
                if exc.reason not in RETRIED or attempt == self._config.max_attempts:
                    raise LlmFailed(
                        exc.reason, exc.detail, attempts=attempt, latency_ms=spent
                    ) from exc
                self._sleep(self._delay(attempt, exc))
                continue
            spent += _ms_since(started)
            content, prompt, completion = reply
            return ChatReply(content, prompt, completion, spent, attempt)
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    def _body(self, messages: list[dict[str, str]]) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self._config.model,
            "messages": messages,
            "temperature": 0,
            "seed": self._config.seed,
            "max_tokens": self._config.max_tokens,
            "stream": False,
        }
        if self._config.json_mode:
            body["response_format"] = {"type": "json_object"}
        return body

    def _client(self) -> httpx.Client:
        if self._http is None:
            self._http = httpx.Client(
                transport=self._transport,
                timeout=httpx.Timeout(self._config.timeout_seconds),
                headers={"Authorization": f"Bearer {self._config.api_key}"},
            )
        return self._http

    def _once(self, body: dict[str, Any]) -> tuple[str, int | None, int | None]:
        try:
            response = self._client().post(self._config.endpoint, json=body)
        except httpx.TimeoutException as exc:
            raise LlmFailed(Failure.TIMEOUT, type(exc).__name__) from exc
        except httpx.TransportError as exc:
            raise LlmFailed(Failure.CONNECTION, type(exc).__name__) from exc
        status = response.status_code
        if status == 429:
            raise LlmFailed(Failure.RATE_LIMITED, "HTTP 429", retry_after=_retry_after(response))
        if status >= 500:
            raise LlmFailed(Failure.SERVER_ERROR, f"HTTP {status}")
        if status != 200:
            raise LlmFailed(Failure.REJECTED, f"HTTP {status}")
        return _completion(response)

    def _delay(self, attempt: int, failure: LlmFailed) -> float:
        delay: float = self._config.backoff_seconds * 2.0 ** (attempt - 1)
        delay = max(delay, failure.retry_after)
        return min(delay, self._config.max_backoff_seconds)


def _completion(response: httpx.Response) -> tuple[str, int | None, int | None]:
    """The first choice's text and the token counts of an OpenAI-style completion."""
    try:
        data = response.json()
        choice = data["choices"][0]
        content = choice["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise LlmFailed(Failure.MALFORMED, "not a chat completion") from exc
    if not isinstance(content, str):
        raise LlmFailed(Failure.MALFORMED, "the message has no text content")
    if choice.get("finish_reason") == "length":
        raise LlmFailed(Failure.TRUNCATED, "stopped at max_tokens")
    usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
    return content, _count(usage.get("prompt_tokens")), _count(usage.get("completion_tokens"))


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _retry_after(response: httpx.Response) -> float:
    try:
        return max(float(response.headers.get("retry-after", "0")), 0.0)
    except ValueError:
        return 0.0


def _ms_since(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
