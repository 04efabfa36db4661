"""Why the LLM engine did not score an answer: a code in the data and the log, a Chinese
label in the report (the rules engine scored instead)."""

from __future__ import annotations

from enum import StrEnum

from recruiting.errors import ExternalServiceError


class Failure(StrEnum):
    TIMEOUT = "timeout"
    CONNECTION = "connection"
    RATE_LIMITED = "rate_limited"  # 429 on every attempt
    SERVER_ERROR = "server_error"  # 5xx on every attempt
    REJECTED = "rejected"  # another 4xx: key, model name or request refused
    MALFORMED = "malformed"  # not a chat completion, or its content is not JSON
    TRUNCATED = "truncated"  # the model stopped at max_tokens
    SCHEMA = "schema_violation"  # JSON, but not of the requested schema


FAILURE_LABELS: dict[Failure, str] = {
    Failure.TIMEOUT: "大模型服务响应超时",
    Failure.CONNECTION: "无法连接大模型服务",
    Failure.RATE_LIMITED: "大模型服务繁忙",
    Failure.SERVER_ERROR: "大模型服务出现故障",
    Failure.REJECTED: "大模型服务拒绝了请求",
    Failure.MALFORMED: "大模型返回的内容无法读取",
    Failure.TRUNCATED: "大模型的回复不完整",
    Failure.SCHEMA: "大模型返回的内容不符合约定格式",
}


def failure_label(code: str) -> str:
    try:
        return FAILURE_LABELS[Failure(code)]
    except ValueError:
        return "大模型暂时无法评分"


class LlmFailed(ExternalServiceError):
    """The endpoint gave no usable verdict; ``detail`` is for operators (never answer text)."""

    code = "llm_failed"

    def __init__(
        self,
        reason: Failure,
        detail: str,
        *,
        attempts: int = 1,
        latency_ms: int = 0,
        retry_after: float = 0.0,
    ) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail
        self.attempts = attempts
        self.latency_ms = latency_ms
        self.retry_after = retry_after  # seconds the server asked for (429)
