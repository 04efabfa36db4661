"""Links to a recorded interview (``RecordingLink``): HR creates one, the candidate redeems
it once.

The token travels in a link or QR code; only its hash is stored. Redeeming is a single
conditional UPDATE, so two phones racing with the same link cannot both bind to it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from recruiting.clock import now
from recruiting.domain.interview_state import InterviewStatus
from recruiting.domain.recorded_round import parse_questions
from recruiting.domain.roles import Permission
from recruiting.errors import Conflict, InvalidInput, NotFound
from recruiting.models import (
    Application,
    Candidate,
    Interview,
    InterviewMode,
    InterviewRound,
    RecordingLink,
    RoundKind,
    SubjectKind,
)
from recruiting.services.shared.access import require_staff
from recruiting.services.shared.audit import record
from recruiting.services.shared.round_versions import version_for_new_interview
from recruiting.services.shared.sessions import Principal, SessionService, token_hash


class LinkInvalid(Conflict):
    code = "invitation_invalid"  # the code clients know: unchanged


class RoundClosed(Conflict):
    code = "round_closed"


@dataclass(frozen=True)
class CreatedLink:
    interview_id: int
    token: str
    expires_at: datetime
    path: str  # mini-program page path carrying the token (link or QR code)


class RecordingLinks:
    def __init__(self, sessions: SessionService, ttl: int) -> None:
        self._sessions = sessions
        self._ttl = timedelta(seconds=ttl)

    async def create(
        self,
        principal: Principal,
        application_id: int,
        round_id: int,
        deadline: datetime | None = None,
    ) -> CreatedLink:
        """Invite to a recorded round; without ``deadline`` the round's answer period
        (``deadline_days`` after now) applies. The interview is pinned to the round's
        current version: later edits of the round do not reach it."""
        require_staff(principal, Permission.MANAGE_INTERVIEWS)
        round_ = await InterviewRound.get_or_none(id=round_id)
        if deadline is None and round_ is not None:
            deadline = now() + timedelta(days=round_.deadline_days)
        if deadline is None:
            raise NotFound("没有找到这位候选人的申请或这一轮面试。")
        if deadline.tzinfo is None:
            raise InvalidInput("截止时间需要带时区。")
        if deadline <= now():
            raise InvalidInput("截止时间必须晚于现在。")
        application = await Application.get_or_none(id=application_id)
        if application is None or round_ is None:
            raise NotFound("没有找到这位候选人的申请或这一轮面试。")
        if round_.kind != RoundKind.RECORDED or round_.job_id != application.job_id:
            raise InvalidInput("只能邀请候选人参加所应聘岗位的录制面试轮次。")
        if round_.closed_at is not None:
            raise RoundClosed("这一轮面试已关闭，不能再邀请候选人")
        parse_questions(round_.questions)
        version = await version_for_new_interview(round_.id, principal.userid or "system")
        token = secrets.token_urlsafe(24)
        expires = min(now() + self._ttl, deadline)
        async with in_transaction():
            interview = await Interview.create(
                application=application,
                round=round_,
                round_version=version,
                mode=InterviewMode.RECORDED,
                status=InterviewStatus.INVITED,
                ends_at=deadline,
            )
            await RecordingLink.create(
                token_hash=token_hash(token),
                interview=interview,
                created_by=principal.userid,
                expires_at=expires,
            )
        await record(principal.actor, "create_invitation", "interview", interview.id, allowed=True)
        path = f"pages/interview/index?invite={token}"
        return CreatedLink(interview.id, token, expires, path)

    async def redeem(self, principal: Principal, token: str) -> tuple[Principal, int]:
        """Bind the caller's WeChat account to the invited candidate; returns the interview."""
        if principal.kind is SubjectKind.STAFF or not principal.openid:
            raise InvalidInput("请候选人用自己的微信打开面试邀请。")
        link = await RecordingLink.get_or_none(token_hash=token_hash(token))
        if link is None or link.expires_at <= now():
            raise LinkInvalid("邀请无效或已过期，请联系 HR 重新发送。")
        interview = await Interview.get(id=link.interview_id).prefetch_related("application")
        candidate = await Candidate.get(id=interview.application.candidate_id)
        if candidate.wechat_openid not in (None, "", principal.openid):
            raise LinkInvalid("这份邀请已绑定另一个微信账号，请用第一次打开它的微信进入。")
        # The openid is unique: bound to another candidate record, binding this one would
        # fail in the database after the link was used up. Refuse it clearly first.
        elsewhere = Candidate.filter(wechat_openid=principal.openid).exclude(id=candidate.id)
        if await elsewhere.exists():
            raise LinkInvalid("这个微信账号已绑定另一位候选人，请联系 HR 处理。")
        if link.redeemed_at is not None:
            if link.redeemed_by != principal.openid:
                raise LinkInvalid("这份邀请已被使用，请联系 HR 重新发送。")
        else:
            # One unit: a link used up without the binding (a crash, the openid's unique
            # index) would be skipped on her retry, leaving her record unbound for good.
            async with in_transaction():
                taken = await RecordingLink.filter(id=link.id, redeemed_at=None).update(
                    redeemed_at=now(), redeemed_by=principal.openid
                )
                if not taken:
                    raise LinkInvalid("这份邀请已被使用，请联系 HR 重新发送。")
                candidate.wechat_openid = principal.openid
                await candidate.save(update_fields=["wechat_openid"])
                if interview.status == InterviewStatus.INVITED:
                    await Interview.filter(id=interview.id, status=InterviewStatus.INVITED).update(
                        status=InterviewStatus.CONFIRMED
                    )
        bound = await self._sessions.bind_candidate(principal, candidate.id)
        await record(bound.actor, "redeem_invitation", "interview", interview.id, allowed=True)
        return bound, interview.id
