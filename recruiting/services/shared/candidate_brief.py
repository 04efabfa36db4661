"""``候选人 <姓名>`` in chat: what an interviewer needs before walking in, and no more.

Name, the job applied for, every round with its time and status. Never phone, e-mail or ID
number: those stay with ``PersonalDataService``. HR (who manage interviews) may look anyone
up; an interviewer only candidates of interviews they sit on. Every look-up is audited, a
refused one too.
"""

from __future__ import annotations

from datetime import tzinfo

from recruiting.domain.roles import Permission, allows
from recruiting.domain.shorten import shorten
from recruiting.models import (
    Application,
    Candidate,
    Interview,
    InterviewMode,
    Staff,
)
from recruiting.services.live import texts as say
from recruiting.services.live.context import actor_of, local
from recruiting.services.shared.audit import record

NOT_FOUND = "没有找到您可以查看的候选人「{name}」。面试官只能查看自己参与面试的候选人。"
MODES = {InterviewMode.ONSITE: "现场", InterviewMode.REMOTE: "线上", InterviewMode.RECORDED: "录制"}
MAX_APPLICATIONS = 3


async def candidate_brief(staff: Staff, name: str, zone: tzinfo, *, quiet: bool) -> str | None:
    """The brief on candidates called ``name`` that ``staff`` may see. None when there is
    none and ``quiet`` (the caller then reads the text as something else)."""
    name = name.strip()
    candidates = await Candidate.filter(name=name, erased_at__isnull=True).limit(10)
    ids = [c.id for c in candidates]
    query = Application.filter(candidate_id__in=ids)
    if not allows(staff.role_set(), Permission.MANAGE_INTERVIEWS):
        query = query.filter(interviews__assignments__interviewer_id=staff.id)
    applications = await query.distinct().order_by("-id").limit(MAX_APPLICATIONS)
    shown = {int(a.candidate_id) for a in applications}
    for candidate_id in ids:
        await record(actor_of(staff), "view_candidate_brief", "candidate", candidate_id,
                     allowed=candidate_id in shown)  # fmt: skip
    if not applications:
        return None if quiet else NOT_FOUND.format(name=shorten(name, max_chars=20, inline=True))
    parts = [await _application(a, staff, zone) for a in applications]
    return shorten(f"候选人 {name}\n" + "\n".join(parts), say.TEXT_LIMIT)


async def _application(application: Application, staff: Staff, zone: tzinfo) -> str:
    job = await application.job
    where = " · ".join(x for x in (job.department, job.city) if x)
    lines = [f"应聘：{job.title}" + (f"（{where}）" if where else "")]
    interviews = (
        await Interview.filter(application_id=application.id)
        .prefetch_related("round", "assignments")
        .order_by("starts_at", "id")
    )
    interviews.sort(key=lambda i: (i.round.sequence, i.id))
    for interview in interviews:
        round_ = interview.round
        mine = any(a.interviewer_id == staff.id for a in interview.assignments)
        mode = MODES.get(InterviewMode(interview.mode), "")
        when = local(interview.starts_at, zone) if interview.mode != InterviewMode.RECORDED else ""
        status = say.status_name(interview.status)
        text = " ".join(x for x in (f"· {round_.name}（{mode}）", when, status) if x)
        lines.append(text + ("  ← 您参与" if mine else ""))
    if not interviews:
        lines.append("· 尚未安排面试")
    return "\n".join(lines)
