"""A channel that records what the relay hands it and fails on cue."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from recruiting.ports.outbound import OutboundMessage, OutboundSender


class RecordingSender:
    """``OutboundSender`` (recruiting.ports.outbound): keeps every message it was asked to
    deliver; call n raises ``plan[n]`` when that is an exception (the message still counts as
    tried), otherwise answers like WeCom with a message id. ``delay`` makes it a slow channel."""

    def __init__(self, *plan: Exception | None, delay: float = 0.0) -> None:
        self.plan = list(plan)
        self.sent: list[OutboundMessage] = []
        self.delay = delay

    async def deliver(self, message: OutboundMessage) -> dict[str, Any]:
        self.sent.append(message)
        if self.delay:
            await asyncio.sleep(self.delay)
        error = self.plan.pop(0) if self.plan else None
        if error is not None:
            raise error
        return {"msgid": f"m{len(self.sent)}"}


if TYPE_CHECKING:  # mypy tests/fakes: each fake implements its port
    _sender: OutboundSender = RecordingSender()
