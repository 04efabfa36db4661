"""The async WeCom client against a scripted WeCom (``httpx.MockTransport``)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from recruiting.errors import ExternalServiceError, InvalidInput, RetryLater
from recruiting.infra.locks import lease
from recruiting.infra.memory_kv import MemoryKeyValueStore
from recruiting.settings import WeComSettings
from tests.fakes.wecom import FakeWeCom
from wecom_bot.client import (
    MediaFile,
    WeComApiError,
    WeComBaseClient,
    WeComBusy,
    WeComClient,
    WeComCredentialsRejected,
    WeComInvalidCode,
    WeComKfWindowClosed,
    WeComNoPermission,
    WeComRateLimited,
    WeComTokenInvalid,
    WeComUnavailable,
    build_client,
    error_for,
)

CORP_ID = "wwtestcorp0001"
SECRET = "app-secret-DO-NOT-LEAK"
API_BASE = "https://qyapi.example"
AGENT_ID = 1000002


class Sleeps:
    """Injected sleep: records each delay and advances a fake clock instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []
        self.now = 1_000.0

    def clock(self) -> float:
        return self.now

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        self.now += seconds


@pytest.fixture
def fake() -> FakeWeCom:
    return FakeWeCom()


@pytest.fixture
def kv() -> MemoryKeyValueStore:
    return MemoryKeyValueStore()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def base(
    fake: FakeWeCom, kv: MemoryKeyValueStore, sleeps: Sleeps
) -> AsyncIterator[WeComBaseClient]:
    client = make_base(fake, kv, sleeps)
    yield client
    await client.aclose()


@pytest.fixture
async def wecom(base: WeComBaseClient) -> WeComClient:
    return WeComClient(base, agent_id=AGENT_ID)


def make_base(
    fake: FakeWeCom, kv: MemoryKeyValueStore, sleeps: Sleeps, **options: Any
) -> WeComBaseClient:
    return WeComBaseClient(
        CORP_ID,
        SECRET,
        API_BASE,
        kv,
        transport=httpx.MockTransport(fake.handler),
        sleep=sleeps,
        clock=sleeps.clock,
        **options,
    )


def token_of(request: httpx.Request) -> str | None:
    return request.url.params.get("access_token")


def body_of(request: httpx.Request) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(request.content)
    return data


# ---- access token ---------------------------------------------------------------------


async def test_token_is_fetched_once_and_cached_in_the_store(
    base: WeComBaseClient, fake: FakeWeCom, kv: MemoryKeyValueStore, sleeps: Sleeps
) -> None:
    for _ in range(3):
        await base.get("/cgi-bin/user/get", {"userid": "alice"})

    assert fake.token_calls == 1
    gettoken = fake.calls("/cgi-bin/gettoken")[0]
    assert gettoken.url.params["corpid"] == CORP_ID
    assert gettoken.url.params["corpsecret"] == SECRET
    assert [token_of(r) for r in fake.calls("/cgi-bin/user/get")] == [fake.token(1)] * 3
    keys = [k for k in kv._values if k.startswith(f"wecom:token:{CORP_ID}:")]
    assert len(keys) == 1 and SECRET not in keys[0]
    stored = json.loads(kv._values[keys[0]][0])
    assert stored["token"] == fake.token(1)
    assert stored["expires_at"] == sleeps.now + 7200


async def test_a_second_process_sharing_the_store_reuses_the_token(
    base: WeComBaseClient, fake: FakeWeCom, kv: MemoryKeyValueStore, sleeps: Sleeps
) -> None:
    await base.get("/cgi-bin/user/get")
    other = make_base(fake, kv, sleeps)
    try:
        assert await other.get_access_token() == fake.token(1)
    finally:
        await other.aclose()
    assert fake.token_calls == 1


async def test_token_is_refreshed_ahead_of_expiry(
    base: WeComBaseClient, fake: FakeWeCom, sleeps: Sleeps
) -> None:
    assert await base.get_access_token() == fake.token(1)
    sleeps.now += 7200 - 400  # 400 s left: still outside the 300 s refresh window
    assert await base.get_access_token() == fake.token(1)
    assert fake.token_calls == 1

    sleeps.now += 200  # 200 s left: refresh now, while the old token is still valid
    assert await base.get_access_token() == fake.token(2)
    assert await base.get_access_token() == fake.token(2)
    assert fake.token_calls == 2


async def test_while_another_process_refreshes_the_still_valid_token_is_used(
    base: WeComBaseClient, fake: FakeWeCom, kv: MemoryKeyValueStore, sleeps: Sleeps
) -> None:
    await base.get_access_token()
    sleeps.now += 7200 - 100
    async with lease(kv, base._lock_name, ttl=10) as held:
        assert held
        assert await base.get_access_token() == fake.token(1)
        assert fake.token_calls == 1
    assert await base.get_access_token() == fake.token(2)


async def test_ten_concurrent_first_calls_fetch_the_token_once(
    base: WeComBaseClient, fake: FakeWeCom
) -> None:
    fake.gettoken_delay = 0.05  # keep the fetch in flight while the others arrive

    tokens = await asyncio.gather(*(base.get_access_token() for _ in range(10)))

    assert fake.token_calls == 1
    assert set(tokens) == {fake.token(1)}


async def test_rejected_credentials_name_the_settings(
    base: WeComBaseClient, fake: FakeWeCom
) -> None:
    fake.gettoken_reply = {"errcode": 40001, "errmsg": "invalid secret"}

    with pytest.raises(WeComCredentialsRejected) as caught:
        await base.get("/cgi-bin/user/get")

    assert "WECOM_SECRET" in str(caught.value)
    assert SECRET not in str(caught.value)


# ---- stale token: one retry -----------------------------------------------------------


async def test_expired_token_is_dropped_refetched_and_the_call_retried_once(
    base: WeComBaseClient, fake: FakeWeCom
) -> None:
    fake.script["/cgi-bin/user/get"] = [
        {"errcode": 42001, "errmsg": "access_token expired"},
        {"errcode": 0, "errmsg": "ok", "name": "Alice"},
    ]

    data = await base.get("/cgi-bin/user/get")

    assert data["name"] == "Alice"
    assert fake.token_calls == 2
    calls = fake.calls("/cgi-bin/user/get")
    assert [token_of(r) for r in calls] == [fake.token(1), fake.token(2)]
    assert await base.get_access_token() == fake.token(2)


async def test_token_rejected_twice_raises_after_one_retry(
    base: WeComBaseClient, fake: FakeWeCom
) -> None:
    fake.script["/cgi-bin/user/get"] = [
        {"errcode": 40014, "errmsg": "invalid access_token"},
        {"errcode": 40014, "errmsg": "invalid access_token"},
        {"errcode": 0, "errmsg": "ok"},
    ]

    with pytest.raises(WeComTokenInvalid) as caught:
        await base.get("/cgi-bin/user/get")

    assert caught.value.errcode == 40014
    assert caught.value.path == "/cgi-bin/user/get"
    assert len(fake.calls("/cgi-bin/user/get")) == 2
    assert fake.token_calls == 2


async def test_a_token_replaced_by_someone_else_is_not_dropped(
    base: WeComBaseClient, fake: FakeWeCom, kv: MemoryKeyValueStore, sleeps: Sleeps
) -> None:
    other = make_base(fake, kv, sleeps)
    try:
        await base.get_access_token()
        await base._drop_token(fake.token(1))
        newer = await other.get_access_token()
        await base._drop_token(fake.token(1))  # stale view: must not delete the newer one
        assert await base.get_access_token() == newer == fake.token(2)
    finally:
        await other.aclose()


# ---- busy and rate limited: bounded backoff -------------------------------------------


async def test_busy_is_retried_with_growing_jittered_backoff(
    base: WeComBaseClient, fake: FakeWeCom, sleeps: Sleeps
) -> None:
    fake.script["/cgi-bin/user/get"] = [
        {"errcode": -1, "errmsg": "system busy"},
        {"errcode": -1, "errmsg": "system busy"},
        {"errcode": 0, "errmsg": "ok", "name": "Alice"},
    ]

    data = await base.get("/cgi-bin/user/get")

    assert data["name"] == "Alice"
    assert len(fake.calls("/cgi-bin/user/get")) == 3
    assert len(sleeps.delays) == 2
    assert 0.25 <= sleeps.delays[0] <= 0.5
    assert 0.5 <= sleeps.delays[1] <= 1.0


async def test_rate_limit_that_persists_raises_after_max_retries(
    base: WeComBaseClient, fake: FakeWeCom, sleeps: Sleeps
) -> None:
    fake.script["/cgi-bin/user/get"] = [
        {"errcode": 45009, "errmsg": "api freq out of limit"} for _ in range(10)
    ]

    with pytest.raises(WeComRateLimited) as caught:
        await base.get("/cgi-bin/user/get")

    assert len(fake.calls("/cgi-bin/user/get")) == 4  # first try + max_busy_retries=3
    assert len(sleeps.delays) == 3
    assert isinstance(caught.value, RetryLater)
    assert caught.value.retry_after == 60.0


async def test_busy_on_gettoken_is_retried_too(fake: FakeWeCom) -> None:
    replies = iter([{"errcode": -1, "errmsg": "busy"}])
    original = fake.handler

    async def flaky(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/cgi-bin/gettoken":
            reply = next(replies, None)
            if reply is not None:
                fake.token_calls += 1
                return httpx.Response(200, json=reply)
        return await original(request)

    fake.handler = flaky  # type: ignore[method-assign]
    client = make_base(fake, MemoryKeyValueStore(), Sleeps())
    try:
        assert await client.get_access_token() == fake.token(2)
    finally:
        await client.aclose()


# ---- errcode → exception --------------------------------------------------------------


@pytest.mark.parametrize(
    ("errcode", "cls"),
    [
        (40014, WeComTokenInvalid),
        (42001, WeComTokenInvalid),
        (42007, WeComTokenInvalid),
        (42009, WeComTokenInvalid),
        (40001, WeComTokenInvalid),
        (45009, WeComRateLimited),
        (45033, WeComRateLimited),
        (-1, WeComBusy),
        (40029, WeComInvalidCode),
        (301055, WeComNoPermission),
        (60020, WeComNoPermission),
        (95001, WeComKfWindowClosed),
        (81013, WeComApiError),
    ],
)
def test_error_for_picks_the_class(errcode: int, cls: type[WeComApiError]) -> None:
    error = error_for(errcode, "msg", "/cgi-bin/some/api")

    assert type(error) is cls
    assert isinstance(error, ExternalServiceError)
    assert (error.errcode, error.errmsg, error.path) == (errcode, "msg", "/cgi-bin/some/api")
    assert isinstance(error, RetryLater) == (errcode in (-1, 45009, 45033))


def test_error_for_gettoken_40001_means_bad_credentials() -> None:
    assert type(error_for(40001, "invalid secret", "/cgi-bin/gettoken")) is WeComCredentialsRejected


async def test_untrusted_ip_says_what_to_do(base: WeComBaseClient, fake: FakeWeCom) -> None:
    fake.script["/cgi-bin/user/get"] = [{"errcode": 60020, "errmsg": "not allow to access"}]

    with pytest.raises(WeComNoPermission) as caught:
        await base.get("/cgi-bin/user/get")

    assert "trusted IP" in str(caught.value)
    assert "egress IP" in str(caught.value)


async def test_non_200_and_network_errors_are_retry_later(
    base: WeComBaseClient, fake: FakeWeCom
) -> None:
    fake.script["/cgi-bin/user/get"] = [
        httpx.Response(502, text="bad gateway"),
        httpx.ConnectTimeout("timed out"),
        httpx.Response(200, text="<html>proxy</html>"),
    ]

    with pytest.raises(WeComUnavailable) as first:
        await base.get("/cgi-bin/user/get")
    with pytest.raises(WeComUnavailable) as second:
        await base.get("/cgi-bin/user/get")
    with pytest.raises(WeComUnavailable) as third:
        await base.get("/cgi-bin/user/get")

    assert first.value.status == 502 and isinstance(first.value, RetryLater)
    assert isinstance(second.value.__cause__, httpx.ConnectTimeout)
    assert third.value.errcode is None
    assert len(fake.calls("/cgi-bin/user/get")) == 3  # no automatic retry: may have arrived


async def test_access_token_and_secret_never_appear_in_errors_or_logs(
    base: WeComBaseClient, fake: FakeWeCom, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # explicit: an in-process `recruiting.cli.main` earlier in the run quiets httpx to WARNING
    caplog.set_level(logging.INFO, logger="httpx")
    leaked = f"invalid credential, access_token={fake.token(1)} secret {SECRET}"
    fake.script["/cgi-bin/user/get"] = [
        {"errcode": 40003, "errmsg": leaked},
        httpx.ConnectError(f"failed {API_BASE}/cgi-bin/user/get?access_token={fake.token(1)}"),
    ]

    with pytest.raises(WeComApiError) as api_error:
        await base.get("/cgi-bin/user/get")
    with pytest.raises(WeComUnavailable) as network_error:
        await base.get("/cgi-bin/user/get")

    for error in (api_error.value, network_error.value):
        assert fake.token(1) not in str(error)
        assert "TOKEN-" not in str(error)
        assert SECRET not in str(error)
    assert api_error.value.errcode == 40003
    assert "HTTP Request" in caplog.text  # httpx did log the URLs …
    assert "TOKEN-" not in caplog.text  # … with the token redacted
    assert SECRET not in caplog.text
    assert repr(base).count(SECRET) == 0


# ---- media ------------------------------------------------------------------------------


async def test_media_get_returns_bytes_type_and_filename(
    wecom: WeComClient, fake: FakeWeCom
) -> None:
    fake.script["/cgi-bin/media/get"] = [
        httpx.Response(
            200,
            content=b"#!AMR\n\x00\x01",
            headers={
                "Content-Type": "voice/amr",
                "Content-Disposition": 'attachment; filename="MEDIA123.amr"',
            },
        )
    ]

    media = await wecom.media.get("MEDIA123")

    assert isinstance(media, MediaFile)
    content, content_type, filename = media
    assert content == b"#!AMR\n\x00\x01"
    assert content_type == "voice/amr"
    assert filename == "MEDIA123.amr"
    assert fake.calls("/cgi-bin/media/get")[0].url.params["media_id"] == "MEDIA123"


async def test_media_get_json_error_raises(wecom: WeComClient, fake: FakeWeCom) -> None:
    fake.script["/cgi-bin/media/get"] = [
        httpx.Response(
            200,
            json={"errcode": 40007, "errmsg": "invalid media_id"},
            headers={"Content-Type": "application/json; charset=UTF-8"},
        )
    ]

    with pytest.raises(WeComApiError) as caught:
        await wecom.media.get("expired")

    assert caught.value.errcode == 40007


async def test_media_get_plain_text_file_is_not_mistaken_for_an_error(
    wecom: WeComClient, fake: FakeWeCom
) -> None:
    fake.script["/cgi-bin/media/get"] = [
        httpx.Response(200, content=b"just notes", headers={"Content-Type": "text/plain"})
    ]

    media = await wecom.media.get("M1")

    assert media.content == b"just notes"
    assert media.filename is None


async def test_media_upload_sends_multipart_field_media(
    wecom: WeComClient, fake: FakeWeCom
) -> None:
    fake.script["/cgi-bin/media/upload"] = [{"errcode": 0, "type": "image", "media_id": "M9"}]

    data = await wecom.media.upload("image", "offer.png", b"\x89PNG")

    assert data["media_id"] == "M9"
    request = fake.calls("/cgi-bin/media/upload")[0]
    assert request.url.params["type"] == "image"
    assert b'name="media"; filename="offer.png"' in request.content
    assert b"\x89PNG" in request.content
    with pytest.raises(InvalidInput):
        await wecom.media.upload("pdf", "x.pdf", b"x")


# ---- messages ---------------------------------------------------------------------------


async def test_send_text_adds_agentid_and_duplicate_check(
    wecom: WeComClient, fake: FakeWeCom
) -> None:
    fake.script["/cgi-bin/message/send"] = [{"errcode": 0, "errmsg": "ok", "msgid": "m1"}]

    data = await wecom.message.send_text(["alice", "bob"], "你好", duplicate_check_interval=600)

    assert data["msgid"] == "m1"
    body = body_of(fake.calls("/cgi-bin/message/send")[0])
    assert body == {
        "touser": "alice|bob",
        "msgtype": "text",
        "agentid": AGENT_ID,
        "enable_duplicate_check": 1,
        "duplicate_check_interval": 600,
        "text": {"content": "你好"},
    }


async def test_send_fills_missing_agentid(wecom: WeComClient, fake: FakeWeCom) -> None:
    await wecom.message.send(
        {"touser": "alice", "msgtype": "markdown", "markdown": {"content": "**hi**"}}
    )

    assert body_of(fake.calls("/cgi-bin/message/send")[0])["agentid"] == AGENT_ID


async def test_text_over_2048_utf8_bytes_is_rejected_before_sending(
    wecom: WeComClient, fake: FakeWeCom
) -> None:
    at_limit = "面" * 682 + "ab"  # 2046 + 2 = 2048 bytes
    await wecom.message.send_text("alice", at_limit)

    with pytest.raises(InvalidInput, match="2049 bytes"):
        await wecom.message.send_text("alice", at_limit + "x")
    with pytest.raises(InvalidInput):
        await wecom.message.send_markdown("alice", "面" * 683)

    assert len(fake.calls("/cgi-bin/message/send")) == 1


async def test_interactive_card_needs_task_id(wecom: WeComClient, fake: FakeWeCom) -> None:
    card = {"card_type": "button_interaction", "main_title": {"title": "面试邀请"}}

    with pytest.raises(InvalidInput, match="task_id"):
        await wecom.message.send_template_card("alice", card)
    await wecom.message.send_template_card("alice", {**card, "task_id": "invite-42_a@b"})

    body = body_of(fake.calls("/cgi-bin/message/send")[0])
    assert body["msgtype"] == "template_card"
    assert body["template_card"]["task_id"] == "invite-42_a@b"


async def test_update_template_card_and_recall(wecom: WeComClient, fake: FakeWeCom) -> None:
    await wecom.message.update_template_card(["alice"], "RC1", button_replace_name="已确认")
    await wecom.message.recall("m1")

    update = body_of(fake.calls("/cgi-bin/message/update_template_card")[0])
    assert update == {
        "userids": ["alice"],
        "agentid": AGENT_ID,
        "response_code": "RC1",
        "button": {"replace_name": "已确认"},
    }
    assert body_of(fake.calls("/cgi-bin/message/recall")[0]) == {"msgid": "m1"}
    with pytest.raises(InvalidInput):
        await wecom.message.update_template_card(["alice"], "RC2")


async def test_31st_message_to_one_member_waits_for_the_window_instead_of_dropping(
    fake: FakeWeCom, sleeps: Sleeps
) -> None:
    kv = MemoryKeyValueStore()
    kv._now = sleeps.clock  # the store's sliding window follows the fake clock
    start = sleeps.now
    sent_at: list[float] = []
    original = fake.handler

    async def timed(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/cgi-bin/message/send":
            sent_at.append(sleeps.now)
        return await original(request)

    fake.handler = timed  # type: ignore[method-assign]
    client = WeComClient(make_base(fake, kv, sleeps), agent_id=AGENT_ID)
    try:
        for i in range(30):
            await client.message.send_text("alice", f"msg {i}")
        await client.message.send_text("bob", "not limited by alice")
        assert sleeps.delays == []

        await client.message.send_text("alice|bob", "the 31st for alice")
    finally:
        await client.aclose()

    assert len(fake.calls("/cgi-bin/message/send")) == 32  # nothing dropped
    assert sleeps.delays == [pytest.approx(60.0)]
    assert sent_at[-1] >= start + 60.0
    assert all(t == start for t in sent_at[:31])


async def test_at_all_is_not_rate_limited_per_member(fake: FakeWeCom, sleeps: Sleeps) -> None:
    kv = MemoryKeyValueStore()
    client = WeComClient(make_base(fake, kv, sleeps, member_limit=1), agent_id=AGENT_ID)
    try:
        for _ in range(3):
            await client.message.send_text("@all", "公告")
    finally:
        await client.aclose()
    assert sleeps.delays == []
    assert not kv._windows


# ---- the other groups -------------------------------------------------------------------


async def test_miniprogram_code_to_session(wecom: WeComClient, fake: FakeWeCom) -> None:
    fake.script["/cgi-bin/miniprogram/jscode2session"] = [
        {"errcode": 0, "corpid": CORP_ID, "userid": "alice", "session_key": "sk-1"},
        {"errcode": 40029, "errmsg": "invalid code"},
    ]

    session = await wecom.miniprogram.code_to_session("CODE1")

    assert (session.corpid, session.userid, session.session_key) == (CORP_ID, "alice", "sk-1")
    assert "sk-1" not in repr(session)
    params = fake.calls("/cgi-bin/miniprogram/jscode2session")[0].url.params
    assert params["js_code"] == "CODE1"
    assert params["grant_type"] == "authorization_code"
    with pytest.raises(WeComInvalidCode):
        await wecom.miniprogram.code_to_session("USED")


async def test_auth_getuserinfo_through_the_web_login_port(
    wecom: WeComClient, fake: FakeWeCom
) -> None:
    """Members (``userid``, legacy ``UserId``) sign in; a WeChat user, a bad/used/expired
    code and WeCom's other refusals each come out as their own error."""
    from recruiting.ports.identity import InvalidLoginCode, NotAMember
    from wecom_bot.client.errors import WeComNoPermission
    from wecom_bot.web_login import WeComWebLogin

    fake.script["/cgi-bin/auth/getuserinfo"] = [
        {"errcode": 0, "userid": "alice"},
        {"errcode": 0, "UserId": "bob", "DeviceId": ""},
        {"errcode": 0, "openid": "oX", "external_userid": "wmX"},
        {"errcode": 40029, "errmsg": "invalid code"},
        {"errcode": 42003, "errmsg": "oauth_code expired"},
        {"errcode": 60020, "errmsg": "not allow to access from your ip"},
    ]
    login = WeComWebLogin(wecom.auth)
    assert (await login.member("C1")).userid == "alice"
    assert fake.calls("/cgi-bin/auth/getuserinfo")[0].url.params["code"] == "C1"
    assert (await login.member("C2")).userid == "bob"
    with pytest.raises(NotAMember):
        await login.member("C3")
    for code in ("C4", "C5"):
        with pytest.raises(InvalidLoginCode):
            await login.member(code)
    with pytest.raises(WeComNoPermission):
        await login.member("C6")
    with pytest.raises(InvalidLoginCode):
        await login.member("x" * 513)  # longer than WeCom's codes: never sent
    assert len(fake.calls("/cgi-bin/auth/getuserinfo")) >= 6


async def test_meeting_lookup_sends_what_wecom_expects(wecom: WeComClient, fake: FakeWeCom) -> None:
    """What a meeting sender looks through after a crash: the member's meeting ids from a
    start time on, page by page, and one meeting's details."""
    fake.script["/cgi-bin/meeting/get_user_meetingid"] = [
        {"errcode": 0, "meetingid_list": ["MT1"], "next_cursor": ""}
    ]
    fake.script["/cgi-bin/meeting/get_info"] = [{"errcode": 0, "description": "系统编号：ZP1"}]
    page = await wecom.meeting.user_meeting_ids("wangqiang", 100, 101)
    assert page["meetingid_list"] == ["MT1"]
    assert (await wecom.meeting.get_info("MT1"))["description"] == "系统编号：ZP1"
    assert body_of(fake.calls("/cgi-bin/meeting/get_user_meetingid")[0]) == {
        "userid": "wangqiang", "cursor": "0", "begin_time": 100, "end_time": 101, "limit": 100,
    }  # fmt: skip
    assert body_of(fake.calls("/cgi-bin/meeting/get_info")[0]) == {"meetingid": "MT1"}
    with pytest.raises(InvalidInput):
        await wecom.meeting.user_meeting_ids("wangqiang", 100, 101, limit=101)


async def test_approval_schedule_meeting_externalcontact_kf(
    wecom: WeComClient, fake: FakeWeCom
) -> None:
    fake.script["/cgi-bin/oa/applyevent"] = [{"errcode": 0, "sp_no": "202601010001"}]
    fake.script["/cgi-bin/oa/schedule/add"] = [{"errcode": 0, "schedule_id": "S1"}]
    fake.script["/cgi-bin/meeting/create"] = [{"errcode": 0, "meetingid": "MT1"}]
    fake.script["/cgi-bin/kf/send_msg"] = [{"errcode": 95001, "errmsg": "window closed"}]

    assert await wecom.approval.apply_event({"template_id": "T1"}) == "202601010001"
    assert await wecom.schedule.add({"summary": "面试", "start_time": 1, "end_time": 2}) == "S1"
    await wecom.schedule.delete("S1")
    assert (await wecom.meeting.create({"title": "面试"}))["meetingid"] == "MT1"
    await wecom.approval.get_approval_detail("202601010001")
    await wecom.externalcontact.get("wmEXT")
    await wecom.kf.sync_msg(cursor="C1", token="T", limit=100, open_kfid="wkKF")
    with pytest.raises(WeComKfWindowClosed):
        await wecom.kf.send_msg({"touser": "wmEXT", "open_kfid": "wkKF", "msgtype": "text"})

    schedule = body_of(fake.calls("/cgi-bin/oa/schedule/add")[0])
    assert schedule["agentid"] == AGENT_ID and schedule["schedule"]["summary"] == "面试"
    assert body_of(fake.calls("/cgi-bin/oa/schedule/del")[0]) == {"schedule_id": "S1"}
    assert body_of(fake.calls("/cgi-bin/oa/getapprovaldetail")[0]) == {"sp_no": "202601010001"}
    assert fake.calls("/cgi-bin/externalcontact/get")[0].url.params["external_userid"] == "wmEXT"
    assert body_of(fake.calls("/cgi-bin/kf/sync_msg")[0]) == {
        "cursor": "C1",
        "token": "T",
        "limit": 100,
        "open_kfid": "wkKF",
    }
    assert fake.token_calls == 1


async def test_build_client_uses_the_settings(fake: FakeWeCom) -> None:
    settings = WeComSettings(
        corp_id=CORP_ID,
        token="t",
        encoding_aes_key="k" * 43,
        agent_id=AGENT_ID,
        secret=SECRET,
        api_base=API_BASE,
        member_messages_per_minute=2,
        token_refresh_ahead=120,
    )
    client = build_client(
        settings, MemoryKeyValueStore(), transport=httpx.MockTransport(fake.handler)
    )
    try:
        await client.message.send_text("alice", "hi")
        request = fake.calls("/cgi-bin/message/send")[0]
        assert str(request.url).startswith(f"{API_BASE}/cgi-bin/message/send?")
        assert body_of(request)["agentid"] == AGENT_ID
        assert client.base._member_limit == 2
        assert client.base._refresh_ahead == 120
    finally:
        await client.aclose()
