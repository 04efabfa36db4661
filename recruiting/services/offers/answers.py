"""The candidate's answer to an approved offer: a tap on the letter's 接受offer / 婉拒 (in
微信客服 or the mini-app inbox), routed here by the candidate channel (subject
``offer:<id>``).

The answer is recorded once, by a conditional update (a second tap, or the same tap
delivered twice, changes nothing), audited, and HR is told in chat. Only the candidate the
offer was made to can answer it, and only while it stands approved: after 通过后撤销 or a
deletion the candidate is told to contact HR. Accepting changes no system of record by
itself — the EHR and payroll hand-offs went out at approval; HR acts on a decline.
"""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from recruiting import clock
from recruiting.domain.offer_state import STATUS_NAMES, OfferStatus
from recruiting.models import Application, JobOpening, Offer
from recruiting.models.offers import OfferEvent
from recruiting.ports.queue import TaskQueue
from recruiting.services.invitations.lifecycle import Outcome
from recruiting.services.invitations.messages import candidate_text
from recruiting.services.messaging.conversation import text_reply
from recruiting.services.messaging.effects import Effects, Unit
from recruiting.services.offers import texts as say
from recruiting.services.personal_data.talent_pool import offer_if_undecided
from recruiting.services.shared.audit import Actor, record
from recruiting.validation import is_digits, names_a_row


class OfferAnswers:
    def __init__(self, queue: TaskQueue | None = None) -> None:
        self._effects = Effects(queue)

    async def __call__(
        self, candidate_id: int, subject: str, key: str, *, source_id: str, text: str
    ) -> Outcome:
        offer_id = subject.partition(":")[2]
        known = is_digits(offer_id) and names_a_row(int(offer_id))  # ², 40 digits: none
        offer = await Offer.get_or_none(id=int(offer_id)) if known else None
        application = None
        if offer is not None:
            application = await Application.get_or_none(id=offer.application_id).prefetch_related(
                "candidate", "job"
            )
        actor = Actor(f"candidate:{candidate_id}")
        if offer is None or application is None or application.candidate.id != candidate_id:
            await record(actor, "offer_answer", "offer", offer_id or "-", allowed=False)
            return await self._reply(candidate_id, source_id, "unknown", say.ANSWER_CLOSED.format(
                status="未找到"))  # fmt: skip
        if key not in say.OFFER_CHOICES:
            return await self._reply(candidate_id, source_id, "not_understood",
                                     "请点选「接受offer」或「婉拒」。")  # fmt: skip
        if offer.status != OfferStatus.APPROVED:
            closed = say.ANSWER_CLOSED.format(status=STATUS_NAMES[OfferStatus(offer.status)])
            return await self._reply(candidate_id, source_id, "closed", closed)
        try:
            async with self._effects.unit() as unit:
                outcome = await self._apply(unit, offer, application, key, source_id, actor)
        except IntegrityError:  # the same tap delivered twice at once: the other one has it
            return Outcome("duplicate", "")
        await record(actor, "offer_answer", "offer", offer.id, allowed=True, detail=key)
        return outcome

    async def _apply(
        self,
        unit: Unit,
        offer: Offer,
        application: Application,
        key: str,
        source_id: str,
        actor: Actor,
    ) -> Outcome:
        """Inside the transaction: the event (unique per delivery), then the answer once."""
        candidate_id = application.candidate.id
        _, new = await OfferEvent.get_or_create(
            dedup_key=f"answer:{source_id}"[:160],
            defaults={"offer": offer, "source": "candidate", "actor": actor.id,
                      "action": f"candidate_{key}"},
        )  # fmt: skip
        if not new:
            return Outcome("duplicate", "")
        answered = await Offer.filter(
            id=offer.id, status=OfferStatus.APPROVED, answered_at=None
        ).update(candidate_answer=key, answered_at=clock.now())
        if not answered:
            fresh = await Offer.get(id=offer.id)
            before = say.OFFER_CHOICES.get(fresh.candidate_answer, fresh.candidate_answer)
            reply = say.ANSWER_ALREADY.format(answer=before)
            drafts = [candidate_text(candidate_id, reply, "already")]
            await unit.add(drafts, cause=f"offer-answer:{source_id}")
            return Outcome("already", reply)
        verb = "接受" if key == "accept" else "婉拒"
        job: JobOpening = application.job
        hr = say.HR_ANSWERED.format(candidate=application.candidate.name, verb=verb,
                                    job=job.title, id=offer.id)  # fmt: skip
        reply = say.ANSWER_THANKS[key]
        drafts = [candidate_text(candidate_id, reply, "thanks"), text_reply(offer.created_by, hr)]
        await unit.add(drafts, cause=f"offer-answer:{offer.id}")
        if key == "decline":  # the application ends here: ask about the talent pool
            await offer_if_undecided(unit, candidate_id)
        return Outcome(f"offer_{key}", reply)

    async def _reply(self, candidate_id: int, source_id: str, result: str, text: str) -> Outcome:
        async with self._effects.unit() as unit:
            drafts = [candidate_text(candidate_id, text, result)]
            await unit.add(drafts, cause=f"offer-answer:{source_id}")
        return Outcome(result, text)
