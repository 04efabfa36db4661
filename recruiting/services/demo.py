"""The sandbox demo: staff, an opening and a candidate for a newcomer's first run, and what
the sandbox console shows and does on the service's side (candidates with their invitation
codes, the demo clock).

Only ever used when the service runs against the built-in WeCom sandbox. The sandbox's
member ``visitor`` is deliberately left out: it shows what an unregistered member sees.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from recruiting import clock
from recruiting.errors import Forbidden, InvalidInput
from recruiting.models import (
    Application,
    Candidate,
    CandidateContact,
    Interview,
    InterviewAssignment,
    InterviewInvitation,
    InterviewRound,
    JobOpening,
    JobStatus,
    RoundKind,
    Staff,
)
from recruiting.settings import Settings, is_loopback

DEMO_STAFF = [
    ("zhangwei", "张伟", "HR经理", ["hr_manager"]),
    ("lina", "李娜", "招聘专员", ["hr"]),
    ("wangqiang", "王强", "技术面试官", ["interviewer"]),
    ("chenjing", "陈静", "销售总监", ["interviewer"]),
]


async def seed_demo_staff() -> int:
    """Create the demo staff that are missing; returns how many were created."""
    created = 0
    for userid, name, title, roles in DEMO_STAFF:
        _, is_new = await Staff.get_or_create(
            wecom_userid=userid, defaults={"name": name, "title": title, "roles": roles}
        )
        created += int(is_new)
    return created


DEMO_JOB_CODE = "demo-sales"
DEMO_JOB_TITLE = "销售代表（演示）"
DEMO_CANDIDATE = "刘洋"  # the README's and the console's example name
DEMO_MODEL = [
    {"code": "customer_focus", "name": "客户导向", "weight": "0.4"},
    {"code": "communication", "name": "沟通能力", "weight": "0.3"},
    {"code": "results", "name": "结果导向", "weight": "0.3"},
]
DEMO_QUESTIONS = [
    {"text": "请讲一次你说服一位犹豫不决的客户最终成交的经历。",
     "competencies": ["客户导向", "沟通能力"], "prep_seconds": 30, "answer_seconds": 180,
     "retakes": 1},
    {"text": "说说你在业绩压力很大的时候，是如何完成销售目标的？",
     "competencies": ["结果导向"], "prep_seconds": 30, "answer_seconds": 180, "retakes": 1},
]  # fmt: skip


async def seed_demo_recruiting() -> int:
    """A demo opening with a recorded round, a live round and one applicant, so a newcomer
    can invite someone to a recorded interview from the mini-app API, or schedule a live one
    in chat (安排面试 刘洋 销售代表), right away. Returns the application id."""
    job, _ = await JobOpening.get_or_create(
        code=DEMO_JOB_CODE,
        defaults={"title": DEMO_JOB_TITLE, "status": JobStatus.OPEN,
                  "competency_model": DEMO_MODEL},
    )  # fmt: skip
    await InterviewRound.get_or_create(
        job=job, sequence=1,
        defaults={"name": "录制面试", "kind": RoundKind.RECORDED, "questions": DEMO_QUESTIONS},
    )  # fmt: skip
    await InterviewRound.get_or_create(
        job=job,
        sequence=2,
        defaults={
            "name": "业务面",
            "kind": RoundKind.LIVE,
            "duration_minutes": 45,
            "preparation": "近一年的销售业绩，以及一次成交的完整经历",
        },
    )
    candidate, _ = await Candidate.get_or_create(name=DEMO_CANDIDATE)
    application, _ = await Application.get_or_create(candidate=candidate, job=job)
    return application.id


# -- what the sandbox console shows and does -----------------------------------------------

MAX_JUMP = timedelta(days=30)
OPEN_STATUSES = ("scheduled", "invited", "confirmed", "reschedule_requested")
STATUS_NAMES = {
    "scheduled": "已安排", "invited": "已邀请，待确认", "confirmed": "候选人已确认",
    "reschedule_requested": "候选人申请改期", "in_progress": "面试中", "completed": "已结束",
    "declined": "候选人已拒绝", "cancelled": "已取消", "no_show": "未到场",
}  # fmt: skip


def sandbox_demo_allowed(settings: Settings) -> bool:
    """The demo clock and candidate list exist only with the sandbox corp, served on loopback
    (never with a real corp's credentials, never reachable from another machine)."""
    return (
        settings.wecom.uses_sandbox
        and is_loopback(settings.server.host)
        and is_loopback(settings.sandbox.host)
    )


class SandboxDemo:
    """The service's side of the sandbox console (``wecom_bot.sandbox.world.DemoWorld``).

    ``tick`` runs the scheduler's jobs once, so what a clock move makes due happens at once
    instead of at the next tick."""

    def __init__(
        self, settings: Settings, tick: Callable[[], Awaitable[object]] | None = None
    ) -> None:
        if not sandbox_demo_allowed(settings):
            raise Forbidden("the demo clock needs the sandbox corp on a loopback address")
        self._settings = settings
        self._tick = tick

    def offset_seconds(self) -> float:
        return clock.offset().total_seconds()

    async def advance(self, seconds: float) -> dict[str, Any]:
        """Move the service's clock forward (at most 30 days at a time), then run the jobs."""
        if not 0 < seconds <= MAX_JUMP.total_seconds():
            raise InvalidInput("时间只能向前拨，一次最多 30 天")
        clock.advance(timedelta(seconds=seconds))
        if self._tick is not None:
            await self._tick()
        return await self.clock_view()

    async def restore(self, offset_seconds: float) -> None:
        """After a restart: the clock runs ahead again by what the sandbox saved."""
        missing = offset_seconds - self.offset_seconds()
        if missing > 0:
            clock.advance(timedelta(seconds=missing))

    async def clock_view(self) -> dict[str, Any]:
        now = clock.now()
        return {
            "now": now.isoformat(),
            "local": _local(now, self._settings),
            "offset_seconds": int(self.offset_seconds()),
            "next": [
                {"label": label, "at": at.isoformat(), "local": _local(at, self._settings),
                 "seconds": int((at - now).total_seconds())}
                for label, at in await self._next_events(now)
            ],
        }  # fmt: skip

    async def _next_events(self, now: datetime) -> list[tuple[str, datetime]]:
        """What the demo can jump to: reminders and the start of open interviews, then the
        survey and summary of finished ones (a minute after each is due)."""
        events: list[tuple[str, datetime]] = []
        minute = timedelta(minutes=1)
        for interview in await Interview.filter(
            status__in=OPEN_STATUSES, starts_at__gt=now
        ).order_by("starts_at"):
            start = interview.starts_at
            if start is None:
                continue
            for before in self._settings.reminders.offsets:
                events.append((f"面试前 {_span(before)}的提醒", start - before + minute))
            events.append(("面试开始前 5 分钟", start - timedelta(minutes=5)))
        follow = self._settings.followup
        survey = timedelta(minutes=follow.survey_delay_minutes) + minute
        summary = timedelta(minutes=follow.summary_delay_minutes) + minute
        finished = Interview.filter(status="completed", completed_at__gt=now - MAX_JUMP)
        for interview in await finished:
            if interview.completed_at is None:
                continue
            events.append(("面试后问卷", interview.completed_at + survey))
            events.append(("面试反馈草稿", interview.completed_at + summary))
        return sorted((e for e in events if e[1] > now), key=lambda e: e[1])[:6]

    async def candidates(self) -> list[dict[str, Any]]:
        """Each candidate with an application: job, latest interview and its panel, the
        invitation code a candidate sends in 微信客服 to bind it, and whether it is bound."""
        applications = await Application.all().prefetch_related("candidate", "job").order_by("id")
        return [
            await self._candidate(a) for a in applications[:20] if a.candidate.erased_at is None
        ]

    async def _candidate(self, application: Application) -> dict[str, Any]:
        candidate: Candidate = application.candidate
        job: JobOpening = application.job
        invitation = (
            await InterviewInvitation.filter(candidate_id=candidate.id).order_by("-id").first()
        )
        interview = await Interview.filter(application_id=application.id).order_by("-id").first()
        contact = await CandidateContact.get_or_none(candidate_id=candidate.id)
        panel: list[dict[str, Any]] = []
        if interview is not None:
            assigned = (
                await InterviewAssignment.filter(interview_id=interview.id)
                .order_by("-lead", "id")
                .prefetch_related("interviewer")
            )
            panel = [
                {"userid": a.interviewer.wecom_userid, "name": a.interviewer.name, "lead": a.lead}
                for a in assigned
            ]
        starts = interview.starts_at if interview is not None else None
        return {
            "name": candidate.name,
            "job": job.title,
            "demo": job.code == DEMO_JOB_CODE,
            "invitation_code": invitation.reference if invitation else "",
            "invitation_status": str(invitation.status) if invitation else "",
            "interview": STATUS_NAMES.get(str(interview.status), "") if interview else "",
            "starts_at": _local(starts, self._settings) if starts else "",
            "panel": panel,
            "kf_bound": bool(contact and contact.kf_external_userid),
        }


def _local(at: datetime, settings: Settings) -> str:
    return at.astimezone(settings.timezone).strftime("%Y-%m-%d %H:%M")


def _span(delta: timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    if hours and hours % 24 == 0:
        return f"{hours // 24} 天"
    return f"{hours} 小时" if hours else f"{int(delta.total_seconds() // 60)} 分钟"
