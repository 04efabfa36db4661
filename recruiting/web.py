"""HTTP helpers shared by the entry points: error → status code, JSON error bodies.

Status codes live only here and in the route modules; use cases raise typed errors.
"""

from __future__ import annotations

import logging
import math

from sanic.response import HTTPResponse, json

from recruiting.errors import (
    Conflict,
    ExternalServiceError,
    Forbidden,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    RecruitingError,
    RequestTimeout,
    TooManyRequests,
    Unauthenticated,
)

log = logging.getLogger(__name__)

_STATUS: list[tuple[type[RecruitingError], int]] = [
    (PayloadTooLarge, 413),
    (InvalidInput, 400),
    (Unauthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (RequestTimeout, 408),
    (TooManyRequests, 429),
    (ExternalServiceError, 503),
]


def status_for(exc: RecruitingError) -> int:
    for kind, status in _STATUS:
        if isinstance(exc, kind):
            return status
    return 500


def error_response(exc: RecruitingError) -> HTTPResponse:
    status = status_for(exc)
    if status >= 500:
        log.warning("request failed: %s (%s)", exc.code, exc.message)
    headers = {}
    retry_after = getattr(exc, "retry_after", None)  # RetryLater, TooManyRequests
    if retry_after:
        headers["Retry-After"] = str(max(1, math.ceil(retry_after)))
    if isinstance(exc, Unauthenticated):
        headers["WWW-Authenticate"] = 'Bearer realm="miniapp"'
    body = {"error": exc.code, "message": exc.message} | getattr(exc, "extra", {})
    return json(body, status=status, headers=headers)
