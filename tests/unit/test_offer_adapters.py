"""The offer's adapters with fakes: the WeCom approval sender and its template mapping, the
payroll packages and the payroll hand-off sender."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from payroll_bridge.adapters.memory import InMemoryPayroll
from payroll_bridge.handoff import PayrollHandOffSender
from payroll_bridge.packages import CalculatorPackages
from recruiting.errors import ConfigError, InvalidInput
from recruiting.infra.send_attempts import MemorySendAttempts
from recruiting.ports.approval import OfferApprovalRequest, approval_draft
from recruiting.ports.outbound import OutboundMessage
from recruiting.ports.payroll import NewHireHandOff, PackageEstimate, PackageTerms, payroll_draft
from recruiting.services.offers.texts import SUB_TITLE_CHARS, offer_card
from wecom_bot.client.errors import WeComBusy, error_for
from wecom_bot.offer_approval import (
    DEFAULT_MAPPING,
    WeComOfferApprovalSender,
    load_offer_template,
)
from wecom_bot.sandbox.oa import check_value

SH = ZoneInfo("Asia/Shanghai")
REQUEST = OfferApprovalRequest(
    offer_id=7, creator="lina", candidate="张三", job="销售代表", department="销售部",
    city="上海", base_salary="25000.00", bonus_months="2", year_end_bonus="50000.00",
    allowances="1500.00", start_date="2026-12-15", note="offer #7",
)  # fmt: skip


def _message(payload: dict[str, Any], attempt: int = 1) -> OutboundMessage:
    return OutboundMessage(1, "wecom.approval", "offer:7", payload, attempt, "k")


class FakeApprovalApi:
    """Keeps what was submitted; lists and reads it back like getapprovalinfo/-detail."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.fail = fail
        self.lookups: list[dict[str, str]] = []

    async def apply_event(self, payload: dict[str, Any]) -> str:
        self.bodies.append(payload)
        if self.fail is not None:
            raise self.fail
        return f"sp-{len(self.bodies)}"

    async def get_approval_info(
        self, start: int, end: int, filters: dict[str, str], cursor: str = ""
    ) -> dict[str, Any]:
        assert 0 < end - start <= 31 * 86400
        self.lookups.append(filters)
        found = [
            f"sp-{n}"
            for n, b in enumerate(self.bodies, 1)
            if b["template_id"] == filters["template_id"]
        ]
        return {"sp_no_list": found, "new_next_cursor": ""}

    async def get_approval_detail(self, sp_no: str) -> dict[str, Any]:
        body = self.bodies[int(sp_no.removeprefix("sp-")) - 1]
        return {"info": {"sp_no": sp_no, "apply_data": body["apply_data"]}}


class FakeOutcomes:
    def __init__(self, known: str | None = None) -> None:
        self.known = known
        self.numbers: list[tuple[int, str]] = []
        self.refusals: list[tuple[int, int | None, str]] = []

    async def submitted_number(self, offer_id: int) -> str | None:
        return self.known

    async def submitted(self, offer_id: int, sp_no: str) -> None:
        self.numbers.append((offer_id, sp_no))

    async def refused(self, offer_id: int, code: int | None, reason: str) -> None:
        self.refusals.append((offer_id, code, reason))


def test_default_mapping_gives_wecom_value_shapes() -> None:
    body = load_offer_template().body(REQUEST, SH)
    assert body["creator_userid"] == "lina" and body["use_template_approver"] == 1
    assert body["template_id"] == "sandbox-offer-approval" and "approver" not in body
    contents = {c["id"]: c for c in body["apply_data"]["contents"]}
    assert contents["Money-salary"] == {
        "control": "Money", "id": "Money-salary", "value": {"new_money": "25000.00"}
    }  # fmt: skip
    assert contents["Number-bonus-months"]["value"] == {"new_number": "2"}
    midnight = int(dt.datetime(2026, 12, 15, tzinfo=SH).timestamp())
    assert contents["Date-start"]["value"] == {
        "date": {"type": "day", "s_timestamp": str(midnight)}
    }
    assert contents["Text-candidate"]["value"] == {"text": "张三"}
    for item in contents.values():
        check_value(item["control"], item["value"])  # what the sandbox (and WeCom) accept
    lines = [s["summary_info"][0]["text"] for s in body["summary_list"]]
    assert lines[0] == "张三 · 销售代表" and "25000.00" in lines[1] and len(lines) == 3


def _mapping(tmp_path: Path, **changes: Any) -> Path:
    data = yaml.safe_load(DEFAULT_MAPPING.read_text(encoding="utf-8")) | changes
    path = tmp_path / "offer_approval.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_mapping_with_its_own_approvers_and_creator(tmp_path: Path) -> None:
    path = _mapping(tmp_path, use_template_approver=0, creator="hrbot", notifyer=["zhangwei"],
                    approver=[{"attr": 2, "userid": ["zhangwei", "chenjing"]}])  # fmt: skip
    body = load_offer_template(path).body(REQUEST, SH)
    assert body["creator_userid"] == "hrbot"
    assert body["approver"] == [{"attr": 2, "userid": ["zhangwei", "chenjing"]}]
    assert body["notifyer"] == ["zhangwei"] and body["notify_type"] == 1


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"controls": [{"field": "salary", "id": "x", "control": "Money"}]}, "field must be"),
        ({"controls": [{"field": "base_salary", "id": "x", "control": "Table"}]}, "control one"),
        ({"use_template_approver": 0, "approver": []}, "approver list"),
        ({"summary": ["a", "b", "c", "d"]}, "at most 3"),
        ({"summary": ["{salary}"]}, "salary"),
        ({"template_id": ""}, "template_id"),
    ],
)
def test_bad_mapping_stops_the_start(tmp_path: Path, changes: dict[str, Any], says: str) -> None:
    with pytest.raises(ConfigError, match=says):
        load_offer_template(_mapping(tmp_path, **changes))


async def test_sender_submits_once_and_reports_the_number() -> None:
    api, outcomes = FakeApprovalApi(), FakeOutcomes()
    sender = WeComOfferApprovalSender(
        api, load_offer_template(), outcomes, SH, MemorySendAttempts()
    )
    draft = approval_draft(REQUEST, "applyevent")
    assert draft.recipient == "offer:7"
    assert await sender.deliver(_message(draft.payload)) == {"sp_no": "sp-1"}
    assert outcomes.numbers == [(7, "sp-1")]
    # A retry after the number was stored opens no second approval.
    outcomes.known = "sp-1"
    assert await sender.deliver(_message(draft.payload, attempt=2)) == {"sp_no": "sp-1"}
    assert len(api.bodies) == 1


async def test_a_crash_before_the_number_was_stored_adopts_the_approval() -> None:
    """applyevent went through, then the process died before ``submitted``: the redelivery
    finds the approval by the reference in its text control and submits nothing."""
    api, outcomes, attempts = FakeApprovalApi(), FakeOutcomes(), MemorySendAttempts()
    sender = WeComOfferApprovalSender(api, load_offer_template(), outcomes, SH, attempts)
    message = _message(approval_draft(REQUEST, "applyevent").payload)
    api.bodies.append({"template_id": "other", "apply_data": {"contents": []}})  # not ours
    await attempts.begin("approval:k")  # the first delivery marked the attempt …
    first = load_offer_template().body(REQUEST, SH, attempts.rows["approval:k"].marker)
    api.bodies.append(first)  # … and WeCom opened sp-2, then the crash
    answer = await sender.deliver(_message(message.payload, attempt=2))
    assert answer == {"sp_no": "sp-2", "adopted": True}
    assert len(api.bodies) == 2 and outcomes.numbers == [(7, "sp-2")]
    assert api.lookups == [{"template_id": "sandbox-offer-approval", "creator": "lina"}]
    reference = {c["id"]: c["value"] for c in first["apply_data"]["contents"]}["Text-reference"]
    assert reference == {"text": attempts.rows["approval:k"].marker}


async def test_an_attempt_that_never_reached_wecom_is_submitted_again() -> None:
    api, outcomes, attempts = FakeApprovalApi(), FakeOutcomes(), MemorySendAttempts()
    sender = WeComOfferApprovalSender(api, load_offer_template(), outcomes, SH, attempts)
    await attempts.begin("approval:k")  # marked, then the crash came before the call
    answer = await sender.deliver(_message(REQUEST.payload(), attempt=2))
    assert answer == {"sp_no": "sp-1"} and len(api.lookups) == 1 and len(api.bodies) == 1


def test_without_a_reference_control_the_note_carries_it(tmp_path: Path) -> None:
    controls = [c for c in yaml.safe_load(DEFAULT_MAPPING.read_text(encoding="utf-8"))["controls"]
                if c["field"] != "reference"]  # fmt: skip
    template = load_offer_template(_mapping(tmp_path, controls=controls))
    contents = {c["id"]: c for c in template.body(REQUEST, SH, "ZP123")["apply_data"]["contents"]}
    assert contents["Textarea-note"]["value"] == {"text": "offer #7\n系统编号：ZP123"}
    no_note = [c for c in controls if c["field"] != "note"]
    with pytest.raises(ConfigError, match="map reference"):
        load_offer_template(_mapping(tmp_path, controls=no_note))


@pytest.mark.parametrize("errcode", [301025, 301055, 60011])
async def test_refusals_go_back_to_the_use_case(errcode: int) -> None:
    api = FakeApprovalApi(error_for(errcode, "refused", "/cgi-bin/oa/applyevent"))
    outcomes = FakeOutcomes()
    sender = WeComOfferApprovalSender(
        api, load_offer_template(), outcomes, SH, MemorySendAttempts()
    )
    answer = await sender.deliver(_message(REQUEST.payload()))
    assert answer["refused"] == errcode
    assert outcomes.refusals == [(7, errcode, "refused")] and outcomes.numbers == []


async def test_transient_failures_are_retried_by_the_relay() -> None:
    api = FakeApprovalApi(WeComBusy(-1, "busy", "/cgi-bin/oa/applyevent"))
    outcomes = FakeOutcomes()
    sender = WeComOfferApprovalSender(
        api, load_offer_template(), outcomes, SH, MemorySendAttempts()
    )
    with pytest.raises(WeComBusy):
        await sender.deliver(_message(REQUEST.payload()))
    assert outcomes.refusals == [] and outcomes.numbers == []


async def test_packages_propose_and_estimate() -> None:
    packages = CalculatorPackages()
    terms = await packages.propose("software_engineer", "北京市")
    assert terms == PackageTerms("beijing", Decimal(25000), Decimal(3), Decimal(1000))
    assert await packages.propose("no-such-job", "上海") is None
    assert await packages.city_code("") == "shanghai"
    estimate = await packages.estimate(terms, dt.date(2027, 3, 1))
    assert estimate.city_name == "北京" and estimate.monthly_gross == Decimal("26000.00")
    assert estimate.monthly_net < estimate.monthly_gross < estimate.monthly_employer_cost
    assert estimate.year_end_bonus == Decimal("75000.00")
    assert estimate.first_year_cost > estimate.monthly_employer_cost * 10
    with pytest.raises(InvalidInput, match="没有城市「火星」"):
        await packages.city_code("火星")
    with pytest.raises(InvalidInput, match="薪酬测算未通过"):
        await packages.estimate(PackageTerms("beijing", Decimal(1000)), dt.date(2027, 3, 1))
    with pytest.raises(InvalidInput, match="入职年份 9999 超出个税税表覆盖的年份"):
        await packages.estimate(terms, dt.date(9999, 3, 1))


async def test_estimates_on_stale_or_unverified_data_say_so_in_chinese() -> None:
    packages = CalculatorPackages()
    terms = PackageTerms("guangzhou", Decimal(15000))
    stale = await packages.estimate(terms, dt.date(2026, 3, 1))
    assert stale.data_notice == "注意：广州2026年3—12月的社保基数尚未收录，按上一期估算。"
    crossing = await packages.estimate(
        PackageTerms("shanghai", Decimal(20000)), dt.date(2026, 3, 1)
    )
    assert crossing.data_notice == (
        "注意：上海2026年7—12月的社保基数尚未收录，按上一期估算；"
        "上海2026年3—6月的社保数据未经官方通知核实。"
    )
    verified = await packages.estimate(PackageTerms("beijing", Decimal(15000)), dt.date(2025, 1, 1))
    assert verified.data_notice.startswith("注意：北京2025年7—12月的社保数据未经官方通知核实")
    early = await packages.estimate(PackageTerms("beijing", Decimal(15000)), dt.date(2025, 6, 1))
    assert "6月" not in early.data_notice  # June is verified; only July on is flagged


async def test_data_gaps_name_each_city_not_verified_on_a_day() -> None:
    gaps = {g.code: g for g in await CalculatorPackages().data_gaps(dt.date(2026, 12, 6))}
    assert set(gaps) == {"beijing", "chengdu", "guangzhou", "hangzhou", "shanghai", "shenzhen"}
    assert gaps["shanghai"].status == "stale"
    assert gaps["shanghai"].notice.startswith("上海2026年12月的社保公积金基数和比例尚未收录")
    assert "2025年7月—2026年6月" in gaps["shanghai"].notice
    spring = {g.code: g.status for g in await CalculatorPackages().data_gaps(dt.date(2025, 3, 1))}
    assert spring == {"chengdu": "unverified", "hangzhou": "stale"}


async def test_payroll_hand_off_once_per_hire() -> None:
    payroll = InMemoryPayroll()
    sender = PayrollHandOffSender(payroll)
    hire = NewHireHandOff("application-3", "张三", dt.date(2027, 3, 1),
                          PackageTerms("shanghai", Decimal(25000), Decimal(2), Decimal(1500)))  # fmt: skip
    draft = payroll_draft(hire, "offer:3", "payroll")
    assert NewHireHandOff.from_payload(draft.payload) == hire
    message = OutboundMessage(1, draft.channel, draft.recipient, draft.payload, 1)
    first = await sender.deliver(message)
    again = await sender.deliver(message)
    assert first["duplicate"] is False and again["duplicate"] is True
    record = payroll.hires[first["reference"]].record()
    assert record["base_salary"] == "25000.00" and record["allowances"] == "1500.00"
    assert record["year_end_bonus_months"] == "2" and record["city"] == "shanghai"
    changed = dict(draft.payload, base="26000")
    with pytest.raises(InvalidInput, match="different record"):
        await sender.deliver(OutboundMessage(2, draft.channel, draft.recipient, changed, 1))
    with pytest.raises(InvalidInput, match="not a payroll hand-off"):
        await sender.deliver(OutboundMessage(3, draft.channel, draft.recipient, {"x": 1}, 1))


def test_offer_card_text_stays_within_wecoms_advice_with_the_longest_data_notice() -> None:
    notice = (
        "注意：上海2030年1—6月的社保基数尚未收录，按上一期估算；"
        "上海2030年7—12月的社保数据未经官方通知核实。"
    )
    figures = {"base": "13000", "bonus_months": "2", "allowances": "0"}
    figures["start_date"] = dt.date(2030, 1, 5).isoformat()
    for data_notice in ("", notice):
        estimate = PackageEstimate(
            "上海",
            Decimal(13000),
            Decimal(10000),
            Decimal(17000),
            Decimal(26000),
            Decimal(230000),
            2030,
            data_notice,
        )
        text = offer_card(1, 1, "欧阳明月", "高级销售代表", figures, estimate, "职位标准")[
            "sub_title_text"
        ]
        assert len(text) <= SUB_TITLE_CHARS
        assert text.endswith("「发offer 欧阳明月 月薪… 年终…个月 补贴… 入职年-月-日」")
        assert text.startswith("注意：上海2030年1—6月") == bool(data_notice)
