"""Cheap denial of service (issue 12, item 4), refused over real HTTP on a real socket:

- hostile callback envelopes (deep nesting, size, encodings, smuggled tags) get a 4xx at once
  and never a 500, signed or not, and the service keeps accepting real callbacks;
- the device check is only for invited candidates with consent, a bounded number at a time,
  and a held-up device check never holds up an upload;
- login, invitation guesses and every mini-app route are rate limited per IP, session and
  account, in-process and on Redis (shared by every process), with 429 + Retry-After and a
  Chinese message, while the WeCom callback is never limited;
- a chunk trickled in too slowly is refused (408) and stores nothing; a writer whose upload
  lease passed to another is fenced off before it commits.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import os
import re
import secrets
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
import redis.asyncio as aioredis
from sanic import Sanic

from recruiting.bootstrap import Services, create_app
from recruiting.domain.interview_state import InterviewStatus
from recruiting.infra.locks import LeaseLost
from recruiting.infra.rate_limit import RateLimiter
from recruiting.infra.redis_kv import RedisKeyValueStore
from recruiting.models import (
    Answer,
    Application,
    AppSession,
    Candidate,
    Consent,
    ConsentPurpose,
    InboxEvent,
    Interview,
    InterviewMode,
    InterviewRound,
    JobOpening,
    RecordingLink,
    RoundKind,
    SubjectKind,
    Upload,
)
from recruiting.services.shared.sessions import token_hash
from recruiting.settings import Settings, load_settings
from tests.conftest import REDIS_URL, premigrate, shared_services_env
from tests.e2e.craft import crypto_for, signed_post, text_fields
from tests.serving import free_port, serving

_names = itertools.count()
CJK = re.compile(r"[\u4e00-\u9fff]")
QUESTIONS = [{"text": "请介绍一次你解决难题的经历。", "competencies": ["沟通能力"],
              "answer_seconds": 60, "retakes": 1}]  # fmt: skip
MODEL = [{"code": "comm", "name": "沟通能力", "weight": "1"}]


class WeChat:
    """WeCom's and WeChat's APIs for the service's own HTTP clients: counts login calls."""

    def __init__(self) -> None:
        self.logins = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/sns/jscode2session"):
            self.logins += 1
            return httpx.Response(200, json={"errcode": 40029, "errmsg": "invalid code"})
        if request.url.path == "/cgi-bin/gettoken":
            return httpx.Response(200, json={"errcode": 0, "access_token": "T", "expires_in": 7200})
        return httpx.Response(200, json={"errcode": 0, "errmsg": "ok", "msgid": "m"})


@dataclass
class Stack:
    settings: Settings
    app: Sanic[Any, Any]
    client: httpx.AsyncClient
    wechat: WeChat
    port: int

    @property
    def services(self) -> Services:
        services: Services = self.app.ctx.services
        return services

    async def call(self, method: str, path: str, token: str | None = None, **kw: Any) -> Any:
        headers = kw.pop("headers", {}) | ({"Authorization": f"Bearer {token}"} if token else {})
        return await self.client.request(method, f"/miniapp/v1{path}", headers=headers, **kw)


@asynccontextmanager
async def running(tmp_path: Path, **env: str) -> AsyncIterator[Stack]:
    """The service alone (no workers), on the embedded default unless ``env`` says otherwise."""
    from tortoise.backends.base.executor import EXECUTOR_CACHE

    EXECUTOR_CACHE.clear()
    if "DATABASE_URL" not in env:
        premigrate(tmp_path)
    settings = load_settings(None, {"DATA_DIR": str(tmp_path)} | env)
    Sanic.test_mode = True
    wechat = WeChat()
    app = create_app(settings, name=f"dos{next(_names)}", run_workers=False,
                     wecom_transport=httpx.MockTransport(wechat))  # fmt: skip
    port = free_port()
    async with (
        serving(app, port) as base,
        httpx.AsyncClient(base_url=base, timeout=30) as client,
    ):
        yield Stack(settings, app, client, wechat, port)


async def session(kind: SubjectKind, openid: str = "", candidate: Candidate | None = None) -> str:
    token = secrets.token_urlsafe(16)
    await AppSession.create(token_hash=token_hash(token), kind=kind, openid=openid,
                            candidate=candidate,
                            expires_at=datetime.now(UTC) + timedelta(hours=1))  # fmt: skip
    return token


async def invited_candidate(openid: str, *, consent: bool = True, redeemed: bool = True,
                            status: InterviewStatus = InterviewStatus.CONFIRMED) -> Interview:  # fmt: skip
    """A candidate bound to ``openid`` holding a recording link to an open recorded interview."""
    job = await JobOpening.create(code=f"j{openid}", title="岗位", competency_model=MODEL)
    round_ = await InterviewRound.create(job=job, name="录制", kind=RoundKind.RECORDED,
                                         questions=QUESTIONS)  # fmt: skip
    candidate = await Candidate.create(name="候选人", wechat_openid=openid)
    application = await Application.create(candidate=candidate, job=job)
    interview = await Interview.create(
        application=application, round=round_, mode=InterviewMode.RECORDED, status=status,
        ends_at=datetime.now(UTC) + timedelta(days=1),
    )  # fmt: skip
    await RecordingLink.create(
        token_hash=token_hash(secrets.token_urlsafe(8)), interview=interview, created_by="lina",
        expires_at=datetime.now(UTC) + timedelta(days=1),
        redeemed_at=datetime.now(UTC) if redeemed else None, redeemed_by=openid,
    )  # fmt: skip
    for purpose in ConsentPurpose:
        await Consent.create(candidate=candidate, purpose=purpose, text_version="2026-11-01",
                             granted=consent)  # fmt: skip
    return interview


async def candidate_token(interview: Interview) -> str:
    application = await Application.get(id=interview.application_id)  # type: ignore[attr-defined]
    candidate = await Candidate.get(id=application.candidate_id)  # type: ignore[attr-defined]
    return await session(SubjectKind.CANDIDATE, candidate.wechat_openid or "", candidate)


def assert_limited(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert int(response.headers["Retry-After"]) >= 1
    body = response.json()
    assert body["error"] == "rate_limited" and CJK.search(body["message"]), body


# -- callbacks ------------------------------------------------------------------------------


def _nested(depth: int, inner: str = "x") -> str:
    return "<a>" * depth + inner + "</a>" * depth


def _envelopes() -> dict[str, tuple[bytes, int]]:
    """Hostile envelopes and their answer; none is correctly signed (the query signs another
    Encrypt). 403 where an Encrypt can be scanned out: the signature is checked before the
    document is parsed, so no parser ever sees the nesting."""
    encrypt = "<Encrypt><![CDATA[QUJD]]></Encrypt>"
    return {
        "nested 1,200 (8 KB)": (f"<xml>{_nested(1200)}{encrypt}</xml>".encode(), 403),
        "nested, no Encrypt": (f"<xml>{_nested(1200)}</xml>".encode(), 400),
        "nested inside Encrypt": (f"<xml><Encrypt>{_nested(1200)}</Encrypt></xml>".encode(), 400),
        "unclosed nesting": (("<xml>" + "<a>" * 3000 + encrypt).encode(), 403),
        "many siblings": (("<xml>" + "<a/>" * 10_000 + encrypt + "</xml>").encode(), 403),
        "two Encrypt": (f"<xml>{encrypt}{encrypt}</xml>".encode(), 400),
        "Encrypt in a comment": (f"<xml><!--{encrypt}--></xml>".encode(), 403),
        "entity in Encrypt": (b"<xml><Encrypt>&#65;&#66;</Encrypt></xml>", 400),
        "DTD": (b'<!DOCTYPE x [<!ENTITY a "b">]><xml><Encrypt>&a;</Encrypt></xml>', 400),
        "UTF-16": (f"<xml>{encrypt}</xml>".encode("utf-16"), 400),
        "Latin-1": ("<xml><Encrypt>caf\xe9</Encrypt></xml>".encode("latin-1"), 400),
        "overlong UTF-8": (b"<xml><Encrypt>\xc0\xbc</Encrypt></xml>", 400),
        "encoded surrogate": (b"<xml><Encrypt>\xed\xa0\x80</Encrypt></xml>", 400),
        "NUL bytes": (b"<xml>\x00<Encrypt>QUJD</Encrypt></xml>", 403),
        "BOM and junk": ("\ufeff<xml><Encrypt>QUJD</Encrypt>".encode(), 403),
        "empty": (b"", 400),
        "over the size limit": (b"<xml>" + b"<a>" * 30_000 + b"</xml>", 413),
    }


async def test_hostile_envelopes_get_a_fast_4xx_and_never_a_500(tmp_path: Path) -> None:
    async with running(tmp_path) as stack:
        query, _ = signed_post(stack.settings, text_fields(stack.settings, "lina", "x", "1"))
        for name, (body, status) in _envelopes().items():
            response = await stack.client.post(f"/wecom/callback?{query}", content=body)
            assert response.status_code == status, (name, response.text)
            assert response.json()["error"], name
        assert await InboxEvent.all().count() == 0
        # The service still takes a real callback afterwards.
        query, body = signed_post(stack.settings, text_fields(stack.settings, "lina", "帮助", "9"))
        assert (
            await stack.client.post(f"/wecom/callback?{query}", content=body)
        ).status_code == 200


def _signed(
    settings: Settings, envelope: Callable[[str], str], plaintext: bytes
) -> tuple[str, bytes]:
    crypto = crypto_for(settings)
    encrypted = crypto.encrypt(plaintext)
    ts, nonce = str(int(time.time())), crypto.new_nonce()
    query = urlencode({"msg_signature": crypto.sign(ts, nonce, encrypted), "timestamp": ts,
                       "nonce": nonce})  # fmt: skip
    return query, envelope(encrypted).encode()


async def test_signed_but_hostile_documents_get_400_not_500(tmp_path: Path) -> None:
    """Past the signature the parser still bounds depth: in the envelope and in the
    decrypted message (only someone holding the token gets this far)."""
    async with running(tmp_path) as stack:
        s = stack.settings
        plain = f"<xml><MsgType>text</MsgType>{_nested(1200)}</xml>".encode()
        flat = lambda e: f"<xml><Encrypt><![CDATA[{e}]]></Encrypt></xml>"  # noqa: E731
        deep = lambda e: f"<xml>{_nested(1200)}<Encrypt><![CDATA[{e}]]></Encrypt></xml>"  # noqa: E731
        moved = lambda e: f"<xml><X><![CDATA[<Encrypt>{e}</Encrypt>]]></X></xml>"  # noqa: E731
        ok = xmlcodec_text(s)
        for envelope, plaintext in ((flat, plain), (deep, ok), (moved, ok)):
            query, body = _signed(s, envelope, plaintext)
            response = await stack.client.post(f"/wecom/callback?{query}", content=body)
            assert response.status_code == 400, response.text
        assert await InboxEvent.all().count() == 0


def xmlcodec_text(settings: Settings) -> bytes:
    from wecom_bot import xmlcodec

    return xmlcodec.build(text_fields(settings, "lina", "帮助", "77"))


async def test_the_callback_route_is_never_rate_limited(tmp_path: Path) -> None:
    """WeCom retries from a few addresses: its callbacks are never refused for their number,
    even with every mini-app limit at 1 per minute (a forged one costs a scan and a SHA-1)."""
    tight = {f"RECRUITING__RATE_LIMITS__{g}": "ip=1/60, session=1/60, openid=1/60"
             for g in ("LOGIN", "REDEEM", "DEVICE_CHECK", "UPLOAD", "API")}  # fmt: skip
    async with running(tmp_path, **tight) as stack:
        for i in range(12):
            fields = text_fields(stack.settings, "lina", "帮助", f"80{i}")
            query, body = signed_post(stack.settings, fields, tamper=i % 2 == 1)
            response = await stack.client.post(f"/wecom/callback?{query}", content=body)
            assert response.status_code == (403 if i % 2 else 200), response.text
        assert await InboxEvent.all().count() == 6


# -- device check ---------------------------------------------------------------------------


class GatedAnalysis:
    """Stands in for the analysis core's device check: holds every clip until released."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.entered = 0
        self._lock = threading.Lock()

    def device_check(self, path: Path) -> Any:
        with self._lock:
            self.entered += 1
        self.release.wait(60)
        from recruiting.ports.analysis import DeviceCheck

        return DeviceCheck(True, True, True, 3.0)


async def test_device_check_is_only_for_invited_candidates_with_consent(tmp_path: Path) -> None:
    async with running(tmp_path) as stack:
        visitor = await session(SubjectKind.VISITOR, "o-visitor")
        staff = await session(SubjectKind.STAFF)
        unconsented = await candidate_token(await invited_candidate("o-2", consent=False))
        finished = await candidate_token(
            await invited_candidate("o-3", status=InterviewStatus.COMPLETED)
        )
        clip = os.urandom(4096)
        for token, status, code in (
            (None, 401, "missing_token"),
            (visitor, 403, "invitation_required"),
            (staff, 403, "access_denied"),  # refused at the edge: a candidate route
            (finished, 403, "invitation_required"),
            (unconsented, 403, "consent_required"),
        ):
            response = await stack.call("POST", "/device-check", token, content=clip)
            assert response.status_code == status, response.text
            assert response.json()["error"] == code
        assert (
            "邀请"
            in (await stack.call("POST", "/device-check", visitor, content=clip)).json()["message"]
        )


async def test_device_checks_are_bounded_and_never_hold_up_an_upload(tmp_path: Path) -> None:
    """More clips held in analysis than the default thread pool has threads: the excess is
    refused with 503 + Retry-After before its clip is read, and a chunk upload (whose
    writes use the default pool) still completes meanwhile."""
    held = min(32, (os.cpu_count() or 1) + 4) + 2  # more than asyncio's default pool
    env = {"RECRUITING__MINIAPP__DEVICE_CHECK_CONCURRENCY": str(held),
           "RECRUITING__RATE_LIMITS__DEVICE_CHECK": "ip=1000/60, openid=1000/60"}  # fmt: skip
    async with running(tmp_path, **env) as stack:
        gate = GatedAnalysis()
        stack.services.recorded.miniapp.device_check._analysis = gate  # type: ignore[misc]
        tokens = [await candidate_token(await invited_candidate(f"o-{i}")) for i in range(held + 3)]
        clip = os.urandom(2048)
        checks = [asyncio.create_task(stack.call("POST", "/device-check", t, content=clip))
                  for t in tokens[:held]]  # fmt: skip
        for _ in range(600):
            if gate.entered == held:
                break
            await asyncio.sleep(0.05)
        assert gate.entered == held
        busy = await stack.call("POST", "/device-check", tokens[held], content=clip)
        assert busy.status_code == 503 and int(busy.headers["Retry-After"]) >= 1, busy.text
        assert busy.json()["error"] == "device_check_busy" and CJK.search(busy.json()["message"])
        again = await stack.call("POST", "/device-check", tokens[0], content=clip)
        assert again.status_code == 429 and again.json()["error"] == "device_check_running"

        interview = await invited_candidate("o-uploader")
        token = await candidate_token(interview)
        await Answer.create(interview=interview, question_index=0, revealed_at=datetime.now(UTC))
        data = os.urandom(100_000)
        start = {"interview_id": interview.id, "question_index": 0, "size": len(data),
                 "sha256": hashlib.sha256(data).hexdigest(), "media_type": "video/mp4"}  # fmt: skip
        started = await stack.call("POST", "/uploads", token, json=start)
        assert started.status_code == 200, started.text
        upload_id = started.json()["upload_id"]
        put = await asyncio.wait_for(
            stack.call("PUT", f"/uploads/{upload_id}", token, params={"offset": 0}, content=data,
                       headers={"X-Chunk-SHA256": hashlib.sha256(data).hexdigest()}),
            timeout=30,
        )  # fmt: skip
        assert put.status_code == 200 and put.json()["received"] == len(data), put.text
        assert not any(c.done() for c in checks)  # the device checks were still held
        gate.release.set()
        done = await asyncio.gather(*checks)
        assert all(r.status_code == 200 for r in done)


# -- rate limits ----------------------------------------------------------------------------


async def test_login_attempts_are_limited_per_ip_before_wechat_is_asked(tmp_path: Path) -> None:
    async with running(tmp_path, RECRUITING__RATE_LIMITS__LOGIN="ip=3/60") as stack:
        for _ in range(3):
            response = await stack.call("POST", "/login/candidate", json={"code": "guess"})
            assert response.status_code == 403, response.text  # WeChat: invalid code
        assert_limited(await stack.call("POST", "/login/candidate", json={"code": "guess"}))
        assert_limited(await stack.call("POST", "/login/staff", json={"code": "guess"}))
        assert stack.wechat.logins == 3  # a refused login costs WeChat nothing


async def _guess(stack: Stack, token: str) -> httpx.Response:
    body = {"invitation": secrets.token_urlsafe(24)}
    response: httpx.Response = await stack.call("POST", "/invitations/redeem", token, json=body)
    return response


async def test_invitation_guesses_are_limited_per_session_and_per_account(tmp_path: Path) -> None:
    limits = "ip=100/60, session=5/60, openid=8/60"
    async with running(tmp_path, RECRUITING__RATE_LIMITS__REDEEM=limits) as stack:
        first = await session(SubjectKind.VISITOR, "o-guesser")
        for _ in range(5):
            assert (await _guess(stack, first)).status_code == 409
        assert_limited(await _guess(stack, first))
        second = await session(SubjectKind.VISITOR, "o-guesser")  # a new login, same account
        for _ in range(3):
            assert (await _guess(stack, second)).status_code == 409
        assert_limited(await _guess(stack, second))
        other = await session(SubjectKind.VISITOR, "o-someone-else")
        assert (await _guess(stack, other)).status_code == 409
        # Other routes have their own budget: the guesser can still read the consent texts.
        assert (await stack.call("GET", "/consents", first)).status_code == 200


async def test_every_api_route_is_limited_per_ip(tmp_path: Path) -> None:
    async with running(tmp_path, RECRUITING__RATE_LIMITS__API="ip=4/60") as stack:
        for _ in range(4):
            assert (await stack.call("GET", "/consents/texts")).status_code == 200
        assert_limited(await stack.call("GET", "/consents/texts"))
        assert_limited(await stack.call("GET", "/staff/interviews"))  # before authentication
        assert (await stack.client.get("/healthz")).status_code == 200


async def test_rate_limits_live_in_redis_shared_by_every_process(tmp_path: Path) -> None:
    """With REDIS_URL the counts are Redis's: what another process counted (here a limiter
    in the test process, over the same Redis) counts for the service too."""
    env = await shared_services_env() | {"RECRUITING__RATE_LIMITS__LOGIN": "ip=3/60"}
    async with running(tmp_path, **env) as stack:
        store = RedisKeyValueStore.from_url(REDIS_URL)
        other_process = RateLimiter(store, stack.settings.rate_limits)
        for _ in range(2):
            await other_process.hit("login", "ip", "127.0.0.1")
        await store.close()
        assert (await stack.call("POST", "/login/candidate", json={"code": "c"})).status_code == 403
        assert_limited(await stack.call("POST", "/login/candidate", json={"code": "c"}))
        r = aioredis.from_url(REDIS_URL)
        keys = [k.decode() for k in await r.keys("recruiting:rate:*")]
        await r.aclose()
        assert keys and not any("127.0.0.1" in k for k in keys)  # subjects are hashed


# -- slow chunks and the upload lease -------------------------------------------------------


async def _raw_put(stack: Stack, path: str, token: str, head: bytes, total: int,
                   checksum: str) -> tuple[bytes, bool]:  # fmt: skip
    """Send ``head`` of a ``total``-byte body, then nothing: the server's answer and whether
    it closed the connection."""
    reader, writer = await asyncio.open_connection("127.0.0.1", stack.port)
    request = (f"PUT /miniapp/v1{path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
               f"X-Chunk-SHA256: {checksum}\r\nContent-Length: {total}\r\n\r\n").encode()  # fmt: skip
    writer.write(request + head)
    await writer.drain()
    response = await asyncio.wait_for(reader.read(65536), timeout=30)
    closed = await asyncio.wait_for(reader.read(), timeout=30) == b""
    writer.close()
    return response, closed


async def _open_upload(stack: Any, openid: str, data: bytes) -> tuple[str, str, str]:
    """An invited candidate with question 0 revealed and an upload of ``data`` started:
    her token, the upload id and the data's SHA-256."""
    interview = await invited_candidate(openid)
    token = await candidate_token(interview)
    await Answer.create(interview=interview, question_index=0, revealed_at=datetime.now(UTC))
    digest = hashlib.sha256(data).hexdigest()
    start = {"interview_id": interview.id, "question_index": 0, "size": len(data),
             "sha256": digest, "media_type": "video/mp4"}  # fmt: skip
    upload_id = (await stack.call("POST", "/uploads", token, json=start)).json()["upload_id"]
    return token, str(upload_id), digest


async def test_a_trickled_chunk_is_refused_and_stores_nothing(tmp_path: Path) -> None:
    async with running(tmp_path, RECRUITING__MINIAPP__BODY_SECONDS="1") as stack:
        data = os.urandom(50_000)
        token, upload_id, digest = await _open_upload(stack, "o-slow", data)
        path = f"/uploads/{upload_id}?offset=0"
        response, closed = await _raw_put(stack, path, token, data[:1000], len(data), digest)
        head, _, body = response.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 408"), response[:200]
        assert json.loads(body)["error"] == "request_timeout" and closed
        assert CJK.search(json.loads(body)["message"])
        state = (await stack.call("GET", f"/uploads/{upload_id}", token)).json()
        assert state["received"] == 0
        # The lease was let go: the same chunk sent properly is taken at once.
        put = await stack.call("PUT", f"/uploads/{upload_id}", token, params={"offset": 0},
                               content=data, headers={"X-Chunk-SHA256": digest})  # fmt: skip
        assert put.status_code == 200 and put.json()["received"] == len(data), put.text


async def test_a_writer_that_lost_its_lease_commits_nothing(tmp_path: Path) -> None:
    async with running(tmp_path) as stack:
        data = os.urandom(40_000)
        token, upload_id, digest = await _open_upload(stack, "o-fenced", data)
        kv = stack.services.shared.kv
        stolen = asyncio.Event()

        async def body() -> AsyncIterator[bytes]:
            yield data[:20_000]
            # Meanwhile the lease expired and another request took it.
            await kv.delete(f"lock:upload:{upload_id}")
            await kv.set(f"lock:upload:{upload_id}", "someone-else", ttl=60)
            stolen.set()
            yield data[20_000:]

        session_row = await AppSession.get(token_hash=token_hash(token))
        principal = await stack.services.recorded.miniapp.sessions.authenticate(token)
        assert principal.session_id == session_row.id
        with pytest.raises(LeaseLost):
            await stack.services.recorded.miniapp.uploads.append(principal, upload_id, 0, len(data),
                                                        digest, body())  # fmt: skip
        assert stolen.is_set()
        assert (await Upload.get(id=upload_id)).received == 0
        # The other holder still owns the lock: the loser did not release it either.
        assert await kv.get(f"lock:upload:{upload_id}") == "someone-else"
