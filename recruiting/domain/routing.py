"""Keys that people send back — card buttons, candidates' choices — and the tables that
route them.

Every key is ``feature.action:arg[:arg…]`` (``offer.submit:42:3``, ``invite.confirm:12``):
the prefix ``feature.action`` names its handler in one table per surface
(``recruiting.services.messaging.card_routes``,
``recruiting.services.messaging.answer_routes``), and a prefix
has one owner: a second claim is refused when the table is built, at start-up.

Keys of older styles are still out in the world (cards sent before an upgrade, outbox rows
not yet delivered, the sandbox's history); each table lists them as legacy entries that
rewrite an old key into the new style. Only the new style is emitted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

H = TypeVar("H")
Rewrite = Callable[[str], str | None]

_KEY = re.compile(r"^([a-z][a-z_]*\.[a-z][a-z_]*):(.*)$", re.DOTALL)
_PREFIX = re.compile(r"^[a-z][a-z_]*\.[a-z][a-z_]*$")


class RouteCollision(ValueError):
    """Two handlers claim one prefix, or a legacy entry is ambiguous (a start-up error)."""


@dataclass(frozen=True)
class RouteKey:
    """A parsed key: ``prefix`` (``feature.action``) and its arguments."""

    prefix: str
    args: tuple[str, ...]

    @property
    def feature(self) -> str:
        return self.prefix.partition(".")[0]

    @property
    def action(self) -> str:
        return self.prefix.partition(".")[2]

    def number(self, index: int) -> int | None:
        """Argument ``index`` as a whole number; None when missing or not one."""
        arg = self.args[index] if index < len(self.args) else ""
        return int(arg) if arg.isascii() and arg.isdigit() else None

    def __str__(self) -> str:
        return f"{self.prefix}:{':'.join(self.args)}"


def route_key(prefix: str, *args: object) -> str:
    """The key to put on a button or choice, e.g. ``route_key("offer.accept", 42)``."""
    if not _PREFIX.match(prefix):
        raise ValueError(f"not a route prefix (feature.action): {prefix!r}")
    return f"{prefix}:{':'.join(str(a) for a in args)}"


def parse_key(raw: str) -> RouteKey | None:
    """A key in the current style, or None (an older style, or not a key at all)."""
    found = _KEY.match(raw)
    if found is None:
        return None
    return RouteKey(found[1], tuple(found[2].split(":")))


def renamed(new_prefix: str) -> Rewrite:
    """A legacy rewrite for an old key that differs only by its prefix:
    ``live-score:7:0`` → ``live.score:7:0``."""

    def rewrite(rest: str) -> str:
        return f"{new_prefix}:{rest}"

    return rewrite


@dataclass(frozen=True)
class Route(Generic[H]):
    key: RouteKey
    handler: H
    legacy: str = ""  # the old prefix the key was written in ("" when current)


class RouteTable(Generic[H]):
    """Prefix → handler, with the legacy key styles it still understands."""

    def __init__(self, surface: str) -> None:
        self.surface = surface
        self._routes: dict[str, H] = {}
        self._legacy: dict[str, Rewrite] = {}

    def route(self, prefix: str, handler: H) -> RouteTable[H]:
        """``prefix`` (``feature.action``) is ``handler``'s; a second claim is refused."""
        if not _PREFIX.match(prefix):
            raise RouteCollision(f"{self.surface}: {prefix!r} is not feature.action")
        if prefix in self._routes:
            raise RouteCollision(f"{self.surface}: two handlers claim {prefix!r}")
        self._routes[prefix] = handler
        return self

    def legacy(self, old_prefix: str, rewrite: Rewrite, *, to: str = "") -> RouteTable[H]:
        """Old keys starting with ``old_prefix`` are read as ``rewrite(rest)``; ``to`` (the
        new prefix they become, when there is one) must already be routed."""
        for other in self._legacy:
            if other.startswith(old_prefix) or old_prefix.startswith(other):
                raise RouteCollision(
                    f"{self.surface}: legacy keys {other!r} and {old_prefix!r} overlap"
                )
        if parse_key(old_prefix + "x") is not None:
            raise RouteCollision(f"{self.surface}: legacy {old_prefix!r} looks like a new key")
        if to and to not in self._routes:
            raise RouteCollision(f"{self.surface}: legacy {old_prefix!r} points to unrouted {to!r}")
        self._legacy[old_prefix] = rewrite
        return self

    def rename(self, old_prefix: str, new_prefix: str) -> RouteTable[H]:
        """Legacy keys that became ``new_prefix:<same arguments>``."""
        return self.legacy(old_prefix, renamed(new_prefix), to=new_prefix)

    def resolve(self, raw: str) -> Route[H] | None:
        """The route of a key in the current style or a listed legacy one; None otherwise."""
        key = parse_key(raw)
        if key is not None:
            handler = self._routes.get(key.prefix)
            return Route(key, handler) if handler is not None else None
        for old, rewrite in self._legacy.items():
            if raw.startswith(old):
                new = rewrite(raw.removeprefix(old))
                key = parse_key(new) if new else None
                if key is not None and key.prefix in self._routes:
                    return Route(key, self._routes[key.prefix], legacy=old)
                return None
        return None

    @property
    def prefixes(self) -> tuple[str, ...]:
        return tuple(self._routes)

    @property
    def legacy_prefixes(self) -> tuple[str, ...]:
        return tuple(self._legacy)


# -- candidates' choices ----------------------------------------------------------------------
# A choices message (``ports.candidate_channel``) names what it asks in ``subject``
# (``invite:12``, ``slots:12``, ``survey:5:satisfaction``, ``offer:42``) and lists short
# choice keys (``confirm``, ``slot:0``, ``4``, ``accept``); the key that comes back is both
# in one: ``answer_key(subject, choice)``. Older 微信客服 menus carried ``subject|choice``.

INVITE_SLOT = "invite.slot"
SURVEY_ANSWER = "survey.answer"
_SLOT = "slot:"


def answer_key(subject: str, choice: str) -> str:
    """The key of ``choice`` in a message about ``subject``: ``invite.confirm:12``,
    ``invite.slot:12:0``, ``survey.answer:5:satisfaction:4``, ``offer.accept:42``."""
    kind, _, ref = subject.partition(":")
    if kind in ("invite", "slots"):
        if choice.startswith(_SLOT):
            return f"{INVITE_SLOT}:{ref}:{choice.removeprefix(_SLOT)}"
        return f"invite.{choice}:{ref}"
    if kind == "survey":
        return f"{SURVEY_ANSWER}:{ref}:{choice}"
    return f"{kind}.{choice}:{ref}"


def legacy_choice(kind: str) -> Rewrite:
    """A legacy rewrite for the old menu id ``<kind>:<ref>|<choice>``."""

    def rewrite(rest: str) -> str | None:
        ref, sep, choice = rest.partition("|")
        return answer_key(f"{kind}:{ref}", choice) if sep and ref and choice else None

    return rewrite
