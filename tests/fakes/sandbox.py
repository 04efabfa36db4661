"""What the WeCom sandbox talks to, faked for its own tests: the clock and the service's
callback endpoint."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import httpx

from wecom_bot.sandbox.tokens import Clock


class FakeClock:
    """The sandbox's clock (``time.time`` in production): stands still until advanced."""

    def __init__(self) -> None:
        self.now = 1_767_225_600.0  # 2026-01-01 08:00 Asia/Shanghai

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Receiver:
    """Our service's callback endpoint as the sandbox sees it (over ``transport``): records
    the callbacks, answers with ``status`` (and the body ``reply`` makes)."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.requests: list[httpx.Request] = []
        self.reply: Callable[[httpx.Request], bytes] | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        body = self.reply(request) if self.reply else b""
        return httpx.Response(self.status, content=body)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


if TYPE_CHECKING:  # mypy tests/fakes: each fake implements its port
    _clock: Clock = FakeClock()
    _receiver: httpx.MockTransport = Receiver().transport
