"""Staff cards that are redrawn as their subject changes (``services.shared.staff_cards``).

Wraps the app-message sender: a sent card's ``response_code`` is kept per (task_id, member),
and a ``staff_card_update`` row takes the newest unused code when it is delivered (it comes
after the card in outbox order). A code WeCom refuses is spent; with none left the member
gets the ``fallback`` text instead, so the news always arrives.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from recruiting.errors import RetryLater
from recruiting.ports.outbound import OutboundMessage, OutboundSender
from recruiting.services.shared import staff_cards
from wecom_bot.client.errors import WeComApiError, WeComTokenInvalid

log = logging.getLogger(__name__)
MAX_CODES_TRIED = 3


class _Cards(Protocol):
    async def update_template_card(
        self,
        userids: Sequence[str],
        response_code: str,
        *,
        template_card: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]: ...


class StaffCardSender:
    def __init__(self, inner: OutboundSender, cards: _Cards) -> None:
        self._inner = inner
        self._cards = cards

    async def deliver(self, message: OutboundMessage) -> dict[str, Any]:
        payload = message.payload
        if payload.get("kind") == staff_cards.UPDATE_KIND:
            return await self._update(message)
        result = await self._inner.deliver(message)
        card = payload.get("card") if payload.get("kind") == "template_card" else None
        if isinstance(card, dict) and result.get("response_code"):
            await staff_cards.remember_code(
                str(card.get("task_id") or ""), message.recipient, str(result["response_code"])
            )
        return result

    async def _update(self, message: OutboundMessage) -> dict[str, Any]:
        payload = message.payload
        task_id, userid = str(payload["task_id"]), message.recipient
        for _ in range(MAX_CODES_TRIED):
            code = await staff_cards.newest_code(task_id, userid)
            if code is None:
                break
            try:
                await self._cards.update_template_card(
                    [userid], code, template_card=payload["card"]
                )
            except (RetryLater, WeComTokenInvalid):
                raise
            except WeComApiError as exc:
                log.info("card %s: response code refused (%s); trying an older one", task_id, exc)
                await staff_cards.code_used(task_id, userid, code)
                continue
            await staff_cards.code_used(task_id, userid, code)
            return {"updated": True}
        text = {"kind": "text", "content": str(payload.get("fallback") or "")}
        fallback = OutboundMessage(
            message.id, message.channel, userid, text, message.attempt, message.idempotency_key
        )
        result = await self._inner.deliver(fallback)
        return {"updated": False, "told": result}
