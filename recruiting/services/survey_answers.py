"""Survey answers that arrive through the candidate channel (a tapped 微信客服 menu item, a
mini-app inbox answer, a typed comment), handed to ``Surveys`` and their replies stored.

The candidate-channel router (``CandidateAnswers``) speaks in ``Outcome``s and a delivery's
``source_id``; ``Surveys`` speaks in drafts. This adapter writes the drafts to the outbox
under the source's id, so a delivery seen twice is answered once.
"""

from __future__ import annotations

from recruiting.ports.outbound import OutboundDraft
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

    async def comment(self, candidate_id: int, text: str, *, source_id: str) -> Outcome | None:
        """Free text while a survey waits for the candidate's comment; None otherwise."""
        drafts = await self._surveys.candidate_text(candidate_id, text)
        if drafts is None:
            return None
        return await self._reply("survey_comment", drafts, source_id)

    async def _reply(self, result: str, drafts: list[OutboundDraft], source_id: str) -> Outcome:
        await self._outbox.queue(await self._outbox.write(drafts, f"survey-reply:{source_id}"))
        said = "\n".join(str(d.payload.get("content") or "") for d in drafts)
        return Outcome(result, said)
