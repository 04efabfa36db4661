"""WeCom server-API errors, translated from ``errcode`` at the client boundary.

Every WeCom API error arrives as HTTP 200 with a non-zero ``errcode``; ``error_for`` picks the
class. Messages name the API path and the code, never the access token or the secret::

    ExternalServiceError                      (recruiting.errors)
    └── WeComApiError                         .errcode .errmsg .path
        ├── WeComTokenInvalid                 40014 42001 42007 42009 40001: token stale
        ├── WeComCredentialsRejected          gettoken refused the corp id or secret
        ├── WeComInvalidCode                  40029: mini-program login code invalid or used
        ├── WeComNoPermission                 48002 60011 60020 301055: not allowed / IP
        ├── WeComKfWindowClosed               95001: 微信客服 send window (5 in 48 h) used up
        ├── WeComRateLimited   (+RetryLater)  45009 45033: frequency or concurrency limit
        ├── WeComBusy          (+RetryLater)  -1: system busy
        └── WeComUnavailable   (+RetryLater)  no WeCom answer: network, timeout, non-200
"""

from __future__ import annotations

from recruiting.errors import ExternalServiceError, RetryLater

TOKEN_INVALID_CODES = frozenset({40014, 42001, 42007, 42009, 40001})
RATE_LIMITED_CODES = frozenset({45009, 45033})
BUSY_CODES = frozenset({-1})
INVALID_CODE_CODES = frozenset({40029})
NO_PERMISSION_CODES = frozenset({48002, 60011, 60020, 301055})
KF_WINDOW_CODES = frozenset({95001})
# On gettoken these codes mean the configured credentials are wrong, not that a token aged.
CREDENTIAL_CODES = frozenset({40001, 40013, 40091, 41002, 41004})
GETTOKEN_PATH = "/cgi-bin/gettoken"

_HINTS = {
    60020: (
        "the server's egress IP is not trusted: add it as a trusted IP (企业可信IP) "
        "of the app in the WeCom admin console"
    ),
    48002: "the app is not granted this API in the WeCom admin console",
    301055: "the app has no permission for this approval template or API",
}


class WeComApiError(ExternalServiceError):
    """WeCom refused a call (``errcode`` != 0) or did not answer (``errcode`` None)."""

    code = "wecom_api"
    default_hint = ""

    def __init__(
        self,
        errcode: int | None,
        errmsg: str,
        path: str,
        *,
        status: int | None = None,
        hint: str = "",
    ) -> None:
        self.errcode = errcode
        self.errmsg = errmsg
        self.path = path
        self.status = status
        what = f"errcode {errcode}" if errcode is not None else "no answer"
        message = f"WeCom {path} failed ({what}): {errmsg}"
        hint = hint or self.default_hint or _HINTS.get(errcode or 0, "")
        if hint:
            message += f" — {hint}"
        super().__init__(message)


class WeComTokenInvalid(WeComApiError):
    code = "wecom_token_invalid"


class WeComCredentialsRejected(WeComApiError):
    """gettoken refused the configured corp id or app secret."""

    code = "wecom_credentials"
    default_hint = "check wecom.corp_id and wecom.secret (WECOM_CORP_ID, WECOM_SECRET)"


class WeComInvalidCode(WeComApiError):
    code = "wecom_invalid_code"


class WeComNoPermission(WeComApiError):
    code = "wecom_no_permission"


class WeComKfWindowClosed(WeComApiError):
    """The customer has not written within 48 h, or 5 replies were already sent."""

    code = "wecom_kf_window_closed"


class _Transient(WeComApiError, RetryLater):
    """Both a WeCom error and ``RetryLater``, with a per-class ``retry_after``."""

    default_retry_after = 1.0

    def __init__(
        self,
        errcode: int | None,
        errmsg: str,
        path: str,
        *,
        status: int | None = None,
        hint: str = "",
    ) -> None:
        super().__init__(errcode, errmsg, path, status=status, hint=hint)
        self.retry_after = self.default_retry_after


class WeComRateLimited(_Transient):
    """A per-minute block lasts about a minute, so callers should defer, not spin."""

    code = "wecom_rate_limited"
    default_retry_after = 60.0


class WeComBusy(_Transient):
    code = "wecom_busy"
    default_retry_after = 2.0


class WeComUnavailable(_Transient):
    """No usable answer: connection error, timeout, non-200 status or a body that is not
    WeCom JSON. The request may or may not have reached WeCom."""

    code = "wecom_unavailable"
    default_retry_after = 5.0


def error_for(errcode: int, errmsg: str, path: str) -> WeComApiError:
    """The typed exception for a non-zero ``errcode`` returned by ``path``."""
    cls: type[WeComApiError] = WeComApiError
    if path == GETTOKEN_PATH and errcode in CREDENTIAL_CODES:
        cls = WeComCredentialsRejected
    elif errcode in TOKEN_INVALID_CODES:
        cls = WeComTokenInvalid
    elif errcode in RATE_LIMITED_CODES:
        cls = WeComRateLimited
    elif errcode in BUSY_CODES:
        cls = WeComBusy
    elif errcode in INVALID_CODE_CODES:
        cls = WeComInvalidCode
    elif errcode in NO_PERMISSION_CODES:
        cls = WeComNoPermission
    elif errcode in KF_WINDOW_CODES:
        cls = WeComKfWindowClosed
    return cls(errcode, errmsg, path)
