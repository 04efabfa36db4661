"""Survey answers that arrive through the candidate channel (a tapped 微信客服 menu item, a
mini-app inbox answer, a typed rating or comment), handed to ``Surveys`` and their replies
stored.

The candidate-channel router (``CandidateAnswers``) speaks in ``Outcome``s and a delivery's
``source_id``; ``Surveys`` speaks in drafts. This adapter writes the drafts to the outbox
under the source's id, so a delivery seen twice is answered once; typed answers are also
claimed (``candidate_contacts.claim``) in the transaction of the change, so a duplicate of
「4」 is not taken as the answer to the next question.
"""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from recruiting.models import SurveyResponse
from recruiting.ports.outbound import OutboundDraft
from recruiting.services import candidate_contacts as contacts
from recruiting.services.followups import Outbox
from recruiting.services.interview_invitations import Outcome
from recruiting.services.surveys import Surveys


class SurveyAnswers:
    def __init__(self, surveys: Surveys, outbox: Outbox) -> None:
        self._surveys = surveys
        self._outbox = outbox

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
            async with in_transaction():
                drafts = await self._surveys.candidate_answer(candidate_id, subject, key)
                await contacts.claim(source_id, candidate_id, text, "survey_answer")
                ids = await self._outbox.write(drafts, f"survey-reply:{source_id}")
        except IntegrityError:
            return Outcome("duplicate", "")
        return await self._done("survey_answer", drafts, ids)

    async def comment(self, candidate_id: int, text: str, *, source_id: str) -> Outcome | None:
        """Free text while a survey is open (before or after its last question); None when
        none is."""
        try:
            async with in_transaction():
                drafts = await self._surveys.candidate_text(candidate_id, text)
                if drafts is None:
                    return None
                await contacts.claim(source_id, candidate_id, text, "survey_comment")
                ids = await self._outbox.write(drafts, f"survey-reply:{source_id}")
        except IntegrityError:
            return Outcome("duplicate", "")
        return await self._done("survey_comment", drafts, ids)

    async def _reply(self, result: str, drafts: list[OutboundDraft], source_id: str) -> Outcome:
        ids = await self._outbox.write(drafts, f"survey-reply:{source_id}")
        return await self._done(result, drafts, ids)

    async def _done(self, result: str, drafts: list[OutboundDraft], ids: list[int]) -> Outcome:
        await self._outbox.queue(ids)
        said = "\n".join(str(d.payload.get("content") or "") for d in drafts)
        return Outcome(result, said)
