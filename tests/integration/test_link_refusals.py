"""A recording link's refusals tell the candidate what went wrong, in Chinese: before, every
one was an English sentence the web layer replaced by the one text of its code ("邀请无效或
已过期，请联系 HR 重新发送。"), so a candidate opening her link from a second WeChat account
was told to get a new invitation, which would not have helped."""

from __future__ import annotations

import os

import pytest

from recruiting.domain.error_text import for_people, written_for_people
from recruiting.domain.interview_state import InterviewStatus
from recruiting.infra.pii import FieldCipher
from recruiting.models import Candidate, Interview, RecordingLink, SubjectKind
from recruiting.services.recorded.links import LinkInvalid, RecordingLinks
from recruiting.services.shared.sessions import Principal, SessionService
from recruiting.wiring.openings import wire_openings
from tests.integration.round_world import HR, HR_PRINCIPAL, OLD, NoLogin, consenting_candidate


async def _link(code: str, name: str) -> tuple[RecordingLinks, str, int]:
    cipher = FieldCipher({"k": os.urandom(32)}, "k")
    links = RecordingLinks(SessionService(NoLogin(), cipher, 600), 3600)  # type: ignore[arg-type]
    wired = wire_openings()
    job = await wired.openings.create(HR, {"code": f"J-{code}", "title": "销售代表"})
    recorded = await wired.rounds.add(HR, job.id, {"kind": "recorded", "name": "录制面试",
                                                   "questions": [OLD], "deadline_days": 3})  # fmt: skip
    application, _ = await consenting_candidate(job.id, name)
    created = await links.create(HR_PRINCIPAL, application.id, recorded.id)
    return links, created.token, application.candidate_id


def visitor(openid: str) -> Principal:
    return Principal(40, SubjectKind.VISITOR, openid=openid)


def _read(exc: LinkInvalid) -> str:
    assert written_for_people(exc.message), exc.message
    return for_people(exc)


async def test_an_unknown_link_is_invalid_in_chinese(database: str) -> None:
    links, _, _ = await _link("a", "甲")
    with pytest.raises(LinkInvalid) as caught:
        await links.redeem(visitor("o-a"), "no-such-token")
    assert _read(caught.value) == "邀请无效或已过期，请联系 HR 重新发送。"


async def test_a_link_of_another_wechat_account_says_so(database: str) -> None:
    links, token, candidate_id = await _link("b", "乙")
    await Candidate.filter(id=candidate_id).update(wechat_openid="o-first")
    with pytest.raises(LinkInvalid) as caught:
        await links.redeem(visitor("o-second"), token)
    assert "微信" in _read(caught.value)


async def test_a_wechat_account_of_another_candidate_record_is_sent_to_hr(database: str) -> None:
    links, token, _ = await _link("c", "丙")
    await Candidate.create(name="丁", wechat_openid="o-taken")
    with pytest.raises(LinkInvalid) as caught:
        await links.redeem(visitor("o-taken"), token)
    assert "HR" in _read(caught.value)


async def test_a_crash_before_her_record_is_bound_leaves_the_link_unused(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Taking the link, binding her WeChat account and confirming the interview are one
    unit: before, a crash after the link was taken left it used by her, so her retry skipped
    the binding and her record stayed unbound."""
    links, token, candidate_id = await _link("e", "戊")
    real = Candidate.save
    crashed: list[bool] = []

    async def crash_once(self: Candidate, *args: object, **kwargs: object) -> None:
        if not crashed:
            crashed.append(True)
            raise RuntimeError("the process dies")
        await real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Candidate, "save", crash_once)
    with pytest.raises(RuntimeError):
        await links.redeem(visitor("o-e"), token)
    assert await RecordingLink.filter(redeemed_at=None).count() == 1
    _, interview_id = await links.redeem(visitor("o-e"), token)
    assert (await Candidate.get(id=candidate_id)).wechat_openid == "o-e"
    assert (await Interview.get(id=interview_id)).status == InterviewStatus.CONFIRMED
