"""Validation of ``message/send`` bodies: WeCom's size limits and required fields (path/90236).

The checks a real server makes and a client most easily gets wrong: byte (not character)
limits, required keys per card type, list lengths, and a ``task_id`` on interactive cards.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from wecom_bot.sandbox import codes

CARD_TYPES = frozenset(
    {"text_notice", "news_notice", "button_interaction", "vote_interaction", "multiple_interaction"}
)
INTERACTIVE = frozenset({"button_interaction", "vote_interaction", "multiple_interaction"})
MEDIA_TYPES = frozenset({"image", "voice", "video", "file"})
_TASK_ID = re.compile(r"^[0-9a-zA-Z_\-@]{1,128}$")


def nbytes(value: Any) -> int:
    return len(str(value).encode("utf-8"))


def _dict(value: Any, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise codes.param_error(f"{name} must be an object")
    return value


def _list(value: Any, name: str, low: int, high: int) -> list[Any]:
    if value is None:
        value = []
    if not isinstance(value, list) or not low <= len(value) <= high:
        raise codes.param_error(f"{name} must be a list of {low}..{high} items")
    return value


def _text_like(body: dict[str, Any], msgtype: str) -> None:
    content = _dict(body.get(msgtype), msgtype).get("content", "")
    if not isinstance(content, str) or not content:
        raise codes.ApiError(codes.EMPTY_CONTENT, f"empty {msgtype} content")
    if nbytes(content) > 2048:
        raise codes.ApiError(codes.CONTENT_TOO_LARGE, f"{msgtype} content exceeds 2048 bytes")


def _textcard(body: dict[str, Any], _: str) -> None:
    card = _dict(body.get("textcard"), "textcard")
    if not card.get("title"):
        raise codes.ApiError(41016, "missing title")
    if not card.get("description"):
        raise codes.ApiError(41033, "missing description")
    if not card.get("url"):
        raise codes.ApiError(41010, "missing url")
    if nbytes(card["title"]) > 128 or nbytes(card["description"]) > 512:
        raise codes.ApiError(codes.CONTENT_TOO_LARGE, "textcard title/description too long")
    if len(str(card.get("btntxt", ""))) > 4:
        raise codes.param_error("textcard btntxt exceeds 4 characters")


def _media(body: dict[str, Any], msgtype: str) -> None:
    if not _dict(body.get(msgtype), msgtype).get("media_id"):
        raise codes.ApiError(codes.MISSING_MEDIA_ID, "missing media_id")


def _news(body: dict[str, Any], _: str) -> None:
    articles = _list(_dict(body.get("news"), "news").get("articles"), "news.articles", 1, 8)
    for article in articles:
        if not _dict(article, "news.articles[]").get("title"):
            raise codes.ApiError(41016, "missing title")


def _template_card(body: dict[str, Any], _: str) -> None:
    validate_card(_dict(body.get("template_card"), "template_card"))


def validate_card(card: dict[str, Any]) -> None:
    """Check one ``template_card`` (sent or used as an update) against the card rules."""
    card_type = card.get("card_type")
    if card_type not in CARD_TYPES:
        raise codes.param_error(f"invalid card_type: {card_type!r}")
    task_id = card.get("task_id")
    if card_type in INTERACTIVE and not task_id:
        raise codes.param_error(f"{card_type} needs a task_id")
    if task_id is not None and not _TASK_ID.match(str(task_id)):
        raise codes.param_error("task_id must be 1..128 bytes of [0-9a-zA-Z_-@]")
    _titles(card, card_type)
    _list(card.get("horizontal_content_list"), "horizontal_content_list", 0, 6)
    _list(card.get("jump_list"), "jump_list", 0, 3)
    if card_type in ("text_notice", "news_notice"):
        _card_action(card.get("card_action"))
    rule = _CARD_RULES.get(card_type)
    if rule is not None:
        rule(card)


def _titles(card: dict[str, Any], card_type: str) -> None:
    main = card.get("main_title") or {}
    title = main.get("title") if isinstance(main, dict) else None
    if card_type == "text_notice" and not (title or card.get("sub_title_text")):
        raise codes.param_error("text_notice needs main_title.title or sub_title_text")
    if card_type in INTERACTIVE and not title:
        raise codes.param_error(f"{card_type} needs main_title.title")


def _card_action(action: Any) -> None:
    action = _dict(action, "card_action")
    kind = action.get("type")
    if kind == 1 and not action.get("url"):
        raise codes.param_error("card_action type 1 needs url")
    if kind == 2 and not action.get("appid"):
        raise codes.param_error("card_action type 2 needs appid")
    if kind not in (1, 2):
        raise codes.param_error("card_action.type must be 1 (url) or 2 (mini-program)")


def _buttons(card: dict[str, Any]) -> None:
    for button in _list(card.get("button_list"), "button_list", 1, 6):
        button = _dict(button, "button_list[]")
        if not button.get("text"):
            raise codes.param_error("button text is required")
        if button.get("type", 0) == 1:
            if not button.get("url"):
                raise codes.param_error("url button needs url")
        elif not button.get("key") or nbytes(button["key"]) > 1024:
            raise codes.param_error("callback button needs a key of at most 1024 bytes")


def _options(options: Any, name: str, high: int) -> None:
    for option in _list(options, name, 1, high):
        option = _dict(option, f"{name}[]")
        if not option.get("id") or not option.get("text"):
            raise codes.param_error(f"{name} items need id and text")


def _submit(card: dict[str, Any]) -> None:
    submit = _dict(card.get("submit_button"), "submit_button")
    if not submit.get("text") or not submit.get("key"):
        raise codes.param_error("submit_button needs text and key")


def _vote(card: dict[str, Any]) -> None:
    box = _dict(card.get("checkbox"), "checkbox")
    if not box.get("question_key"):
        raise codes.param_error("checkbox.question_key is required")
    if box.get("mode", 0) not in (0, 1):
        raise codes.param_error("checkbox.mode must be 0 or 1")
    _options(box.get("option_list"), "checkbox.option_list", 20)
    _submit(card)


def _multiple(card: dict[str, Any]) -> None:
    for select in _list(card.get("select_list"), "select_list", 1, 3):
        select = _dict(select, "select_list[]")
        if not select.get("question_key"):
            raise codes.param_error("select_list[].question_key is required")
        _options(select.get("option_list"), "select_list[].option_list", 10)
    _submit(card)


_CARD_RULES: dict[str, Callable[[dict[str, Any]], None]] = {
    "button_interaction": _buttons,
    "vote_interaction": _vote,
    "multiple_interaction": _multiple,
}
_MESSAGE_RULES: dict[str, Callable[[dict[str, Any], str], None]] = {
    "text": _text_like,
    "markdown": _text_like,
    "textcard": _textcard,
    "template_card": _template_card,
    "news": _news,
    **{kind: _media for kind in MEDIA_TYPES},
}


def validate_message(body: dict[str, Any]) -> str:
    """Check the content of one ``message/send`` body; return its ``msgtype``."""
    msgtype = body.get("msgtype")
    rule = _MESSAGE_RULES.get(msgtype) if isinstance(msgtype, str) else None
    if rule is None or not isinstance(msgtype, str):
        raise codes.ApiError(codes.INVALID_MSGTYPE, f"invalid msgtype: {msgtype!r}")
    rule(body, msgtype)
    return msgtype
