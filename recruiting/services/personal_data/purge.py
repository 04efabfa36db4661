"""The purge: erase what a retention period no longer covers (``domain.retention``).

Each run looks at candidates whose applications are all closed, in id order, asks the
retention rules what is due for each, and erases it through ``CandidateErasure`` (one
transaction per candidate), at most ``batch_size`` candidates per run. All state is in the
database: what was erased is in ``ErasureRecord``, so a run killed at any moment is simply
run again; it finds the candidate it was working on either untouched or done, finishes the
media objects a crash left (``finish_pending``) and goes on. It also drops delivered
transport copies (outbox, inbox), audit records past their period, and the scratch
folders of dead processes (decrypted copies of recordings).

``plan`` is the dry run: the same selection, nothing changed, no personal data in it.
Once a month HR managers get a summary of what was erased (counts per class).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from tortoise import connections
from tortoise.expressions import Q, Subquery

from recruiting import clock
from recruiting.domain.offer_state import OfferStatus
from recruiting.domain.retention import (
    OFFER_ENDED,
    CandidateFacts,
    DataClass,
    OfferFacts,
    RetentionPolicy,
    due_classes,
    offer_decision,
)
from recruiting.infra.scratch import wipe_stale
from recruiting.models import (
    Application,
    ApplicationStatus,
    AuditLog,
    Candidate,
    ErasureRecord,
    InboxEvent,
    Offer,
    OfferEvent,
    OutboxMessage,
    PendingObjectDeletion,
    ProcessingStatus,
)
from recruiting.ports.outbound import Channel, OutboundDraft
from recruiting.services.messaging.effects import Effects
from recruiting.services.messaging.outbox import hr_managers
from recruiting.services.personal_data.erasure import (
    CandidateErasure,
    LegalHoldApplies,
    holds_on,
)
from recruiting.services.personal_data.talent_pool import PoolPeriod, talent_pool_periods
from recruiting.services.shared.audit import SYSTEM

log = logging.getLogger(__name__)

CLOSED = (ApplicationStatus.HIRED, ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN)
OPEN = (ApplicationStatus.APPLIED, ApplicationStatus.SCREENING, ApplicationStatus.INTERVIEWING)
HANDOFF_CHANNELS = (Channel.EHR, Channel.PAYROLL)
PAGE = 200  # candidates examined per query


@dataclass(frozen=True)
class PlannedErasure:
    candidate_id: int
    classes: tuple[DataClass, ...]


@dataclass
class PurgeReport:
    """What a run erased (or, dry, would erase): ids and counts, never content."""

    dry_run: bool
    candidates: list[PlannedErasure] = field(default_factory=list)
    held: list[int] = field(default_factory=list)  # due but under a legal hold
    per_class: dict[str, int] = field(default_factory=dict)  # candidates per data class
    audit_records: int = 0
    transport_rows: int = 0
    pending_objects: int = 0  # media objects left by an earlier crash (dry) / deleted
    scratch_folders: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "candidates": [
                {"candidate_id": p.candidate_id, "classes": [c.value for c in p.classes]}
                for p in self.candidates
            ],
            "held": self.held,
            "per_class": self.per_class,
            "audit_records": self.audit_records,
            "transport_rows": self.transport_rows,
            "pending_objects": self.pending_objects,
            "scratch_folders": self.scratch_folders,
        }


class Purge:
    def __init__(
        self,
        erasure: CandidateErasure,
        policy: RetentionPolicy,
        effects: Effects,
        zone: tzinfo,
        scratch_root: Path | None = None,
    ) -> None:
        self._erasure = erasure
        self._policy = policy
        self._effects = effects
        self._zone = zone
        self._scratch_root = scratch_root

    async def run_due(self, now: datetime) -> int:
        """The scheduler job: one batch; returns how many candidates were erased."""
        report = await self.run(now)
        return len(report.candidates)

    async def run(self, now: datetime | None = None, *, dry_run: bool = False) -> PurgeReport:
        now = now or clock.now()
        report = PurgeReport(dry_run)
        if dry_run:
            report.pending_objects = await PendingObjectDeletion.all().count()
        else:
            report.pending_objects = await self._erasure.finish_pending()
            if self._scratch_root is not None:
                report.scratch_folders = wipe_stale(self._scratch_root)
        async for facts, classes in self._due(now):
            if facts.held:
                report.held.append(facts.candidate_id)
                continue
            if len(report.candidates) >= self._policy.batch_size:
                break
            if not dry_run:
                try:
                    await self._erasure.erase(
                        facts.candidate_id, classes, actor=SYSTEM, trigger="purge", now=now
                    )
                except LegalHoldApplies:  # placed since we looked
                    report.held.append(facts.candidate_id)
                    continue
            report.candidates.append(PlannedErasure(facts.candidate_id, tuple(classes)))
            for data_class in classes:
                report.per_class[data_class.value] = report.per_class.get(data_class.value, 0) + 1
        report.audit_records = await self._old_audit(now, dry_run)
        report.transport_rows = await self._old_transport(now, dry_run)
        if not dry_run and (report.candidates or report.audit_records or report.transport_rows):
            await compact()
        if report.candidates or report.audit_records:
            log.info(
                "purge%s: %d candidates %s, %d audit records, %d transport rows",
                " (dry run)" if dry_run else "",
                len(report.candidates),
                report.per_class,
                report.audit_records,
                report.transport_rows,
            )
        return report

    async def _due(self, now: datetime) -> AsyncIterator[tuple[CandidateFacts, list[DataClass]]]:
        """(facts, due classes) of every candidate with something due, in id order; held
        candidates come with their classes too, so the dry run can name them."""
        after = 0
        # Candidates with an application still in progress have nothing due: left out by
        # the database in the same query (not every such id read into memory each run).
        busy = Subquery(Application.filter(status__in=OPEN).values("candidate_id"))
        while True:
            page = (
                Candidate.filter(id__gt=after, erased_at=None)
                .exclude(id__in=busy)
                .order_by("id")
                .limit(PAGE)
            )
            ids: list[int] = [i for i in await page.values_list("id", flat=True)]  # type: ignore[misc]
            if not ids:
                return
            for candidate_id in ids:
                facts = await candidate_facts(candidate_id)
                unheld = dataclasses.replace(facts, held=False)
                classes = due_classes(unheld, self._policy, now)
                if classes:
                    yield facts, sorted(classes, key=list(DataClass).index)
            after = ids[-1]

    async def _old_audit(self, now: datetime, dry_run: bool) -> int:
        cutoff = now - timedelta(days=self._policy.audit_days)
        audit = AuditLog.filter(at__lt=cutoff)
        records = ErasureRecord.filter(at__lt=cutoff)
        if dry_run:
            return await audit.count() + await records.count()
        return int(await audit.delete()) + int(await records.delete())

    async def _old_transport(self, now: datetime, dry_run: bool) -> int:
        cutoff = now - timedelta(days=self._policy.transport_days)
        outbox = OutboxMessage.filter(status=ProcessingStatus.DONE, sent_at__lt=cutoff)
        inbox = InboxEvent.filter(status=ProcessingStatus.DONE, processed_at__lt=cutoff)
        if dry_run:
            return await outbox.count() + await inbox.count()
        return int(await outbox.delete()) + int(await inbox.delete())

    async def monthly_summary(self, now: datetime) -> int:
        """On the first run of a month, tell every HR manager what last month's purges and
        erasure requests removed (counts per class, through the effects unit); nothing when
        nothing was erased. The outbox key ``purge-summary:<YYYY-MM>`` makes it once."""
        local = now.astimezone(self._zone)
        start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        previous = (start - timedelta(days=1)).replace(day=1)
        records = await ErasureRecord.filter(at__gte=previous, at__lt=start)
        managers = await hr_managers()
        if not managers or not records:  # a month without erasures is no news
            return 0
        text = summary_text(f"{previous.year} 年 {previous.month} 月", records)
        drafts = [
            OutboundDraft(Channel.WECOM_MESSAGE, u, {"kind": "markdown", "content": text}, u)
            for u in managers
        ]
        async with self._effects.unit() as unit:
            new = await unit.add(drafts, cause=f"purge-summary:{previous:%Y-%m}")
        return len(new)


CLASS_NAMES = {
    DataClass.RECORDINGS: "录制的回答视频",
    DataClass.ASSESSMENTS: "转写文字与 AI 评估",
    DataClass.NOTES: "面试记录与评语",
    DataClass.RESUMES: "简历",
    DataClass.SURVEY_COMMENTS: "问卷留言",
    DataClass.MESSAGES: "消息记录",
    DataClass.PROFILE: "候选人身份与联系方式",
}


def summary_text(month: str, records: Sequence[ErasureRecord]) -> str:
    """The HR managers' monthly summary (markdown, Chinese, counts only, never names). An
    erasure on request is recorded with the trigger ``request:<request id>``."""
    people = {r.candidate_id for r in records}
    requested = {r.candidate_id for r in records if r.trigger.startswith("request")}
    expired = people - requested
    parts = []
    if expired:
        parts.append(f"{len(expired)} 位的信息保留期已满，由系统按期删除")
    if requested:
        parts.append(f"{len(requested)} 位应本人申请删除")
    lines = [
        f"**{month}个人信息清理汇总**",
        f"共清理了 {len(people)} 位候选人的个人信息：{'；'.join(parts)}。",
        "各类信息涉及的候选人：",
    ]
    for data_class, name in CLASS_NAMES.items():
        count = len({r.candidate_id for r in records if data_class.value in (r.classes or [])})
        if count:
            lines.append(f"> {name}：{count} 位")
    lines.append("处于法律保全中的候选人不在清理之列，保全解除后再按期处理。")
    return "\n".join(lines)


async def compact() -> None:
    """SQLite keeps deleted rows' bytes in free pages and in the write-ahead log until they
    are reused: rebuild the file and empty the log, so erased ciphertext is gone from disk
    too (the embedded default is small; PostgreSQL's autovacuum reclaims its own)."""
    conn = connections.get("default")
    if conn.capabilities.dialect != "sqlite":
        return
    await conn.execute_script("VACUUM")
    await conn.execute_script("PRAGMA wal_checkpoint(TRUNCATE)")


async def candidate_facts(candidate_id: int) -> CandidateFacts:
    """What the retention rules need to know of one candidate, read from the database."""
    apps = await Application.filter(candidate_id=candidate_id)
    decided: list[datetime] = []
    hired = False
    open_ = False
    if not apps:  # entered (a résumé, a merge) but never applied: the clock runs from entry
        candidate = await Candidate.get_or_none(id=candidate_id)
        if candidate is not None:
            decided.append(candidate.created_at)
    for app in apps:
        status = ApplicationStatus(app.status)
        if status == ApplicationStatus.OFFER:
            outcome = offer_decision(await _offer_facts(app.id))
            if outcome is None:
                open_ = True
                continue
            decided.append(outcome[0])
            hired |= outcome[1]
        elif status in CLOSED:
            hired |= status == ApplicationStatus.HIRED
            when = app.decided_at or await _decided_in_audit(app.id)
            if when is None:
                open_ = True  # closed before decisions were dated: never guessed early
            else:
                decided.append(when)
        else:
            open_ = True
    decided_at = None if open_ or not decided else max(decided)
    pool = (await talent_pool_periods([candidate_id])).get(candidate_id, PoolPeriod(None, None))
    done: set[DataClass] = set()
    if decided_at is not None:
        for row in await ErasureRecord.filter(candidate_id=candidate_id, at__gte=decided_at):
            done |= {DataClass(c) for c in row.classes or []}
    return CandidateFacts(
        candidate_id=candidate_id,
        decided_at=decided_at,
        hired=hired,
        handed_over=await _handed_over(candidate_id, [a.id for a in apps]),
        held=bool(await holds_on(candidate_id)),
        talent_pool_since=pool.since,
        talent_pool_ended_at=pool.ended_at,
        done=frozenset(done),
    )


async def _decided_in_audit(application_id: int) -> datetime | None:
    row = (
        await AuditLog.filter(action__in=["decide", "reject_application"],
                              subject_type="application",
                              subject_id=str(application_id))
        .order_by("-at")
        .first()
    )  # fmt: skip
    return None if row is None else row.at


async def _offer_facts(application_id: int) -> list[OfferFacts]:
    """The application's offers, oldest first; an ended one with the time it ended (the
    history event that moved it there, else its last update)."""
    facts: list[OfferFacts] = []
    for offer in await Offer.filter(application_id=application_id).order_by("id"):
        status = OfferStatus(offer.status)
        ended_at = None
        if status in OFFER_ENDED:
            event = (
                await OfferEvent.filter(offer_id=offer.id, to_status=status.value)
                .order_by("-at")
                .first()
            )
            ended_at = event.at if event is not None else offer.updated_at
        facts.append(OfferFacts(status, offer.candidate_answer, offer.answered_at, ended_at))
    return facts


async def _handed_over(candidate_id: int, application_ids: list[int]) -> bool:
    offers = await Offer.filter(application_id__in=application_ids or [-1]).values_list(
        "id", flat=True
    )
    recipients = [f"candidate:{candidate_id}"] + [f"offer:{o}" for o in offers]
    waiting = await OutboxMessage.filter(
        Q(recipient__in=recipients),
        Q(channel__in=[c.value for c in HANDOFF_CHANNELS]),
        ~Q(status=ProcessingStatus.DONE),
    ).exists()
    return not waiting
