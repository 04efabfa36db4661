"""Reading candidates' answers and HR's 安排面试 tolerantly; the 微信客服 message shape; the
kf reply window rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from recruiting.domain.invitation_answers import Answer, read_answer, read_schedule
from recruiting.services.candidate_channel.contacts import Routes
from wecom_bot.candidate_channel.sender import kf_message


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("确认", "confirm"),
        ("好的，我会准时参加", "confirm"),
        (" OK ", "confirm"),
        ("能改个时间吗", "reschedule"),
        ("那天没空，想改期", "reschedule"),
        ("reschedule please", "reschedule"),
        ("拒绝", "decline"),
        ("不好意思，我不参加了", "decline"),
        ("确认不去了", "decline"),  # the cautious reading wins
        ("2", "slot:1"),
        ("选1", "slot:0"),
        ("第三个", "slot:2"),
        ("option 3", "slot:2"),
    ],
)
def test_answers_in_free_text(text: str, key: str) -> None:
    assert read_answer(text) == Answer(key)


@pytest.mark.parametrize("text", ["", "你好", "请问在哪里面试", "12"])
def test_text_that_is_no_answer(text: str) -> None:
    assert read_answer(text) is None


def test_slot_index() -> None:
    assert Answer("slot:2").slot == 2 and Answer("confirm").slot is None


@pytest.mark.parametrize(
    ("text", "candidate", "job"),
    [
        ("安排面试 赵敏 销售代表", "赵敏", "销售代表"),
        ("安排面试：赵敏，销售代表", "赵敏", "销售代表"),
        ("schedule 赵敏 sales", "赵敏", "sales"),
        ("Schedule interview 赵敏 sales", "赵敏", "sales"),
        ("帮我安排面试 赵敏 应聘 销售代表", "赵敏", "销售代表"),
        ("给赵敏安排销售代表的面试", "赵敏", "销售代表"),
        ("安排面试 赵敏", "赵敏", ""),
        ("安排面试", "", ""),
    ],
)
def test_schedule_command_phrasings(text: str, candidate: str, job: str) -> None:
    request = read_schedule(text)
    assert request is not None
    assert (request.candidate, request.job) == (candidate, job)


@pytest.mark.parametrize("text", ["帮助", "今天的面试", "开始面试", "候选人 赵敏"])
def test_other_commands_are_not_scheduling(text: str) -> None:
    assert read_schedule(text) is None


def test_choices_become_a_kf_msgmenu() -> None:
    payload = {"kind": "choices", "content": "请回复", "subject": "invite:7",
               "choices": [{"key": "confirm", "label": "确认"}, {"key": "decline", "label": "拒绝"}]}  # fmt: skip
    message = kf_message(payload)
    assert message["msgtype"] == "msgmenu"
    menu = message["msgmenu"]
    assert menu["head_content"] == "请回复"
    assert [i["click"] for i in menu["list"]] == [
        {"id": "invite.confirm:7", "content": "确认"},
        {"id": "invite.decline:7", "content": "拒绝"},
    ]
    assert kf_message({"kind": "text", "content": "你好"}) == {
        "msgtype": "text", "text": {"content": "你好"}}  # fmt: skip


def test_kf_window_is_48_hours_and_5_replies() -> None:
    now = datetime(2030, 1, 1, tzinfo=UTC)
    fresh = Routes(1, "wk", "wm", now - timedelta(hours=47), 4)
    assert fresh.kf_open(now)
    assert not Routes(1, "wk", "wm", now - timedelta(hours=48, seconds=1), 0).kf_open(now)
    assert not Routes(1, "wk", "wm", now - timedelta(hours=1), 5).kf_open(now)
    assert not Routes(1).kf_open(now)
    assert Routes(1, external_userid="wm", recruiter_userid="lina").external


def test_schedule_command_takes_a_place_or_remote() -> None:
    from recruiting.domain.invitation_answers import ScheduleRequest, read_schedule

    assert read_schedule("安排面试 赵敏 销售代表 地点 北京总部3楼301") == ScheduleRequest(
        "赵敏", "销售代表", "北京总部3楼301"
    )
    assert read_schedule("安排面试：赵敏，销售代表，地点：上海 漕河泾 A 座") == ScheduleRequest(
        "赵敏", "销售代表", "上海 漕河泾 A 座"
    )
    assert read_schedule("给赵敏安排销售代表的面试 地址是 301 会议室") == ScheduleRequest(
        "赵敏", "销售代表", "301 会议室"
    )
    assert read_schedule("安排面试 赵敏 销售代表 线上") == ScheduleRequest(
        "赵敏", "销售代表", remote=True
    )
    assert read_schedule("请问面试地点在哪") is None
