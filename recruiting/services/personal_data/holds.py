"""Legal holds: HR managers suspend the purge for a candidate or a whole opening (a labour
dispute, an authority's request), with a reason, and lift it again. Both are audited; the
reason is sealed (HR's words may name people) and never copied into the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from recruiting import clock
from recruiting.domain.roles import Permission, allows
from recruiting.errors import AccessDenied, Conflict, InvalidInput, NotFound
from recruiting.models import Candidate, JobOpening, LegalHold, Staff
from recruiting.services.shared.audit import Actor, record
from recruiting.validation import names_a_row

REASON_CHARS = 500


@dataclass(frozen=True)
class HoldView:
    id: int
    candidate_id: int | None
    job_id: int | None
    reason: str
    placed_by: str
    placed_at: datetime
    lifted_by: str
    lifted_at: datetime | None


class LegalHolds:
    async def place(
        self, actor: Actor, *, candidate_id: int | None = None, job_id: int | None = None,
        reason: str,
    ) -> HoldView:  # fmt: skip
        """Hold one candidate or one opening; Conflict when one already stands."""
        await _check(actor, "place_legal_hold", candidate_id, job_id)
        text = _reason(reason)
        # a number beyond the 32-bit keys names nothing (PostgreSQL would refuse it: a 500)
        if candidate_id is not None and not (
            names_a_row(candidate_id) and await Candidate.exists(id=candidate_id)
        ):
            raise NotFound("没有找到这位候选人。")
        if job_id is not None and not (names_a_row(job_id) and await JobOpening.exists(id=job_id)):
            raise NotFound("没有找到这个岗位。")
        if await LegalHold.exists(candidate_id=candidate_id, job_id=job_id, lifted_at=None):
            raise Conflict("已有生效中的法律保全。", code="hold_exists")
        hold = await LegalHold.create(candidate_id=candidate_id, job_id=job_id, reason=text,
                                      placed_by=actor.id[:64])  # fmt: skip
        await record(actor, "place_legal_hold", *_subject(hold), allowed=True,
                     detail=f"hold={hold.id} reason_chars={len(text)}")  # fmt: skip
        return _view(hold)

    async def lift(self, actor: Actor, hold_id: int, reason: str) -> HoldView:
        if not allows(actor.roles, Permission.MANAGE_RETENTION):  # before any lookup
            await record(actor, "lift_legal_hold", "legal_hold", hold_id, allowed=False)
            raise AccessDenied("只有 HR 经理可以解除法律保全。")
        text = _reason(reason)
        hold = await LegalHold.get_or_none(id=hold_id) if names_a_row(hold_id) else None
        if hold is None:
            raise NotFound("没有找到这项法律保全。")
        lifted = Conflict("这项法律保全已经解除。", code="hold_lifted")
        if hold.lifted_at is not None:
            raise lifted
        hold.lifted_at, hold.lifted_by, hold.lift_reason = clock.now(), actor.id[:64], text
        async with in_transaction():  # the lift and its audit entry, or neither
            # only a standing hold: two managers lifting at once must not overwrite who
            # lifted it and why (the record of the lift) with the second one's
            if not await LegalHold.filter(id=hold.id, lifted_at=None).update(
                lifted_at=hold.lifted_at, lifted_by=hold.lifted_by, lift_reason=text
            ):
                raise lifted
            await record(actor, "lift_legal_hold", *_subject(hold), allowed=True,
                         detail=f"hold={hold.id} reason_chars={len(text)}")  # fmt: skip
        return _view(hold)

    async def standing(self, actor: Actor) -> list[HoldView]:
        await _check(actor, "list_legal_holds", None, None)
        return [_view(h) for h in await LegalHold.filter(lifted_at=None).order_by("id")]


async def staff_actor(userid: str) -> Actor:
    """The acting staff member of a command line (``hold --as``), with their roles."""
    staff = await Staff.get_or_none(wecom_userid=userid, active=True)
    if staff is None:
        raise NotFound(f"no active staff member {userid!r}")
    return Actor(staff.wecom_userid, staff.role_set())


async def _check(actor: Actor, action: str, candidate_id: int | None, job_id: int | None) -> None:
    if not allows(actor.roles, Permission.MANAGE_RETENTION):
        subject = ("candidate", candidate_id) if candidate_id is not None else ("job", job_id)
        await record(actor, action, subject[0], subject[1] or "-", allowed=False)
        raise AccessDenied("只有 HR 经理可以设置或查看法律保全。")
    if action == "place_legal_hold" and (candidate_id is None) == (job_id is None):
        raise InvalidInput("请指定一位候选人或一个职位（只能二选一）", code="hold_subject")


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise InvalidInput("请填写原因", code="hold_reason")
    if len(text) > REASON_CHARS:
        raise InvalidInput(f"原因最多 {REASON_CHARS} 个字", code="hold_reason")
    return text


def _subject(hold: LegalHold) -> tuple[str, object]:
    if hold.candidate_id is not None:
        return "candidate", hold.candidate_id
    return "job", hold.job_id


def _view(hold: LegalHold) -> HoldView:
    return HoldView(hold.id, hold.candidate_id, hold.job_id, hold.reason, hold.placed_by,
                    hold.placed_at, hold.lifted_by, hold.lifted_at)  # fmt: skip
