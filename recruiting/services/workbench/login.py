"""Staff signing in to the HR workbench: the OAuth / web-login round trip and the service's
own session cookie.

The round trip's ``state`` is kept server-side (the key-value store) with the hash of a
nonce that only the starting browser holds in a cookie, and the page to return to; it is
taken once. The session is an ``AppSession`` of kind ``workbench``: a random token in the
cookie, only its SHA-256 stored, revoked by logout, expiry or the member's deactivation
(``staff_directory.revoke_sessions`` ends every session of the member). Kept apart from
the mini-app's staff sessions: a workbench cookie is no bearer token for the mini-app API.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from recruiting.clock import now
from recruiting.domain import web_login
from recruiting.domain.roles import Permission, Role, allows
from recruiting.errors import Unauthenticated, Untrusted
from recruiting.models import AppSession, Staff, SubjectKind
from recruiting.ports.identity import MemberWebLogin
from recruiting.ports.kv import KeyValueStore
from recruiting.services.shared.audit import Actor, record
from recruiting.services.shared.sessions import (
    ACCOUNT_DEACTIVATED,
    AccountDeactivated,
    Principal,
    UnknownMember,
    token_hash,
)

_STATE_KEY = "workbench:login-state:"


class LoginStateInvalid(Untrusted):
    """The ``state`` is unknown, used, expired or was started in another browser."""

    code = "login_state_invalid"


@dataclass(frozen=True)
class StaffPrincipal:
    """The staff member behind a workbench request."""

    session_id: int
    staff_id: int
    userid: str
    name: str
    roles: frozenset[Role]
    csrf: str

    @property
    def actor(self) -> Actor:
        return Actor(self.userid, self.roles)

    def as_principal(self) -> Principal:
        """The use cases' caller: the same roles and audit actor as in chat and the API."""
        return Principal(self.session_id, SubjectKind.STAFF, staff_id=self.staff_id,
                         userid=self.userid, roles=self.roles)  # fmt: skip

    def can(self, permission: Permission) -> bool:
        return allows(self.roles, permission)


@dataclass(frozen=True)
class LoginStart:
    state: str
    binding: str  # goes into the browser's short-lived cookie; only its hash is kept


@dataclass(frozen=True)
class WebSession:
    token: str
    expires_at: datetime
    principal: StaffPrincipal
    next_path: str


class WorkbenchLogin:
    def __init__(self, identity: MemberWebLogin, kv: KeyValueStore, ttl: int) -> None:
        self._identity = identity
        self._kv = kv
        self._ttl = timedelta(seconds=ttl)

    async def begin(self, next_path: str | None) -> LoginStart:
        """A fresh ``state`` bound to this browser, remembering where to go afterwards."""
        state, binding = web_login.new_state(), secrets.token_urlsafe(24)
        record_ = {"b": web_login.digest(binding), "next": web_login.safe_next(next_path)}
        await self._kv.set(_STATE_KEY + state, json.dumps(record_), ttl=web_login.STATE_TTL)
        return LoginStart(state, binding)

    async def finish(self, code: str, state: str, binding: str | None) -> WebSession:
        """WeCom sent the member back: check the state (once), exchange the code, open a
        session for an active staff member."""
        next_path = await self._take_state(state, binding)
        who = await self._identity.member(code)
        staff = await Staff.get_or_none(wecom_userid=who.userid)
        if staff is None or not staff.active:
            await record(Actor(who.userid), "workbench_login", "staff", who.userid, allowed=False,
                         detail="not staff" if staff is None else "deactivated")  # fmt: skip
            if staff is not None:
                raise AccountDeactivated(ACCOUNT_DEACTIVATED)
            raise UnknownMember("you are not registered as staff of this service; ask HR")
        token = secrets.token_urlsafe(32)
        expires = now() + self._ttl
        session = await AppSession.create(
            token_hash=token_hash(token), kind=SubjectKind.WORKBENCH, staff=staff,
            expires_at=expires,
        )  # fmt: skip
        principal = _principal(session.id, staff, token)
        await record(principal.actor, "workbench_login", "app_session", session.id, allowed=True)
        return WebSession(token, expires, principal, next_path)

    async def _take_state(self, state: str, binding: str | None) -> str:
        if not web_login.is_state(state) or not binding:
            raise LoginStateInvalid("the login state is missing or malformed")
        key = _STATE_KEY + state
        raw = await self._kv.get(key)
        if raw is None:
            raise LoginStateInvalid("the login state is unknown, used or expired")
        saved = json.loads(raw)
        if not secrets.compare_digest(saved["b"], web_login.digest(binding)):
            # another browser cannot use, nor burn, this browser's round trip
            raise LoginStateInvalid("the login was started in another browser")
        # delete-if-unchanged: of two requests with the same state only one wins
        if not await self._kv.delete(key, if_value=raw):
            raise LoginStateInvalid("the login state was used just now")
        return web_login.safe_next(saved["next"])

    async def authenticate(self, token: str | None) -> StaffPrincipal:
        """The staff member behind a session cookie; 401 errors say which problem it is."""
        if not token or len(token) > 128:
            raise Unauthenticated("no workbench session", code="missing_token")
        session = await AppSession.get_or_none(
            token_hash=token_hash(token), kind=SubjectKind.WORKBENCH
        ).select_related("staff")
        staff = session.staff if session is not None else None
        if session is None or staff is None or session.revoked_at is not None:
            raise Unauthenticated("the session is not valid", code="invalid_session")
        if not staff.active:
            await AppSession.filter(id=session.id).update(revoked_at=now())
            await record(Actor(staff.wecom_userid, staff.role_set()), "authenticate",
                         "app_session", session.id, allowed=False,
                         detail="staff account deactivated")  # fmt: skip
            raise AccountDeactivated(ACCOUNT_DEACTIVATED)
        if session.expires_at <= now():
            raise Unauthenticated("the session has expired", code="session_expired")
        return _principal(session.id, staff, token)

    async def logout(self, principal: StaffPrincipal) -> None:
        await AppSession.filter(id=principal.session_id).update(revoked_at=now())
        await record(principal.actor, "workbench_logout", "app_session", principal.session_id,
                     allowed=True)  # fmt: skip


def _principal(session_id: int, staff: Staff, token: str) -> StaffPrincipal:
    return StaffPrincipal(
        session_id=session_id,
        staff_id=staff.id,
        userid=staff.wecom_userid,
        name=staff.name or staff.wecom_userid,
        roles=staff.role_set(),
        csrf=web_login.csrf_token(token),
    )
