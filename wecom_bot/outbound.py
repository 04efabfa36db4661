"""Deliver outbox messages as WeCom app messages (``message/send``).

A retry (attempt > 1) turns on WeCom's duplicate check, so a send that did go through
before a crash is not shown twice. First attempts leave it off: two identical legitimate
replies (the user asked twice) must both arrive.

A ``template_card_update`` payload (``response_code`` + ``card``) replaces a clicked card
through ``message/update_template_card``. Its code works once, so a retry that WeCom refuses
means an earlier attempt went through; and since the update only confirms what is already
stored, a refused update is logged, not retried into a dead letter.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from recruiting.errors import InvalidInput, RetryLater
from recruiting.ports.outbound import OutboundMessage
from wecom_bot.client.errors import WeComApiError, WeComTokenInvalid

log = logging.getLogger(__name__)

DUPLICATE_CHECK_SECONDS = 1800


class _MessageApi(Protocol):
    async def send(self, payload: dict[str, Any]) -> dict[str, Any]: ...

    async def update_template_card(
        self,
        userids: Sequence[str],
        response_code: str,
        *,
        template_card: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]: ...


class InvalidRecipient(InvalidInput):
    code = "invalid_recipient"


def to_wecom(payload: dict[str, Any], recipient: str, agent_id: int) -> dict[str, Any]:
    """Channel-neutral payload → ``message/send`` body."""
    kind = payload.get("kind")
    body: dict[str, Any] = {"touser": recipient, "agentid": agent_id}
    if kind == "text":
        body.update(msgtype="text", text={"content": payload["content"]})
    elif kind == "markdown":
        body.update(msgtype="markdown", markdown={"content": payload["content"]})
    elif kind == "template_card":
        body.update(msgtype="template_card", template_card=payload["card"])
    else:
        raise InvalidInput(f"cannot send a {kind!r} message through WeCom")
    return body


class WeComMessageSender:
    def __init__(self, messages: _MessageApi, agent_id: int) -> None:
        self._messages = messages
        self._agent_id = agent_id

    async def deliver(self, message: OutboundMessage) -> dict[str, Any]:
        if message.payload.get("kind") == "template_card_update":
            return await self._update_card(message)
        body = to_wecom(message.payload, message.recipient, self._agent_id)
        if message.attempt > 1:
            body.update(enable_duplicate_check=1, duplicate_check_interval=DUPLICATE_CHECK_SECONDS)
        answer = await self._messages.send(body)
        invalid = str(answer.get("invaliduser") or "")
        if invalid and message.recipient in invalid.split("|"):
            raise InvalidRecipient(f"WeCom does not know the member {message.recipient!r}")
        return {"msgid": answer.get("msgid", ""), "response_code": answer.get("response_code", "")}

    async def _update_card(self, message: OutboundMessage) -> dict[str, Any]:
        payload = message.payload
        try:
            await self._messages.update_template_card(
                [message.recipient], str(payload["response_code"]), template_card=payload["card"]
            )
        except (RetryLater, WeComTokenInvalid):
            raise
        except WeComApiError as exc:
            log.warning("card update for %s not applied (attempt %s): %s",
                        message.recipient, message.attempt, exc)  # fmt: skip
            return {"updated": False, "errcode": exc.errcode}
        return {"updated": True}
