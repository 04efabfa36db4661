"""Survey answers that arrive through the candidate channel (a tapped 微信客服 menu item, a
mini-app inbox answer, a typed rating or comment), handed to ``Surveys`` and their replies
stored.

The candidate-channel router (``CandidateAnswers``) speaks in ``Outcome``s and a delivery's
``source_id``; ``Surveys`` speaks in drafts. This adapter writes the drafts to the outbox
under the source's id, so a delivery seen twice is answered once; typed answers are also
claimed (``candidate_channel.contacts.claim``) in the transaction of the change, so a duplicate of
「4」 is not taken as the answer to the next question.
"""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from recruiting.models import SurveyResponse
from recruiting.ports.outbound import OutboundDraft
from recruiting.services.after_interview.surveys import Surveys
from recruiting.services.candidate_channel import contacts
from recruiting.services.invitations.lifecycle import Outcome
from recruiting.services.messaging.effects import Effects


class SurveyAnswers:
    def __init__(self, surveys: Surveys, effects: Effects) -> None:
        self._surveys = surveys
        self._effects = effects

    async def __call__(
        self, candidate_id: int, subject: str, key: str, *, source_id: str, text: str
    ) -> Outcome:
        """A choice for a ``survey:…`` subject: the next question, or the comment invitation."""
        drafts = await self._surveys.candidate_answer(candidate_id, subject, key)
        return await self._reply("survey_answer", drafts, source_id)

    async def open_survey(self, candidate_id: int) -> SurveyResponse | None:
        return await self._surveys.open_survey(candidate_id)

    async def typed(
        self, candidate_id: int, row: SurveyResponse, key: str, *, source_id: str, text: str
    ) -> Outcome:
        """A typed option (「4」「很满意」) for the question ``row`` waits for."""
        subject = f"survey:{row.id}:{row.step}"
        try:
            async with self._effects.unit() as unit:
                drafts = await self._surveys.candidate_answer(candidate_id, subject, key)
                await contacts.claim(source_id, candidate_id, text, "survey_answer")
                await unit.add(drafts, cause=f"survey-reply:{source_id}")
        except IntegrityError:
            return Outcome("duplicate", "")
        return _said("survey_answer", drafts)

    async def comment(self, candidate_id: int, text: str, *, source_id: str) -> Outcome | None:
        """Free text while a survey is open (before or after its last question); None when
        none is."""
        try:
            async with self._effects.unit() as unit:
                drafts = await self._surveys.candidate_text(candidate_id, text)
                if drafts is None:
                    return None
                await contacts.claim(source_id, candidate_id, text, "survey_comment")
                await unit.add(drafts, cause=f"survey-reply:{source_id}")
        except IntegrityError:
            return Outcome("duplicate", "")
        return _said("survey_comment", drafts)

    async def _reply(self, result: str, drafts: list[OutboundDraft], source_id: str) -> Outcome:
        async with self._effects.unit() as unit:
            await unit.add(drafts, cause=f"survey-reply:{source_id}")
        return _said(result, drafts)


def _said(result: str, drafts: list[OutboundDraft]) -> Outcome:
    said = "\n".join(str(d.payload.get("content") or "") for d in drafts)
    return Outcome(result, said)
