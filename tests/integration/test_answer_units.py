"""One candidate answer, one unit of work (SQLite and PostgreSQL): what its arrival records
(the mini-app message's ``answer_key``, the 微信客服 reply window and binding), what its
handler changes and sends, and the claim of its delivery commit together. A crash anywhere
in between leaves nothing behind; the redelivery acts once, and a further one changes
nothing (no second consent, no reopened reply window, no second message).

The crash is injected in the handler's last step: the real step runs (its rows are written
in the still-open transaction), then the process "dies" with an exception nobody handles."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from recruiting import clock
from recruiting.models import (
    AuditLog,
    CandidateContact,
    CandidateMessage,
    CandidateReply,
    Consent,
    Interview,
    InterviewInvitation,
    InvitationStatus,
    OutboxMessage,
)
from recruiting.services.candidate_channel import contacts, free_text
from recruiting.services.candidate_channel.answers import CandidateAnswers
from recruiting.services.invitations import messages as msg
from recruiting.services.invitations.lifecycle import InterviewInvitations
from recruiting.services.messaging.effects import Unit
from recruiting.services.personal_data.talent_pool import THANKS
from tests.integration.free_text_world import (
    FreeTextWorld,
    candidate,
    in_inbox,
    invited,
    rejected_and_asked_about_the_pool,
    typed,
    world,
)

__all__ = ["world"]  # the fixture


class Crash(Exception):
    """The process dies: nothing after the injected step runs, nothing catches this."""


def crash_after(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[str]:
    """The first call of ``owner.name`` does its work, then crashes; later calls pass."""
    real: Callable[..., Any] = getattr(owner, name)
    crashed: list[str] = []

    async def once(*args: Any, **kwargs: Any) -> Any:
        done = await real(*args, **kwargs)
        if not crashed:
            crashed.append(name)
            raise Crash(name)
        return done

    monkeypatch.setattr(owner, name, once)
    return crashed


async def counts(cid: int) -> dict[str, int]:
    return {
        "to_candidate": await OutboxMessage.filter(recipient=f"candidate:{cid}").count(),
        "to_staff": await OutboxMessage.filter(channel="wecom.message").count(),
        "claims": await CandidateReply.all().count(),
        "consents": await Consent.all().count(),
    }


async def test_a_crash_in_an_inbox_answer_leaves_no_answer_without_its_effects(
    world: FreeTextWorld,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Before, ``answer_key`` was written on its own: after a crash the inbox showed the
    invitation answered though nothing was confirmed."""
    cid, answers = world.cid, world.answers
    inv = await invited(world)
    message = await in_inbox(cid, f"invite:{inv.id}")
    before = await counts(cid)
    crashed = crash_after(monkeypatch, InterviewInvitations, "_effects")
    with pytest.raises(Crash):
        await answers.answer_in_app(candidate(cid), message.id, "confirm")
    assert crashed
    assert (await CandidateMessage.get(id=message.id)).answer_key == ""
    assert (await InterviewInvitation.get(id=inv.id)).status == InvitationStatus.SENT
    assert (await Interview.get(id=inv.interview_id)).status == "invited"
    assert await counts(cid) == before

    done = await answers.answer_in_app(candidate(cid), message.id, "confirm")  # the retry
    assert done.result == "confirmed"
    assert (await CandidateMessage.get(id=message.id)).answer_key == "confirm"
    after = await counts(cid)
    assert after == {**before, "to_candidate": before["to_candidate"] + 1,
                     "to_staff": before["to_staff"] + 1, "claims": 1}  # fmt: skip
    again = await answers.answer_in_app(candidate(cid), message.id, "confirm")
    assert again.result == "duplicate" and await counts(cid) == after


async def test_a_crash_after_binding_by_code_binds_nothing_and_the_resync_binds_once(
    world: FreeTextWorld,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Text with the invitation code from a new 微信客服 customer: binding her and telling
    her so are one unit; a re-sync of the same message neither tells her twice nor reopens
    the reply window (which would let the sender exceed WeCom's five replies)."""
    cid, answers = world.cid, world.answers
    inv = await invited(world)
    before = await counts(cid)
    crash_after(monkeypatch, Unit, "add")
    text = f"你好，我是张三 {inv.reference}"
    with pytest.raises(Crash):
        await answers.kf_message("wk1", "wm-new", "code-1", text, "", clock.now())
    contact = await CandidateContact.get(candidate_id=cid)
    assert (contact.kf_external_userid, contact.kf_window_sent) == ("wm-zs", 5)
    assert await counts(cid) == before

    bound = await answers.kf_message("wk1", "wm-new", "code-1", text, "", clock.now())
    assert bound is not None and bound.result == "bound"
    contact = await CandidateContact.get(candidate_id=cid)
    assert (contact.kf_external_userid, contact.kf_window_sent) == ("wm-new", 0)
    told = await OutboxMessage.filter(recipient=f"candidate:{cid}").order_by("-id").first()
    assert told is not None and told.payload["content"] == msg.BOUND_TEXT
    await contacts.kf_sent(cid)  # the acknowledgement went out through 微信客服
    after = await counts(cid)
    again = await answers.kf_message("wk1", "wm-new", "code-1", text, "", clock.now())
    assert again is not None and again.result == "duplicate"
    assert (await CandidateContact.get(candidate_id=cid)).kf_window_sent == 1
    assert await counts(cid) == after


async def test_a_crash_while_typed_text_goes_to_hr_loses_and_doubles_nothing(
    world: FreeTextWorld,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cid = world.cid
    before = await counts(cid)
    crash_after(monkeypatch, free_text, "record")  # the audit, after the forward's drafts
    with pytest.raises(Crash):
        await typed(world, "请问公司地址在哪里？", "hr-1")
    assert await counts(cid) == before
    assert (await CandidateContact.get(candidate_id=cid)).kf_window_sent == 5  # not reopened
    assert not await AuditLog.exists(action="candidate_message_to_hr")

    done = await typed(world, "请问公司地址在哪里？", "hr-1")
    assert done.result == "to_hr"
    after = await counts(cid)
    assert after["to_staff"] == before["to_staff"] + 1 and after["claims"] == 1
    assert (await typed(world, "请问公司地址在哪里？", "hr-1")).result == "duplicate"
    assert await counts(cid) == after
    assert await AuditLog.filter(action="candidate_message_to_hr").count() == 1


async def test_a_talent_pool_tap_counts_once_whatever_crashes_and_repeats(
    world: FreeTextWorld,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``TalentPool.answer`` records the consent, then sends the thanks: a crash between
    them used to keep the consent without the thanks, and every repeat of the tap added a
    consent row. Now the claim of the tap commits with both."""
    cid, answers = world.cid, world.answers
    await rejected_and_asked_about_the_pool(world)
    message = await in_inbox(cid, f"pool:{cid}")
    before = await counts(cid)
    crash_after(monkeypatch, Unit, "add")  # the thanks is written, then the crash
    with pytest.raises(Crash):
        await answers.answer_in_app(candidate(cid), message.id, "grant")
    assert await counts(cid) == before
    assert (await CandidateMessage.get(id=message.id)).answer_key == ""

    done = await answers.answer_in_app(candidate(cid), message.id, "grant")
    assert done.result == "pool_grant"
    after = await counts(cid)
    assert after == {**before, "to_candidate": before["to_candidate"] + 1, "claims": 1,
                     "consents": 1}  # fmt: skip
    thanks = await OutboxMessage.filter(recipient=f"candidate:{cid}").order_by("-id").first()
    assert thanks is not None and thanks.payload["content"] == THANKS["grant"]
    repeats = await asyncio.gather(
        *(answers.answer_in_app(candidate(cid), message.id, "grant") for _ in range(3))
    )
    assert [r.result for r in repeats] == ["duplicate"] * 3
    assert await counts(cid) == after
    assert await AuditLog.filter(action="consent", allowed=True).count() == 1


async def test_the_same_tap_delivered_at_once_is_acted_on_once(
    world: FreeTextWorld,
) -> None:
    """Two deliveries of one tap racing (a double tap, a retried request): one acts, the
    others are duplicates, whichever handler owns the key (this one claims nothing itself)."""
    cid, answers = world.cid, world.answers
    await rejected_and_asked_about_the_pool(world)
    message = await in_inbox(cid, f"pool:{cid}")
    outcomes = await asyncio.gather(
        *(answers.answer_in_app(candidate(cid), message.id, "decline") for _ in range(4))
    )
    assert sorted(o.result for o in outcomes) == ["duplicate"] * 3 + ["pool_decline"]
    assert await Consent.all().count() == 1


def test_the_answers_table_takes_typed_text_once() -> None:
    """Typed text has its entry in the table; a second handler for it is refused."""
    from recruiting.errors import ConfigError
    from recruiting.services.candidate_channel.free_text import FreeText
    from recruiting.services.messaging.answer_routes import INVITE_CODE, TYPED, answer_routes

    invitations: Any = type("Invitations", (), {"effects": None})()
    table = answer_routes(invitations, text=FreeText(invitations))
    assert {INVITE_CODE, TYPED} <= set(table.prefixes)
    with pytest.raises(ConfigError):
        CandidateAnswers(invitations, table, FreeText(invitations))
