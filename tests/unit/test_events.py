"""Callback XML → typed events, for every type the gateway must understand."""

import pytest

from recruiting.domain import inbound as ev
from recruiting.errors import InvalidInput
from wecom_bot import xmlcodec
from wecom_bot.events import dedup_key, parse_event

BASE = {"ToUserName": "wwcorp", "FromUserName": "lina", "CreateTime": 1700000000, "AgentID": 1}


def parse(fields: dict) -> ev.Inbound:
    return parse_event(xmlcodec.parse(xmlcodec.build({**BASE, **fields})))


def test_text_message() -> None:
    event = parse({"MsgType": "text", "Content": " 帮助 ", "MsgId": "123"})
    assert isinstance(event, ev.TextMessage)
    assert (event.content, event.msg_id, event.dedup_key) == ("帮助", "123", "msg:123")


def test_voice_and_image() -> None:
    voice = parse({"MsgType": "voice", "MediaId": "m1", "Format": "amr", "MsgId": "9"})
    image = parse({"MsgType": "image", "PicUrl": "http://x/p.jpg", "MediaId": "m2", "MsgId": "8"})
    assert isinstance(voice, ev.VoiceMessage) and voice.media_id == "m1" and voice.format == "amr"
    assert isinstance(image, ev.ImageMessage) and image.media_id == "m2"


def test_enter_agent_and_menu_click() -> None:
    enter = parse({"MsgType": "event", "Event": "enter_agent", "EventKey": ""})
    click = parse({"MsgType": "event", "Event": "click", "EventKey": "MY_INTERVIEWS"})
    assert isinstance(enter, ev.EnterAgent)
    assert isinstance(click, ev.MenuClick) and click.event_key == "MY_INTERVIEWS"


@pytest.mark.parametrize("spelling", [("OptionIds", "OptionId"), ("OpitonIds", "OpitonId")])
def test_template_card_event_accepts_both_spellings(spelling: tuple[str, str]) -> None:
    outer, inner = spelling
    event = parse(
        {
            "MsgType": "event",
            "Event": "template_card_event",
            "EventKey": "submit",
            "TaskId": "score-42",
            "CardType": "multiple_interaction",
            "ResponseCode": "rc1",
            "SelectedItems": {
                "SelectedItem": [
                    {"QuestionKey": "communication", outer: {inner: "4"}},
                    {"QuestionKey": "teamwork", outer: {inner: ["3", "5"]}},
                ]
            },
        }
    )
    assert isinstance(event, ev.CardClick)
    assert event.task_id == "score-42" and event.response_code == "rc1"
    assert event.selected == (
        ev.SelectedItem("communication", ("4",)),
        ev.SelectedItem("teamwork", ("3", "5")),
    )


def _approval(records: list[dict]) -> dict:
    return {
        "MsgType": "event",
        "Event": "sys_approval_change",
        "FromUserName": "sys",
        "ApprovalInfo": {
            "SpNo": "202611210001",
            "SpName": "录用审批",
            "SpStatus": 2,
            "TemplateId": "tpl",
            "ApplyTime": 1700000000,
            "Applyer": {"UserId": "lina", "Party": "1"},
            "SpRecord": records,
            "StatuChangeEvent": 2,
        },
    }


def test_approval_with_one_record_and_one_detail() -> None:
    one = [
        {
            "SpStatus": 2,
            "ApproverAttr": 1,
            "Details": {
                "Approver": {"UserId": "zhangwei"},
                "Speech": "同意",
                "SpStatus": 2,
                "SpTime": 1700000100,
            },
        }
    ]
    event = parse(_approval(one))
    assert isinstance(event, ev.ApprovalChange)
    assert event.sp_status == 2 and event.status_change_event == 2
    assert event.applyer_userid == "lina"
    assert event.records[0].details[0] == ev.ApprovalDetail("zhangwei", "同意", 2, 1700000100)


def test_approval_with_many_records_and_details() -> None:
    detail = {"Approver": {"UserId": "a"}, "Speech": "", "SpStatus": 1, "SpTime": 0}
    many = [
        {
            "SpStatus": 2,
            "ApproverAttr": 2,
            "Details": [detail, {**detail, "Approver": {"UserId": "b"}}],
        },
        {"SpStatus": 1, "ApproverAttr": 1, "Details": detail},
    ]
    event = parse(_approval(many))
    assert isinstance(event, ev.ApprovalChange)
    assert [len(r.details) for r in event.records] == [2, 1]
    assert event.records[0].details[1].approver == "b"


def test_external_contact_kf_and_schedule() -> None:
    contact = parse(
        {
            "MsgType": "event",
            "Event": "change_external_contact",
            "ChangeType": "add_external_contact",
            "UserID": "lina",
            "ExternalUserID": "wmABC",
            "State": "inv-17",
            "WelcomeCode": "wc",
        }
    )
    kf = parse({"MsgType": "event", "Event": "kf_msg_or_event", "Token": "tok", "OpenKfId": "wk1"})
    sched = parse({"MsgType": "event", "Event": "modify_schedule", "CalId": "c", "ScheduleId": "s"})
    assert isinstance(contact, ev.ExternalContactChange) and contact.state == "inv-17"
    assert contact.change_type == "add_external_contact"
    assert isinstance(kf, ev.KfEvent) and kf.open_kf_id == "wk1"
    assert isinstance(sched, ev.ScheduleChange) and sched.schedule_id == "s"


def test_unknown_types_are_kept_not_refused() -> None:
    event = parse({"MsgType": "location", "Location_X": "31.2"})
    assert isinstance(event, ev.UnknownEvent) and event.fields["Location_X"] == "31.2"


def test_missing_msgtype_or_sender_is_malformed() -> None:
    with pytest.raises(InvalidInput):
        parse_event({"FromUserName": "x"})
    with pytest.raises(InvalidInput):
        parse_event({"MsgType": "text", "Content": "hi"})


def test_kf_event_without_sender_or_agent_is_accepted() -> None:
    event = parse_event(
        {
            "ToUserName": "c",
            "CreateTime": "1",
            "MsgType": "event",
            "Event": "kf_msg_or_event",
            "Token": "t",
            "OpenKfId": "wk",
        }
    )
    assert isinstance(event, ev.KfEvent) and event.from_user == "" and event.open_kf_id == "wk"


def test_events_sharing_sender_and_time_get_distinct_keys() -> None:
    a = {**BASE, "MsgType": "event", "Event": "template_card_event", "TaskId": "t1"}
    b = {**a, "TaskId": "t2"}
    c = {**a, "Event": "enter_agent"}
    keys = {dedup_key({k: str(v) for k, v in d.items()}) for d in (a, b, c)}
    assert len(keys) == 3
    same = {k: str(v) for k, v in a.items()}
    assert dedup_key(same) == dedup_key(dict(same))
