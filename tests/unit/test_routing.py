"""The routing tables: one owner per key prefix, refused collisions, legacy keys understood,
unknown keys logged."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, cast

import pytest

from recruiting.domain.inbound import CardClick, Inbound, TextMessage
from recruiting.domain.invitation_answers import Answer
from recruiting.domain.routing import (
    RouteCollision,
    RouteKey,
    RouteTable,
    answer_key,
    parse_key,
    route_key,
)
from recruiting.ports.outbound import OutboundDraft
from recruiting.services.invitations.lifecycle import Outcome
from recruiting.services.messaging import card_routes as cards
from recruiting.services.messaging.answer_routes import answer_routes


def test_keys_round_trip() -> None:
    assert route_key("offer.accept", 42) == "offer.accept:42"
    assert parse_key("live.score:7:1") == RouteKey("live.score", ("7", "1"))
    key = parse_key(route_key("schedule.book", 1, 2, 1700000000, "4-5"))
    assert key is not None and key.feature == "schedule" and key.action == "book"
    assert key.number(0) == 1 and key.number(3) is None and key.number(9) is None
    assert RouteKey("a.b", ("²", "-1", "")).number(0) is None  # digits, and only ASCII ones
    assert str(key) == "schedule.book:1:2:1700000000:4-5"
    for raw in ("live-score:7:1", "book:1:2", "invite:12|confirm", "accept", "", "a.b"):
        assert parse_key(raw) is None
    with pytest.raises(ValueError):
        route_key("live-score", 1)


async def _a(event: Inbound) -> list[OutboundDraft]:
    return []


async def _b(event: Inbound) -> list[OutboundDraft]:
    return []


def test_a_prefix_has_one_owner() -> None:
    table = RouteTable[Any]("test").route("offer.submit", _a)
    with pytest.raises(RouteCollision, match=r"two handlers claim 'offer\.submit'"):
        table.route("offer.submit", _b)
    with pytest.raises(RouteCollision, match=r"not feature\.action"):
        table.route("offer", _b)


def test_legacy_entries_are_refused_when_ambiguous() -> None:
    table = RouteTable[Any]("test").route("live.score", _a).rename("live-score:", "live.score")
    with pytest.raises(RouteCollision, match="overlap"):
        table.rename("live-", "live.score")
    with pytest.raises(RouteCollision, match="unrouted"):
        table.rename("survey-card:", "survey.submit")
    with pytest.raises(RouteCollision, match="looks like a new key"):
        table.rename("live.score:", "live.score")


def test_resolve_new_legacy_and_unknown() -> None:
    table = RouteTable[Any]("test").route("live.score", _a).rename("live-score:", "live.score")
    new = table.resolve("live.score:7:0")
    old = table.resolve("live-score:7:0")
    assert new is not None and new.handler is _a and new.legacy == ""
    assert old is not None and old.key == new.key and old.legacy == "live-score:"
    assert table.resolve("live.other:7") is None and table.resolve("nothing:1") is None


@dataclass
class Recorder:
    name: str
    seen: list[tuple[str, str]] = field(default_factory=list)

    async def on_card_click(self, event: Inbound) -> list[OutboundDraft]:
        assert isinstance(event, CardClick)
        self.seen.append((self.name, event.event_key))
        return [OutboundDraft("wecom.message", event.from_user, {"kind": "text"})]


def _card_table() -> tuple[RouteTable[Any], dict[str, Recorder]]:
    owners = {n: Recorder(n) for n in
              ("dead_letters", "live", "surveys", "summaries", "offers", "schedule_chat", "intake",
               "screening_chat")}  # fmt: skip
    return cards.card_routes(**cast(dict[str, Any], owners)), owners


def click(key: str) -> CardClick:
    return CardClick(kind="card_click", from_user="lina", to_user="corp", agent_id="1",
                     create_time=0, msg_type="event", event="template_card_event",
                     dedup_key=f"evt:{key}", event_key=key, task_id="t1")  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "owner", "new"),
    [
        # today's keys, as the features build them
        (route_key(cards.RETRY, 4), "dead_letters", "outbox.retry:4"),
        (route_key(cards.SCORE, 7, 1), "live", "live.score:7:1"),
        (route_key(cards.SUBMIT, 5), "surveys", "survey.submit:5"),
        (route_key(cards.RELEASE, 3), "summaries", "summary.release:3"),
        (route_key(cards.EDIT, 3), "summaries", "summary.edit:3"),
        ("offer.submit:1:2", "offers", "offer.submit:1:2"),
        ("offer.cancel:1:2", "offers", "offer.cancel:1:2"),
        ("offer.done:1", "offers", "offer.done:1"),
        (
            route_key(cards.BOOK, 1, 2, 1700000000, "4-5") + ":r",
            "schedule_chat",
            "schedule.book:1:2:1700000000:4-5:r",
        ),
        (route_key(cards.REFRESH, 9), "schedule_chat", "invite.refresh:9"),
        ("intake.invite:3", "intake", "intake.invite:3"),
        ("intake.schedule:3", "intake", "intake.schedule:3"),
        ("intake.reject:3", "intake", "intake.reject:3"),
        ("intake.reason:3:skills", "intake", "intake.reason:3:skills"),
        ("intake.back:3", "intake", "intake.back:3"),
        ("screening.invite:2:5-7", "screening_chat", "screening.invite:2:5-7"),
        # legacy keys on cards sent before the upgrade
        ("live-score:7:1", "live", "live.score:7:1"),
        ("survey-card:5", "surveys", "survey.submit:5"),
        ("summary-release:3", "summaries", "summary.release:3"),
        ("summary-edit:3", "summaries", "summary.edit:3"),
        (
            "book:1:2:1700000000:4-5:oNTAx",
            "schedule_chat",
            "schedule.book:1:2:1700000000:4-5:oNTAx",
        ),
        ("invite-card:9", "schedule_chat", "invite.refresh:9"),
    ],
)
async def test_every_card_key_has_its_owner(raw: str, owner: str, new: str) -> None:
    table, owners = _card_table()
    drafts = await cards.CardClicks(table)(click(raw))
    assert len(drafts) == 1
    assert [seen for r in owners.values() for seen in r.seen] == [(owner, new)]


async def test_inert_and_unknown_card_keys_do_nothing(caplog: pytest.LogCaptureFixture) -> None:
    table, owners = _card_table()
    router = cards.CardClicks(table)
    assert await router(click(route_key(cards.BOOKED, 1))) == []
    assert await router(click("booked:done")) == []  # the legacy booked card
    with caplog.at_level(logging.WARNING, logger=cards.__name__):
        assert await router(click("accept")) == []
        assert await router(click("nobody.owns:1")) == []
    assert [r.getMessage().split(" (")[0] for r in caplog.records] == [
        "card click with an unrouted key 'accept'",
        "card click with an unrouted key 'nobody.owns:1'",
    ]
    assert await router(TextMessage("text", "lina", "corp", "1", 0, "text", "", "m")) == []
    assert not any(r.seen for r in owners.values())


def test_the_card_table_refuses_a_second_owner() -> None:
    table, _ = _card_table()
    assert len(table.prefixes) == 19 and len(table.legacy_prefixes) == 7
    with pytest.raises(RouteCollision):
        table.route(cards.SCORE, _a)


# -- candidates' answers ----------------------------------------------------------------------


class FakeInvitations:
    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    async def answer(self, candidate_id: int, answer: Answer, *, subject: str = "",
                     source_id: str = "", text: str = "") -> Outcome:  # fmt: skip
        self.seen.append((subject, answer.key))
        return Outcome("invitation", "")


def _answer_table() -> tuple[RouteTable[Any], list[tuple[str, str, str]], FakeInvitations]:
    seen: list[tuple[str, str, str]] = []

    def feature(name: str) -> Any:
        async def handle(candidate_id: int, subject: str, key: str, *, source_id: str,
                         text: str) -> Outcome:  # fmt: skip
            seen.append((name, subject, key))
            return Outcome(name, "")

        return handle

    invitations = FakeInvitations()
    table = answer_routes(cast(Any, invitations), survey=feature("survey"), offer=feature("offer"))
    return table, seen, invitations


@pytest.mark.parametrize(
    ("subject", "choice", "key"),
    [
        ("invite:12", "confirm", "invite.confirm:12"),
        ("invite:12", "reschedule", "invite.reschedule:12"),
        ("slots:12", "slot:0", "invite.slot:12:0"),
        ("slots:12", "decline", "invite.decline:12"),
        ("survey:5:satisfaction", "4", "survey.answer:5:satisfaction:4"),
        ("offer:42", "accept", "offer.accept:42"),
    ],
)
def test_answer_keys(subject: str, choice: str, key: str) -> None:
    assert answer_key(subject, choice) == key


@pytest.mark.parametrize(
    ("raw", "handled"),
    [
        ("invite.confirm:12", ("invitation", "invite:12", "confirm")),
        ("invite.slot:12:1", ("invitation", "slots:12", "slot:1")),
        ("survey.answer:5:satisfaction:4", ("survey", "survey:5:satisfaction", "4")),
        ("survey.answer:9:5", ("survey", "survey:9", "5")),
        ("offer.accept:42", ("offer", "offer:42", "accept")),
        ("offer.decline:42", ("offer", "offer:42", "decline")),
        # legacy 微信客服 menu ids (subject|choice)
        ("invite:12|confirm", ("invitation", "invite:12", "confirm")),
        ("invite:12|decline", ("invitation", "invite:12", "decline")),
        ("slots:12|slot:1", ("invitation", "slots:12", "slot:1")),
        ("survey:5:satisfaction|4", ("survey", "survey:5:satisfaction", "4")),
        ("offer:42|accept", ("offer", "offer:42", "accept")),
    ],
)
async def test_every_answer_key_has_its_owner(raw: str, handled: tuple[str, str, str]) -> None:
    table, seen, invitations = _answer_table()
    route = table.resolve(raw)
    assert route is not None
    done = await route.handler(1, route.key, source_id="kf:1", text="")
    got = [(done.result, *s) for s in invitations.seen] + seen
    assert got == [handled]


def test_unknown_answer_keys_have_no_route() -> None:
    table, _, _ = _answer_table()
    for raw in ("invite.maybe:12", "offer.maybe:42", "offer:42|maybe", "foo:1|confirm",
                "invite:12", "confirm", ""):  # fmt: skip
        assert table.resolve(raw) is None
