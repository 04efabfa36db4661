"""What candidates say back, whichever way they say it: a 微信客服 message (a tapped msgmenu
item or typed text), an answer in the mini-app inbox, or adding the recruiter on WeChat
through an invitation's contact way (which binds that route to the candidate).

A candidate reached only by the recruiter's external-contact route cannot answer through
the app callback (WeCom does not forward customers' chats to apps): their invitation points
to the mini-app and to 微信客服, where the answer arrives as above.

A chosen answer goes by its key (``invite.confirm:12``, ``offer.accept:42``…) through the
table in ``answer_routes``; a key nobody owns is logged and answered politely. Text with an
invitation code binds 微信客服 to that candidate;
other typed text goes to ``FreeText``: to the open offer, survey or invitation it answers,
or to HR (see ``free_text`` for the precedence).
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

from recruiting.domain.inbound import ExternalContactChange, Inbound
from recruiting.domain.invitation_answers import read_answer
from recruiting.domain.routing import Route, RouteTable, answer_key
from recruiting.errors import Forbidden, InvalidInput, NotFound
from recruiting.models import OPEN_INVITATION, CandidateMessage, InterviewInvitation
from recruiting.ports.outbound import OutboundDraft
from recruiting.services.candidate_channel import contacts
from recruiting.services.candidate_channel.free_text import FreeText
from recruiting.services.invitations import messages as msg
from recruiting.services.invitations.lifecycle import InterviewInvitations, Outcome
from recruiting.services.messaging.answer_routes import AnswerHandler, answer_routes
from recruiting.services.shared.sessions import Principal

log = logging.getLogger(__name__)

REFERENCE = re.compile(r"\biv[0-9a-f]{10}\b")
BOUND_TEXT = (
    "您好，已收到。之后的面试通知会通过这里发给您，也可以直接在这里回复「确认」「改期」或「拒绝」。"
)


class CandidateAnswers:
    def __init__(
        self,
        invitations: InterviewInvitations,
        routes: RouteTable[AnswerHandler] | None = None,
        free_text: FreeText | None = None,
    ) -> None:
        self._invitations = invitations
        self._routes = routes or answer_routes(invitations)
        self._free_text = free_text or FreeText(invitations)

    async def choice(
        self, candidate_id: int, route: Route[AnswerHandler], *, source_id: str, text: str
    ) -> Outcome:
        """A chosen answer, to the handler its key names."""
        if route.legacy:
            log.info("candidate answer with a legacy key read as %s", route.key)
        return await route.handler(candidate_id, route.key, source_id=source_id, text=text)

    async def kf_message(
        self, open_kfid: str, kf_user: str, msgid: str, text: str, menu_id: str, sent_at: datetime
    ) -> Outcome | None:
        """One customer message synced from 微信客服; None when the sender is unknown."""
        candidate_id = await contacts.candidate_by_user(kf_user)
        reference = REFERENCE.search(text)
        if candidate_id is None and reference is not None:
            invitation = await InterviewInvitation.get_or_none(reference=reference.group(0))
            candidate_id = int(invitation.candidate_id) if invitation else None
        if candidate_id is None:
            log.info("kf message from an unbound customer; nothing to answer")
            return None
        await contacts.kf_heard(candidate_id, open_kfid, kf_user, sent_at)
        route = self._routes.resolve(menu_id) if menu_id else None
        if route is not None:
            return await self.choice(candidate_id, route, source_id=f"kf:{msgid}", text=text)
        if menu_id:  # not ours to read: the item's text is taken as typed
            log.warning("kf menu item with an unrouted key %r; read as text", menu_id)
        if reference is None:
            return await self._free_text(candidate_id, text, source_id=f"kf:{msgid}")
        answer = read_answer(REFERENCE.sub("", text))
        if answer is None:
            return await self._acknowledge(candidate_id, msgid)
        return await self._invitations.answer(
            candidate_id, answer, source_id=f"kf:{msgid}", text=text
        )

    async def _acknowledge(self, candidate_id: int, msgid: str) -> Outcome:
        async with self._invitations.effects.unit() as unit:
            drafts = [msg.candidate_text(candidate_id, BOUND_TEXT, "bound")]
            await unit.add(drafts, cause=f"kf-bound:{msgid}")
        return Outcome("bound", BOUND_TEXT)

    async def on_external_contact(self, event: Inbound) -> list[OutboundDraft]:
        """Handler for ``external_contact`` callbacks (only additions bind a route)."""
        if isinstance(event, ExternalContactChange) and event.change_type == "add_external_contact":
            await self.contact_added(event.user_id, event.external_user_id, event.state)
        return []

    async def contact_added(self, recruiter: str, external_userid: str, state: str) -> bool:
        """A candidate added ``recruiter`` through an invitation's contact way: bind the
        route, and send the still-open invitation through it. False: not our contact way."""
        invitation = await InterviewInvitation.get_or_none(reference=state) if state else None
        if invitation is None or not external_userid:
            return False
        candidate_id = int(invitation.candidate_id)
        await contacts.bind_external(candidate_id, external_userid, recruiter)
        if invitation.status in OPEN_INVITATION:
            view = await self._invitations.view(invitation)
            draft = msg.invitation_draft(view, self._invitations.zone, "again")
            payload = {k: v for k, v in draft.payload.items() if k != "bind"}
            resend = OutboundDraft(draft.channel, draft.recipient, payload, draft.key)
            async with self._invitations.effects.unit() as unit:
                await unit.add([resend], cause=f"invite:{invitation.id}:via:{external_userid}")
        return True

    async def inbox(self, principal: Principal) -> list[dict[str, Any]]:
        """The candidate's messages, newest first (what the mini-app shows)."""
        candidate_id = _candidate(principal)
        return [_message_json(m) for m in await contacts.inbox(candidate_id)]

    async def answer_in_app(self, principal: Principal, message_id: int, key: str) -> Outcome:
        candidate_id = _candidate(principal)
        message = await CandidateMessage.get_or_none(id=message_id, candidate_id=candidate_id)
        if message is None:
            raise NotFound(f"message {message_id} not found")
        keys = {str(c.get("key")) for c in message.payload.get("choices") or []}
        if key not in keys:
            raise InvalidInput(
                f"choose one of {sorted(keys)}" if keys else "this message asks nothing",
                code="invalid_choice",
            )
        await CandidateMessage.filter(id=message.id).update(answer_key=key[:64])
        source_id = f"app:{message.id}:{key}"
        route = self._routes.resolve(answer_key(message.subject, key))
        if route is None:
            log.warning("mini-app answer %r to message %s (%r) has no route",
                        key, message.id, message.subject)  # fmt: skip
            return await self._invitations.not_understood(candidate_id, source_id, key)
        return await self.choice(candidate_id, route, source_id=source_id, text=key)


def _candidate(principal: Principal) -> int:
    if principal.candidate_id is None:
        raise Forbidden("only a candidate has messages here; redeem your invitation first")
    return int(principal.candidate_id)


def _message_json(m: CandidateMessage) -> dict[str, Any]:
    p = m.payload
    return {
        "id": m.id,
        "kind": str(p.get("kind") or "text"),
        "content": str(p.get("content") or ""),
        "choices": list(p.get("choices") or []),
        "subject": m.subject,
        "route": m.route,
        "answer": m.answer_key or None,
        "created_at": m.created_at.isoformat(),
    }
