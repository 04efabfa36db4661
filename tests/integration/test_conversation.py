"""The bot's first words: exactly one reply per text, help in Chinese, strangers sent to HR."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from recruiting.models import (
    Application,
    Candidate,
    Interview,
    InterviewAssignment,
    InterviewRound,
    JobOpening,
    Staff,
)
from recruiting.services.demo import seed_demo_staff
from recruiting.services.messaging.conversation import HELP_TEXT, UNKNOWN_MEMBER, Conversation
from tests.integration.staff_chat import said

BOT = Conversation(ZoneInfo("Asia/Shanghai"))


async def test_help_for_staff(database: str) -> None:
    await seed_demo_staff()
    [reply] = await BOT.on_text(said("lina", " 帮助 "))
    assert reply.recipient == "lina" and reply.payload == {"kind": "text", "content": HELP_TEXT}
    assert "我的面试" in HELP_TEXT


async def test_not_understood_gets_help(database: str) -> None:
    await seed_demo_staff()
    [reply] = await BOT.on_text(said("lina", "今天天气怎么样"))
    assert reply.payload["content"].startswith("抱歉，没有理解「今天天气怎么样」")
    assert reply.payload["content"].endswith(HELP_TEXT)


async def test_unknown_and_inactive_members_are_sent_to_hr(database: str) -> None:
    await Staff.create(wecom_userid="gone", name="离职", roles=["hr"], active=False)
    for user in ("visitor", "gone"):
        [reply] = await BOT.on_text(said(user, "帮助"))
        assert reply.payload["content"] == UNKNOWN_MEMBER and reply.recipient == user


async def test_my_interviews_lists_open_assignments(database: str) -> None:
    await seed_demo_staff()
    wang = await Staff.get(wecom_userid="wangqiang")
    job = await JobOpening.create(code="SE-1", title="后端工程师")
    rnd = await InterviewRound.create(job=job, name="技术一面")
    app = await Application.create(candidate=await Candidate.create(name="刘洋"), job=job)
    when = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    interview = await Interview.create(application=app, round=rnd, starts_at=when)
    await InterviewAssignment.create(interview=interview, interviewer=wang)
    [reply] = await BOT.on_text(said("wangqiang", "我的面试"))
    assert "11-23 10:00 后端工程师 · 技术一面" in reply.payload["content"]
    interview.status = "cancelled"  # type: ignore[assignment]
    await interview.save()
    [reply] = await BOT.on_text(said("wangqiang", "我的面试"))
    assert reply.payload["content"] == "您目前没有尚未结束的面试。"
