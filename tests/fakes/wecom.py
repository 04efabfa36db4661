"""WeCom's server API, scripted, behind an ``httpx.MockTransport``."""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from typing import TYPE_CHECKING, Any

import httpx

Reply = dict[str, Any] | httpx.Response | Exception


class FakeWeCom:
    """What the service's WeCom client (wecom_bot.client) talks to over HTTP, so the client
    itself runs for real: gettoken hands out numbered tokens; any other path answers from its
    per-path ``script`` in order (a JSON body, a raw response or an exception to raise), then
    with a plain success. Every request is kept, to assert on what the service sent."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.token_calls = 0
        self.expires_in = 7200
        self.gettoken_delay = 0.0
        self.gettoken_reply: dict[str, Any] | None = None
        self.script: dict[str, list[Reply]] = defaultdict(list)

    def token(self, n: int) -> str:
        return f"TOKEN-{n:04d}-secretish"

    def calls(self, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path == path]

    @property
    def sent(self) -> list[dict[str, Any]]:
        """The application messages sent so far (message/send bodies), oldest first."""
        return [json.loads(r.content) for r in self.calls("/cgi-bin/message/send")]

    async def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/cgi-bin/gettoken":
            self.token_calls += 1
            if self.gettoken_delay:
                await asyncio.sleep(self.gettoken_delay)
            if self.gettoken_reply is not None:
                return httpx.Response(200, json=self.gettoken_reply)
            body = {
                "errcode": 0,
                "errmsg": "ok",
                "access_token": self.token(self.token_calls),
                "expires_in": self.expires_in,
            }
            return httpx.Response(200, json=body)
        queue = self.script.get(request.url.path)
        reply: Reply = queue.pop(0) if queue else {"errcode": 0, "errmsg": "ok"}
        if isinstance(reply, Exception):
            raise reply
        if isinstance(reply, httpx.Response):
            return reply
        return httpx.Response(200, json=reply)


if TYPE_CHECKING:  # mypy tests/fakes: each fake implements its port
    _transport = httpx.MockTransport(FakeWeCom().handler)
