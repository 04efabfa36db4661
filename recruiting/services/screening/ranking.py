"""Screening in bulk: an opening's applicants ranked by how well their parsed résumés meet
its requirements, with the breakdown, filters, and one action that invites the top N to
the recorded interview (the AI interview) through the existing invitation flow.

Order: résumés not knocked out first, then by score, then by more requirements met and
fewer unknown, then by application (oldest first), so the same data always ranks alike.
Inviting is per candidate: each gets its own invitation and message in one unit of work,
and an applicant already invited to the round is skipped, also when two HR people click at
the same time (the application row is locked while it is checked).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta, tzinfo
from enum import StrEnum
from typing import cast

from recruiting import clock
from recruiting.domain.interview_state import InterviewStatus
from recruiting.domain.job_requirements import JobRequirements
from recruiting.domain.recorded_round import parse_questions
from recruiting.domain.resume_match import MatchResult, match_resume
from recruiting.domain.skill_synonyms import SynonymTable
from recruiting.errors import Conflict, InvalidInput, RecruitingError
from recruiting.models import Application, Interview, InterviewRound, JobOpening, RoundKind
from recruiting.ports.candidate_channel import candidate_recipient
from recruiting.ports.outbound import Channel, OutboundDraft
from recruiting.services.messaging.effects import Effects
from recruiting.services.recorded.links import CreatedLink, RecordingLinks
from recruiting.services.screening.requirements import NOT_HR, opening, stored
from recruiting.services.screening.sources import Applicant, ParsedResumes
from recruiting.services.shared.access import require_hr
from recruiting.services.shared.audit import record
from recruiting.services.shared.sessions import Principal

log = logging.getLogger(__name__)

MAX_INVITE = 50  # one click invites at most this many
THREAD_FROM = 50  # more résumés than this are matched off the event loop
MATCH_CACHE = 50_000  # (résumé, requirements) matches kept
_Placed = tuple[MatchResult, tuple[int, int, int, int]]  # a match with its place in the order


@dataclass(frozen=True)
class Ranked:
    rank: int
    applicant: Applicant
    result: MatchResult
    invited: bool = False  # already invited to a recorded interview of the opening


@dataclass(frozen=True)
class Shortlist:
    job_id: int
    job_title: str
    requirements: JobRequirements
    screened: int  # applicants with a parsed résumé, before the filters
    ranked: tuple[Ranked, ...]


@dataclass(frozen=True)
class Matched:
    """One application's match (what the intake card and the candidate page show):
    ``result`` None with ``why`` (Chinese, for HR) when there is nothing to match."""

    application_id: int
    job_id: int
    job_title: str
    result: MatchResult | None
    why: str = ""


class Outcome(StrEnum):
    INVITED = "invited"
    ALREADY_INVITED = "already_invited"
    FAILED = "failed"


@dataclass(frozen=True)
class InviteResult:
    application_id: int
    name: str
    outcome: Outcome
    message: str  # Chinese, for HR
    interview_id: int | None = None


class Screening:
    def __init__(
        self,
        resumes: ParsedResumes,
        table: SynonymTable,
        links: RecordingLinks,
        effects: Effects,
        zone: tzinfo,
        invite_days: int = 7,
    ) -> None:
        self._resumes = resumes
        self._table = table
        self._links = links
        self._effects = effects
        self._zone = zone
        self._invite_for = timedelta(days=invite_days)
        # A match depends only on the résumé, the requirements and the synonym table (fixed
        # per instance): kept per (stored résumé, requirements) so a large opening's list is
        # not matched afresh on every view.
        # Written only on the event loop (``_rank``), never from its worker thread.
        self._matched: OrderedDict[tuple[str, str], _Placed] = OrderedDict()

    async def shortlist(
        self,
        principal: Principal,
        job_id: int,
        *,
        knocked_out: bool | None = None,
        min_score: int | None = None,
        limit: int | None = None,
    ) -> Shortlist:
        """The ranked applicants; ``knocked_out`` False/True keeps only those not/only those
        knocked out, ``min_score`` those scoring at least that. Audited (it reads résumés)."""
        await require_hr(principal, "screen_resumes", "job_opening", job_id, refusal=NOT_HR)
        if min_score is not None and not 0 <= min_score <= 100:
            raise InvalidInput("最低分应在 0 到 100 之间")
        if limit is not None and not 1 <= limit <= 1000:
            raise InvalidInput("一次最多列出 1000 人")
        job = await opening(job_id)
        requirements = stored(job)
        if requirements.empty:
            raise InvalidInput(f"「{job.title}」还没有设置招聘要求，请先设置后再筛选简历")
        applicants = await self._resumes.for_opening(job_id)
        invited = await _invited_any(job_id, [a.application_id for a in applicants])
        ranked = await self._rank(applicants, requirements, invited)
        kept = [
            r
            for r in ranked
            if (knocked_out is None or r.result.knocked_out == knocked_out)
            and (min_score is None or r.result.score >= min_score)
        ]
        await record(principal.actor, "screen_resumes", "job_opening", job_id, allowed=True,
                     detail=f"screened={len(ranked)} listed={len(kept[:limit])}")  # fmt: skip
        return Shortlist(job.id, job.title, requirements, len(ranked), tuple(kept[:limit]))

    async def match_application(self, application_id: int) -> Matched | None:
        """The application's newest parsed résumé against its opening's requirements, by
        the same matcher and synonym table as the ranking; None for an unknown application.
        No role check: callers (the upload, the candidate page) checked and audit it."""
        application = await Application.get_or_none(id=application_id).prefetch_related("job")
        if application is None:
            return None
        job: JobOpening = application.job
        try:
            requirements = stored(job)
        except RecruitingError:
            log.warning("opening %s has unreadable requirements; no match shown", job.id)
            return Matched(application_id, job.id, job.title, None, "岗位的招聘要求无法读取")
        if requirements.empty:
            return Matched(application_id, job.id, job.title, None, "岗位尚未设置招聘要求")
        applicant = await self._resumes.for_application(application_id)
        if applicant is None:
            return Matched(application_id, job.id, job.title, None, "暂无已解析的简历")
        result = match_resume(applicant.resume, requirements, self._table)
        return Matched(application_id, job.id, job.title, result)

    async def _rank(
        self, applicants: list[Applicant], requirements: JobRequirements, invited: set[int]
    ) -> list[Ranked]:
        wanted = json.dumps(requirements.to_json(), sort_keys=True, ensure_ascii=False)
        found: dict[int, _Placed] = {}
        for n, a in enumerate(applicants):
            kept = self._matched.get((a.key, wanted)) if a.key else None
            if kept is not None:
                found[n] = kept
        todo = [n for n in range(len(applicants)) if n not in found]

        def match_all() -> list[_Placed]:
            """Pure: many fresh résumés run in a worker thread, which must not touch the
            kept matches (shared by every view on the event loop)."""
            return [_ranked_by(match_resume(applicants[n].resume, requirements, self._table))
                    for n in todo]  # fmt: skip

        fresh = await asyncio.to_thread(match_all) if len(todo) > THREAD_FROM else match_all()
        for n, placed in zip(todo, fresh, strict=True):
            found[n] = placed
            if applicants[n].key:
                self._matched[(applicants[n].key, wanted)] = placed
                if len(self._matched) > MATCH_CACHE:
                    self._matched.popitem(last=False)
        order = sorted(range(len(applicants)),
                       key=lambda n: (*found[n][1], applicants[n].application_id))  # fmt: skip
        return [
            Ranked(place + 1, applicants[n], found[n][0], applicants[n].application_id in invited)
            for place, n in enumerate(order)
        ]

    async def invite_top(
        self,
        principal: Principal,
        job_id: int,
        top: int,
        *,
        application_ids: Sequence[int] | None = None,
    ) -> list[InviteResult]:
        """Invite the ``top`` best applicants not knocked out to the opening's recorded
        interview, or exactly ``application_ids`` (what HR saw on a card), in rank order.
        HR only, checked before the opening is looked up."""
        await require_hr(principal, "invite_from_screening", "job_opening", job_id, refusal=NOT_HR)
        if not 1 <= top <= MAX_INVITE:
            raise InvalidInput(f"一次可邀请 1 到 {MAX_INVITE} 人")
        chosen: list[Applicant]
        job = await opening(job_id)
        round_ = await recorded_round(job)
        if application_ids is None:
            listed = await self.shortlist(principal, job_id, knocked_out=False, limit=top)
            chosen = [r.applicant for r in listed.ranked]
        else:
            wanted = list(dict.fromkeys(application_ids))[:top]
            known = {a.application_id: a for a in await self._resumes.for_opening(job_id)}
            chosen = [known[i] for i in wanted if i in known]
        results = []
        for applicant in chosen:
            results.append(await self._invite_one(principal, job, round_, applicant))
        return results

    async def _invite_one(
        self, principal: Principal, job: JobOpening, round_: InterviewRound, who: Applicant
    ) -> InviteResult:
        deadline = clock.now() + self._invite_for
        try:
            async with self._effects.unit() as unit:
                await Application.select_for_update().get(id=who.application_id)
                if await _invited(who.application_id, round_.id):
                    return InviteResult(who.application_id, who.name, Outcome.ALREADY_INVITED,
                                        f"{who.name}已邀请过，跳过")  # fmt: skip
                created = await self._links.create(
                    principal, who.application_id, round_.id, deadline
                )
                draft = _invitation_message(who, job, round_, created, self._zone)
                await unit.add([draft], cause=f"screening-invite:{created.interview_id}")
        except RecruitingError as exc:
            log.warning("screening invite of application %s failed: %s", who.application_id,
                        exc.message)  # fmt: skip
            return InviteResult(who.application_id, who.name, Outcome.FAILED,
                                f"{who.name}邀请失败，请稍后在工作台重试")  # fmt: skip
        return InviteResult(
            who.application_id,
            who.name,
            Outcome.INVITED,
            f"已邀请{who.name}参加 AI 面试",
            created.interview_id,
        )


def _ranked_by(result: MatchResult) -> _Placed:
    """The result with its place in the order (then the application id decides)."""
    met, _, unknown = result.counts
    return result, (result.knocked_out, -result.score, -met, unknown)


async def recorded_round(job: JobOpening) -> InterviewRound:
    """The opening's first recorded round with valid questions (the AI interview)."""
    rounds = await InterviewRound.filter(  # a closed round takes no new interviews
        job_id=job.id, kind=RoundKind.RECORDED, closed_at=None
    ).order_by("sequence")
    for round_ in rounds:
        try:
            parse_questions(round_.questions)
        except RecruitingError:
            continue
        return round_
    raise Conflict(f"「{job.title}」还没有可用的 AI 面试（录播面试）轮次，请先在工作台添加题目")


async def _invited_any(job_id: int, application_ids: list[int]) -> set[int]:
    """Which of the applications already have a recorded interview of the opening."""
    if not application_ids:
        return set()
    wanted = set(application_ids)
    rows = await (
        Interview.filter(round__job_id=job_id, round__kind=RoundKind.RECORDED)
        .exclude(status=InterviewStatus.CANCELLED)
        .values_list("application_id", flat=True)
    )  # the opening's, then kept in Python: thousands of ids as parameters cost more
    return {int(cast(int, r)) for r in rows} & wanted


async def _invited(application_id: int, round_id: int) -> bool:
    """An invitation to this round that still stands (or was taken) counts as invited."""
    return (
        await Interview.filter(application_id=application_id, round_id=round_id)
        .exclude(status=InterviewStatus.CANCELLED)
        .exists()
    )


def _invitation_message(
    who: Applicant,
    job: JobOpening,
    round_: InterviewRound,
    created: CreatedLink,
    zone: tzinfo,
) -> OutboundDraft:
    deadline = created.expires_at.astimezone(zone)
    content = (
        f"您好，感谢您应聘「{job.title}」。您的简历已通过初步筛选，"
        f"诚邀您参加 AI 面试（{round_.name}）：在手机上按提示录制回答即可，随时可以开始。"
        f"请在 {deadline:%Y-%m-%d %H:%M} 前完成。"
    )
    payload = {"kind": "link", "title": "AI 面试邀请", "path": created.path, "content": content}
    return OutboundDraft(Channel.CANDIDATE, candidate_recipient(who.candidate_id), payload,
                         "recorded-invite")  # fmt: skip
