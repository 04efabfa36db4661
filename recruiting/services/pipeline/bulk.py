"""Bulk actions of the board: each candidate goes through the same use case as one done in
chat or through the API (recorded-interview invitation, booking + invitation, rejection),
one at a time, so one candidate's failure leaves the others done and is reported for that
candidate with a message HR can act on.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from recruiting.domain.error_text import for_people
from recruiting.domain.pipeline import CLOSED_STAGES, STAGE_NAMES, RejectReason
from recruiting.errors import InvalidInput, RecruitingError
from recruiting.models import (
    Application,
    Interview,
    InterviewMode,
    InterviewRound,
    JobOpening,
    RoundKind,
)
from recruiting.services.pipeline.access import NOT_HR
from recruiting.services.pipeline.board import stages_of
from recruiting.services.pipeline.reject import Rejections
from recruiting.services.recorded.links import RecordingLinks
from recruiting.services.scheduling.booking import InterviewBooking
from recruiting.services.shared.access import require_hr
from recruiting.services.shared.sessions import Principal
from recruiting.validation import names_a_row

log = logging.getLogger(__name__)

BULK_MAX = 200
GAP_MAX_MINUTES = 24 * 60
OTHER_OPENING = "该候选人应聘的不是这个岗位，未处理。"


@dataclass(frozen=True)
class ItemResult:
    application_id: int
    ok: bool
    message: str  # Chinese, for HR
    link: str = ""  # a recorded-interview invitation's mini-program path (send it on)
    interview_id: int | None = None


@dataclass(frozen=True)
class BulkResult:
    items: list[ItemResult]

    @property
    def done(self) -> int:
        return sum(i.ok for i in self.items)

    @property
    def failed(self) -> int:
        return len(self.items) - self.done


@dataclass(frozen=True)
class BulkReport:
    """What the result page shows: each candidate's result by name, and the board to go
    back to."""

    result: BulkResult
    names: dict[int, str]  # application id → the candidate's name (unknown ids: absent)
    job_id: int | None  # the opening the form came from; None when there is no such opening


class BulkActions:
    def __init__(
        self, links: RecordingLinks, booking: InterviewBooking, rejections: Rejections
    ) -> None:
        self._links = links
        self._booking = booking
        self._rejections = rejections

    async def invite_recorded(
        self, principal: Principal, application_ids: Sequence[int], round_id: int,
        deadline: datetime, *, job_id: int | None = None,
    ) -> BulkResult:  # fmt: skip
        """A recorded-interview invitation per candidate (``recorded.links``); a candidate
        already invited to this round is reported, not invited twice. With ``job_id`` (the
        board the form came from) the round must be that opening's."""
        ids = await self._checked(principal, "bulk_invite_recorded", application_ids)
        round_ = await _round(round_id, RoundKind.RECORDED, job_id)

        async def one(application_id: int) -> ItemResult:
            if await _in_round(application_id, round_.id):
                return ItemResult(application_id, False, f"已邀请过「{round_.name}」，未重复邀请。")
            made = await self._links.create(principal, application_id, round_.id, deadline)
            return ItemResult(application_id, True, "已生成录制面试邀请。", made.path,
                              made.interview_id)  # fmt: skip

        return await _each(ids, one, round_)

    async def schedule_live(
        self, principal: Principal, application_ids: Sequence[int], round_id: int,
        first_start: datetime, interviewers: Sequence[int], *, gap_minutes: int = 0,
        mode: InterviewMode = InterviewMode.ONSITE, location: str = "",
        job_id: int | None = None,
    ) -> BulkResult:  # fmt: skip
        """Book the round for each candidate one after another from ``first_start`` (round
        length + ``gap_minutes`` apart) with the same panel, and invite each
        (``InterviewBooking.book_and_invite``); a taken time is reported for that candidate.
        With ``job_id`` (the board the form came from) the round must be that opening's."""
        ids = await self._checked(principal, "bulk_schedule_live", application_ids)
        round_ = await _round(round_id, RoundKind.LIVE, job_id)
        if not 0 <= gap_minutes <= GAP_MAX_MINUTES:
            raise InvalidInput("间隔时间应在 0 到 1440 分钟之间。", code="bad_gap")
        if first_start.tzinfo is None:
            raise InvalidInput("开始时间需要带时区。", code="bad_time")
        if not interviewers:
            raise InvalidInput("请至少选择一位面试官。", code="no_interviewers")
        step = timedelta(minutes=round_.duration_minutes + gap_minutes)
        starts = {a: first_start + n * step for n, a in enumerate(ids)}

        async def one(application_id: int) -> ItemResult:
            interview = await self._booking.book_and_invite(
                principal, application_id, round_.id, starts[application_id], interviewers,
                mode=mode, location=location,
            )  # fmt: skip
            when = starts[application_id].strftime("%m-%d %H:%M")
            return ItemResult(application_id, True, f"已安排 {when} 并发出邀请。",
                              interview_id=interview.id)  # fmt: skip

        return await _each(ids, one, round_)

    async def reject(
        self, principal: Principal, application_ids: Sequence[int], reason: RejectReason,
        note: str = "", *, job_id: int,
    ) -> BulkResult:  # fmt: skip
        """Turn down each application of the opening ``job_id`` (the board the form came
        from); one of another opening is refused for that line, never rejected."""
        ids = await self._checked(principal, "bulk_reject", application_ids)

        async def one(application_id: int) -> ItemResult:
            done = await self._rejections.reject(principal, application_id, reason, note)
            if not done.now:
                return ItemResult(application_id, True, "之前已标记为未通过，未重复通知。")
            extra = f"，并取消了 {done.cancelled} 场待进行的面试" if done.cancelled else ""
            return ItemResult(application_id, True, f"已标记为未通过并通知候选人{extra}。")

        return await _each(ids, one, None, job_id)

    async def report(self, principal: Principal, job_id: int, result: BulkResult) -> BulkReport:
        """Name the candidates of ``result`` for HR (the action audited the look already)."""
        await require_hr(principal, "bulk_report", "job", job_id, refusal=NOT_HR)
        ids = [i.application_id for i in result.items]
        chosen = await Application.filter(id__in=ids).prefetch_related("candidate")
        job = await JobOpening.get_or_none(id=job_id) if names_a_row(job_id) else None
        return BulkReport(result, {a.id: a.candidate.name for a in chosen}, job.id if job else None)

    async def _checked(
        self, principal: Principal, action: str, application_ids: Sequence[int]
    ) -> list[int]:
        await require_hr(
            principal,
            action,
            "application",
            f"{len(application_ids)} selected",
            refusal=NOT_HR,
            audit_allowed=True,
        )
        ids = list(dict.fromkeys(int(i) for i in application_ids))
        if not ids:
            raise InvalidInput("请先选择候选人。", code="nothing_selected")
        if len(ids) > BULK_MAX:
            raise InvalidInput(f"一次最多处理 {BULK_MAX} 位候选人。", code="too_many")
        return ids


async def _each(
    ids: list[int], one: Callable[[int], Awaitable[ItemResult]], round_: InterviewRound | None,
    job_id: int | None = None,
) -> BulkResult:  # fmt: skip
    """Run ``one`` per application, in order. Unknown applications, closed ones (when
    ``round_`` is given: nobody is invited after the decision), another opening's than the
    round's or ``job_id``'s, and any refusal of the use case become that candidate's
    result."""
    stages = await stages_of(ids)
    jobs = dict(await Application.filter(id__in=ids).values_list("id", "job_id"))
    items = []
    for application_id in ids:
        stage = stages.get(application_id)
        if stage is None:
            items.append(ItemResult(application_id, False, "没有找到这份申请。"))
            continue
        if round_ is not None and stage in CLOSED_STAGES:
            items.append(ItemResult(application_id, False, f"申请已结束（{STAGE_NAMES[stage]}）。"))
            continue
        if round_ is not None and jobs.get(application_id) != round_.job_id:
            items.append(ItemResult(application_id, False, "这一轮不属于该候选人应聘的岗位。"))
            continue
        if job_id is not None and jobs.get(application_id) != job_id:
            items.append(ItemResult(application_id, False, OTHER_OPENING))
            continue
        try:
            items.append(await one(application_id))
        except RecruitingError as exc:
            log.info("bulk action on application %s refused: %s", application_id, exc.message)
            items.append(ItemResult(application_id, False, for_people(exc)))
    return BulkResult(items)


async def _round(round_id: int, kind: RoundKind, job_id: int | None) -> InterviewRound:
    """The round of ``kind``; with ``job_id``, only one of that opening: a form posted to one
    board must not invite the candidates of another opening's round."""
    round_ = await InterviewRound.get_or_none(id=round_id) if names_a_row(round_id) else None
    if round_ is None or round_.kind != kind or (job_id is not None and round_.job_id != job_id):
        what = "录制面试" if kind == RoundKind.RECORDED else "现场或视频面试"
        raise InvalidInput(f"请选择这个岗位的一轮{what}。", code="bad_round")
    return round_


async def _in_round(application_id: int, round_id: int) -> bool:
    return (
        await Interview.filter(application_id=application_id, round_id=round_id)
        .exclude(status="cancelled")
        .exists()
    )
