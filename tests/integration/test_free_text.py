"""Typed candidate text in 微信客服 on SQLite and PostgreSQL: routed to the open offer,
survey or invitation by the documented precedence, ambiguous offer text asked about,
anything unplaceable forwarded to HR (recorded, audited), each delivery acted on once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from recruiting import clock
from recruiting.domain.routing import answer_key
from recruiting.models import (
    AuditLog,
    CandidateReply,
    Consent,
    Interview,
    InterviewInvitation,
    InterviewRound,
    Offer,
    OutboxMessage,
    Staff,
    SurveyResponse,
)
from recruiting.ports.outbound import Channel
from recruiting.services.personal_data.talent_pool import THANKS, in_talent_pool
from tests.integration.free_text_world import (
    FreeTextWorld,
    invited,
    rejected_and_asked_about_the_pool,
    typed,
    world,
)
from tests.integration.offer_world import approval, submitted_offer

__all__ = ["world"]  # the fixture

CLOSED = "已取消或结束"


async def approved_offer(world: FreeTextWorld) -> Offer:
    offer = await submitted_offer(world)
    await world.approvals.on_approval(approval("SP1", 2, 2))
    return offer


async def surveyed(world: FreeTextWorld) -> SurveyResponse:
    round_ = await InterviewRound.create(job=world.job, name="初试", duration_minutes=30)
    await Interview.create(application=world.application, round=round_, status="completed",
                           completed_at=clock.now() - timedelta(minutes=20))  # fmt: skip
    surveys = world.surveys
    assert await surveys._surveys.send_due_surveys() == 1
    return await SurveyResponse.get(respondent="candidate")


async def to(channel: str) -> list[str]:
    rows = await OutboxMessage.filter(channel=channel).order_by("id")
    return [str(r.payload.get("content") or r.payload.get("card", "")) for r in rows]


async def test_offer_accepted_by_typing_once_and_hr_told(world: FreeTextWorld) -> None:
    offer = await approved_offer(world)
    before = len(await to("wecom.message"))
    done = await asyncio.gather(*(typed(world, "接受offer", "dup") for _ in range(3)))
    assert sorted(d.result for d in done) == ["duplicate", "duplicate", "offer_accept"]
    assert (await typed(world, "接受offer", "dup")).result == "duplicate"
    stored = await Offer.get(id=offer.id)
    assert stored.candidate_answer == "accept" and stored.answered_at is not None
    hr = (await to("wecom.message"))[before:]
    assert len(hr) == 1 and "张三接受了「销售代表」的 offer" in hr[0]
    assert "欢迎加入" in (await to(Channel.CANDIDATE))[-1]
    # Typed again with another message: already answered, never "interview cancelled".
    again = await typed(world, "我接受")
    assert again.result == "already" and CLOSED not in again.message


@pytest.mark.parametrize("text", ["不接受", "拒绝offer"])
async def test_offer_declined_by_typing(world: FreeTextWorld, text: str) -> None:
    offer = await approved_offer(world)
    assert (await typed(world, text)).result == "offer_decline"
    assert (await Offer.get(id=offer.id)).candidate_answer == "decline"
    assert any("张三婉拒了「销售代表」的 offer" in t for t in await to("wecom.message"))


async def test_ambiguous_offer_text_is_asked_about_not_decided(world: FreeTextWorld) -> None:
    offer = await approved_offer(world)
    hr_before = len(await to("wecom.message"))
    vague = await typed(world, "确认")
    assert vague.result == "offer_unclear" and "接受offer" in vague.message
    ask = await OutboxMessage.filter(channel=Channel.CANDIDATE).order_by("-id").first()
    assert ask is not None and ask.payload["subject"] == f"offer:{offer.id}"
    assert [c["key"] for c in ask.payload["choices"]] == ["accept", "decline"]
    assert len(await to("wecom.message")) == hr_before  # nothing more to tell HR
    conditional = await typed(world, "接受，但希望入职时间推迟一周", "cond")
    assert conditional.result == "offer_unclear" and "已转给 HR（李娜）" in conditional.message
    hr = (await to("wecom.message"))[hr_before:]
    assert len(hr) == 1 and "张三" in hr[0] and "希望入职时间推迟一周" in hr[0]
    assert (await typed(world, "接受，但希望入职时间推迟一周", "cond")).result == "duplicate"
    stored = await Offer.get(id=offer.id)
    assert stored.answered_at is None and stored.candidate_answer == ""
    # The buttons of the question answer it.
    answers = world.answers
    menu_id = answer_key(f"offer:{offer.id}", "accept")
    tapped = await answers.kf_message("wk1", "wm-zs", "tap", "接受offer", menu_id, clock.now())
    assert tapped is not None and tapped.result == "offer_accept"


async def test_survey_comment_before_the_last_question_is_kept(world: FreeTextWorld) -> None:
    row = await surveyed(world)
    early = await typed(world, "等待时间有点长")
    assert early.result == "survey_comment" and "第 1 题" in early.message
    first = await typed(world, "4分", "r1")
    assert first.result == "survey_answer" and "2/3" in first.message
    # The same "4分" synced again is not taken as the answer to question 2.
    assert (await typed(world, "4分", "r1")).result == "duplicate"
    assert (await typed(world, "非常相关")).result == "survey_answer"
    last = await typed(world, "太难")
    assert "之前留下的意见" in last.message
    more = await typed(world, "面试官很专业")
    assert more.result == "survey_comment" and CLOSED not in more.message
    await row.refresh_from_db()
    assert row.answers == {"satisfaction": "4", "relevance": "5", "difficulty": "hard"}
    assert row.comment == "等待时间有点长\n面试官很专业"


async def test_invitation_answers_unchanged_and_the_newest_question_first(
    world: FreeTextWorld,
) -> None:
    """An offer letter, then an invitation: 「确认」 is for the invitation (asked last),
    「接受offer」 for the offer; after the interview is cancelled a typed 「拒绝」 with the
    survey still open is a comment, never "this interview is cancelled"."""
    offer = await approved_offer(world)
    inv = await invited(world)
    confirmed = await typed(world, "确认")
    assert confirmed.result == "confirmed" and confirmed.invitation_id == inv.id
    assert (await Offer.get(id=offer.id)).answered_at is None
    assert (await typed(world, "接受offer")).result == "offer_accept"
    declined = await typed(world, "不去了")
    assert declined.result == "declined"
    await surveyed(world)
    late = await typed(world, "确认")
    assert late.result == "survey_comment" and CLOSED not in late.message
    # With nothing else open, an answer to the cancelled interview is told so, as before.
    await SurveyResponse.filter(respondent="candidate").update(step="")
    assert (await typed(world, "确认")).result == "closed"


async def test_a_remark_after_a_newer_question_is_not_an_older_invitations_answer(
    world: FreeTextWorld,
) -> None:
    inv = await invited(world)
    row = await surveyed(world)  # asked after the invitation
    remark = await typed(world, "整体可以，就是等得有点久")  # holds 可以, a 确认 word
    assert remark.result == "survey_comment"
    assert (await InterviewInvitation.get(id=inv.id)).status == "sent"
    confirmed = await typed(world, "好的，确认参加")  # short: for the older invitation
    assert confirmed.result == "confirmed" and confirmed.invitation_id == inv.id
    await row.refresh_from_db()
    assert row.comment == "整体可以，就是等得有点久"


async def test_unplaceable_text_goes_to_hr_once(world: FreeTextWorld) -> None:
    await approved_offer(world)
    before = len(await to("wecom.message"))
    sent = await asyncio.gather(*(typed(world, "请问体检需要空腹吗？", "q1") for _ in range(3)))
    assert sorted(o.result for o in sent) == ["duplicate", "duplicate", "to_hr"]
    [told] = [o for o in sent if o.result == "to_hr"]
    assert "已转给负责您的 HR（李娜）" in told.message
    hr = (await to("wecom.message"))[before:]
    assert len(hr) == 1
    assert "张三" in hr[0] and "销售代表" in hr[0] and "请问体检需要空腹吗？" in hr[0]
    row = await OutboxMessage.filter(channel="wecom.message").order_by("-id").first()
    assert row is not None and row.recipient == "lina"
    assert await CandidateReply.filter(source_id="kf:q1", outcome="to_hr").count() == 1
    audit = await AuditLog.filter(action="candidate_message_to_hr").all()
    assert len(audit) == 1 and "to=lina" in audit[0].detail and "体检" not in audit[0].detail
    assert (await to(Channel.CANDIDATE))[-1] == told.message
    # The offer stays open: the question was not taken as an answer.
    assert (await Offer.get(application_id=world.application.id)).answered_at is None


async def test_nothing_open_and_no_hr_of_hers_goes_to_hr_managers(world: FreeTextWorld) -> None:
    done = await typed(world, "你好，我想了解一下岗位")
    assert done.result == "to_hr" and "张伟" in done.message
    [row] = await OutboxMessage.filter(channel="wecom.message")
    assert row.recipient == "zhangwei" and CLOSED not in done.message


async def test_with_no_active_hr_she_is_not_told_it_was_passed_on(world: FreeTextWorld) -> None:
    """Nobody to forward to: her words are kept whole with her record, the reply says only
    that it was received, and no message goes to anyone."""
    await Staff.all().update(active=False)
    long = "请问入职前需要准备哪些材料，" * 40  # longer than the old 256-character cut
    done = await typed(world, long, "q-nobody")
    assert done.result == "to_hr"
    assert "已转给" not in done.message and "已收到您的留言" in done.message
    assert await to("wecom.message") == []
    reply = await CandidateReply.get(source_id="kf:q-nobody")
    assert reply.text == long


async def _replies(cid: int) -> list[str]:
    rows = await OutboxMessage.filter(recipient=f"candidate:{cid}").order_by("id")
    return [str(r.payload.get("content") or "") for r in rows]


@pytest.mark.parametrize(
    ("text", "granted"),
    [
        ("同意", True),
        ("好的，同意加入人才库，谢谢", True),
        ("不同意", False),
        ("我不加入了", False),
    ],
)
async def test_the_talent_pool_question_answered_by_typing(
    world: FreeTextWorld, text: str, granted: bool
) -> None:
    """A typed yes / no answers the open talent-pool question as a tap would: the consent
    on the current text, audited, and the candidate told; sent twice, it counts once."""
    cid = world.cid
    await rejected_and_asked_about_the_pool(world)
    outcome = await typed(world, text, "pool-1")
    assert outcome.result == ("pool_grant" if granted else "pool_decline")
    assert await in_talent_pool(cid) is granted
    assert (await _replies(cid))[-1] == THANKS["grant" if granted else "decline"]
    assert not await OutboxMessage.exists(channel="wecom.message")  # nothing went to HR
    assert await AuditLog.filter(action="consent", allowed=True).count() == 1
    again = await typed(world, text, "pool-1")  # the same message synced again
    assert again.result == "duplicate" and await Consent.all().count() == 1


async def test_vague_or_conditional_pool_text_decides_nothing(world: FreeTextWorld) -> None:
    cid = world.cid
    await rejected_and_asked_about_the_pool(world)
    for text in ("好的", "同意，但想先看看有哪些岗位"):
        outcome = await typed(world, text)
        assert outcome.result == "to_hr", text
    assert await Consent.all().count() == 0 and not await in_talent_pool(cid)
    # once decided on this text, 同意 is no longer an answer to it
    assert (await typed(world, "不同意")).result == "pool_decline"
    assert (await typed(world, "同意")).result != "pool_grant"
    assert not await in_talent_pool(cid)
