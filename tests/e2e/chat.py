"""Reading a member's WeCom chat as the sandbox recorded it, and acting in it (card clicks),
for the e2e tests: one version of the small helpers every flow needs."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import httpx

Timeline = list[dict[str, Any]]


class Chat(Protocol):
    console: httpx.AsyncClient

    async def chat(self, userid: str) -> Timeline: ...


def texts(timeline: Timeline) -> list[str]:
    """The app's delivered text messages, oldest first."""
    return [m["content"]["content"] for m in timeline
            if m.get("direction") == "out" and m.get("msgtype") == "text"
            and m.get("status") == "sent"]  # fmt: skip


def cards(timeline: Timeline, prefix: str = "") -> Timeline:
    """The delivered template cards (whole timeline entries, with ``card_state``), optionally
    only those whose task id starts with ``prefix``."""
    return [m for m in timeline if m.get("msgtype") == "template_card" and m.get("status") == "sent"
            and str(m["content"].get("task_id", "")).startswith(prefix)]  # fmt: skip


def card_state(timeline: Timeline, task_id: str) -> dict[str, Any]:
    """The sandbox's view of a received card, updates applied (``updates`` 0 when none)."""
    for m in timeline:
        if m.get("msgtype") == "template_card" and m["content"].get("task_id") == task_id:
            return dict(m.get("card_state") or {"updates": 0})
    return {"updates": 0}


async def until(
    stack: Chat, userid: str, test: Callable[[Timeline], bool], timeout: float = 20
) -> Timeline:
    """The member's timeline once ``test`` holds for it."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        timeline = await stack.chat(userid)
        if test(timeline):
            return timeline
        assert asyncio.get_running_loop().time() < deadline, texts(timeline)
        await asyncio.sleep(0.1)


async def wait(probe: Callable[[], Awaitable[Any] | Any], timeout: float = 20.0) -> Any:
    """The first truthy answer of ``probe`` (a coroutine function or a plain one)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        found = probe()
        if inspect.isawaitable(found):
            found = await found
        if found:
            return found
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.1)


async def click(
    stack: Chat, userid: str, task_id: str, key: str, selected: list[dict[str, Any]] | None = None
) -> None:
    """The member clicks a card's button (with the chosen options of a selection card)."""
    body = {"userid": userid, "task_id": task_id, "key": key, "selected": selected or []}
    response = await stack.console.post("/sandbox/click", json=body)
    assert response.status_code == 200, response.text


async def submit_levels(stack: Chat, userid: str, card: dict[str, Any], levels: list[int]) -> None:
    """Submit a scoring card with one level per selection, in order."""
    content = card["content"]
    selected = [{"question_key": s["question_key"], "option_ids": [str(level)]}
                for s, level in zip(content["select_list"], levels, strict=False)]  # fmt: skip
    await click(stack, userid, content["task_id"], content["submit_button"]["key"], selected)
