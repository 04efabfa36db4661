"""Staff cards that follow a changing state (an invitation's answer, …).

WeCom updates a card only with a ``response_code``, and each works once: one comes with the
card when it is sent, another with every click. So every code is kept (``CardCode``) and an
update takes the newest unused one when it is delivered, in outbox order after the card
itself. When none is left the person is told in a text message instead: the state change
is never lost, only the card is not redrawn (a click on the card gives a fresh code).
"""

from __future__ import annotations

from typing import Any

from recruiting import clock
from recruiting.models import CardCode
from recruiting.ports.outbound import Channel, OutboundDraft

UPDATE_KIND = "staff_card_update"


def card_update(
    userid: str, task_id: str, card: dict[str, Any], fallback: str, key: str
) -> OutboundDraft:
    """A redraw of card ``task_id`` for ``userid`` (``fallback`` when it cannot be)."""
    payload = {"kind": UPDATE_KIND, "task_id": task_id, "card": card, "fallback": fallback}
    return OutboundDraft(Channel.WECOM_MESSAGE, userid, payload, key)


async def remember_code(task_id: str, userid: str, response_code: str) -> None:
    if not (task_id and userid and response_code):
        return
    exists = await CardCode.filter(
        task_id=task_id, userid=userid, response_code=response_code
    ).exists()
    if not exists:
        await CardCode.create(task_id=task_id, userid=userid, response_code=response_code)


async def newest_code(task_id: str, userid: str) -> str | None:
    row = (
        await CardCode.filter(task_id=task_id, userid=userid, used_at=None)
        .order_by("-created_at", "-id")
        .first()
    )
    return row.response_code if row else None


async def code_used(task_id: str, userid: str, response_code: str) -> None:
    await CardCode.filter(task_id=task_id, userid=userid, response_code=response_code).update(
        used_at=clock.now()
    )
