"""A real OpenAI-compatible chat endpoint on 127.0.0.1, run by the test in a thread.

Each request takes the next scripted reply (the last one repeats): a verdict, raw content,
an HTTP status, a delay. Every request's headers and JSON body are kept for the asserts.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    content: str | None = None  # the assistant's message text
    status: int = 200
    delay: float = 0.0  # seconds before answering (a slow model)
    body: bytes | None = None  # a raw body instead of a chat completion
    headers: dict[str, str] = field(default_factory=dict)
    finish_reason: str = "stop"
    usage: dict[str, int] = field(
        default_factory=lambda: {"prompt_tokens": 1480, "completion_tokens": 236}
    )


def verdict_reply(verdict: dict[str, Any], **kwargs: Any) -> Reply:
    return Reply(content=json.dumps(verdict, ensure_ascii=False), **kwargs)


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    raw: str


class FakeLlm:
    """The model server the ``LlmScorer`` calls over HTTP (not a port: the engine's client is
    tested for real)."""

    def __init__(self) -> None:
        self.replies: list[Reply] = [Reply(content="{}")]
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self.replies = list(replies)
            self.seen.clear()

    def _next(self) -> Reply:
        with self._lock:
            return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length", "0"))).decode()
                with fake._lock:
                    fake.seen.append(
                        Seen(self.path, dict(self.headers.items()), json.loads(raw), raw)
                    )
                reply = fake._next()
                time.sleep(reply.delay)
                body = reply.body if reply.body is not None else _completion(reply)
                try:
                    self.send_response(reply.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(body)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout): what a slow model sees too

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _completion(reply: Reply) -> bytes:
    if reply.status != 200:
        return json.dumps({"error": {"message": "scripted failure"}}).encode()
    return json.dumps(
        {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply.content},
                    "finish_reason": reply.finish_reason,
                }
            ],
            "usage": reply.usage,
        },
        ensure_ascii=False,
    ).encode()


@contextmanager
def running() -> Iterator[FakeLlm]:
    fake = FakeLlm()
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()
