"""The WeCom sandbox: WeCom's rules (tokens, limits, single-use codes, media life), fault
injection, callbacks that a real receiver can verify and decrypt, and the console."""

from __future__ import annotations

import base64
import itertools
from pathlib import Path
from typing import Any

import httpx
import pytest

from recruiting.settings import Settings, load_settings
from tests.fakes.sandbox import FakeClock, Receiver
from tests.unit.sandbox_calls import button_card, get, post
from wecom_bot import events, xmlcodec
from wecom_bot.crypto import WeComCrypto
from wecom_bot.sandbox import codes
from wecom_bot.sandbox.app import SandboxApp, create_sandbox_app
from wecom_bot.sandbox.cards import SelectedItem
from wecom_bot.sandbox.media import AMR_MAGIC
from wecom_bot.sandbox.messaging import DELIVERED, DROPPED, SUPPRESSED
from wecom_bot.sandbox.pusher import CallbackPusher, Selected
from wecom_bot.sandbox.state import SandboxState

AMR = AMR_MAGIC + bytes(64)
_names = itertools.count()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(env={"DATA_DIR": str(tmp_path)})


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def receiver() -> Receiver:
    return Receiver()


@pytest.fixture
def app(settings: Settings, clock: FakeClock, receiver: Receiver) -> SandboxApp:
    return create_sandbox_app(
        settings, name=f"sandbox-test-{next(_names)}", transport=receiver.transport, clock=clock
    )


@pytest.fixture
def state(app: SandboxApp) -> SandboxState:
    sandbox_state: SandboxState = app.ctx.state
    return sandbox_state


@pytest.fixture
def crypto(settings: Settings) -> WeComCrypto:
    w = settings.wecom
    return WeComCrypto(w.token, w.encoding_aes_key, w.corp_id)


@pytest.fixture
def pusher(settings: Settings, clock: FakeClock, receiver: Receiver) -> CallbackPusher:
    w = settings.wecom
    client = httpx.AsyncClient(transport=receiver.transport)
    return CallbackPusher(
        settings.sandbox.callback_url,
        w.token,
        w.encoding_aes_key,
        w.corp_id,
        w.agent_id,
        client,
        clock=clock,
    )


async def token(app: SandboxApp, settings: Settings) -> str:
    response = await get(
        app, "/cgi-bin/gettoken", corpid=settings.wecom.corp_id, corpsecret=settings.wecom.secret
    )
    assert response.json["errcode"] == 0
    access_token: str = response.json["access_token"]
    return access_token


def text_message(settings: Settings, touser: str, content: str, **extra: Any) -> dict[str, Any]:
    return {
        "touser": touser,
        "msgtype": "text",
        "agentid": settings.wecom.agent_id,
        "text": {"content": content},
        **extra,
    }


def opened(crypto: WeComCrypto, request: httpx.Request) -> dict[str, Any]:
    """What a correct receiver does: verify the signature over Encrypt, decrypt, parse."""
    outer = xmlcodec.parse(request.content)
    query = request.url.params
    crypto.verify(query["msg_signature"], query["timestamp"], query["nonce"], outer["Encrypt"])
    return xmlcodec.parse(crypto.decrypt(outer["Encrypt"]))


# -- access tokens -------------------------------------------------------------------------


async def test_gettoken_rejects_wrong_corp_and_secret(app: SandboxApp, settings: Settings) -> None:
    bad_corp = await get(app, "/cgi-bin/gettoken", corpid="wwother", corpsecret="x")
    bad_secret = await get(
        app, "/cgi-bin/gettoken", corpid=settings.wecom.corp_id, corpsecret="wrong"
    )
    assert bad_corp.status == 200 and bad_corp.json["errcode"] == codes.INVALID_CORPID
    assert bad_secret.json["errcode"] == codes.INVALID_SECRET
    first = await token(app, settings)
    assert await token(app, settings) == first  # WeCom repeats a live token


async def test_calls_need_a_valid_token(app: SandboxApp, settings: Settings) -> None:
    body = text_message(settings, "lina", "hi")
    missing = await post(app, "/cgi-bin/message/send", body)
    forged = await post(app, "/cgi-bin/message/send", body, access_token="forged")
    assert missing.json["errcode"] == codes.MISSING_TOKEN
    assert forged.json["errcode"] == codes.INVALID_TOKEN


async def test_expired_tokens_get_42001_and_a_new_token_works(
    app: SandboxApp, settings: Settings, state: SandboxState, clock: FakeClock
) -> None:
    old = await token(app, settings)
    state.expire_tokens()
    body = text_message(settings, "lina", "hi")
    expired = await post(app, "/cgi-bin/message/send", body, access_token=old)
    assert expired.json["errcode"] == codes.EXPIRED_TOKEN
    new = await token(app, settings)
    assert new != old
    assert (await post(app, "/cgi-bin/message/send", body, access_token=new)).json["errcode"] == 0
    clock.advance(7200)
    late = await post(app, "/cgi-bin/message/send", body, access_token=new)
    assert late.json["errcode"] == codes.EXPIRED_TOKEN


# -- message/send --------------------------------------------------------------------------


async def test_send_records_the_message_and_returns_its_msgid(
    app: SandboxApp, settings: Settings, state: SandboxState
) -> None:
    access_token = await token(app, settings)
    body = text_message(settings, "lina|nobody", "明天 10 点面试")
    response = await post(app, "/cgi-bin/message/send", body, access_token=access_token)
    answer = response.json
    assert answer["errcode"] == 0 and answer["msgid"]
    assert answer["invaliduser"] == "nobody"
    [message] = state.messages.sent
    assert message.msgid == answer["msgid"]
    assert message.payload == body and message.deliveries == {"lina": DELIVERED}
    assert [m.msgid for m in state.messages.for_member("lina")] == [answer["msgid"]]


async def test_send_enforces_agentid_receivers_and_size(
    app: SandboxApp, settings: Settings, state: SandboxState
) -> None:
    access_token = await token(app, settings)

    async def errcode(body: dict[str, Any]) -> int:
        response = await post(app, "/cgi-bin/message/send", body, access_token=access_token)
        result: int = response.json["errcode"]
        return result

    assert await errcode({**text_message(settings, "lina", "x"), "agentid": 1}) == 40056
    assert await errcode(text_message(settings, "nobody", "x")) == 81013
    assert await errcode(text_message(settings, "lina", "字" * 683)) == 45002  # 2049 bytes
    assert await errcode(text_message(settings, "lina", "")) == 44004
    assert await errcode(text_message(settings, "lina", "字" * 682 + "a")) == 0  # 2047 bytes
    no_task = button_card(settings, "lina", "t1")
    del no_task["template_card"]["task_id"]
    assert await errcode(no_task) == codes.INVALID_PARAM
    assert len(state.messages.sent) == 1


def test_the_31st_message_to_a_member_within_a_minute_is_silently_dropped(
    state: SandboxState, settings: Settings, clock: FakeClock
) -> None:
    answers = []
    for n in range(31):
        answers.append(state.messages.send(text_message(settings, "lina", f"第{n}条")))
        clock.advance(1)
    assert all(a["msgid"] for a in answers)  # errcode 0 every time, as WeCom does
    outcomes = [m.deliveries["lina"] for m in state.messages.sent]
    assert outcomes == [DELIVERED] * 30 + [DROPPED]
    assert len(state.messages.for_member("lina")) == 30
    other = state.messages.send(text_message(settings, "wangqiang", "hi"))
    assert state.messages.get(other["msgid"]).deliveries == {"wangqiang": DELIVERED}  # type: ignore[union-attr]
    clock.advance(30)  # the first messages are now older than a minute
    state.messages.send(text_message(settings, "lina", "again"))
    assert state.messages.sent[-1].deliveries == {"lina": DELIVERED}


def test_duplicate_check_suppresses_an_identical_message_within_the_interval(
    state: SandboxState, settings: Settings, clock: FakeClock
) -> None:
    body = text_message(settings, "lina", "请确认面试", enable_duplicate_check=1)
    first = state.messages.send(body)
    clock.advance(60)
    second = state.messages.send(body)
    assert second["msgid"] == first["msgid"]
    assert [m.status for m in state.messages.sent] == ["sent", SUPPRESSED]
    assert len(state.messages.for_member("lina")) == 1
    different = state.messages.send({**body, "text": {"content": "另一条"}})
    assert different["msgid"] != first["msgid"]
    unchecked = state.messages.send({**body, "enable_duplicate_check": 0})
    assert unchecked["msgid"] != first["msgid"]
    clock.advance(1800)
    assert state.messages.send(body)["msgid"] != first["msgid"]


def test_recall_marks_the_message_and_refuses_after_a_day(
    state: SandboxState, settings: Settings, clock: FakeClock
) -> None:
    msgid = state.messages.send(text_message(settings, "lina", "hi"))["msgid"]
    state.messages.recall({"msgid": msgid})
    assert state.messages.sent[0].recalled_at is not None
    old = state.messages.send(text_message(settings, "lina", "old"))["msgid"]
    clock.advance(86401)
    with pytest.raises(codes.ApiError):
        state.messages.recall({"msgid": old})


# -- template cards ------------------------------------------------------------------------


async def test_response_code_is_single_use(
    app: SandboxApp, settings: Settings, state: SandboxState
) -> None:
    access_token = await token(app, settings)
    sent = await post(
        app,
        "/cgi-bin/message/send",
        button_card(settings, "lina", "inv-1"),
        access_token=access_token,
    )
    code = sent.json["response_code"]
    update = {
        "userids": ["lina"],
        "agentid": settings.wecom.agent_id,
        "response_code": code,
        "button": {"replace_name": "已确认"},
    }
    first = await post(
        app, "/cgi-bin/message/update_template_card", update, access_token=access_token
    )
    again = await post(
        app, "/cgi-bin/message/update_template_card", update, access_token=access_token
    )
    assert first.json["errcode"] == 0
    assert again.json["errcode"] == codes.INVALID_PARAM
    assert state.cards.view("inv-1", "lina").finished_text == "已确认"


def test_each_click_gives_a_new_code_and_retires_the_older(
    state: SandboxState, settings: Settings
) -> None:
    state.messages.send(button_card(settings, "lina|wangqiang", "inv-2"))
    older = state.cards.click("lina", "inv-2", "later", []).clicks[-1]["response_code"]
    newer = state.cards.click("lina", "inv-2", "confirm", []).clicks[-1]["response_code"]
    base = {"agentid": settings.wecom.agent_id, "button": {"replace_name": "已处理"}}
    with pytest.raises(codes.ApiError):
        state.cards.update({**base, "response_code": older})
    assert state.cards.update({**base, "response_code": newer}) == {"invaliduser": []}
    assert state.cards.view("inv-2", "wangqiang").finished_text == ""  # only the clicker's card
    with pytest.raises(codes.ApiError):
        state.cards.click("lina", "inv-2", "confirm", [])  # finished cards take no clicks
    with pytest.raises(codes.ApiError):
        state.cards.click("wangqiang", "inv-2", "no-such-key", [])


def test_task_id_is_unique_per_app(state: SandboxState, settings: Settings) -> None:
    state.messages.send(button_card(settings, "lina", "dup"))
    with pytest.raises(codes.ApiError) as exc:
        state.messages.send(button_card(settings, "wangqiang", "dup"))
    assert exc.value.errcode == codes.INVALID_PARAM


def test_vote_click_must_answer_with_offered_options(
    state: SandboxState, settings: Settings
) -> None:
    card = {
        "card_type": "vote_interaction",
        "task_id": "vote-1",
        "main_title": {"title": "面试评分"},
        "checkbox": {
            "question_key": "score",
            "mode": 0,
            "option_list": [{"id": "s1", "text": "1 分"}, {"id": "s5", "text": "5 分"}],
        },
        "submit_button": {"text": "提交", "key": "submit"},
    }
    body = {"touser": "wangqiang", "msgtype": "template_card", "agentid": 1000002}
    state.messages.send({**body, "template_card": card})
    with pytest.raises(codes.ApiError):
        state.cards.click("wangqiang", "vote-1", "submit", [SelectedItem("score", ["s9"])])
    with pytest.raises(codes.ApiError):
        state.cards.click("wangqiang", "vote-1", "submit", [SelectedItem("score", ["s1", "s5"])])
    view = state.cards.click("wangqiang", "vote-1", "submit", [SelectedItem("score", ["s5"])])
    assert view.clicks[-1]["selected"] == [{"question_key": "score", "option_ids": ["s5"]}]


# -- media ---------------------------------------------------------------------------------


async def test_media_upload_then_get_returns_the_bytes(
    app: SandboxApp, settings: Settings, clock: FakeClock
) -> None:
    access_token = await token(app, settings)
    _, uploaded = await app.asgi_client.post(
        "/cgi-bin/media/upload",
        params={"access_token": access_token, "type": "voice"},
        files={"media": ("note.amr", AMR, "audio/amr")},
    )
    assert uploaded.json["errcode"] == 0 and uploaded.json["type"] == "voice"
    media_id = uploaded.json["media_id"]
    fetched = await get(app, "/cgi-bin/media/get", access_token=access_token, media_id=media_id)
    assert fetched.status == 200 and fetched.content == AMR
    assert fetched.headers["content-type"].startswith("audio/amr")
    assert 'filename="note.amr"' in fetched.headers["content-disposition"]
    _, part = await app.asgi_client.get(
        "/cgi-bin/media/get",
        params={"access_token": access_token, "media_id": media_id},
        headers={"Range": "bytes=0-5"},
    )
    assert part.status == 206 and part.content == AMR_MAGIC
    unknown = await get(app, "/cgi-bin/media/get", access_token=access_token, media_id="nope")
    assert unknown.headers["content-type"].startswith("application/json")
    assert unknown.json["errcode"] == codes.INVALID_MEDIA_ID
    clock.advance(3 * 86400)
    access_token = await token(app, settings)
    expired = await get(app, "/cgi-bin/media/get", access_token=access_token, media_id=media_id)
    assert expired.json["errcode"] == codes.INVALID_MEDIA_ID


def test_media_upload_checks_type_and_format(state: SandboxState) -> None:
    for kind, data, errcode in [
        ("sticker", AMR, codes.INVALID_MEDIA_TYPE),
        ("voice", b"RIFF....WAVEfmt ", codes.INVALID_MEDIA_FILE),
        ("image", b"GIF89a-not-allowed", codes.INVALID_MEDIA_FILE),
        ("file", b"", codes.EMPTY_MEDIA),
    ]:
        with pytest.raises(codes.ApiError) as exc:
            state.media.upload(kind, "x", "", data)
        assert exc.value.errcode == errcode


# -- fault injection and unknown paths -----------------------------------------------------


async def test_fail_next_injects_errors_then_recovers(
    app: SandboxApp, settings: Settings, state: SandboxState
) -> None:
    access_token = await token(app, settings)
    state.fail_next("/cgi-bin/message/send", codes.BUSY, count=2)
    state.fail_next("gettoken", codes.RATE_LIMITED)
    body = text_message(settings, "lina", "hi")
    results = [
        (await post(app, "/cgi-bin/message/send", body, access_token=access_token)).json["errcode"]
        for _ in range(3)
    ]
    assert results == [codes.BUSY, codes.BUSY, 0]
    limited = await get(
        app, "/cgi-bin/gettoken", corpid=settings.wecom.corp_id, corpsecret=settings.wecom.secret
    )
    assert limited.json["errcode"] == codes.RATE_LIMITED
    assert len(state.messages.sent) == 1


async def test_unknown_api_path_answers_json_404(app: SandboxApp, settings: Settings) -> None:
    response = await get(app, "/cgi-bin/no/such/api", access_token=await token(app, settings))
    assert response.status == 404 and response.json["errcode"] == codes.NOT_FOUND


async def test_jscode2session_codes_are_single_use(
    app: SandboxApp, settings: Settings, state: SandboxState
) -> None:
    access_token = await token(app, settings)
    code = (await post(app, "/sandbox/jscode", {"userid": "lina"})).json["code"]
    params = {"access_token": access_token, "js_code": code, "grant_type": "authorization_code"}
    first = await get(app, "/cgi-bin/miniprogram/jscode2session", **params)
    assert first.json["errcode"] == 0 and first.json["userid"] == "lina"
    assert first.json["corpid"] == settings.wecom.corp_id and first.json["session_key"]
    second = await get(app, "/cgi-bin/miniprogram/jscode2session", **params)
    assert second.json["errcode"] == codes.INVALID_CODE


# -- approvals -----------------------------------------------------------------------------


def apply_offer(state: SandboxState) -> str:
    answer = state.approvals.apply(
        {
            "creator_userid": "lina",
            "template_id": "sandbox-offer-approval",
            "use_template_approver": 0,
            "approver": [
                {"attr": 1, "userid": ["zhangwei"]},
                {"attr": 2, "userid": ["chenjing", "wangqiang"]},
            ],
            "apply_data": {
                "contents": [
                    {"control": "Text", "id": "Text-candidate", "value": {"text": "刘洋"}},
                    {"control": "Money", "id": "Money-salary", "value": {"new_money": "25000"}},
                ]
            },
            "summary_list": [{"summary_info": [{"text": "刘洋 录用", "lang": "zh_CN"}]}],
        }
    )
    sp_no: str = answer["sp_no"]
    return sp_no


def test_applyevent_validates_values(state: SandboxState) -> None:
    body = {
        "creator_userid": "lina",
        "template_id": "sandbox-offer-approval",
        "use_template_approver": 1,
        "apply_data": {
            "contents": [{"control": "Money", "id": "Money-salary", "value": {"new_money": 700}}]
        },
    }
    with pytest.raises(codes.ApiError) as exc:
        state.approvals.apply(body)
    assert exc.value.errcode == codes.APPROVAL_BAD_PARAMS
    with pytest.raises(codes.ApiError):
        state.approvals.apply({**body, "template_id": "unknown"})


async def test_approval_callback_repeats_sprecord_as_siblings(
    state: SandboxState, pusher: CallbackPusher, receiver: Receiver, crypto: WeComCrypto
) -> None:
    sp_no = apply_offer(state)
    detail = state.approvals.detail({"sp_no": sp_no})["info"]
    assert detail["sp_status"] == 1 and len(detail["sp_record"]) == 2
    approval = state.approvals.decide(sp_no, 2, speech="同意")
    plaintext = pusher.approval_change(approval.callback_info())
    assert plaintext.count(b"<SpRecord>") == 2
    assert plaintext.count(b"<Details>") == 3
    assert await pusher.push(plaintext) == 200
    data = opened(crypto, receiver.requests[0])
    assert data["FromUserName"] == "sys" and data["Event"] == "sys_approval_change"
    records = data["ApprovalInfo"]["SpRecord"]
    assert isinstance(records, list) and len(records) == 2
    assert isinstance(records[1]["Details"], list)
    change = events.parse_event(data)
    assert change.sp_no == sp_no and change.sp_status == 2  # type: ignore[attr-defined]
    assert change.status_change_event == 2  # type: ignore[attr-defined]
    assert [len(r.details) for r in change.records] == [1, 2]  # type: ignore[attr-defined]


def test_stepwise_approval_stays_pending_until_the_last_step(state: SandboxState) -> None:
    sp_no = apply_offer(state)
    first = state.approvals.decide(sp_no, 2, step=True)
    assert first.sp_status == 1 and [r.sp_status for r in first.records] == [2, 1]
    final = state.approvals.decide(sp_no, 2, step=True)
    assert final.sp_status == 2
    with pytest.raises(codes.ApiError):
        state.approvals.decide(sp_no, 3)


def test_getapprovalinfo_lists_by_period_and_filters_in_pages(
    state: SandboxState, clock: FakeClock
) -> None:
    start = int(clock.now)
    numbers = [apply_offer(state) for _ in range(3)]
    clock.advance(3600)
    later = apply_offer(state)
    state.approvals.decide(numbers[0], 3)
    span = {"starttime": str(start), "endtime": str(start + 600)}
    first = state.approvals.numbers({**span, "size": 2})
    assert first["sp_no_list"] == numbers[:2] and first["new_next_cursor"]
    rest = state.approvals.numbers({**span, "size": 2, "new_cursor": first["new_next_cursor"]})
    assert rest == {"sp_no_list": numbers[2:], "new_next_cursor": ""}
    everything = {"starttime": start, "endtime": start + 7200}  # numbers are accepted too
    pending = [{"key": "sp_status", "value": "1"}, {"key": "creator", "value": "lina"}]
    assert state.approvals.numbers({**everything, "filters": pending})["sp_no_list"] == [
        *numbers[1:], later]  # fmt: skip
    other = [{"key": "template_id", "value": "another"}]
    assert state.approvals.numbers({**everything, "filters": other})["sp_no_list"] == []
    for bad in ({"starttime": start, "endtime": start + 32 * 86400},
                {"starttime": start * 1000, "endtime": start * 1000 + 1},
                {**everything, "size": 101}, {**everything, "filters": [{"key": "x"}]}):  # fmt: skip
        with pytest.raises(codes.ApiError) as exc:
            state.approvals.numbers(bad)
        assert exc.value.errcode == codes.APPROVAL_BAD_PARAMS


def test_schedules_of_an_app_calendar_are_listed(state: SandboxState) -> None:
    cal_id = state.schedules.add_calendar({"calendar": {"summary": "面试", "color": "#0000FF"}})[
        "cal_id"
    ]
    schedule = {"start_time": 1_767_250_800, "end_time": 1_767_254_400,
                "attendees": [{"userid": "wangqiang"}]}  # fmt: skip
    mine = [state.schedules.add({"schedule": {**schedule, "cal_id": cal_id}}) for _ in range(3)]
    state.schedules.add({"schedule": schedule})  # the app's default calendar: not listed
    page = state.schedules.by_calendar({"cal_id": cal_id, "offset": 1, "limit": 5})
    assert [s["schedule_id"] for s in page["schedule_list"]] == [m["schedule_id"] for m in mine[1:]]
    past = state.schedules.by_calendar({"cal_id": cal_id, "offset": 3})
    assert past["schedule_list"] == []
    for bad in ({"cal_id": "sandbox-calendar"}, {"cal_id": cal_id, "limit": 0}):
        with pytest.raises(codes.ApiError):
            state.schedules.by_calendar(bad)
    with pytest.raises(codes.ApiError):
        state.schedules.add({"schedule": {**schedule, "cal_id": "wc-not-ours"}})
    with pytest.raises(codes.ApiError):
        state.schedules.add_calendar({"calendar": {"summary": "面试"}})  # no colour


def test_a_members_meetings_are_listed_in_pages(state: SandboxState, clock: FakeClock) -> None:
    now = int(clock.now)

    def meeting(admin: str, start: int, invitees: list[str]) -> str:
        made = state.schedules.create_meeting({"admin_userid": admin, "title": "面试",
                                               "meeting_start": start, "meeting_duration": 600,
                                               "invitees": {"userid": invitees}})  # fmt: skip
        return str(made["meetingid"])

    past = meeting("wangqiang", now - 7200, [])
    admin = meeting("wangqiang", now + 3600, [])
    invited = meeting("lina", now + 7200, ["wangqiang"])
    meeting("lina", now + 3600, [])  # not wangqiang's
    # end_time bounds only meetings already begun; one not begun is listed from begin_time on.
    first = state.schedules.user_meeting_ids({"userid": "wangqiang", "begin_time": now - 9000,
                                              "end_time": now - 8000, "limit": 1})  # fmt: skip
    assert first == {"meetingid_list": [admin], "next_cursor": "1"}
    rest = state.schedules.user_meeting_ids({"userid": "wangqiang", "begin_time": now - 9000,
                                             "end_time": now - 8000, "cursor": "1"})  # fmt: skip
    assert rest == {"meetingid_list": [invited], "next_cursor": ""}
    every = state.schedules.user_meeting_ids({"userid": "wangqiang", "begin_time": now - 9000})
    assert every["meetingid_list"] == [past, admin, invited]
    assert state.schedules.meeting_info({"meetingid": admin})["meeting_start"] == now + 3600
    for bad in ({"cursor": "²"}, {"cursor": "x"}, {"begin_time": "1"}, {"end_time": 1.5},
                {"limit": 0}, {"userid": "nobody"}, {"end_time": 181 * 86400}):  # fmt: skip
        with pytest.raises(codes.ApiError):  # a WeCom refusal, never a crash of the sandbox
            state.schedules.user_meeting_ids({"userid": "wangqiang", **bad})
    with pytest.raises(codes.ApiError):
        state.schedules.meeting_info({"meetingid": "no-such-meeting"})


# -- kf ------------------------------------------------------------------------------------


def test_kf_msgid_chosen_by_the_caller_is_unique_in_the_account(state: SandboxState) -> None:
    customer = state.kf.customer("刘洋")
    account = "wkSandboxRecruit01"
    state.kf.customer_says(account, customer, "你好")
    reply = {"touser": customer, "open_kfid": account, "msgtype": "text",
             "text": {"content": "好"}, "msgid": "a" * 32}  # fmt: skip
    assert state.kf.send(reply) == {"msgid": "a" * 32}
    for msgid in ("a" * 32, "a" * 33, "有中文"):
        with pytest.raises(codes.ApiError) as exc:
            state.kf.send({**reply, "msgid": msgid})
        assert exc.value.errcode == codes.INVALID_PARAM
    assert len(state.kf.outbox) == 1 and state.kf.send({**reply, "msgid": ""})["msgid"] != ""


def test_kf_allows_five_replies_within_48_hours(state: SandboxState, clock: FakeClock) -> None:
    customer = state.kf.customer("刘洋")
    account = "wkSandboxRecruit01"
    reply = {"touser": customer, "open_kfid": account, "msgtype": "text", "text": {"content": "好"}}
    with pytest.raises(codes.ApiError):
        state.kf.send(reply)  # the customer never wrote
    token_ = state.kf.customer_says(account, customer, "你好")
    synced = state.kf.sync({"token": token_, "open_kfid": account, "cursor": ""})
    assert [m["text"]["content"] for m in synced["msg_list"]] == ["你好"]
    for _ in range(5):
        state.kf.send(reply)
    with pytest.raises(codes.ApiError) as exc:
        state.kf.send(reply)
    assert exc.value.errcode == codes.KF_WINDOW_CLOSED
    state.kf.customer_says(account, customer, "还在吗")
    state.kf.send(reply)
    clock.advance(48 * 3600 + 1)
    with pytest.raises(codes.ApiError):
        state.kf.send(reply)


# -- the callback pusher -------------------------------------------------------------------


async def test_pusher_output_verifies_and_decrypts(
    pusher: CallbackPusher, receiver: Receiver, crypto: WeComCrypto, settings: Settings
) -> None:
    assert await pusher.push(pusher.text("lina", "你好 ]]> <b>")) == 200
    assert await pusher.push(pusher.text("lina", "again")) == 200
    first, second = (opened(crypto, r) for r in receiver.requests)
    assert first["ToUserName"] == settings.wecom.corp_id
    assert first["FromUserName"] == "lina" and first["MsgType"] == "text"
    assert first["Content"] == "你好 ]]> <b>"
    assert first["AgentID"] == str(settings.wecom.agent_id)
    assert first["MsgId"] != second["MsgId"]
    outer = xmlcodec.parse(receiver.requests[0].content)
    assert set(outer) == {"ToUserName", "AgentID", "Encrypt"}
    assert str(receiver.requests[0].url).startswith(settings.sandbox.callback_url + "?")


async def test_pusher_card_event_carries_selected_items(
    pusher: CallbackPusher, receiver: Receiver, crypto: WeComCrypto
) -> None:
    for misspelled in (False, True):
        plaintext = pusher.card_event(
            "wangqiang",
            task_id="vote-1",
            card_type="vote_interaction",
            key="submit",
            response_code="code-1",
            selected=[Selected("score", ["s4", "s5"])],
            misspelled=misspelled,
        )
        await pusher.push(plaintext)
        click = events.parse_event(opened(crypto, receiver.requests[-1]))
        assert click.task_id == "vote-1" and click.response_code == "code-1"  # type: ignore[attr-defined]
        assert click.selected[0].option_ids == ("s4", "s5")  # type: ignore[attr-defined]


async def test_pusher_retries_like_wecom_when_the_service_fails(
    pusher: CallbackPusher, receiver: Receiver
) -> None:
    receiver.status = 500
    delivery = await pusher.deliver(pusher.enter_agent("lina"))
    assert (delivery.status, delivery.attempts) == (500, 4)
    assert len({r.content for r in receiver.requests}) == 1  # the same payload each time


async def test_pusher_envelope_can_be_forged_and_stale(
    pusher: CallbackPusher, crypto: WeComCrypto
) -> None:
    envelope = pusher.envelope(pusher.click("lina", "menu"), timestamp="1000", nonce="n")
    assert envelope.params["timestamp"] == "1000"
    crypto.verify(envelope.params["msg_signature"], "1000", "n", envelope.encrypted)
    with pytest.raises(Exception, match="signature"):
        crypto.verify(envelope.params["msg_signature"], "1001", "n", envelope.encrypted)


async def test_verify_url_handshake(
    pusher: CallbackPusher, receiver: Receiver, crypto: WeComCrypto
) -> None:
    def echo(request: httpx.Request) -> bytes:
        q = request.url.params
        crypto.verify(q["msg_signature"], q["timestamp"], q["nonce"], q["echostr"])
        return crypto.decrypt(q["echostr"])

    receiver.reply = echo
    assert await pusher.verify_url() is True
    receiver.reply = lambda request: b"wrong"
    assert await pusher.verify_url() is False


# -- the console ---------------------------------------------------------------------------


async def test_console_page_and_member_endpoints(
    app: SandboxApp,
    state: SandboxState,
    receiver: Receiver,
    crypto: WeComCrypto,
    settings: Settings,
) -> None:
    page = await get(app, "/")
    assert page.status == 200 and "企业微信沙箱" in page.text and "cdn" not in page.text.lower()
    members = (await get(app, "/sandbox/members")).json["members"]
    assert {m["userid"] for m in members} >= {
        "zhangwei",
        "lina",
        "wangqiang",
        "chenjing",
        "visitor",
    }
    said = await post(app, "/sandbox/say", {"userid": "lina", "text": "我想约面试"})
    assert said.status == 200 and said.json["status"] == 200
    assert opened(crypto, receiver.requests[-1])["Content"] == "我想约面试"
    state.messages.send(button_card(settings, "lina", "inv-9"))
    clicked = await post(
        app, "/sandbox/click", {"userid": "lina", "task_id": "inv-9", "key": "confirm"}
    )
    assert clicked.json["status"] == 200
    event = opened(crypto, receiver.requests[-1])
    assert event["ResponseCode"] == state.cards.view("inv-9", "lina").clicks[-1]["response_code"]
    timeline = (await get(app, "/sandbox/messages", userid="lina")).json["messages"]
    assert [(m["direction"], m.get("kind", m.get("msgtype"))) for m in timeline] == [
        ("in", "text"),
        ("out", "template_card"),
        ("in", "card"),
    ]
    assert timeline[1]["card_state"]["clicks"][0]["key"] == "confirm"
    bad = await post(app, "/sandbox/say", {"userid": "nobody", "text": "x"})
    assert bad.status == 400


async def test_console_voice_approval_faults_and_reset(
    app: SandboxApp, state: SandboxState, receiver: Receiver, crypto: WeComCrypto
) -> None:
    await post(app, "/sandbox/voice", {"userid": "wangqiang"})
    voice = opened(crypto, receiver.requests[-1])
    assert voice["MsgType"] == "voice" and voice["Format"] == "amr"
    assert state.media.get(voice["MediaId"]).data.startswith(AMR_MAGIC)
    sp_no = apply_offer(state)
    pushed = await post(
        app, "/sandbox/approval", {"sp_no": sp_no, "status": 3, "speech": "薪资过高"}
    )
    assert pushed.json["status"] == 200
    assert opened(crypto, receiver.requests[-1])["ApprovalInfo"]["SpStatus"] == "3"
    faults = await post(
        app,
        "/sandbox/faults",
        {
            "fail_next": {"path": "message/send", "errcode": 45009, "count": 2},
            "callback_repeats": 2,
        },
    )
    assert faults.json["pending"][0]["remaining"] == 2 and state.callback_repeats == 2
    before = len(receiver.requests)
    await post(app, "/sandbox/enter", {"userid": "lina"})
    assert len(receiver.requests) == before + 2  # WeCom re-delivering the same callback
    assert (await post(app, "/sandbox/reset", {})).json == {"ok": True}
    assert state.messages.sent == [] and state.faults.to_json() == [] and state.actions == []


async def test_console_shows_a_passive_reply(
    app: SandboxApp, receiver: Receiver, crypto: WeComCrypto
) -> None:
    def passive(request: httpx.Request) -> bytes:
        encrypted = crypto.encrypt(xmlcodec.build({"MsgType": "text", "Content": "收到"}))
        ts, nonce = "1767225600", "abc"
        sig = crypto.sign(ts, nonce, encrypted)
        fields = {"Encrypt": encrypted, "MsgSignature": sig, "TimeStamp": ts, "Nonce": nonce}
        return xmlcodec.build(fields)

    receiver.reply = passive
    answer = (await post(app, "/sandbox/say", {"userid": "lina", "text": "在吗"})).json
    assert answer["reply"]["Content"] == "收到"
    timeline = (await get(app, "/sandbox/messages", userid="lina")).json["messages"]
    assert timeline[-1]["kind"] == "reply" and timeline[-1]["direction"] == "out"


async def test_console_candidate_adds_a_recruiter_through_a_contact_way(
    app: SandboxApp, settings: Settings, receiver: Receiver, crypto: WeComCrypto
) -> None:
    access_token = await token(app, settings)
    way = await post(
        app,
        "/cgi-bin/externalcontact/add_contact_way",
        {"type": 1, "scene": 2, "user": ["lina"], "state": "inv42"},
        access_token=access_token,
    )
    assert way.json["errcode"] == 0
    added = await post(
        app, "/sandbox/contact", {"name": "刘洋", "config_id": way.json["config_id"]}
    )
    assert added.json["status"] == 200
    event = opened(crypto, receiver.requests[-1])
    assert (event["ChangeType"], event["UserID"], event["State"]) == (
        "add_external_contact",
        "lina",
        "inv42",
    )
    contact = await get(
        app,
        "/cgi-bin/externalcontact/get",
        access_token=access_token,
        external_userid=event["ExternalUserID"],
    )
    assert contact.json["external_contact"]["name"] == "刘洋"
    assert contact.json["follow_user"][0]["state"] == "inv42"


async def test_console_voice_upload_must_be_amr(app: SandboxApp, receiver: Receiver) -> None:
    wav = base64.b64encode(b"RIFF\x00\x00\x00\x00WAVEfmt ").decode()
    refused = await post(app, "/sandbox/voice", {"userid": "lina", "data_base64": wav})
    assert refused.status == 400 and refused.json["errcode"] == codes.INVALID_MEDIA_FILE
    assert receiver.requests == []
    amr = base64.b64encode(AMR).decode()
    accepted = await post(app, "/sandbox/voice", {"userid": "lina", "data_base64": amr})
    assert accepted.json["status"] == 200


async def test_schedules_meetings_and_kf_over_http(app: SandboxApp, settings: Settings) -> None:
    access_token = await token(app, settings)

    async def call(path: str, body: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = (await post(app, path, body, access_token=access_token)).json
        return result

    schedule = {
        "organizer": "lina",
        "start_time": 1_767_250_800,
        "end_time": 1_767_254_400,
        "attendees": [{"userid": "wangqiang"}],
        "summary": "技术一面：刘洋",
        "reminders": {"is_remind": 1, "remind_before_event_secs": 900},
    }
    added = await call("/cgi-bin/oa/schedule/add", {"schedule": schedule, "agentid": 1000002})
    schedule_id = added["schedule_id"]
    bad = {**schedule, "reminders": {"is_remind": 1, "remind_before_event_secs": 600}}
    assert (await call("/cgi-bin/oa/schedule/add", {"schedule": bad}))["errcode"] != 0
    patch = {"schedule": {"schedule_id": schedule_id, "location": "3 号会议室"}}
    assert (await call("/cgi-bin/oa/schedule/update", patch))["errcode"] == 0
    got = await call("/cgi-bin/oa/schedule/get", {"schedule_id_list": [schedule_id]})
    assert got["schedule_list"][0]["location"] == "3 号会议室"
    assert (await call("/cgi-bin/oa/schedule/del", {"schedule_id": schedule_id}))["errcode"] == 0
    gone = await call("/cgi-bin/oa/schedule/get", {"schedule_id_list": [schedule_id]})
    assert gone["errcode"] == codes.INVALID_PARAM
    meeting = await call(
        "/cgi-bin/meeting/create",
        {
            "admin_userid": "wangqiang",
            "title": "远程面试",
            "meeting_start": 1_767_250_800,
            "meeting_duration": 3600,
            "invitees": {"userid": ["lina"]},
        },
    )
    assert meeting["errcode"] == 0 and meeting["meetingid"] and meeting["meeting_link"]
    reply = {"touser": "wmX", "open_kfid": "wkSandboxRecruit01", "msgtype": "text"}
    closed = await call("/cgi-bin/kf/send_msg", {**reply, "text": {"content": "您好"}})
    assert closed["errcode"] == codes.KF_WINDOW_CLOSED
    user = await get(app, "/cgi-bin/user/get", access_token=access_token, userid="visitor")
    assert user.json["errcode"] == 0 and user.json["name"] == "访客"
