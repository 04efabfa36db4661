"""HR merges two records of the same person: one survives, the other's history moves to it.

Everything that hangs off a candidate moves: applications (with their interviews, offers and
résumé files; when both applied to the same opening the interviews and offers move to the
surviving application), consents, invitations, the mini-app inbox and replies, sessions,
résumé files, and the ways to reach them. Identifiers and contact details the survivor
lacks are taken over. The merged record stays, emptied of personal data, with
``merged_into`` set, so audit entries that name it still lead somewhere.

HR may merge several records into one at once (a group of duplicates): one transaction for
all of them, so a refusal of any leaves every record as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from recruiting.errors import Conflict, InvalidInput, NotFound
from recruiting.models import (
    Application,
    AppSession,
    Candidate,
    CandidateContact,
    CandidateMessage,
    CandidateReply,
    Consent,
    Interview,
    InterviewInvitation,
    Offer,
    ResumeFile,
)
from recruiting.services.intake.candidates import NOT_HR
from recruiting.services.shared.access import require_hr
from recruiting.services.shared.audit import record
from recruiting.services.shared.sessions import Principal

MERGED_NAME = "（已合并）"
_CONTACT_FIELDS = (
    "kf_open_kfid", "kf_external_userid", "kf_window_start", "external_userid", "recruiter_userid"
)  # fmt: skip
_FILL = ("phone_enc", "email_enc", "id_number_enc", "phone_hash", "email_hash")
_IDENTIFIERS = ("wechat_openid", "wechat_unionid", "external_userid")


class CannotMerge(Conflict):
    code = "cannot_merge"


@dataclass(frozen=True)
class Merged:
    survivor_id: int
    merged_id: int
    applications: int  # moved as they were
    joined: int  # applications to the same opening folded into the survivor's
    consents: int
    resume_files: int


async def merge_candidates(
    principal: Principal, survivor_id: int, merged_ids: Sequence[int]
) -> list[Merged]:
    """Move everything of each of ``merged_ids`` onto ``survivor_id`` (HR chose which
    survives), all or none; one audit entry per merged record."""
    await require_hr(principal, "merge_candidates", "candidate", survivor_id, refusal=NOT_HR)
    others = [i for i in dict.fromkeys(merged_ids) if i != survivor_id]
    if not others:
        raise InvalidInput("没有需要合并的记录", code="nothing_to_merge")
    done = []
    async with in_transaction():
        locked = {
            c.id: c
            for c in await Candidate.select_for_update()
            .filter(id__in=[survivor_id, *others])
            .order_by("id")  # one order for every merge: two at once cannot deadlock
        }
        survivor = locked.get(survivor_id)
        if survivor is None or any(i not in locked for i in others):
            raise NotFound("没有找到要合并的候选人")
        if survivor.erased_at is not None:
            raise CannotMerge("保留的记录已按候选人要求删除个人信息，不能合并到该记录")
        for merged_id in others:
            merged = locked[merged_id]
            if merged.erased_at is not None:
                raise CannotMerge("被合并的记录已删除个人信息，无需合并")
            if survivor.merged_into is not None or merged.merged_into is not None:
                raise CannotMerge("其中一条记录已合并过，请刷新后重试")
            # what the merges before this one gave the survivor decides what it still lacks
            await survivor.refresh_from_db()
            done.append(await _merge(survivor, merged))
        for merged_result in done:  # audited in the merge's transaction: both or neither
            await record(
                principal.actor, "merge_candidates", "candidate", survivor_id, allowed=True,
                detail=f"merged={merged_result.merged_id} "
                f"applications={merged_result.applications} joined={merged_result.joined} "
                f"consents={merged_result.consents} files={merged_result.resume_files}",
            )  # fmt: skip
    return done


async def _merge(survivor: Candidate, merged: Candidate) -> Merged:
    moved, joined = await _applications(survivor.id, merged.id)
    consents = await Consent.filter(candidate_id=merged.id).update(candidate_id=survivor.id)
    files = await ResumeFile.filter(candidate_id=merged.id).update(candidate_id=survivor.id)
    await InterviewInvitation.filter(candidate_id=merged.id).update(candidate_id=survivor.id)
    await CandidateMessage.filter(candidate_id=merged.id).update(candidate_id=survivor.id)
    await CandidateReply.filter(candidate_id=merged.id).update(candidate_id=survivor.id)
    await AppSession.filter(candidate_id=merged.id).update(candidate_id=survivor.id)
    await _contact(survivor.id, merged.id)
    await _take_over(survivor, merged)
    return Merged(survivor.id, merged.id, moved, joined, consents, files)


async def _applications(survivor_id: int, merged_id: int) -> tuple[int, int]:
    mine = {a.job_id: a for a in await Application.filter(candidate_id=survivor_id)}
    moved = joined = 0
    for application in await Application.filter(candidate_id=merged_id):
        keep = mine.get(application.job_id)
        if keep is None:
            await Application.filter(id=application.id).update(candidate_id=survivor_id)
            moved += 1
            continue
        await Interview.filter(application_id=application.id).update(application_id=keep.id)
        await Offer.filter(application_id=application.id).update(application_id=keep.id)
        await ResumeFile.filter(application_id=application.id).update(application_id=keep.id)
        await Application.filter(id=application.id).delete()
        joined += 1
    return moved, joined


async def _contact(survivor_id: int, merged_id: int) -> None:
    theirs = await CandidateContact.get_or_none(candidate_id=merged_id)
    if theirs is None:
        return
    mine = await CandidateContact.get_or_none(candidate_id=survivor_id)
    if mine is None:
        await CandidateContact.filter(id=theirs.id).update(candidate_id=survivor_id)
        return
    fill = [f for f in _CONTACT_FIELDS if not getattr(mine, f) and getattr(theirs, f)]
    for name in fill:
        setattr(mine, name, getattr(theirs, name))
    await theirs.delete()
    if fill:
        await mine.save(update_fields=fill)


async def _take_over(survivor: Candidate, merged: Candidate) -> None:
    """What the survivor lacks comes from the merged record, which is then emptied (its
    unique identifiers first, so the survivor may take them)."""
    fill = [f for f in (*_FILL, *_IDENTIFIERS) if not getattr(survivor, f) and getattr(merged, f)]
    fill += [f for f in ("education", "source") if not getattr(survivor, f) and getattr(merged, f)]
    if survivor.years_experience is None and merged.years_experience is not None:
        fill.append("years_experience")
    taken = {f: getattr(merged, f) for f in fill}
    await Candidate.filter(id=merged.id).update(
        name=MERGED_NAME, merged_into=survivor.id,
        phone_enc=None, email_enc=None, id_number_enc=None, phone_hash=None, email_hash=None,
        wechat_openid=None, wechat_unionid=None, external_userid=None,
    )  # fmt: skip
    if taken:
        await Candidate.filter(id=survivor.id).update(**taken)
