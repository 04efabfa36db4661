"""Updating a clicked card through ``update_template_card``: the click's response_code works
once, so a refusal is logged rather than retried into a dead letter; transient errors retry."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from recruiting.ports.outbound import OutboundMessage
from wecom_bot.client import WeComApiError, WeComBusy
from wecom_bot.outbound import WeComMessageSender


class FakeMessages:
    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.updates: list[dict[str, Any]] = []

    async def send(self, payload: dict[str, Any]) -> dict[str, Any]:
        raise AssertionError("a card update is not a message/send")

    async def update_template_card(
        self, userids: Sequence[str], response_code: str, *,
        template_card: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        if self.error is not None:
            raise self.error
        self.updates.append({"userids": list(userids), "code": response_code,
                             "card": template_card})  # fmt: skip
        return {"errcode": 0}


def update(attempt: int = 1) -> OutboundMessage:
    card = {"card_type": "multiple_interaction", "task_id": "t-1"}
    payload = {"kind": "template_card_update", "response_code": "rc-1", "card": card}
    return OutboundMessage(1, "wecom.message", "wangqiang", payload, attempt)


async def test_card_update_goes_to_update_template_card() -> None:
    messages = FakeMessages()
    result = await WeComMessageSender(messages, 1000002).deliver(update())
    assert result == {"updated": True}
    assert messages.updates == [{"userids": ["wangqiang"], "code": "rc-1",
                                 "card": {"card_type": "multiple_interaction", "task_id": "t-1"}}]  # fmt: skip


async def test_a_refused_code_is_logged_not_retried() -> None:
    used = WeComApiError(40058, "invalid response_code", "/cgi-bin/message/update_template_card")
    result = await WeComMessageSender(FakeMessages(used), 1000002).deliver(update(attempt=2))
    assert result == {"updated": False, "errcode": 40058}


async def test_a_busy_wecom_is_retried() -> None:
    busy = WeComBusy(-1, "system busy", "/cgi-bin/message/update_template_card")
    with pytest.raises(WeComBusy):
        await WeComMessageSender(FakeMessages(busy), 1000002).deliver(update())
