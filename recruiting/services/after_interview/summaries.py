"""The candidate summary: drafted for HR after an interview, released by a person.

Drafting — ``CandidateSummaries.draft_due_summaries(now)``, called periodically by the
scheduler: an interview completed within ``surveys.lookback_days`` gets its draft as soon
as every panel member has scored (live) and at the latest ``summaries.delay_minutes``
after completion (recorded interviews: once no answer is still being analysed). The draft
follows ``recruiting.domain.summary_draft``: panel scores first, the AI's advisory ones
marked, rubric anchors from the job's competency model, no numbers and no interviewer notes
for the candidate, respectful suggestions for rejected applications, and nothing at all
(HR must write it) when there are no scores.

HR (role ``hr``) get the draft as a text, then a card with 发布给候选人 (one tap) and 如何编辑.
Release (``SummaryReleases.release``) marks it released (the mini-app shows it), sends it
through the candidate channel in the same transaction and is audited; a second click, on
any HR member's card, finds it released and changes nothing. Editing is
``POST /miniapp/v1/staff/interviews/<id>/summary``, which releases the edited text.

Policy ``summaries.auto_release`` (default false): when true, drafts that rest on panel
scores are released without a click at completion + ``delay_minutes`` (HR's card says when);
drafts resting on AI scores only, or empty ones, always wait for a person.

A draft made while the application was undecided that is still unreleased when the
application is rejected is drafted again as a rejection and sent to HR; it waits for a click
whatever the policy.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any, cast

from tortoise.exceptions import IntegrityError

from recruiting import clock
from recruiting.domain.error_text import for_people
from recruiting.domain.inbound import CardClick, Inbound
from recruiting.domain.pipeline import REJECT_FOR_CANDIDATE, REJECT_NAMES, reject_reason
from recruiting.domain.routing import parse_key, route_key
from recruiting.domain.shorten import shorten
from recruiting.domain.summary_draft import (
    Basis,
    Draft,
    DraftInput,
    Outcome,
    Rating,
    Rubric,
    draft_summary,
)
from recruiting.errors import Conflict, NotFound
from recruiting.models import (
    AnalysisStatus,
    Answer,
    Application,
    ApplicationStatus,
    CandidateSummary,
    Interview,
    InterviewAssignment,
    InterviewMode,
    RaterKind,
    Score,
    Staff,
)
from recruiting.ports.candidate_channel import candidate_recipient
from recruiting.ports.live_prompts import LivePrompts, LiveScope
from recruiting.ports.outbound import Channel, OutboundDraft
from recruiting.services.after_interview.followups import completed_between, window
from recruiting.services.live import texts as say
from recruiting.services.live.context import hr_staff
from recruiting.services.messaging.conversation import card_update
from recruiting.services.messaging.effects import Effects
from recruiting.services.personal_data.talent_pool import offer_if_undecided
from recruiting.services.shared.access import HR_ROLES, job_of, round_of
from recruiting.services.shared.audit import Actor, record
from recruiting.services.shared.round_versions import load_assessed
from recruiting.settings import FollowUpSettings

log = logging.getLogger(__name__)

RELEASE = "summary.release"  # HR's card: summary.release:<interview id>
EDIT = "summary.edit"  # and summary.edit:<interview id>
POLICY = Actor("policy:auto_release")
PENDING_ANALYSIS = (AnalysisStatus.QUEUED, AnalysisStatus.PROCESSING)
HR_ONLY = "只有 HR 可以发布候选人反馈。"
EMPTY = "这份反馈还是空的（本场面试没有评分），请先撰写后再发布。"


def edit_help(interview_id: int) -> str:
    return (
        "如需修改：在小程序「面试详情」中编辑三段内容后发布（接口 POST "
        f"/miniapp/v1/staff/interviews/{interview_id}/summary，字段 strengths、improvements、"
        "next_step）。编辑后的内容会替代草稿并直接发布给候选人；不修改则点卡片上的「发布给候选人」。"
    )


@dataclass(frozen=True)
class Released:
    now: bool  # False: it was released before
    released_at: datetime
    released_by: str


class SummaryReleases:
    """Release a summary to its candidate (mini-app + candidate channel), audited; releasing
    the same text again sends nothing."""

    def __init__(self, effects: Effects) -> None:
        self._effects = effects

    async def release(
        self,
        interview_id: int,
        actor: Actor,
        via: str,
        texts: tuple[str, str, str] | None = None,
    ) -> Released:
        """Release the stored draft, or ``texts`` (strengths, improvements, next step) that
        a person wrote, replacing the draft."""
        interview = await Interview.get_or_none(id=interview_id).prefetch_related(
            "application__candidate", "round__job"
        )
        if interview is None:
            raise NotFound("没有找到这场面试。")
        now = clock.now()
        async with self._effects.unit() as unit:
            summary = await _locked(interview_id, texts)
            if not summary.strengths.strip() or not summary.next_step.strip():
                raise Conflict("发布给候选人的反馈需要写明亮点和下一步。", code="empty_summary")
            if summary.released_at is not None:
                await record(
                    actor,
                    "release_summary",
                    "interview",
                    interview_id,
                    allowed=True,
                    detail=f"via={via} already released",
                )
                return Released(False, summary.released_at, summary.released_by)
            await CandidateSummary.filter(id=summary.id).update(
                released_at=now, released_by=actor.id[:64], release_due_at=None, updated_at=now
            )
            await record(
                actor,
                "release_summary",
                "interview",
                interview_id,
                allowed=True,
                detail=f"via={via}",
            )
            draft = candidate_message(interview, summary)
            digest = hashlib.sha256(str(draft.payload).encode()).hexdigest()[:16]
            await unit.add([draft], cause=f"summary:{interview_id}:{digest}")
            if summary.for_rejection or _outcome(interview.application) is Outcome.REJECTED:
                # the rejection ends the application: ask about the talent pool after it
                await offer_if_undecided(unit, interview.application.candidate.id)
        return Released(True, now, actor.id)


async def _locked(interview_id: int, texts: tuple[str, str, str] | None) -> CandidateSummary:
    query = CandidateSummary.filter(interview_id=interview_id).select_for_update()
    summary = await query.first()
    if texts is None:
        if summary is None or summary.needs_writing:
            raise Conflict(EMPTY, code="empty_summary")
        return summary
    strengths, improvements, next_step = (t.strip() for t in texts)
    if summary is not None and (summary.strengths, summary.improvements, summary.next_step) == (
        strengths,
        improvements,
        next_step,
    ):
        return summary
    values: dict[str, Any] = {
        "strengths": strengths,
        "improvements": improvements,
        "next_step": next_step,
        "basis": "",
        "needs_writing": False,
        "released_at": None,
        "released_by": "",
    }
    if summary is None:
        return await CandidateSummary.create(interview_id=interview_id, **values)
    await CandidateSummary.filter(id=summary.id).update(**values)
    await summary.refresh_from_db()
    return summary


def candidate_message(interview: Interview, summary: CandidateSummary) -> OutboundDraft:
    candidate = interview.application.candidate
    parts = [f"您好，这是您{job_of(interview).title}（{round_of(interview).name}）面试的反馈。"]
    parts.append(f"【做得好的方面】\n{summary.strengths}")
    if summary.improvements.strip():
        parts.append(f"【可以提升的方面】\n{summary.improvements}")
    parts.append(f"【下一步】\n{summary.next_step}")
    payload = {
        "kind": "link",
        "title": "面试反馈",
        "path": f"pages/summary/index?interview_id={interview.id}",
        "content": shorten("\n\n".join(parts), 2000),
    }
    return OutboundDraft(Channel.CANDIDATE, candidate_recipient(candidate.id), payload, "summary")


class CandidateSummaries:
    def __init__(
        self,
        settings: FollowUpSettings,
        prompts: LivePrompts,
        releases: SummaryReleases,
        effects: Effects,
        zone: tzinfo,
    ) -> None:
        self._settings = settings
        self._prompts = prompts
        self._releases = releases
        self._effects = effects
        self._zone = zone

    @property
    def delay(self) -> timedelta:
        return timedelta(minutes=self._settings.summary_delay_minutes)

    # -- the job ---------------------------------------------------------------------------

    async def draft_due_summaries(self, now: datetime | None = None) -> int:
        """Draft the summaries that are due and release those the policy releases now;
        the number of drafts made by this call. Idempotent (one summary per interview)."""
        now = now or clock.now()
        start, _ = window(now, self._settings.lookback_days, self.delay)
        interviews = await completed_between(start, now)
        ids = [i.id for i in interviews]
        have = {
            int(cast(int, i))
            for i in await CandidateSummary.filter(interview_id__in=ids).values_list(
                "interview_id", flat=True
            )
        }
        drafted = 0
        for interview in interviews:
            if interview.id not in have and await self._due(interview, now):
                drafted += await self.draft(interview, now)
        await self._follow_rejections(now)
        await self._auto_release(now)
        return drafted

    async def _follow_rejections(self, now: datetime) -> int:
        """An unreleased draft whose application was rejected since is drafted again as a
        rejection (suggestions, no quotes) and sent to HR; it then waits for a click."""
        stale = await CandidateSummary.filter(
            released_at__isnull=True,
            basis__in=[Basis.HUMAN.value, Basis.AI.value],
            for_rejection=False,
            interview__application__status=ApplicationStatus.REJECTED,
        ).values_list("id", "interview_id")
        for summary_id, interview_id in stale:
            interview = await Interview.get(id=interview_id).prefetch_related(
                "application__candidate", "round__job"
            )
            draft = draft_summary(await self._input(interview))
            async with self._effects.unit() as unit:
                changed = await CandidateSummary.filter(
                    id=summary_id, released_at__isnull=True, for_rejection=False
                ).update(
                    strengths=draft.strengths, improvements=draft.improvements,
                    next_step=draft.next_step, hr_notes=draft.hr_notes, basis=draft.basis.value,
                    needs_writing=draft.needs_writing, for_rejection=True, drafted_at=now,
                    release_due_at=None, updated_at=now,
                )  # fmt: skip
                if changed:
                    hr = await hr_staff()
                    drafts = [d for s in hr for d in self._hr_drafts(interview, s, draft, None)]
                    await unit.add(drafts, cause=f"summary-redraft:{interview_id}")
        return len(stale)

    async def _due(self, interview: Interview, now: datetime) -> bool:
        late = interview.completed_at is not None and now >= interview.completed_at + self.delay
        if interview.mode == InterviewMode.RECORDED:
            busy = await Answer.filter(
                interview_id=interview.id, analysis_status__in=list(PENDING_ANALYSIS)
            ).exists()
            return late and not busy
        if late:
            return True
        panel = await InterviewAssignment.filter(interview_id=interview.id).values_list(
            "interviewer_id", flat=True
        )
        scored = await Score.filter(
            interview_id=interview.id, rater_kind=RaterKind.HUMAN, value__isnull=False
        ).values_list("rater_id", flat=True)
        return bool(panel) and set(panel) <= set(scored)

    async def draft(self, interview: Interview, now: datetime) -> int:
        """Draft one interview's summary and send it to HR (1), or 0 if one exists."""
        draft = draft_summary(await self._input(interview))
        application = interview.application
        due = None
        if self._settings.auto_release and draft.basis is Basis.HUMAN:
            due = max(now, (interview.completed_at or now) + self.delay)
        try:
            async with self._effects.unit() as unit:
                await CandidateSummary.create(
                    interview_id=interview.id,
                    strengths=draft.strengths,
                    improvements=draft.improvements,
                    next_step=draft.next_step,
                    drafted_at=now,
                    basis=draft.basis.value,
                    needs_writing=draft.needs_writing,
                    for_rejection=application.status == ApplicationStatus.REJECTED,
                    hr_notes=draft.hr_notes,
                    release_due_at=due,
                )
                hr = await hr_staff()
                drafts = [d for s in hr for d in self._hr_drafts(interview, s, draft, due)]
                await unit.add(drafts, cause=f"summary-draft:{interview.id}")
        except IntegrityError:  # drafted by another run meanwhile
            return 0
        return 1

    async def _input(self, interview: Interview) -> DraftInput:
        job = job_of(interview)
        content = await load_assessed(interview)  # the version it was taken with
        scope = LiveScope(job.code, job.title, content.model_json(), content.competencies)
        briefs = await asyncio.to_thread(self._prompts.competencies, scope)
        rubrics = [Rubric(b.name, tuple(b.anchors)) for b in briefs]
        if not rubrics:  # competencies the library does not know: names only, no anchors
            rubrics = [Rubric(name) for _, name, _ in content.competency_model]
        scores = await Score.filter(interview_id=interview.id).prefetch_related("rater")
        human: dict[str, list[tuple[str, float]]] = {}
        ai: dict[str, Score] = {}
        for s in sorted(scores, key=lambda s: (s.rater_key, s.id)):
            if s.value is None:
                continue
            if s.rater_kind == RaterKind.HUMAN:
                name = s.rater.name if s.rater else s.rater_key
                human.setdefault(s.competency, []).append((name, float(s.value)))
            else:
                ai.setdefault(s.competency, s)
        ratings = {}
        for name in set(human) | set(ai):
            people = human.get(name, [])
            machine = ai.get(name)
            quotes = tuple(
                str(e.get("quote", ""))
                for e in (machine.evidence if machine else [])
                if isinstance(e, dict) and e.get("quote")
            )
            ratings[name] = Rating(
                human=tuple(v for _, v in people),
                raters=tuple(n for n, _ in people),
                ai=float(machine.value) if machine and machine.value is not None else None,
                ai_quotes=quotes,
            )
        panel = await InterviewAssignment.filter(interview_id=interview.id).prefetch_related(
            "interviewer"
        )
        rated = {s.rater_id for s in scores if s.rater_kind == RaterKind.HUMAN}
        missing = tuple(a.interviewer.name for a in panel if a.interviewer_id not in rated)
        return DraftInput(
            job_title=job.title,
            round_name=round_of(interview).name,
            rubrics=rubrics,
            ratings=ratings,
            outcome=_outcome(interview.application),
            own_words_quotable=interview.mode == InterviewMode.RECORDED,
            missing_raters=missing,
            **_rejection(interview.application),
        )

    def _hr_drafts(
        self, interview: Interview, staff: Staff, draft: Draft, due: datetime | None
    ) -> list[OutboundDraft]:
        name = interview.application.candidate.name
        title = f"{name} · {job_of(interview).title} · {round_of(interview).name}"
        user = staff.wecom_userid
        if draft.needs_writing:
            text = f"【候选人反馈待撰写】{title}\n{draft.hr_notes}\n\n{edit_help(interview.id)}"
            return [_text(user, shorten(text, say.TEXT_LIMIT), f"{user}:text")]
        rejected = _outcome(interview.application) is Outcome.REJECTED
        kind = "婉拒建议" if rejected else "面试反馈"
        lines = [
            f"【候选人反馈草稿】{title}",
            "（系统根据评分起草，发布前请核对；候选人看不到评分和下面的依据）",
            f"做得好的方面：\n{draft.strengths}",
            f"可以提升的方面：\n{draft.improvements}",
            f"下一步：\n{draft.next_step}",
            f"—— 以下仅 HR 可见 ——\n{draft.hr_notes}",
        ]
        if due is not None:
            lines.append(f"按自动发布策略，若无人修改，将于 {_local(due, self._zone)} 自动发布。")
        card = release_card(interview, name, kind, draft.basis, due, self._zone)
        return [
            _text(user, shorten("\n\n".join(lines), say.TEXT_LIMIT), f"{user}:text"),
            OutboundDraft(
                Channel.WECOM_MESSAGE, user, {"kind": "template_card", "card": card}, f"{user}:card"
            ),
        ]

    async def _auto_release(self, now: datetime) -> int:
        if not self._settings.auto_release:
            return 0
        due = await CandidateSummary.filter(
            released_at__isnull=True, release_due_at__lte=now, needs_writing=False
        ).values_list("interview_id", flat=True)
        released = 0
        for interview_id in due:
            try:
                done = await self._releases.release(
                    int(cast(int, interview_id)), POLICY, "auto_release"
                )
            except Conflict as exc:
                log.warning("summary of interview %s not auto-released: %s", interview_id, exc)
                continue
            released += int(done.now)
        return released

    # -- HR's card -----------------------------------------------------------------------------

    async def on_card_click(self, event: Inbound) -> list[OutboundDraft]:
        """``summary.release:<interview>`` 发布给候选人 and ``summary.edit:<interview>`` 如何编辑
        (``card_routes``)."""
        if not isinstance(event, CardClick):
            return []
        key = parse_key(event.event_key)
        interview_id = key.number(0) if key and key.prefix in (RELEASE, EDIT) else None
        if key is None or interview_id is None:
            return []
        staff = await Staff.get_or_none(wecom_userid=event.from_user, active=True)
        actor = Actor(event.from_user, staff.role_set() if staff else frozenset())
        if staff is None or not actor.roles & HR_ROLES:
            await record(actor, "release_summary", "interview", interview_id, allowed=False)
            return [_text(event.from_user, HR_ONLY, "reply")]
        if key.prefix == EDIT:
            return [_text(staff.wecom_userid, edit_help(interview_id), "reply")]
        try:
            done = await self._releases.release(interview_id, actor, "card")
        except (Conflict, NotFound) as exc:
            return [_text(staff.wecom_userid, for_people(exc), "reply")]
        if not event.response_code:
            return []
        interview = await Interview.get(id=interview_id).prefetch_related(
            "application__candidate", "round__job"
        )
        name = interview.application.candidate.name
        who = await Staff.get_or_none(wecom_userid=done.released_by)
        policy = done.released_by == POLICY.id
        by = who.name if who else ("自动发布策略" if policy else done.released_by)
        status = f"已由 {by} 于 {_local(done.released_at, self._zone)} 发布给候选人"
        card = release_card(
            interview, name, "", None, None, self._zone, task_id=event.task_id, released=status
        )
        return [card_update(staff.wecom_userid, event.response_code, card)]


def release_card(
    interview: Interview,
    candidate: str,
    kind: str,
    basis: Basis | None,
    due: datetime | None,
    zone: tzinfo,
    *,
    task_id: str = "",
    released: str = "",
) -> dict[str, Any]:
    """HR's card: 发布给候选人 (one tap) and 如何编辑; ``released`` makes it the final card."""
    facts = []
    if kind:
        facts.append({"keyname": "类型", "value": kind})
    if basis is not None:
        facts.append({"keyname": "依据", "value": BASIS_NAMES[basis]})
    if due is not None:
        facts.append({"keyname": "自动发布", "value": _local(due, zone)})
    card: dict[str, Any] = {
        "card_type": "button_interaction",
        "source": {"desc": "面试助手 · 候选人反馈"},
        "main_title": {
            "title": f"候选人反馈草稿：{candidate}",
            "desc": f"{job_of(interview).title} · {round_of(interview).name}",
        },
        "sub_title_text": "草稿全文见上一条消息。发布后候选人会在小程序和消息中看到三段内容；"
        "如需修改，点「如何编辑」。",
        "horizontal_content_list": facts,
        "task_id": task_id or f"summary-{interview.id}-{int(clock.now().timestamp() * 1000)}",
        "button_list": [
            {
                "type": 0,
                "text": "发布给候选人",
                "style": 1,
                "key": route_key(RELEASE, interview.id),
            },
            {"type": 0, "text": "如何编辑", "style": 2, "key": route_key(EDIT, interview.id)},
        ],
    }
    if released:
        card["sub_title_text"] = released
        card["replace_text"] = "已发布"
    return card


BASIS_NAMES = {Basis.HUMAN: "面试官评分", Basis.AI: "仅 AI 参考评分", Basis.NONE: "无评分"}


def _outcome(application: Application) -> Outcome:
    if application.status == ApplicationStatus.REJECTED:
        return Outcome.REJECTED
    if application.status in (ApplicationStatus.OFFER, ApplicationStatus.HIRED):
        return Outcome.OFFER
    return Outcome.PENDING


def _rejection(application: Application) -> dict[str, str]:
    """Why HR turned the application down, for the draft: a reason chosen in the pipeline
    (``pipeline.reject``) gives the candidate's respectful sentence and HR's notes; words HR
    typed (rows from before reasons were codes) go to HR's notes only, never to the candidate."""
    text = (application.rejection_reason or "").strip()
    if application.status != ApplicationStatus.REJECTED or not text:
        return {}
    note = (application.rejection_note or "").strip()
    reason = reject_reason(text)
    if reason is None:
        return {"rejection_for_hr": text}
    return {
        "rejection_for_candidate": REJECT_FOR_CANDIDATE[reason],
        "rejection_for_hr": REJECT_NAMES[reason] + (f"（备注：{note}）" if note else ""),
    }


def _text(userid: str, content: str, key: str) -> OutboundDraft:
    return OutboundDraft(Channel.WECOM_MESSAGE, userid, {"kind": "text", "content": content}, key)


def _local(when: datetime, zone: tzinfo) -> str:
    return when.astimezone(zone).strftime("%m-%d %H:%M")
