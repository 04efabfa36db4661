"""Text a candidate typed (in 微信客服), routed to whatever she has open, or to HR: the
``text.typed`` entry of the answer table (``messaging.answer_routes``).

Open are: an approved offer she has not answered, a survey waiting for her answer or
comment, an invitation still standing (sent, new times offered, or confirmed before the
interview), the talent-pool question she was sent and has not answered on the current
text. Precedence: the open things are tried from the one she was asked most
recently (the newest outbox message to her carrying its subject; the letter's answer
buttons for an offer) to the oldest, and the first that reads the text as meant for it
takes it:

* offer — 接受offer / 婉拒 and variants decide (``domain.typed_answers``); unclear text
  (「确认」, a decision with conditions, both kinds of words) is never decided on: she is
  asked, with the buttons again, and anything more she wrote goes to HR; a question about
  the offer goes to HR;
* survey — the current question's option typed (「4」「很满意」);
* invitation — 确认 / 改期 / 拒绝 / a slot number, as when tapped (text naming the offer is
  not an invitation answer);
* talent pool — exactly a yes (同意, 同意加入) or a no (不同意, 不加入) and nothing else
  (``domain.typed_answers.read_pool_answer``): recorded as the tap would be, and she gets
  the same confirmation.

Something asked earlier than the newest open thing takes only an explicit answer: an offer
a clear decision or text naming the offer, an invitation a short answer (at most ``SHORT``
characters, 「好的，确认参加」) or text naming the interview; so a remark like 「整体可以，
就是等得久」 after the survey's last question is her comment, not a 确认.

Then an open survey keeps the text as her comment (even before its last question). With
nothing open, an offer decision gets "already answered / no longer valid" and an
invitation answer "cancelled / moved" as before. Everything else is forwarded to the
responsible HR in WeCom (``hr_forward``), recorded and audited, and she is told so.

Every path claims the delivery (``kf:<msgid>``) in the transaction of its effects, so a
message synced twice is acted on once.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.exceptions import IntegrityError

from recruiting.domain.interview_state import FINAL
from recruiting.domain.invitation_answers import read_answer
from recruiting.domain.offer_state import OfferStatus
from recruiting.domain.surveys import CANDIDATE_QUESTIONS, question
from recruiting.domain.typed_answers import (
    Reading,
    names_interview,
    names_offer,
    normalize,
    read_offer_answer,
    read_option,
    read_pool_answer,
)
from recruiting.models import (
    Consent,
    ConsentPurpose,
    Interview,
    InterviewInvitation,
    Offer,
    OutboxMessage,
    SurveyResponse,
)
from recruiting.ports.candidate_channel import candidate_recipient
from recruiting.ports.outbound import Channel, OutboundDraft
from recruiting.services.after_interview.survey_answers import SurveyAnswers
from recruiting.services.candidate_channel import contacts, hr_forward
from recruiting.services.invitations.lifecycle import OPEN_STATES, InterviewInvitations, Outcome
from recruiting.services.invitations.messages import candidate_text
from recruiting.services.messaging.answer_routes import ChoiceHandler
from recruiting.services.offers import texts as say
from recruiting.services.offers.answers import OfferAnswers
from recruiting.services.personal_data.talent_pool import current_version
from recruiting.services.shared.audit import Actor, record
from recruiting.validation import is_digits

SHORT = 10  # characters: an answer short enough to be meant for an older question
ASKED_LOOKBACK = 200  # newest outbox messages to the candidate read for the precedence
ABOUT_OFFER = "（这条消息与候选人待答复的 offer 有关）"
SENT_OFFER = (OfferStatus.APPROVED, OfferStatus.WITHDRAWN_AFTER_APPROVAL)


@dataclass(frozen=True)
class OpenThing:
    kind: str  # offer / survey / invitation
    id: int
    asked: int  # id of the newest outbox message asking it; 0 when not found
    survey: SurveyResponse | None = None


class FreeText:
    def __init__(
        self,
        invitations: InterviewInvitations,
        offers: OfferAnswers | None = None,
        surveys: SurveyAnswers | None = None,
        pool: ChoiceHandler | None = None,
    ) -> None:
        self._invitations = invitations
        self._offers = offers or OfferAnswers()
        self._surveys = surveys
        self._pool = pool  # ``TalentPool.answer``, the handler a tap reaches

    async def __call__(
        self, candidate_id: int, text: str, *, source_id: str, via: str = "微信客服"
    ) -> Outcome:
        if await contacts.answered(source_id):
            return Outcome("duplicate", "")
        things = await self.open_things(candidate_id)
        for n, thing in enumerate(things):
            taken = await self._try(thing, n == 0, candidate_id, text, source_id, via)
            if taken is not None:
                return taken
        if self._surveys is not None and any(t.kind == "survey" for t in things):
            comment = await self._surveys.comment(candidate_id, text, source_id=source_id)
            if comment is not None:
                return comment
        if not things:
            late = await self._late(candidate_id, text, source_id)
            if late is not None:
                return late
        return await self._to_hr(candidate_id, text, source_id, via)

    async def open_things(self, candidate_id: int) -> list[OpenThing]:
        """What the candidate has open, most recently asked first."""
        asked = await _asked(candidate_id)
        things = [
            OpenThing("offer", o.id, asked.get(("offer", o.id), 0))
            for o in await Offer.filter(
                application__candidate_id=candidate_id,
                status=OfferStatus.APPROVED,
                answered_at=None,
            )
        ]
        if self._surveys is not None:
            row = await self._surveys.open_survey(candidate_id)
            if row is not None:
                things.append(OpenThing("survey", row.id, asked.get(("survey", row.id), 0), row))
        for inv in await InterviewInvitation.filter(
            candidate_id=candidate_id, status__in=list(OPEN_STATES)
        ):
            interview = await Interview.get(id=inv.interview_id)
            if interview.status not in FINAL:
                things.append(OpenThing("invitation", inv.id, asked.get(("invite", inv.id), 0)))
        pool_asked = asked.get(("pool", candidate_id), 0)
        if (
            self._pool is not None
            and pool_asked
            and not await Consent.exists(
                candidate_id=candidate_id,
                purpose=ConsentPurpose.TALENT_POOL,
                text_version=current_version(),
            )
        ):
            things.append(OpenThing("pool", candidate_id, pool_asked))
        order = {"offer": 0, "survey": 1, "invitation": 2, "pool": 3}  # ties: when not found
        return sorted(things, key=lambda t: (-t.asked, order[t.kind], -t.id))

    async def _try(
        self, thing: OpenThing, newest: bool, candidate_id: int, text: str, source_id: str,
        via: str,
    ) -> Outcome | None:  # fmt: skip
        if thing.kind == "offer":
            reading = read_offer_answer(text)
            if reading.kind == Reading.UNCLEAR and not (newest or names_offer(text)):
                return None  # vague words are for the newer question
            if reading.kind == Reading.DECISION:
                subject = f"offer:{thing.id}"
                return await self._offers(
                    candidate_id, subject, reading.key, source_id=source_id, text=text
                )
            if reading.kind == Reading.UNCLEAR:
                return await self._ask(candidate_id, thing.id, text, source_id, via, reading.extra)
            if reading.kind == Reading.ABOUT:
                return await self._to_hr(candidate_id, text, source_id, via, ABOUT_OFFER)
            return None
        if thing.kind == "survey" and thing.survey is not None and self._surveys is not None:
            q = question(CANDIDATE_QUESTIONS, thing.survey.step)
            key = read_option(q, text) if q is not None else None
            if key is None:
                return None
            return await self._surveys.typed(
                candidate_id, thing.survey, key, source_id=source_id, text=text
            )
        if thing.kind == "pool":
            key = read_pool_answer(text)
            return (
                None if key is None else await self._pool_answer(candidate_id, key, text, source_id)
            )
        if names_offer(text) or not (newest or _short(text) or names_interview(text)):
            return None  # a longer remark is for the newer question
        answer = read_answer(text)
        if answer is None:
            return None
        return await self._invitations.answer(
            candidate_id, answer, subject=f"invite:{thing.id}", source_id=source_id, text=text
        )

    async def _pool_answer(
        self, candidate_id: int, key: str, text: str, source_id: str
    ) -> Outcome | None:
        """The typed yes / no, taken as the tap (``TalentPool.answer``: the consent, its
        audit and the confirmation), with the delivery claimed in the same transaction."""
        assert self._pool is not None
        try:
            async with self._invitations.effects.unit():
                await contacts.claim(source_id, candidate_id, text, f"pool_{key}")
                return await self._pool(
                    candidate_id, f"pool:{candidate_id}", key, source_id=source_id, text=text
                )
        except IntegrityError:  # the same message synced twice at once: the other has it
            return Outcome("duplicate", "")

    async def _late(self, candidate_id: int, text: str, source_id: str) -> Outcome | None:
        """Nothing is open: an answer to something closed is told what became of it."""
        reading = read_offer_answer(text)
        if reading.kind == Reading.DECISION:
            offer = (
                await Offer.filter(application__candidate_id=candidate_id, status__in=SENT_OFFER)
                .order_by("-id")
                .first()
            )
            if offer is not None:
                return await self._offers(
                    candidate_id, f"offer:{offer.id}", reading.key, source_id=source_id, text=text
                )
        answer = None if names_offer(text) else read_answer(text)
        if answer is not None and await InterviewInvitation.exists(candidate_id=candidate_id):
            return await self._invitations.answer(
                candidate_id, answer, source_id=source_id, text=text
            )
        return None

    async def _ask(
        self, candidate_id: int, offer_id: int, text: str, source_id: str, via: str, extra: bool
    ) -> Outcome:
        """Unclear about the offer: ask again with the buttons (and pass on the rest)."""
        forward = None
        if extra:
            forward = await hr_forward.forward(candidate_id, text, via, ABOUT_OFFER)
        if forward is not None:
            names = f"（{forward.names}）" if forward.names else ""
            content = say.ASK_AGAIN_FORWARDED.format(hr=names)
        else:
            content = say.ASK_AGAIN
        ask = OutboundDraft(
            Channel.CANDIDATE,
            candidate_recipient(candidate_id),
            say.answer_choices(offer_id, content),
            "offer-ask",
        )
        drafts = [ask, *(forward.drafts if forward else ())]
        return await self._write(
            candidate_id, text, source_id, "offer_unclear", content, drafts, forward
        )

    async def _to_hr(
        self, candidate_id: int, text: str, source_id: str, via: str, context: str = ""
    ) -> Outcome:
        forward = await hr_forward.forward(candidate_id, text, via, context)
        reply = forward.told()
        drafts = [*forward.drafts, candidate_text(candidate_id, reply, "to-hr")]
        return await self._write(candidate_id, text, source_id, "to_hr", reply, drafts, forward)

    async def _write(
        self,
        candidate_id: int,
        text: str,
        source_id: str,
        result: str,
        reply: str,
        drafts: list[OutboundDraft],
        forward: hr_forward.Forward | None,
    ) -> Outcome:
        try:
            async with self._invitations.effects.unit() as unit:
                await contacts.claim(source_id, candidate_id, text, result)
                await unit.add(drafts, cause=f"free-text:{source_id}")
        except IntegrityError:  # the same message synced twice at once: the other has it
            return Outcome("duplicate", "")
        if forward is not None:
            await record(
                Actor(f"candidate:{candidate_id}"),
                "candidate_message_to_hr",
                "candidate",
                candidate_id,
                allowed=True,
                detail=f"to={','.join(forward.userids) or '-'} as={result} source={source_id}",
            )
        return Outcome(result, reply)


async def _asked(candidate_id: int) -> dict[tuple[str, int], int]:
    """(kind, id) → id of the newest message to the candidate whose subject names it."""
    rows = (
        await OutboxMessage.filter(
            channel=Channel.CANDIDATE, recipient=candidate_recipient(candidate_id)
        )
        .order_by("-id")
        .limit(ASKED_LOOKBACK)
    )
    found: dict[tuple[str, int], int] = {}
    for row in rows:
        payload = row.payload if isinstance(row.payload, dict) else {}
        kind, _, rest = str(payload.get("subject") or "").partition(":")
        ref = rest.partition(":")[0]
        if kind == "slots":
            kind = "invite"
        if kind and is_digits(ref):
            found.setdefault((kind, int(ref)), int(row.id))
    return found


def _short(text: str) -> bool:
    return len(normalize(text)) <= SHORT
