"""The one exception root of the service and its hierarchy.

Entry points map these to status codes; adapters translate third-party errors into them
(``raise X from exc``) so use cases never see an httpx, Tortoise or redis exception::

    RecruitingError
    ├── ConfigError                 settings missing or malformed (stops the start)
    ├── NotFound                    a referenced entity does not exist          → 404
    ├── Conflict                    the request clashes with current state      → 409
    │   └── InvalidTransition       a state machine refused a transition
    ├── InvalidInput                malformed or semantically invalid input     → 400
    │   └── PayloadTooLarge         over a size limit                           → 413
    ├── Unauthenticated             no valid session (missing, forged, expired) → 401
    ├── TooManyRequests             over a rate limit, with ``retry_after``     → 429
    ├── RequestTimeout              the request body did not arrive in time     → 408
    ├── Forbidden                   authenticated but not allowed / not trusted → 403
    │   ├── AccessDenied            role check failed (audited)
    │   └── Untrusted               forged signature, wrong corp, stale request
    └── ExternalServiceError        an outside system failed (WeCom, EHR, …)
        └── RetryLater              transient: try again after ``retry_after`` seconds
"""

from __future__ import annotations


class RecruitingError(Exception):
    """Root of every error this service raises on purpose."""

    code = "error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class ConfigError(RecruitingError):
    """A setting is missing or malformed; the message names the key."""

    code = "config"


class NotFound(RecruitingError):
    code = "not_found"


class Conflict(RecruitingError):
    code = "conflict"


class InvalidTransition(Conflict):
    """A state machine refused to move from one state to another."""

    code = "invalid_transition"


class InvalidInput(RecruitingError):
    code = "invalid_input"


class PayloadTooLarge(InvalidInput):
    code = "payload_too_large"


class Unauthenticated(RecruitingError):
    """No valid session: the client must log in (again)."""

    code = "unauthenticated"


class TooManyRequests(RecruitingError):
    """Over a rate limit: the client may retry after ``retry_after`` seconds."""

    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: float, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after


class RequestTimeout(RecruitingError):
    """The client sent the request body too slowly (a trickle must not hold a lock)."""

    code = "request_timeout"


class Forbidden(RecruitingError):
    code = "forbidden"


class AccessDenied(Forbidden):
    """The actor's role does not allow the action."""

    code = "access_denied"


class Untrusted(Forbidden):
    """The request cannot be trusted: bad signature, wrong receiver or too old."""

    code = "untrusted"


class ExternalServiceError(RecruitingError):
    """An outside system answered with an error or not at all."""

    code = "external_service"


class RetryLater(ExternalServiceError):
    """A transient failure; the caller may retry after ``retry_after`` seconds."""

    code = "retry_later"

    def __init__(self, message: str, *, retry_after: float = 1.0, code: str | None = None):
        super().__init__(message, code=code)
        self.retry_after = retry_after
