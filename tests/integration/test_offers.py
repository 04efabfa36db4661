"""The offer use cases on SQLite and PostgreSQL, with a fake payroll port: HR's card, submit,
the approval number, and every WeCom approval status driving the offer (duplicates, late and
early deliveries included) with its outbox effects exactly once."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from recruiting import clock
from recruiting.models import (
    Application,
    ApplicationStatus,
    AuditLog,
    Candidate,
    JobOpening,
    Offer,
    OfferEvent,
    OutboxMessage,
)
from recruiting.ports.outbound import OutboundDraft
from recruiting.services.demo import seed_demo_staff
from recruiting.services.offers.answers import OfferAnswers
from recruiting.services.offers.approvals import OfferApprovals
from recruiting.services.offers.ehr import EhrSync
from recruiting.services.offers.offers import Offers
from tests.fakes.payroll import FakePackages
from tests.integration.offer_world import (
    START,
    TZ,
    OfferWorld,
    approval,
    card_of,
    click,
    start,
    submitted_offer,
)
from tests.people_text import display_strings, problems


@dataclass(frozen=True)
class OffersWorld(OfferWorld):
    """张三 applying for 销售代表 (上海); 大客户经理 (北京) is open too."""

    other: JobOpening
    packages: FakePackages


@pytest.fixture
async def world(database: str) -> OffersWorld:
    await seed_demo_staff()
    job = await JobOpening.create(code="sales", title="销售代表", city="上海")
    other = await JobOpening.create(code="kam", title="大客户经理", city="北京")
    candidate = await Candidate.create(name="张三")
    application = await Application.create(candidate=candidate, job=job, status="interviewing")
    packages = FakePackages()
    approvals = OfferApprovals(EhrSync(), TZ)
    offers = Offers(packages, approvals, TZ)
    return OffersWorld(job=job, application=application, approvals=approvals, offers=offers,
                       other=other, packages=packages)  # fmt: skip


def text_of(drafts: list[OutboundDraft]) -> str:
    return "\n".join(d.payload["content"] for d in drafts if d.payload.get("kind") == "text")


async def rows(channel: str) -> list[OutboxMessage]:
    return list(await OutboxMessage.filter(channel=channel).order_by("id"))


async def test_hr_gets_the_package_card_and_others_are_refused(world: OffersWorld) -> None:
    drafts = await start(world, f"发offer 张三 入职{START.isoformat()}")
    card = card_of(drafts)
    values = {h["keyname"]: h["value"] for h in card["horizontal_content_list"]}
    assert values["月薪（税前）"] == "12,000.00 元" and values["每月补贴"] == "800.00 元"
    assert values["预计税后/月"] == "约 10,240.00 元" and values["公司成本/月"] == "约 16,640.00 元"
    assert [b["text"] for b in card["button_list"]] == ["提交审批", "取消"]
    offer = await Offer.get(application_id=world.application.id)
    assert offer.status == "draft" and offer.base_salary == D(12000) and offer.city == "shanghai"
    assert offer.start_date == START and offer.created_by == "lina"

    denied = await start(world, "发offer 张三", userid="wangqiang")
    assert "需要 HR 权限" in text_of(denied)
    assert await AuditLog.filter(actor="wangqiang", action="offer_start", allowed=False).exists()
    assert not await AuditLog.filter(subject_id__contains="张三").exists()  # no name in clear
    assert await Offer.all().count() == 1


async def test_figures_typed_by_hr_and_what_is_missing(world: OffersWorld) -> None:
    other = await Candidate.create(name="李四")
    await Application.create(candidate=other, job=world.other)
    assert "请写明月薪和入职日期" in text_of(await start(world, "发offer 李四"))
    assert "请补充入职日期" in text_of(await start(world, "发offer 李四 月薪20000"))
    # Every example start date in the hints is ahead of today, whatever today is.
    today = clock.now().astimezone(TZ).date()
    for text in (
        "发offer 李四",
        "发offer 李四 月薪20000",
        "发offer 李四 入职2030-02-30",
        "发offer",
    ):
        hint = text_of(await start(world, text))
        days = [date.fromisoformat(d) for d in re.findall(r"入职(\d{4}-\d{2}-\d{2})", hint)]
        assert days and all(d >= today + timedelta(days=14) and d.day == 1 for d in days), hint
    low = await start(world, "发offer 李四 月薪2000 入职2030-03-18")
    assert "低于最低工资" in text_of(low) and "发 offer 的用法" in text_of(low)
    assert "没有城市「火星」" in text_of(
        await start(world, "发offer 李四 月薪2万 入职3月1日 城市火星")
    )
    card = card_of(await start(world, "发offer 李四 月薪2万 年终1个月 入职2030-03-18"))
    assert "HR 填写" in card["main_title"]["desc"]
    offer = await Offer.get(application__candidate_id=other.id)
    assert offer.city == "beijing" and offer.base_salary == D(20000) and offer.version == 1
    # A revision keeps the draft's other figures and makes the old card stale.
    revised = card_of(await start(world, "发offer 李四 补贴1000"))
    offer = await Offer.get(id=offer.id)
    assert offer.version == 2 and offer.allowances == D(1000) and offer.base_salary == D(20000)
    assert revised["task_id"] != card["task_id"]
    assert "没有找到" in text_of(await start(world, "发offer 王五"))


async def test_same_name_twice_asks_for_the_job(world: OffersWorld) -> None:
    twin = await Candidate.create(name="张三")
    await Application.create(candidate=twin, job=world.other)
    assert "有多个应聘中的岗位" in text_of(await start(world, "发offer 张三"))
    card = card_of(await start(world, "发offer 张三 大客户经理 月薪3万 入职2030-03-18"))
    assert card["main_title"]["title"].endswith("大客户经理")


async def test_submit_queues_one_applyevent_and_stale_cards_do_nothing(
    world: OffersWorld,
) -> None:
    offers = world.offers
    first = card_of(await start(world, f"发offer 张三 入职{START.isoformat()}"))
    second = card_of(await start(world, "发offer 张三 月薪13000"))
    stale = await offers.on_card_click(click("lina", first["button_list"][0]["key"]))
    assert "已被修改" in text_of(stale) and await rows("wecom.approval") == []
    denied = await offers.on_card_click(click("wangqiang", second["button_list"][0]["key"]))
    assert "需要 HR 权限" in text_of(denied) and await rows("wecom.approval") == []

    done = await offers.on_card_click(click("lina", second["button_list"][0]["key"]))
    # One message in all (审批中, once WeCom numbers it): the click only redraws the card,
    # which keeps the offer's content and shows the new state.
    [update] = done
    assert update.payload["kind"] == "template_card_update" and text_of(done) == ""
    settled = update.payload["card"]
    assert settled["main_title"] == {**second["main_title"], "desc": "已提交审批"}
    assert settled["horizontal_content_list"] == second["horizontal_content_list"]
    assert [b["text"] for b in settled["button_list"]] == ["已提交审批"]
    assert "审批结果会以消息通知您" in settled["sub_title_text"]
    again = await offers.on_card_click(click("lina", second["button_list"][0]["key"]))
    assert "无需再操作" in text_of(again)
    [row] = await rows("wecom.approval")
    assert row.payload["base_salary"] == "13000.00" and row.payload["creator"] == "lina"
    assert row.payload["candidate"] == "张三" and row.payload["start_date"] == START.isoformat()
    assert (await Offer.get(id=row.payload["offer_id"])).status == "submitting"
    # No second offer while one is in flight.
    assert "已有一份提交中的 offer" in text_of(await start(world, "发offer 张三"))


async def test_approval_hands_off_once_and_never_moves_back(world: OffersWorld) -> None:
    approvals = world.approvals
    offer = await submitted_offer(world)
    assert offer.status == "pending_approval" and offer.sp_no == "SP1"
    assert "审批中" in (await rows("wecom.message"))[-1].payload["content"]

    for _ in range(2):  # two distinct deliveries of the same decision
        assert await approvals.on_approval(approval("SP1", 2, 2, speech="同意")) == []
    assert (await Offer.get(id=offer.id)).status == "approved"
    application = await Application.get(id=world.application.id)
    assert application.status == ApplicationStatus.OFFER
    letter, _ask = await rows("candidate.message")
    assert letter.recipient == f"candidate:{application.candidate_id}"  # type: ignore[attr-defined]
    text = letter.payload["content"]
    assert "销售代表" in text and "2030年3月18日" in text and "12,000.00" in text
    assert "接受offer" in text and "李娜" in text and "24,000.00" in text
    ehr = await rows("ehr")
    assert [r.payload["op"] for r in ehr] == ["archive", "employee"]
    assert ehr[0].payload["record"]["decision"] == "offer"
    assert ehr[1].payload["record"]["start_date"] == START.isoformat()
    [payroll] = await rows("payroll")
    assert payroll.payload == {"employee_ref": f"application-{application.id}", "name": "张三",
                               "start_date": START.isoformat(), "city": "shanghai",
                               "base": "12000.00", "bonus_months": "2.00",
                               "allowances": "800.00"}  # fmt: skip
    hr = [r.payload["content"] for r in await rows("wecom.message")]
    assert sum("offer 已通过" in t for t in hr) == 1

    await approvals.on_approval(approval("SP1", 1, 10))  # a late 审批中 (a comment)
    assert (await Offer.get(id=offer.id)).status == "approved"
    await approvals.on_approval(approval("SP1", 6, 8))
    assert (await Offer.get(id=offer.id)).status == "withdrawn_after_approval"
    await approvals.on_approval(approval("SP1", 2, 2))  # 2 after 6: ignored
    assert (await Offer.get(id=offer.id)).status == "withdrawn_after_approval"
    hr = [r.payload["content"] for r in await rows("wecom.message")]
    assert sum("通过后撤销" in t for t in hr) == 1
    assert "候选人此前已收到" in hr[-1] and "不会再自动联系候选人" in hr[-1]
    await approvals.on_approval(approval("SP1", 7, 0))
    assert (await Offer.get(id=offer.id)).status == "deleted"
    assert len(await rows("candidate.message")) == 2 and len(await rows("payroll")) == 1
    history = await OfferEvent.filter(offer_id=offer.id, action="approval").order_by("id")
    ignored = [e for e in history if e.detail.get("ignored")]
    assert [e.sp_status for e in ignored] == [2, 1, 2]
    assert history[-1].to_status == "deleted"


async def test_a_redelivered_callback_is_recorded_once(world: OffersWorld) -> None:
    approvals = world.approvals
    offer = await submitted_offer(world)
    event = approval("SP1", 3, 3, speech="预算不足", by="chenjing")
    await approvals.on_approval(event)
    await approvals.on_approval(event)
    assert await OfferEvent.filter(offer_id=offer.id, source="wecom").count() == 1
    assert (await Offer.get(id=offer.id)).status == "rejected"
    text = (await rows("wecom.message"))[-1].payload["content"]
    assert "被驳回" in text and "审批意见（陈静）：预算不足" in text
    for channel in ("candidate.message", "ehr", "payroll"):
        assert await rows(channel) == []
    # A new offer may be started after a rejection.
    assert card_of(await start(world, f"发offer 张三 入职{START.isoformat()}"))


async def test_a_decision_before_the_number_is_kept_then_applied(world: OffersWorld) -> None:
    approvals = world.approvals
    offer = await submitted_offer(world, sp_no="")
    await approvals.on_approval(approval("SP9", 2, 2))  # WeCom was faster than our answer
    held = await OfferEvent.get(sp_no="SP9")
    assert held.offer_id is None and held.applied is False  # type: ignore[attr-defined]
    assert (await Offer.get(id=offer.id)).status == "submitting"
    offers = world.offers
    await offers.submitted(offer.id, "SP9")
    await offers.submitted(offer.id, "SP9")  # a retried delivery
    assert (await Offer.get(id=offer.id)).status == "approved"
    assert len(await rows("candidate.message")) == 2 and len(await rows("payroll")) == 1
    assert (await OfferEvent.get(id=held.id)).applied is True


async def test_early_withdrawal_after_approval_sends_nothing_to_the_candidate(
    world: OffersWorld,
) -> None:
    approvals = world.approvals
    offer = await submitted_offer(world)
    await approvals.on_approval(approval("SP1", 6, 8))  # the 已通过 callback is still on its way
    await approvals.on_approval(approval("SP1", 2, 2))
    assert (await Offer.get(id=offer.id)).status == "withdrawn_after_approval"
    assert await rows("candidate.message") == [] and await rows("payroll") == []
    text = (await rows("wecom.message"))[-1].payload["content"]
    assert "通过后撤销" in text and "候选人此前已收到" not in text


@pytest.mark.parametrize(
    ("status", "event", "final", "says"),
    [(4, 6, "withdrawn", "已撤销"), (7, 0, "deleted", "已删除"), (10, 0, "approved", "已通过")],
)
async def test_other_statuses(
    world: OffersWorld, status: int, event: int, final: str, says: str
) -> None:
    approvals = world.approvals
    offer = await submitted_offer(world)
    await approvals.on_approval(approval("SP1", status, event))
    assert (await Offer.get(id=offer.id)).status == final
    assert says in (await rows("wecom.message"))[-1].payload["content"]
    assert len(await rows("candidate.message")) == (2 if final == "approved" else 0)


async def test_unknown_approval_is_kept_and_ignored(world: OffersWorld) -> None:
    approvals = world.approvals
    assert await approvals.on_approval(approval("LEAVE-42", 2, 2)) == []
    held = await OfferEvent.get(sp_no="LEAVE-42")
    assert held.applied is False and held.sp_status == 2
    assert await OutboxMessage.all().count() == 0


async def test_refusal_keeps_a_draft_and_tells_hr(world: OffersWorld) -> None:
    offers = world.offers
    offer = await submitted_offer(world, sp_no="")
    await offers.refused(offer.id, 301025, "invalid apply_data")
    await offers.refused(offer.id, 301025, "invalid apply_data")  # retried: no second message
    refused = await Offer.get(id=offer.id)
    assert refused.status == "draft" and refused.version == offer.version + 1
    assert refused.error.startswith("301025") and refused.sp_no is None
    [told] = [r for r in await rows("wecom.message") if "301025" in r.payload["content"]]
    assert told.recipient == "lina" and "仍是草稿" in told.payload["content"]
    # HR fixes it and submits again: a new request row.
    card = card_of(await start(world, "发offer 张三"))
    await offers.on_card_click(click("lina", card["button_list"][0]["key"]))
    assert len(await rows("wecom.approval")) == 2
    await offers.refused(refused.id, 301055, "no permission")
    assert "301055" in (await rows("wecom.message"))[-1].payload["content"]


async def test_cancel_closes_the_draft(world: OffersWorld) -> None:
    offers = world.offers
    card = card_of(await start(world, f"发offer 张三 入职{START.isoformat()}"))
    drafts = await offers.on_card_click(click("lina", card["button_list"][1]["key"]))
    assert "已取消" in text_of(drafts)
    assert (await Offer.get(application_id=world.application.id)).status == "cancelled"
    await offers.on_card_click(click("lina", card["button_list"][0]["key"]))
    assert await rows("wecom.approval") == []


async def test_erased_candidate_gets_nothing_and_hr_is_told(world: OffersWorld) -> None:
    approvals = world.approvals
    offer = await submitted_offer(world)
    await Candidate.filter(id=world.application.candidate_id).update(erased_at=clock.now())
    await approvals.on_approval(approval("SP1", 2, 2))
    assert (await Offer.get(id=offer.id)).status == "approved"
    assert "个人信息已删除" in (await rows("wecom.message"))[-1].payload["content"]
    for channel in ("candidate.message", "ehr", "payroll"):
        assert await rows(channel) == []


async def test_the_candidate_answers_the_letter_once(world: OffersWorld) -> None:
    """The letter's 接受offer tap (any route) is recorded once; HR is told once; a repeated
    delivery is silent, a second different tap is told it was already answered; someone
    else's tap, or a tap after 通过后撤销, changes nothing."""
    approvals = world.approvals
    offer = await submitted_offer(world)
    await approvals.on_approval(approval("SP1", 2, 2))
    letter, ask = await rows("candidate.message")
    assert "录用邀请" in letter.payload["content"] and letter.payload["kind"] == "text"
    assert ask.payload["kind"] == "choices" and ask.payload["subject"] == f"offer:{offer.id}"
    assert [c["key"] for c in ask.payload["choices"]] == ["accept", "decline"]
    cid = world.application.candidate_id
    answers = OfferAnswers()
    subject = ask.payload["subject"]
    stranger = await Candidate.create(name="李四")
    refused = await answers(stranger.id, subject, "accept", source_id="kf:x", text="")
    assert refused.result == "unknown" and (await Offer.get(id=offer.id)).answered_at is None

    taps = await asyncio.gather(
        *(answers(cid, subject, "accept", source_id="kf:1", text="接受offer") for _ in range(3))
    )
    assert sorted(t.result for t in taps) == ["duplicate", "duplicate", "offer_accept"]
    again = await answers(cid, subject, "decline", source_id="app:2", text="")
    assert again.result == "already" and "接受offer" in again.message
    stored = await Offer.get(id=offer.id)
    assert stored.candidate_answer == "accept" and stored.answered_at is not None
    hr = [r.payload["content"] for r in await rows("wecom.message")]
    assert sum("接受了「销售代表」的 offer" in t for t in hr) == 1
    to_candidate = [r.payload["content"] for r in await rows("candidate.message")][2:]
    assert len(to_candidate) == 3 and "欢迎加入" in to_candidate[1]

    await approvals.on_approval(approval("SP1", 6, 8))
    late = await answers(cid, subject, "decline", source_id="kf:3", text="")
    assert late.result == "closed" and "通过后撤销" in late.message


async def test_an_odd_offer_number_in_the_subject_is_unknown(world: OffersWorld) -> None:
    """A subject whose number is not an ASCII id that fits the column (², ١, 40 digits) is
    an unknown offer, not a ValueError or a database overflow."""
    cid = world.application.candidate_id
    for odd in ("offer:²", "offer:١", "offer:" + "9" * 40):
        told = await OfferAnswers()(cid, odd, "accept", source_id="kf:odd", text="")
        assert told.result == "unknown"


async def test_stale_city_data_is_said_on_the_card_and_the_approval_form(
    world: OffersWorld,
) -> None:
    clean = card_of(await start(world, f"发offer 张三 入职{START.isoformat()}"))
    assert clean["sub_title_text"].startswith("税后与成本为薪酬系统估算")
    notice = "注意：上海2030年7—12月的社保基数尚未收录，按上一期估算。"
    world.packages.notice = notice
    card = card_of(await start(world, "发offer 张三 月薪13000"))
    assert card["sub_title_text"].startswith(notice)
    offers = world.offers
    done = await offers.on_card_click(click("lina", card["button_list"][0]["key"]))
    assert text_of(done) == ""
    [row] = await rows("wecom.approval")
    assert row.payload["note"].endswith(f"；{notice}")


async def test_what_hr_reads_about_an_offer_names_no_number(world: OffersWorld) -> None:
    """The card, the replies to its buttons, the approval form's note and the answer notice
    say whose offer it is; an internal offer number (``offer #7``, ``草稿 #7``) is nothing a
    person can use."""
    offers = world.offers
    card = card_of(await start(world, f"发offer 张三 入职{START.isoformat()}"))
    submitted = await offers.on_card_click(click("lina", card["button_list"][0]["key"]))
    again = await offers.on_card_click(click("lina", card["button_list"][0]["key"]))
    in_flight = await start(world, "发offer 张三")
    [update] = submitted
    shown = [*display_strings(card), *display_strings(update.payload["card"]), text_of(again),
             text_of(in_flight)]  # fmt: skip
    [request] = await rows("wecom.approval")
    shown.append(request.payload["note"])
    offer = await Offer.get(application_id=world.application.id)
    await offers.submitted(offer.id, "SP1")
    await world.approvals.on_approval(approval("SP1", 2, 2))
    subject = f"offer:{offer.id}"
    await OfferAnswers()(world.application.candidate_id, subject, "accept", source_id="kf:1",
                         text="接受offer")  # fmt: skip
    shown += [r.payload["content"] for r in await rows("wecom.message")]
    assert "无需再操作" in text_of(again) and "已有一份提交中的 offer" in text_of(in_flight)
    assert any("接受了「销售代表」的 offer" in s for s in shown)
    for text in shown:
        assert "#" not in text and problems(text) == [], text
