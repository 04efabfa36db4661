"""Freezing a round's content into immutable versions, and reading the one an interview was
taken with.

Every use case that creates an interview pins it to the current version
(``version_for_new_interview``); every edit of a round or of its opening's competency model
first pins the interviews that have none yet (``freeze_unpinned``: rows from before
versioning, or created by a path that did not pin) to the content as it stands, so the edit
cannot reach them. Readers call ``assessed``: the pinned version, else the live round, which
is by then still the content those interviews were taken with.
"""

from __future__ import annotations

from collections.abc import Iterable

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from recruiting.domain.round_version import RoundContent, content_from_fields
from recruiting.errors import Conflict, NotFound
from recruiting.models import Interview, InterviewRound, JobOpening, RoundVersion
from recruiting.services.shared.access import job_of, round_of

# what a query needs to prefetch for ``assessed`` to answer without another round trip
ASSESSED = ("round", "round__job", "round_version")


def live_content(round_: InterviewRound, job: JobOpening) -> RoundContent:
    return content_from_fields(round_, job.competency_model)


def assessed(interview: Interview) -> RoundContent:
    """The content ``interview`` is run, analysed and reported with (``ASSESSED`` prefetched)."""
    if interview.round_version_id is None:
        return live_content(round_of(interview), job_of(interview))
    version = interview.round_version
    if not isinstance(version, RoundVersion):  # a query forgot to prefetch it: a code error
        raise RuntimeError(f"interview {interview.id}: round_version was not prefetched")
    return RoundContent.from_json(version.content)


async def load_assessed(interview: Interview) -> RoundContent:
    """``assessed`` for an interview loaded without the prefetch."""
    if interview.round_version_id is not None:
        version = await RoundVersion.get(id=interview.round_version_id)
        return RoundContent.from_json(version.content)
    round_ = await InterviewRound.get(id=interview.round_id).prefetch_related("job")
    return live_content(round_, round_.job)


async def version_for_new_interview(round_id: int, actor_id: str = "system") -> RoundVersion:
    """The version a new interview of ``round_id`` is taken with: the latest one if the round
    has not changed since, else a new one."""
    round_ = await InterviewRound.get_or_none(id=round_id).prefetch_related("job")
    if round_ is None:
        raise NotFound("没有找到这一轮面试，可能已被删除。")
    return await _pin(round_, live_content(round_, round_.job), actor_id)


async def freeze_unpinned(round_ids: Iterable[int], actor_id: str) -> int:
    """Pin the interviews of these rounds that have no version yet to the content as it
    stands; called before an edit. Returns how many interviews were pinned."""
    pinned = 0
    for round_id in sorted(set(round_ids)):
        unpinned = Interview.filter(round_id=round_id, round_version_id=None)
        if not await unpinned.exists():
            continue
        version = await version_for_new_interview(round_id, actor_id)
        pinned += await Interview.filter(round_id=round_id, round_version_id=None).update(
            round_version_id=version.id
        )
    return pinned


async def versions_of(round_id: int) -> list[RoundVersion]:
    return await RoundVersion.filter(round_id=round_id).order_by("number")


async def _pin(round_: InterviewRound, content: RoundContent, actor_id: str) -> RoundVersion:
    digest = content.digest()
    for _ in range(3):  # two first interviews racing for the next number: one wins, reuse it
        latest = await RoundVersion.filter(round_id=round_.id).order_by("-number").first()
        if latest is not None and latest.digest == digest:
            return latest
        try:
            async with in_transaction():  # a savepoint inside a caller's transaction
                return await RoundVersion.create(
                    round_id=round_.id,
                    number=(latest.number if latest else 0) + 1,
                    content=content.to_json(),
                    digest=digest,
                    created_by=actor_id[:64],
                )
        except IntegrityError:
            continue
    raise Conflict("这一轮面试刚被其他人修改，请稍后重试")
