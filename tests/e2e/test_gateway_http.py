"""The callback gateway over HTTP with real encrypted payloads: every status code it promises.

WeCom's API is replaced by an httpx MockTransport here; tests/e2e/test_sandbox_flow.py runs
the same flows against the sandbox over real sockets.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from sanic import Sanic

from recruiting.bootstrap import create_app
from recruiting.models import InboxEvent
from recruiting.settings import Settings, load_settings
from tests.conftest import premigrate
from tests.e2e.craft import crypto_for, signed_post, text_fields
from tests.fakes.wecom import FakeWeCom
from tests.serving import free_port, serving

_names = itertools.count()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(
        None, {"DATA_DIR": str(tmp_path), "RECRUITING__SERVER__CALLBACK_BODY_LIMIT": "4096"}
    )


@pytest.fixture
def wecom() -> FakeWeCom:
    return FakeWeCom()


class Service:
    """The app on a real socket plus an HTTP client speaking to it."""

    def __init__(self, app: Service, client: httpx.AsyncClient) -> None:
        self.app = app
        self.client = client

    async def get(self, url: str) -> httpx.Response:
        return await self.client.get(url)


@pytest.fixture
async def app(settings: Settings, wecom: FakeWeCom) -> AsyncIterator[Service]:
    premigrate(settings.data_dir)
    Sanic.test_mode = True
    sanic_app = create_app(
        settings, name=f"gw{next(_names)}", wecom_transport=httpx.MockTransport(wecom.handler)
    )
    async with serving(sanic_app, free_port()) as base:
        async with httpx.AsyncClient(base_url=base, timeout=10) as client:
            yield Service(sanic_app, client)


async def post(app: Service, query: str, body: bytes) -> httpx.Response:
    return await app.client.post(f"/wecom/callback?{query}", content=body)


async def test_url_verification_returns_the_plain_echostr(app: Service, settings: Settings) -> None:
    crypto = crypto_for(settings)
    echostr = crypto.encrypt(b"1616140317555161061")
    ts, nonce = str(int(time.time())), "n1"
    query = urlencode(
        {
            "msg_signature": crypto.sign(ts, nonce, echostr),
            "timestamp": ts,
            "nonce": nonce,
            "echostr": echostr,
        }
    )
    response = await app.get(f"/wecom/callback?{query}")
    assert response.status_code == 200 and response.content == b"1616140317555161061"
    bad = query.replace("nonce=n1", "nonce=n2")
    response = await app.get(f"/wecom/callback?{bad}")
    assert response.status_code == 403


async def test_echostr_with_plus_is_not_turned_into_space(app: Service, settings: Settings) -> None:
    crypto = crypto_for(settings)
    for _ in range(50):  # find a ciphertext with a '+', then send it unescaped
        echostr = crypto.encrypt(b"hello")
        if "+" in echostr:
            break
    ts = str(int(time.time()))
    sig = crypto.sign(ts, "n", echostr)
    response = await app.get(
        f"/wecom/callback?msg_signature={sig}&timestamp={ts}&nonce=n&echostr={echostr}"
    )
    assert response.status_code == 200 and response.content == b"hello"


async def test_accepted_then_duplicate_then_one_reply(
    app: Service, settings: Settings, wecom: FakeWeCom
) -> None:
    query, body = signed_post(settings, text_fields(settings, "lina", "帮助", "5001"))
    first = await post(app, query, body)
    assert first.status_code == 200 and first.content == b""
    for _ in range(3):  # WeCom's retries of the same payload
        assert (await post(app, query, body)).status_code == 200
    again_query, again_body = signed_post(settings, text_fields(settings, "lina", "帮助", "5001"))
    assert (await post(app, again_query, again_body)).status_code == 200
    services = app.app.ctx.services
    await services.worker.sweep()
    for _ in range(50):
        if any(m["touser"] == "lina" for m in wecom.sent):
            break
        await _tick()
    await services.worker.drain()
    assert await InboxEvent.all().count() == 1
    replies = [m for m in wecom.sent if m["touser"] == "lina"]
    assert len(replies) == 1 and "面试助手" in replies[0]["text"]["content"]
    # anything else is the scheduler telling HR managers about stale city payroll data
    others = [m for m in wecom.sent if m["touser"] != "lina"]
    assert all("社保公积金" in m["text"]["content"] for m in others)


async def _tick() -> None:
    import asyncio

    await asyncio.sleep(0.05)


@pytest.mark.parametrize(
    ("variant", "status"),
    [("tampered", 403), ("stale", 403), ("future", 403), ("wrong_corp", 403)],
)
async def test_untrusted_callbacks_are_refused(
    app: Service, settings: Settings, variant: str, status: int
) -> None:
    fields = text_fields(settings, "lina", "帮助", "6001")
    now = int(time.time())
    kwargs: dict[str, Any] = {
        "tampered": {"tamper": True},
        "stale": {"timestamp": now - 3600},
        "future": {"timestamp": now + 3600},
        "wrong_corp": {"corp_id": "wwanothercorp000"},
    }[variant]
    query, body = signed_post(settings, fields, **kwargs)
    response = await post(app, query, body)
    assert response.status_code == status
    assert await InboxEvent.all().count() == 0


@pytest.mark.parametrize(
    "body",
    [
        b"<xml><Encrypt>",
        b"not xml at all",
        b"<xml><ToUserName>x</ToUserName></xml>",
        b'<!DOCTYPE x [<!ENTITY a "b">]><xml><Encrypt>&a;</Encrypt></xml>',
    ],
)
async def test_malformed_bodies_get_400(app: Service, settings: Settings, body: bytes) -> None:
    query, _ = signed_post(settings, text_fields(settings, "lina", "x", "1"))
    assert (await post(app, query, body)).status_code == 400


async def test_missing_query_parameters_get_400(app: Service, settings: Settings) -> None:
    _, body = signed_post(settings, text_fields(settings, "lina", "x", "1"))
    assert (await post(app, "timestamp=1", body)).status_code == 400


async def test_signed_garbage_ciphertext_gets_400(app: Service, settings: Settings) -> None:
    crypto = crypto_for(settings)
    ts, nonce, encrypted = str(int(time.time())), "n", "QUJD"  # valid base64, not a ciphertext
    query = urlencode(
        {"msg_signature": crypto.sign(ts, nonce, encrypted), "timestamp": ts, "nonce": nonce}
    )
    body = f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>".encode()
    assert (await post(app, query, body)).status_code == 400


async def test_oversized_body_gets_413(app: Service, settings: Settings) -> None:
    query, _ = signed_post(settings, text_fields(settings, "lina", "x", "1"))
    assert (await post(app, query, b"<xml>" + b"a" * 5000 + b"</xml>")).status_code == 413
    fields = text_fields(settings, "lina", "长" * 2000, "7001")  # signed, but too large
    query, body = signed_post(settings, fields)
    assert len(body) > 4096 and (await post(app, query, body)).status_code == 413


async def test_echostr_that_is_not_text_gets_400(app: Service, settings: Settings) -> None:
    crypto = crypto_for(settings)
    echostr = crypto.encrypt(b"\xff\xfe\xfd")
    ts = str(int(time.time()))
    query = urlencode(
        {
            "msg_signature": crypto.sign(ts, "n", echostr),
            "timestamp": ts,
            "nonce": "n",
            "echostr": echostr,
        }
    )
    response = await app.get(f"/wecom/callback?{query}")
    assert response.status_code == 400
