"""Mini-app sessions: the service's own short-lived, revocable tokens.

A login code from the phone is exchanged (through the ``LoginCodeExchange`` port) for a
WeChat or WeCom identity; the session_key that comes with it is stored encrypted and never
returned. The token handed to the app is random; only its SHA-256 is stored, so every
lookup is one indexed read and a leaked table grants nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

from recruiting.clock import now
from recruiting.domain.roles import Role
from recruiting.errors import Forbidden, Unauthenticated
from recruiting.infra.pii import FieldCipher
from recruiting.models import AppSession, Candidate, Staff, SubjectKind
from recruiting.ports.identity import LoginCodeExchange
from recruiting.services.shared.audit import Actor, record


class UnknownMember(Forbidden):
    code = "unknown_member"


class AccountDeactivated(Forbidden):
    code = "account_deactivated"


ACCOUNT_DEACTIVATED = "你的账号已停用，无法继续使用。如有疑问，请联系 HR。"


@dataclass(frozen=True)
class Principal:
    """Who is calling: a candidate, a staff member, or a WeChat visitor not yet invited."""

    session_id: int
    kind: SubjectKind
    openid: str = ""
    candidate_id: int | None = None
    staff_id: int | None = None
    userid: str = ""
    roles: frozenset[Role] = frozenset()

    @property
    def actor(self) -> Actor:
        if self.kind is SubjectKind.STAFF:
            return Actor(self.userid, self.roles)
        if self.candidate_id is not None:
            return Actor(f"candidate:{self.candidate_id}")
        return Actor(f"wechat:{self.openid[:48]}")


@dataclass(frozen=True)
class IssuedSession:
    token: str
    expires_at: datetime
    principal: Principal


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class SessionService:
    def __init__(self, identity: LoginCodeExchange, cipher: FieldCipher, ttl: int) -> None:
        self._identity = identity
        self._cipher = cipher
        self._ttl = timedelta(seconds=ttl)

    async def login_candidate(self, code: str) -> IssuedSession:
        who = await self._identity.candidate(code)
        candidate = await Candidate.get_or_none(wechat_openid=who.openid, erased_at=None)
        kind = SubjectKind.CANDIDATE if candidate else SubjectKind.VISITOR
        return await self._issue(kind, who.session_key, openid=who.openid, candidate=candidate)

    async def login_staff(self, code: str) -> IssuedSession:
        who = await self._identity.employee(code)
        staff = await Staff.get_or_none(wecom_userid=who.userid)
        if staff is None or not staff.active:
            await record(Actor(who.userid), "miniapp_login", "staff", who.userid, allowed=False,
                         detail="not staff" if staff is None else "deactivated")  # fmt: skip
            if staff is not None:
                raise AccountDeactivated(ACCOUNT_DEACTIVATED)
            raise UnknownMember("you are not registered as staff of this service; ask HR")
        return await self._issue(SubjectKind.STAFF, who.session_key, staff=staff)

    async def authenticate(self, token: str | None) -> Principal:
        """The session behind a bearer token; 401 errors say which problem it is."""
        if not token:
            raise Unauthenticated(
                "log in first: Authorization: Bearer <token>", code="missing_token"
            )
        session = await AppSession.get_or_none(token_hash=token_hash(token)).select_related("staff")
        if session is None:
            raise Unauthenticated("the session token is not valid", code="invalid_session")
        staff = session.staff
        if staff is not None and not staff.active:  # read with the session: no extra query
            await self._refuse_inactive(session, staff)
        if session.revoked_at is not None:
            raise Unauthenticated("the session token is not valid", code="invalid_session")
        if session.expires_at <= now():
            raise Unauthenticated("the session has expired; log in again", code="session_expired")
        return Principal(
            session_id=session.id,
            kind=SubjectKind(session.kind),
            openid=session.openid,
            candidate_id=session.candidate_id,
            staff_id=staff.id if staff else None,
            userid=staff.wecom_userid if staff else "",
            roles=staff.role_set() if staff else frozenset(),
        )

    async def _refuse_inactive(self, session: AppSession, staff: Staff) -> NoReturn:
        """A deactivated account is refused on its very next request (and audited), even if
        its session outlived the change; the session ends here if nothing ended it yet."""
        if session.revoked_at is None:
            await AppSession.filter(id=session.id).update(revoked_at=now())
        await record(Actor(staff.wecom_userid, staff.role_set()), "authenticate", "app_session",
                     session.id, allowed=False, detail="staff account deactivated")  # fmt: skip
        raise AccountDeactivated(ACCOUNT_DEACTIVATED)

    async def revoke(self, principal: Principal) -> None:
        await AppSession.filter(id=principal.session_id).update(revoked_at=now())

    async def bind_candidate(self, principal: Principal, candidate_id: int) -> Principal:
        """A visitor who redeemed an invitation becomes that candidate in this session."""
        await AppSession.filter(id=principal.session_id).update(
            kind=SubjectKind.CANDIDATE, candidate_id=candidate_id
        )
        return Principal(
            principal.session_id, SubjectKind.CANDIDATE, principal.openid, candidate_id
        )

    async def _issue(
        self,
        kind: SubjectKind,
        session_key: str,
        *,
        openid: str = "",
        candidate: Candidate | None = None,
        staff: Staff | None = None,
    ) -> IssuedSession:
        token = secrets.token_urlsafe(32)
        expires = now() + self._ttl
        sealed = self._cipher.encrypt(session_key, "app_session.session_key") if session_key else ""
        session = await AppSession.create(
            token_hash=token_hash(token),
            kind=kind,
            openid=openid,
            candidate=candidate,
            staff=staff,
            session_key_enc=sealed,
            expires_at=expires,
        )
        principal = Principal(
            session_id=session.id,
            kind=kind,
            openid=openid,
            candidate_id=candidate.id if candidate else None,
            staff_id=staff.id if staff else None,
            userid=staff.wecom_userid if staff else "",
            roles=staff.role_set() if staff else frozenset(),
        )
        return IssuedSession(token, expires, principal)
