"""App messages (path/90236) and template cards (path/90372).

Sizes are checked here in UTF-8 bytes, because WeCom truncates or rejects an oversized
message after it has been accepted for delivery, and the caller would never know.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from recruiting.errors import InvalidInput
from wecom_bot.client.base import MESSAGE_SEND_PATH, WeComBaseClient

TEXT_LIMIT = 2048  # bytes, text and markdown content
TEXTCARD_TITLE_LIMIT = 128
TEXTCARD_DESCRIPTION_LIMIT = 512
TEXTCARD_BUTTON_CHARS = 4
TASK_ID_LIMIT = 128
CARD_TYPES = frozenset(
    {"text_notice", "news_notice", "button_interaction", "vote_interaction", "multiple_interaction"}
)
INTERACTIVE_CARD_TYPES = frozenset(
    {"button_interaction", "vote_interaction", "multiple_interaction"}
)
_TASK_ID_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-@")

Recipients = str | Sequence[str]


class MessageApi:
    """Send, update and recall app messages as the app ``agent_id``."""

    def __init__(self, client: WeComBaseClient, agent_id: int = 0) -> None:
        self._client = client
        self._agent_id = agent_id

    async def send(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """POST ``message/send``; adds ``agentid`` when missing and checks content sizes.

        Returns WeCom's answer (``msgid``, ``invaliduser``…, ``response_code`` for
        interactive cards). Waits, rather than drops, when a member is at the per-minute
        limit.
        """
        body = dict(payload)
        if not body.get("agentid"):
            body["agentid"] = self._agent(None)
        _check_payload(body)
        return await self._client.post(MESSAGE_SEND_PATH, body)

    async def send_text(
        self,
        touser: Recipients,
        content: str,
        *,
        agent_id: int | None = None,
        duplicate_check_interval: int | None = None,
    ) -> dict[str, Any]:
        body = self._envelope(touser, "text", agent_id, duplicate_check_interval)
        body["text"] = {"content": content}
        return await self.send(body)

    async def send_markdown(
        self,
        touser: Recipients,
        content: str,
        *,
        agent_id: int | None = None,
        duplicate_check_interval: int | None = None,
    ) -> dict[str, Any]:
        """Markdown is not rendered in the WeChat plugin; prefer text for candidates."""
        body = self._envelope(touser, "markdown", agent_id, duplicate_check_interval)
        body["markdown"] = {"content": content}
        return await self.send(body)

    async def send_textcard(
        self,
        touser: Recipients,
        title: str,
        description: str,
        url: str,
        *,
        btntxt: str | None = None,
        agent_id: int | None = None,
        duplicate_check_interval: int | None = None,
    ) -> dict[str, Any]:
        card: dict[str, Any] = {"title": title, "description": description, "url": url}
        if btntxt is not None:
            card["btntxt"] = btntxt
        body = self._envelope(touser, "textcard", agent_id, duplicate_check_interval)
        body["textcard"] = card
        return await self.send(body)

    async def send_template_card(
        self,
        touser: Recipients,
        card: Mapping[str, Any],
        *,
        agent_id: int | None = None,
        duplicate_check_interval: int | None = None,
    ) -> dict[str, Any]:
        """Send a card built by the card builders; interactive ones need a ``task_id``."""
        body = self._envelope(touser, "template_card", agent_id, duplicate_check_interval)
        body["template_card"] = dict(card)
        return await self.send(body)

    async def update_template_card(
        self,
        userids: Sequence[str],
        response_code: str,
        *,
        button_replace_name: str | None = None,
        template_card: Mapping[str, Any] | None = None,
        agent_id: int | None = None,
    ) -> dict[str, Any]:
        """Replace a clicked card's button text, or the whole card (each code works once)."""
        if (button_replace_name is None) == (template_card is None):
            raise InvalidInput("give exactly one of button_replace_name or template_card")
        if isinstance(userids, str) or not userids:
            raise InvalidInput("userids must be a non-empty list of userids")
        body: dict[str, Any] = {
            "userids": list(userids),
            "agentid": self._agent(agent_id),
            "response_code": response_code,
        }
        if template_card is not None:
            body["template_card"] = dict(template_card)
        else:
            body["button"] = {"replace_name": button_replace_name}
        return await self._client.post("/cgi-bin/message/update_template_card", body)

    async def recall(self, msgid: str) -> dict[str, Any]:
        """Withdraw a message sent within the last 24 hours."""
        return await self._client.post("/cgi-bin/message/recall", {"msgid": msgid})

    def _agent(self, agent_id: int | None) -> int:
        agent = self._agent_id if agent_id is None else agent_id
        if not agent:
            raise InvalidInput("no agent_id: configure wecom.agent_id or pass agent_id")
        return agent

    def _envelope(
        self,
        touser: Recipients,
        msgtype: str,
        agent_id: int | None,
        duplicate_check_interval: int | None,
    ) -> dict[str, Any]:
        users = touser if isinstance(touser, str) else "|".join(touser)
        body: dict[str, Any] = {"touser": users, "msgtype": msgtype}
        body["agentid"] = self._agent(agent_id)
        if duplicate_check_interval is not None:
            body["enable_duplicate_check"] = 1
            body["duplicate_check_interval"] = duplicate_check_interval
        return body


def _check_payload(body: Mapping[str, Any]) -> None:
    if not (body.get("touser") or body.get("toparty") or body.get("totag")):
        raise InvalidInput("message needs touser, toparty or totag")
    msgtype = body.get("msgtype")
    section = body.get(msgtype) if isinstance(msgtype, str) else None
    if not isinstance(section, Mapping):
        raise InvalidInput(f"message of type {msgtype!r} lacks its {msgtype!r} object")
    if msgtype in ("text", "markdown"):
        _check_bytes(f"{msgtype}.content", section.get("content"), TEXT_LIMIT, required=True)
    elif msgtype == "textcard":
        _check_textcard(section)
    elif msgtype == "template_card":
        _check_template_card(section)


def _check_bytes(name: str, value: Any, limit: int, *, required: bool = False) -> None:
    if value is None or value == "":
        if required:
            raise InvalidInput(f"{name} is required")
        return
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be text")
    size = len(value.encode("utf-8"))
    if size > limit:
        raise InvalidInput(f"{name} is {size} bytes in UTF-8; WeCom allows {limit}")


def _check_textcard(card: Mapping[str, Any]) -> None:
    _check_bytes("textcard.title", card.get("title"), TEXTCARD_TITLE_LIMIT, required=True)
    _check_bytes(
        "textcard.description", card.get("description"), TEXTCARD_DESCRIPTION_LIMIT, required=True
    )
    if not card.get("url"):
        raise InvalidInput("textcard.url is required")
    btntxt = card.get("btntxt")
    if isinstance(btntxt, str) and len(btntxt) > TEXTCARD_BUTTON_CHARS:
        raise InvalidInput(f"textcard.btntxt allows {TEXTCARD_BUTTON_CHARS} characters")


def _check_template_card(card: Mapping[str, Any]) -> None:
    card_type = card.get("card_type")
    if card_type not in CARD_TYPES:
        raise InvalidInput(f"template_card.card_type {card_type!r} is not one of WeCom's")
    task_id = card.get("task_id")
    if task_id is None:
        if card_type in INTERACTIVE_CARD_TYPES:
            raise InvalidInput(f"{card_type} cards need a task_id")
        return
    if (
        not isinstance(task_id, str)
        or not task_id
        or len(task_id.encode("utf-8")) > TASK_ID_LIMIT
        or not set(task_id) <= _TASK_ID_CHARS
    ):
        raise InvalidInput(f"template_card.task_id must be ≤{TASK_ID_LIMIT} of [0-9a-zA-Z_-@]")
