"""Template card state per (task_id, member) and the single-use ``response_code`` rule.

WeCom gives a ``response_code`` with every interactive card sent (72 h) and with every click
(24 h); each one updates the card once. Only the newest click code of a member is kept, so a
client that keeps an older one sees the same refusal it would get in production.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from wecom_bot.sandbox import codes
from wecom_bot.sandbox.payloads import INTERACTIVE, validate_card
from wecom_bot.sandbox.tokens import Clock

SEND_CODE_TTL = 72 * 3600
CLICK_CODE_TTL = 24 * 3600


@dataclass
class CardView:
    """One member's copy of a card: what the WeCom client would show."""

    task_id: str
    userid: str
    msgid: str
    card: dict[str, Any]
    finished_text: str = ""  # set by an update with button.replace_name: no more clicks
    clicks: list[dict[str, Any]] = field(default_factory=list)
    updates: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "task_id": self.task_id,
            "card": self.card,
            "finished_text": self.finished_text,
            "clicks": self.clicks,
            "updates": self.updates,
        }


@dataclass(frozen=True)
class Grant:
    task_id: str
    userids: frozenset[str]
    expires_at: float


@dataclass
class SelectedItem:
    question_key: str
    option_ids: list[str]


class CardStore:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self.views: dict[tuple[str, str], CardView] = {}
        self._grants: dict[str, Grant] = {}
        self._latest_click: dict[tuple[str, str], str] = {}
        self._task_ids: set[str] = set()

    def check_task_id(self, card: dict[str, Any]) -> None:
        """``task_id`` is unique per app: a second card with the same one is refused."""
        task_id = card.get("task_id")
        if task_id and task_id in self._task_ids:
            raise codes.param_error(f"task_id {task_id} already used by this app")

    def register(self, msgid: str, card: dict[str, Any], userids: Iterable[str]) -> str:
        """Remember who holds the card; return the send ``response_code`` (interactive only)."""
        task_id = str(card.get("task_id") or "")
        users = frozenset(userids)
        if not task_id:
            return ""
        self._task_ids.add(task_id)
        for userid in users:
            self.views[(task_id, userid)] = CardView(task_id, userid, msgid, card)
        if card.get("card_type") not in INTERACTIVE or not users:
            return ""
        return self._grant(task_id, users, SEND_CODE_TTL)

    def _grant(self, task_id: str, userids: frozenset[str], ttl: float) -> str:
        code = secrets.token_urlsafe(24)
        self._grants[code] = Grant(task_id, userids, self._clock() + ttl)
        return code

    def view(self, task_id: str, userid: str) -> CardView:
        view = self.views.get((task_id, userid))
        if view is None:
            raise codes.param_error(f"{userid} has no card with task_id {task_id}")
        return view

    def click(self, userid: str, task_id: str, key: str, selected: list[SelectedItem]) -> CardView:
        """A member presses a button or submits a choice: a fresh code replaces the older."""
        view = self.view(task_id, userid)
        if view.finished_text:
            raise codes.param_error(f"card {task_id} was already finished: {view.finished_text}")
        _check_click(view.card, key, selected)
        old = self._latest_click.pop((task_id, userid), None)
        if old:
            self._grants.pop(old, None)
        code = self._grant(task_id, frozenset({userid}), CLICK_CODE_TTL)
        self._latest_click[(task_id, userid)] = code
        view.clicks.append(
            {
                "key": key,
                "selected": [vars(item) for item in selected],
                "response_code": code,
                "time": int(self._clock()),
            }
        )
        return view

    def update(self, body: dict[str, Any]) -> dict[str, Any]:
        """``message/update_template_card``: consumes the response_code on success."""
        code = str(body.get("response_code") or "")
        grant = self._grants.get(code)
        if grant is None or grant.expires_at <= self._clock():
            raise codes.param_error("invalid response_code: unknown, already used or expired")
        targets, invalid = _targets(body, grant)
        if not targets:
            raise codes.ApiError(codes.ALL_RECEIVERS_INVALID, "userids all invalid")
        apply = _update_action(body)
        for userid in targets:
            apply(self.views[(grant.task_id, userid)])
        del self._grants[code]
        return {"invaliduser": invalid}


def _targets(body: dict[str, Any], grant: Grant) -> tuple[list[str], list[str]]:
    wanted = body.get("userids")
    if body.get("atall") or not wanted:
        return sorted(grant.userids), []
    if not isinstance(wanted, list):
        raise codes.param_error("userids must be a list")
    valid = [u for u in wanted if u in grant.userids]
    return valid, [u for u in wanted if u not in grant.userids]


def _update_action(body: dict[str, Any]) -> Callable[[CardView], None]:
    card = body.get("template_card")
    button = body.get("button")
    if isinstance(card, dict):
        validate_card(card)

        def replace(view: CardView) -> None:
            view.card, view.updates = card, view.updates + 1
            view.finished_text = str(card.get("replace_text") or "")

        return replace
    if isinstance(button, dict) and button.get("replace_name"):

        def finish(view: CardView) -> None:
            view.finished_text, view.updates = str(button["replace_name"]), view.updates + 1

        return finish
    raise codes.param_error("update needs button.replace_name or a template_card")


def callback_keys(card: dict[str, Any]) -> set[str]:
    """Keys a click on this card may carry in ``EventKey``."""
    if card.get("card_type") == "button_interaction":
        buttons = card.get("button_list") or []
        return {str(b.get("key")) for b in buttons if b.get("type", 0) != 1 and b.get("key")}
    submit = card.get("submit_button") or {}
    return {str(submit["key"])} if submit.get("key") else set()


def questions(card: dict[str, Any]) -> dict[str, tuple[set[str], bool]]:
    """question_key → (option ids, several allowed) for vote and multiple cards."""
    if card.get("card_type") == "vote_interaction":
        box = card.get("checkbox") or {}
        ids = {str(o.get("id")) for o in box.get("option_list") or []}
        return {str(box.get("question_key")): (ids, box.get("mode", 0) == 1)}
    return {
        str(s.get("question_key")): ({str(o.get("id")) for o in s.get("option_list") or []}, False)
        for s in card.get("select_list") or []
    }


def _check_click(card: dict[str, Any], key: str, selected: list[SelectedItem]) -> None:
    if card.get("card_type") not in INTERACTIVE:
        raise codes.param_error("only interactive cards call back")
    if key not in callback_keys(card):
        raise codes.param_error(f"the card has no callback button with key {key!r}")
    if card.get("card_type") == "button_interaction":
        return
    asked = questions(card)
    answered = {item.question_key: item for item in selected}
    if set(answered) != set(asked):
        raise codes.param_error(f"answer every question: {sorted(asked)}")
    for qkey, (ids, several) in asked.items():
        chosen = answered[qkey].option_ids
        if not chosen or not set(chosen) <= ids or (len(chosen) > 1 and not several):
            raise codes.param_error(f"invalid choice for {qkey}: {chosen}")
