"""What the live-interview use cases share: one interview with its people and competencies.

Starting, finishing, a note and a score change state and send messages; the messages are
outbox rows written in the same unit of work (``effects``), keyed by their cause
(``live:<interview>:…``), so a crash between the two can neither lose a card nor send it
twice.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import cast

from recruiting.domain.interview_state import InterviewStatus
from recruiting.domain.roles import Role
from recruiting.domain.round_version import RoundContent
from recruiting.models import (
    Interview,
    InterviewAssignment,
    InterviewRound,
    JobOpening,
    Staff,
)
from recruiting.ports.live_prompts import CompetencyBrief, LivePrompts, LiveScope
from recruiting.ports.outbound import Channel, OutboundDraft
from recruiting.services.shared.audit import Actor
from recruiting.services.shared.round_versions import assessed

KEY_PREFIX = "live"  # of the causes of live-interview effects


def text_draft(recipient: str, content: str, key: str) -> OutboundDraft:
    return OutboundDraft(
        Channel.WECOM_MESSAGE, recipient, {"kind": "text", "content": content}, key
    )


def actor_of(staff: Staff) -> Actor:
    return Actor(staff.wecom_userid, staff.role_set())


@dataclass(frozen=True)
class Panelist:
    staff: Staff
    lead: bool

    @property
    def rater_key(self) -> str:
        return rater_key(self.staff)


def rater_key(staff: Staff) -> str:
    return f"staff:{staff.id}"


@dataclass(frozen=True)
class LiveContext:
    """One interview as the live use cases see it (no contact data: none is needed)."""

    interview: Interview
    candidate: str
    job: JobOpening
    round: InterviewRound
    panel: list[Panelist]
    content: RoundContent  # the round version it is taken with: what the prompts assess

    @property
    def id(self) -> int:
        return int(self.interview.id)

    @property
    def status(self) -> InterviewStatus:
        return InterviewStatus(self.interview.status)

    @property
    def scope(self) -> LiveScope:
        return LiveScope(
            job_code=self.job.code,
            job_title=self.job.title,
            competency_model=self.content.model_json(),
            round_competencies=self.content.competencies,
        )

    def title(self) -> str:
        return f"{self.candidate} · {self.job.title} · {self.round.name}"

    def panelist(self, staff: Staff) -> Panelist | None:
        return next((p for p in self.panel if p.staff.id == staff.id), None)

    def lead(self) -> Staff | None:
        leads = [p.staff for p in self.panel if p.lead]
        return leads[0] if leads else (self.panel[0].staff if self.panel else None)


async def load_context(interview_id: int) -> LiveContext:
    interview = await Interview.get(id=interview_id).prefetch_related(
        "application__candidate", "round__job", "round_version"
    )
    application = interview.application
    round_ = interview.round
    assignments = (
        await InterviewAssignment.filter(interview_id=interview_id)
        .prefetch_related("interviewer")
        .order_by("-lead", "id")
    )
    panel = [Panelist(a.interviewer, a.lead) for a in assignments]
    return LiveContext(
        interview=interview,
        candidate=application.candidate.name,
        job=round_.job,
        round=round_,
        panel=panel,
        content=assessed(interview),
    )


async def in_progress_for(staff: Staff) -> int | None:
    """The interview this person sits on that is running (the latest started, if several)."""
    ids = (
        await InterviewAssignment.filter(
            interviewer_id=staff.id, interview__status=InterviewStatus.IN_PROGRESS
        )
        .order_by("-interview__updated_at")
        .limit(1)
        .values_list("interview_id", flat=True)
    )
    return int(cast(int, ids[0])) if ids else None


async def competencies(prompts: LivePrompts, ctx: LiveContext) -> list[CompetencyBrief]:
    return await asyncio.to_thread(prompts.competencies, ctx.scope)


async def hr_staff() -> list[Staff]:
    """Recruiters (role ``hr``) told about panel results, until applications have an owner."""
    return [s for s in await Staff.filter(active=True).order_by("id") if Role.HR in s.role_set()]


def local(when: datetime | None, zone: tzinfo, fmt: str = "%m-%d %H:%M") -> str:
    return when.astimezone(zone).strftime(fmt) if when is not None else "时间待定"
