"""The mini-app inbox's refusals read as Chinese written for the candidate: before, the
use case raised English developer's sentences, which the web layer replaced by the generic
text of their kind ("没有找到要访问的内容。"), so the candidate never learnt what was wrong."""

from __future__ import annotations

import pytest

from recruiting.domain.error_text import for_people, written_for_people
from recruiting.errors import Forbidden, InvalidInput, NotFound, RecruitingError
from recruiting.models import SubjectKind
from recruiting.services.shared.sessions import Principal
from tests.integration.free_text_world import FreeTextWorld, candidate, in_inbox, invited, world

__all__ = ["world"]  # the fixture


def _read(exc: RecruitingError) -> str:
    assert written_for_people(exc.message), exc.message
    return for_people(exc)


async def test_an_unknown_message_is_named_as_a_message(world: FreeTextWorld) -> None:
    with pytest.raises(NotFound) as caught:
        await world.answers.answer_in_app(candidate(world.cid), 987654, "confirm")
    assert _read(caught.value) == "没有找到这条消息。"


async def test_a_session_without_a_candidate_is_told_to_open_the_invitation(
    world: FreeTextWorld,
) -> None:
    nobody = Principal(2, SubjectKind.CANDIDATE)
    with pytest.raises(Forbidden) as caught:
        await world.answers.inbox(nobody)
    assert "邀请" in _read(caught.value)


async def test_an_answer_the_message_does_not_offer_is_refused_in_chinese(
    world: FreeTextWorld,
) -> None:
    inv = await invited(world)
    message = await in_inbox(world.cid, f"invite:{inv.id}")
    with pytest.raises(InvalidInput) as caught:
        await world.answers.answer_in_app(candidate(world.cid), message.id, "no-such-key")
    assert caught.value.code == "invalid_choice"
    assert _read(caught.value) == "这个选项已失效，请刷新后重试。"
