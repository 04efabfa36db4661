"""Fault injection: make the next calls of one API path fail with a chosen errcode.

Real WeCom answers -1 (busy) or 45009 (rate limited) now and then; tests and the console use
this to check that a client retries, backs off and gives up the way the protocol asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wecom_bot.sandbox import codes

ANY_PATH = "*"
_DEFAULT_TEXT = {
    codes.BUSY: "system busy",
    codes.RATE_LIMITED: "api freq out of limit",
    codes.EXPIRED_TOKEN: "access_token expired",
    codes.INVALID_TOKEN: "invalid access_token",
}


def normalise_path(path: str) -> str:
    """``/cgi-bin/message/send``, ``cgi-bin/message/send`` and ``message/send`` are one path."""
    path = path.strip().split("?", 1)[0].strip("/")
    return path.removeprefix("cgi-bin/") or ANY_PATH


@dataclass
class Fault:
    path: str
    errcode: int
    text: str
    remaining: int


class Faults:
    def __init__(self) -> None:
        self._pending: list[Fault] = []

    def fail_next(self, path: str, errcode: int, count: int = 1, text: str = "") -> None:
        if count < 1:
            raise ValueError("count must be at least 1")
        text = text or _DEFAULT_TEXT.get(errcode, "injected fault")
        self._pending.append(Fault(normalise_path(path), errcode, text, count))

    def take(self, path: str) -> codes.ApiError | None:
        """The error to answer this call with, if one is pending; consumes one use."""
        path = normalise_path(path)
        for fault in self._pending:
            if fault.path in (path, ANY_PATH):
                fault.remaining -= 1
                if not fault.remaining:
                    self._pending.remove(fault)
                return codes.ApiError(fault.errcode, fault.text)
        return None

    def clear(self) -> None:
        self._pending.clear()

    def to_json(self) -> list[dict[str, Any]]:
        return [
            {"path": f.path, "errcode": f.errcode, "errmsg": f.text, "remaining": f.remaining}
            for f in self._pending
        ]
