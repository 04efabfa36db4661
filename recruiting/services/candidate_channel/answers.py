"""What candidates say back, whichever way they say it: a 微信客服 message (a tapped msgmenu
item or typed text), an answer in the mini-app inbox, or adding the recruiter on WeChat
through an invitation's contact way (which binds that route to the candidate).

A candidate reached only by the recruiter's external-contact route cannot answer through
the app callback (WeCom does not forward customers' chats to apps): their invitation points
to the mini-app and to 微信客服, where the answer arrives as above.

Who handles an answer is the table in ``answer_routes``: a chosen answer by its key, typed
text by its ``invite.code`` (text with an invitation code, which also binds 微信客服 to that
candidate) and ``text.typed`` (``FreeText``) entries.

Each answer is one unit of work: its arrival (the 微信客服 reply window and binding, or the
inbox message's ``answer_key``), the handler's change and effects, and the claim of its
delivery (``kf:<msgid>``, ``app:<message>:<key>``) commit together or not at all. A crash
anywhere leaves nothing behind, so the redelivery (the kf sync re-reads its page, the
mini-app asks again) acts once; an answer claimed before does nothing, whichever handler
took it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError

from recruiting.domain.inbound import ExternalContactChange, Inbound
from recruiting.domain.invitation_answers import REFERENCE
from recruiting.domain.routing import Route, RouteKey, RouteTable, answer_key, route_key
from recruiting.errors import ConfigError, Forbidden, InvalidInput, NotFound
from recruiting.models import OPEN_INVITATION, Candidate, CandidateMessage, InterviewInvitation
from recruiting.ports.outbound import OutboundDraft
from recruiting.services.candidate_channel import contacts
from recruiting.services.candidate_channel.free_text import FreeText
from recruiting.services.invitations import messages as msg
from recruiting.services.invitations.lifecycle import InterviewInvitations, Outcome
from recruiting.services.messaging.answer_routes import (
    INVITE_CODE,
    TYPED,
    AnswerHandler,
    answer_routes,
    typed_text,
)
from recruiting.services.shared.sessions import Principal

log = logging.getLogger(__name__)

Arrival = Callable[[], Awaitable[None]]
UNROUTED = "answer.unrouted"  # a mini-app answer whose key nobody owns (never routed)


class CandidateAnswers:
    def __init__(
        self,
        invitations: InterviewInvitations,
        routes: RouteTable[AnswerHandler] | None = None,
        free_text: FreeText | None = None,
    ) -> None:
        """``routes``: the table (``answer_routes``); ``free_text``: typed text's handler
        when the table was built without one (by default ``FreeText`` for invitations only)."""
        self._invitations = invitations
        self._effects = invitations.effects
        self._routes = routes or answer_routes(invitations)
        if TYPED not in self._routes.prefixes:
            self._routes.route(TYPED, typed_text(free_text or FreeText(invitations)))
        elif free_text is not None:
            raise ConfigError("typed text has a handler in the table and another one here")
        if INVITE_CODE not in self._routes.prefixes:
            raise ConfigError(f"the answer table has no {INVITE_CODE!r} entry")

    async def kf_message(
        self, open_kfid: str, kf_user: str, msgid: str, text: str, menu_id: str, sent_at: datetime
    ) -> Outcome | None:
        """One customer message synced from 微信客服; None when the sender is unknown."""
        candidate_id = await contacts.candidate_by_user(kf_user)
        code = REFERENCE.search(text)
        if candidate_id is None and code is not None:
            invitation = await InterviewInvitation.get_or_none(reference=code.group(0))
            candidate_id = int(invitation.candidate_id) if invitation else None
        if candidate_id is None:
            log.info("kf message from an unbound customer; nothing to answer")
            return None
        route = self._kf_route(menu_id, code.group(0) if code else "")

        async def heard() -> None:  # opens the reply window; binds her on her first message
            await contacts.kf_heard(candidate_id, open_kfid, kf_user, sent_at)

        return await self._once(candidate_id, route.handler, route.key, f"kf:{msgid}", text, heard)

    def _kf_route(self, menu_id: str, code: str) -> Route[AnswerHandler]:
        """A tapped item by its key; typed text (or an item whose key nobody owns, taken as
        typed) by the table's ``invite.code`` or ``text.typed`` entry."""
        if menu_id:
            route = self._routes.resolve(menu_id)
            if route is not None:
                if route.legacy:
                    log.info("candidate answer with a legacy key read as %s", route.key)
                return route
            log.warning("kf menu item with an unrouted key %r; read as text", menu_id)
        typed = self._routes.resolve(route_key(INVITE_CODE, code) if code else route_key(TYPED))
        assert typed is not None  # both entries are checked at construction
        return typed

    async def _once(
        self,
        candidate_id: int,
        handler: AnswerHandler,
        key: RouteKey,
        source_id: str,
        text: str,
        arrived: Arrival,
    ) -> Outcome:
        """The answer's unit: ``arrived`` (what its arrival records), the handler (whose own
        units join this one) and the claim of ``source_id``, unless it was claimed before.
        One candidate's answers take turns (her row is locked), so a delivery racing its
        own repeat finds it claimed rather than both acting."""
        try:
            async with self._effects.unit():
                await Candidate.select_for_update().filter(id=candidate_id).first()
                if await contacts.answered(source_id):
                    return Outcome("duplicate", "")
                await arrived()
                outcome = await handler(candidate_id, key, source_id=source_id, text=text)
                if not await contacts.answered(source_id):  # the handler claimed nothing
                    await contacts.claim(source_id, candidate_id, text, outcome.result)
                return outcome
        except IntegrityError:
            if await contacts.answered(source_id):  # the same answer, committed meanwhile
                return Outcome("duplicate", "")
            raise

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
        async with self._effects.unit() as unit:  # the binding and the resend, or neither
            await contacts.bind_external(candidate_id, external_userid, recruiter)
            if invitation.status in OPEN_INVITATION:
                view = await self._invitations.view(invitation)
                draft = msg.invitation_draft(view, self._invitations.zone, "again")
                payload = {k: v for k, v in draft.payload.items() if k != "bind"}
                resend = OutboundDraft(draft.channel, draft.recipient, payload, draft.key)
                await unit.add([resend], cause=f"invite:{invitation.id}:via:{external_userid}")
        return True

    async def inbox(self, principal: Principal) -> list[dict[str, Any]]:
        """The candidate's messages, newest first (what the mini-app shows)."""
        candidate_id = _candidate(principal)
        return [_message_json(m) for m in await contacts.inbox(candidate_id)]

    async def answer_in_app(self, principal: Principal, message_id: int, key: str) -> Outcome:
        """A choice answered in the inbox: recorded on the message (what the inbox shows) in
        the unit that acts on it."""
        candidate_id = _candidate(principal)
        message = await CandidateMessage.get_or_none(id=message_id, candidate_id=candidate_id)
        if message is None:
            raise NotFound("没有找到这条消息。")
        keys = {str(c.get("key")) for c in message.payload.get("choices") or []}
        if key not in keys:
            raise InvalidInput(
                "这个选项已失效，请刷新后重试。" if keys else "这条消息不需要回答。",
                code="invalid_choice",
            )
        source_id = f"app:{message.id}:{key}"

        async def arrived() -> None:
            await CandidateMessage.filter(id=message.id).update(answer_key=key[:64])

        route = self._routes.resolve(answer_key(message.subject, key))
        if route is None:
            log.warning("mini-app answer %r to message %s (%r) has no route",
                        key, message.id, message.subject)  # fmt: skip
            route = Route(RouteKey(UNROUTED, (key,)), self._not_understood)
        return await self._once(candidate_id, route.handler, route.key, source_id, key, arrived)

    async def _not_understood(
        self, candidate_id: int, key: RouteKey, *, source_id: str, text: str
    ) -> Outcome:
        """A key nobody owns: a polite reply only."""
        return await self._invitations.not_understood(candidate_id, source_id, text)


def _candidate(principal: Principal) -> int:
    if principal.candidate_id is None:
        raise Forbidden("请先通过面试邀请进入，才能查看消息。")
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
