"""Process one stored callback: decode it, run the handler for its kind, record the effects.

Called after the gateway has answered WeCom, by whichever worker claims the inbox row. The
handler is chosen by the event's kind; card clicks then go by their key (``card_routes``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping

from recruiting.domain.inbound import Inbound
from recruiting.ports.events import EventDecoder
from recruiting.ports.outbound import OutboundDraft
from recruiting.services.messaging.inbox import CallbackInbox

log = logging.getLogger(__name__)

Handler = Callable[[Inbound], Awaitable[list[OutboundDraft]]]


class CallbackProcessor:
    def __init__(
        self, inbox: CallbackInbox, decode: EventDecoder, handlers: Mapping[str, Handler]
    ) -> None:
        self._inbox = inbox
        self._decode = decode
        self._handlers = handlers

    async def process(self, inbox_id: int) -> bool:
        """True when this call finished the row (False: someone else has it, or it failed)."""
        row = await self._inbox.claim(inbox_id)
        if row is None:
            return False
        try:
            event = self._decode(self._inbox.plaintext(row))
            handler = self._handlers.get(event.kind)
            drafts = await handler(event) if handler else []
        except Exception as exc:
            log.exception("inbox %s (%s) failed on attempt %s", row.id, row.kind, row.attempts)
            await self._inbox.fail(row, f"{type(exc).__name__}: {exc}")
            return False
        await self._inbox.complete(row, drafts)
        return True
