"""Adding candidates by hand, finding them, recognising duplicates.

Turning an application down is ``pipeline.reject.Rejections`` (the one way, from every
button and page).

A new candidate whose phone or e-mail hash matches an existing one is refused as a
duplicate that names the existing record (``DuplicateCandidate``): HR then adds the opening
to that record (``apply_existing``) or merges two records (``merge``); nothing is ever
merged or duplicated silently. Only HR and HR managers may act; every action is audited.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q, Subquery
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from recruiting.domain.intake import (
    LABELS,
    CandidateEntry,
    Problem,
    check_entry,
)
from recruiting.domain.shorten import shorten
from recruiting.errors import Conflict, InvalidInput, NotFound
from recruiting.infra.contact_hashes import email_hash, phone_hash
from recruiting.infra.pii import FieldCipher
from recruiting.models import (
    Application,
    Candidate,
    JobOpening,
    JobStatus,
    ResumeFile,
)
from recruiting.services.openings.openings import not_closed
from recruiting.services.personal_data.contact_data import PersonalDataService
from recruiting.services.shared.access import require_hr
from recruiting.services.shared.audit import record
from recruiting.services.shared.sessions import Principal

NOT_HR = "只有 HR 可以管理候选人"
PER_PAGE_MAX = 100
CHANNEL_CHARS = 32  # application.channel


class MergedAway(NotFound):
    """The record was merged into ``survivor_id``: a page follows it there."""

    code = "merged"

    def __init__(self, survivor_id: int) -> None:
        super().__init__(f"该候选人已合并到另一条记录（编号 {survivor_id}）")
        self.survivor_id = survivor_id


_INTAKE_LOCK = 7_240_301  # the advisory lock every write of new candidates takes


async def hold_intake() -> None:
    """Call inside the transaction that looks for duplicates and then writes candidates:
    one such transaction at a time, so two intakes of one phone or e-mail at the same
    instant cannot both find none (``phone_hash`` is indexed, not unique: old records may
    share it). PostgreSQL: an advisory lock released at commit or rollback; SQLite runs one
    transaction at a time already."""
    client = connections.get("default")
    if client.capabilities.dialect == "postgres":
        await client.execute_query("SELECT pg_advisory_xact_lock($1)", [_INTAKE_LOCK])


class DuplicateCandidate(Conflict):
    """The person is already here (same phone or e-mail): ``duplicates`` names them."""

    code = "duplicate_candidate"

    def __init__(self, duplicates: list[Duplicate]) -> None:
        names = "、".join(f"{d.name}（{d.by}相同）" for d in duplicates[:3])
        super().__init__(f"该候选人已存在：{names}")
        self.duplicates = duplicates


class EntryInvalid(InvalidInput):
    """The form's values are wrong: ``problems`` says which and why."""

    code = "candidate_invalid"

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("；".join(f"{p.column}：{p.reason}" for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Duplicate:
    candidate_id: int
    name: str
    by: str  # 手机 / 邮箱 / 手机和邮箱


@dataclass(frozen=True)
class Added:
    candidate_id: int
    application_id: int | None
    job_title: str = ""


@dataclass(frozen=True)
class CandidateRow:
    """One line of the candidate list (no contact details: they are read one by one,
    audited, through ``PersonalDataService``)."""

    id: int
    name: str
    source: str
    education: str
    years_experience: int | None
    created_at: datetime
    applications: list[tuple[int, str, str]] = field(default_factory=list)  # id, job, status


@dataclass(frozen=True)
class CandidateProfile:
    """What the candidate page shows (contact details apart: read on request, audited)."""

    candidate: Candidate
    applications: list[Application]  # oldest first, each with its opening
    files: list[ResumeFile]  # newest first


@dataclass(frozen=True)
class CandidatePage:
    rows: list[CandidateRow]
    total: int
    page: int
    pages: int


class Openings:
    """The openings a row may name, by code or title, loaded once per import."""

    def __init__(self, jobs: Iterable[JobOpening]) -> None:
        self._by_code: dict[str, JobOpening] = {}
        self._by_title: dict[str, list[JobOpening]] = {}
        for job in jobs:
            self._by_code[job.code.strip().lower()] = job
            self._by_title.setdefault(job.title.strip().lower(), []).append(job)

    @classmethod
    async def load(cls) -> Openings:
        return cls(await JobOpening.all())

    def find(self, text: str) -> JobOpening | Problem:
        wanted = text.strip().lower()
        job = self._by_code.get(wanted)
        if job is None:
            same = self._by_title.get(wanted, [])
            if len(same) > 1:
                return Problem("应聘岗位", f"有 {len(same)} 个岗位叫「{text}」，请改填岗位编号")
            job = same[0] if same else None
        if job is None:
            shown = shorten(text, max_chars=30, inline=True)
            return Problem("应聘岗位", f"没有找到岗位「{shown}」（可填岗位名称或编号）")
        if job.status == JobStatus.CLOSED:
            return Problem("应聘岗位", f"岗位「{job.title}」已关闭")
        return job


class CandidateIntake:
    def __init__(self, cipher: FieldCipher) -> None:
        self._cipher = cipher
        self._personal = PersonalDataService(cipher)

    # --- adding ----------------------------------------------------------------------------

    async def add(
        self,
        principal: Principal,
        values: Mapping[str, str] | CandidateEntry,
        *,
        job_id: int | None = None,
        channel: str = "manual",
    ) -> Added:
        """A new candidate (and their application to the opening, by ``job_id`` or the
        entry's ``job`` text). Raises EntryInvalid, DuplicateCandidate, NotFound."""
        await require_hr(principal, "add_candidate", "candidate", "-", refusal=NOT_HR)
        entry = self.check(values, job_required=job_id is None)
        job = await self._job(job_id, entry.job)
        async with in_transaction():  # the candidate and its audit entry, or neither
            await hold_intake()
            duplicates = await self.duplicates_of(entry.phone, entry.email)
            if not duplicates:
                added = await self.create(entry, job, channel=channel)
                await record(
                    principal.actor, "add_candidate", "candidate", added.candidate_id,
                    allowed=True, detail=f"job={job.id if job else '-'} channel={channel}",
                )  # fmt: skip
                return added
        detail = "duplicate_of=" + ",".join(str(d.candidate_id) for d in duplicates)
        await record(
            principal.actor, "add_candidate", "candidate", "-", allowed=False, detail=detail
        )
        raise DuplicateCandidate(duplicates)

    def check(
        self, values: Mapping[str, str] | CandidateEntry, *, job_required: bool = True
    ) -> CandidateEntry:
        if isinstance(values, CandidateEntry):
            raw = {
                "name": values.name, "phone": values.phone or "", "email": values.email or "",
                "job": values.job, "source": values.source, "education": values.education,
                "years": "" if values.years_experience is None else str(values.years_experience),
            }  # fmt: skip
        else:
            raw = {key: str(values.get(key) or "") for key in LABELS}
        checked = check_entry(raw, job_required=job_required)
        if isinstance(checked, list):
            raise EntryInvalid(checked)
        return checked

    async def create(
        self, entry: CandidateEntry, job: JobOpening | None, *, channel: str = "manual"
    ) -> Added:
        """Write a checked entry (no role check, no duplicate check: callers did both)."""
        candidate = Candidate(
            name=entry.name,
            education=entry.education,
            years_experience=entry.years_experience,
            source=entry.source,
        )
        self._personal.seal(candidate, phone=entry.phone, email=entry.email)
        await candidate.save()
        application_id = None
        if job is not None:
            application = await Application.create(
                candidate=candidate, job=job, channel=(entry.source or channel)[:CHANNEL_CHARS]
            )
            application_id = application.id
        return Added(candidate.id, application_id, job.title if job else "")

    async def apply_existing(
        self, principal: Principal, candidate_id: int, job_id: int, *, channel: str = "manual"
    ) -> Added:
        """Add an opening to a candidate who is already here (the answer to a duplicate)."""
        await require_hr(principal, "add_application", "candidate", candidate_id, refusal=NOT_HR)
        candidate = await live_candidate(candidate_id)
        job = await self._job(job_id, "")
        assert job is not None  # a job_id always finds a job or raises
        applied = Conflict(f"{candidate.name} 已应聘「{job.title}」", code="already_applied")
        if await Application.exists(candidate_id=candidate.id, job_id=job.id):
            raise applied
        try:
            async with in_transaction():  # the application and its audit entry, or neither
                application = await Application.create(
                    candidate=candidate, job=job, channel=channel[:CHANNEL_CHARS]
                )
                await record(
                    principal.actor, "add_application", "candidate", candidate.id,
                    allowed=True, detail=f"application={application.id} job={job.id}",
                )  # fmt: skip
        except IntegrityError:  # the same application added meanwhile (candidate, job unique)
            raise applied from None
        return Added(candidate.id, application.id, job.title)

    async def _job(self, job_id: int | None, text: str) -> JobOpening | None:
        if job_id is not None:
            job = await JobOpening.get_or_none(id=job_id)
            if job is None:
                raise NotFound("没有找到该岗位")
            if job.status == JobStatus.CLOSED:
                raise InvalidInput(f"岗位「{job.title}」已关闭", code="job_closed")
            return job
        if not text:
            return None
        found = Openings(await JobOpening.all()).find(text)
        if isinstance(found, Problem):
            raise EntryInvalid([found])
        return found

    # --- one candidate, the openings to choose from ----------------------------------------

    async def profile(self, principal: Principal, candidate_id: int) -> CandidateProfile:
        """The candidate page's record, applications and résumé files. A merged record
        raises ``MergedAway`` naming the record it went into (even if erased since)."""
        await require_hr(principal, "view_candidate", "candidate", candidate_id, refusal=NOT_HR)
        found = await Candidate.get_or_none(id=candidate_id)
        if found is not None and found.merged_into is not None:
            raise MergedAway(found.merged_into)
        candidate = _live(found)
        applications = (
            await Application.filter(candidate_id=candidate.id)
            .prefetch_related("job")
            .order_by("id")
        )
        files = await ResumeFile.filter(candidate_id=candidate.id).order_by("-id")
        return CandidateProfile(candidate, applications, files)

    async def candidate(self, principal: Principal, candidate_id: int) -> Candidate:
        """A live candidate (neither erased nor merged), for HR."""
        await require_hr(principal, "view_candidate", "candidate", candidate_id, refusal=NOT_HR)
        return await live_candidate(candidate_id)

    async def open_openings(self, principal: Principal) -> list[JobOpening]:
        """The openings a candidate may be added to (not closed), by title."""
        await require_hr(principal, "list_openings", "job_opening", "-", refusal=NOT_HR)
        return await not_closed()

    # --- duplicates ------------------------------------------------------------------------

    def hashes(self, phone: str | None, email: str | None) -> tuple[str | None, str | None]:
        return phone_hash(self._cipher, phone), email_hash(self._cipher, email)

    async def duplicates_of(
        self, phone: str | None, email: str | None, *, exclude: int | None = None
    ) -> list[Duplicate]:
        """Live candidates with the same normalised phone or e-mail (keyed hashes)."""
        by_phone, by_email = self.hashes(phone, email)
        return (await self.duplicates_by_hash([(by_phone, by_email)], exclude=exclude)).get(0, [])

    async def duplicates_by_hash(
        self, pairs: list[tuple[str | None, str | None]], *, exclude: int | None = None
    ) -> dict[int, list[Duplicate]]:
        """For each (phone hash, e-mail hash) pair, by its index: the live candidates that
        share either. Two indexed queries whatever the number of pairs (an import)."""
        phones = {p for p, _ in pairs if p}
        emails = {e for _, e in pairs if e}
        if not phones and not emails:
            return {}
        found: list[Candidate] = []
        chunk = 500
        for at in range(0, max(len(phones), len(emails)), chunk):
            part = Q(phone_hash__in=sorted(phones)[at : at + chunk]) | Q(
                email_hash__in=sorted(emails)[at : at + chunk]
            )
            found += await Candidate.filter(part, erased_at=None, merged_into=None)
        by_phone: dict[str, list[Candidate]] = {}
        by_email: dict[str, list[Candidate]] = {}
        for c in found:
            if c.id != exclude:
                if c.phone_hash:
                    by_phone.setdefault(c.phone_hash, []).append(c)
                if c.email_hash:
                    by_email.setdefault(c.email_hash, []).append(c)
        result: dict[int, list[Duplicate]] = {}
        for index, (p, e) in enumerate(pairs):
            phone_hits = {c.id: c for c in by_phone.get(p or "", [])}
            email_hits = {c.id: c for c in by_email.get(e or "", [])}
            hits = [
                Duplicate(c.id, c.name, _by(c.id in phone_hits, c.id in email_hits))
                for c in sorted({**phone_hits, **email_hits}.values(), key=lambda c: c.id)
            ]
            if hits:
                result[index] = hits
        return result

    async def duplicate_groups(
        self, principal: Principal, *, limit: int = 50
    ) -> list[list[CandidateRow]]:
        """Live candidates that share a phone or e-mail hash, grouped: what the merge page
        shows (records that came in before duplicates were recognised, or by the EHR)."""
        await require_hr(principal, "list_duplicates", "candidate", "-", refusal=NOT_HR)
        shared: dict[str, set[str]] = {}
        for column in ("phone_hash", "email_hash"):  # GROUP BY … HAVING: only shared hashes
            hashes = (
                await Candidate.filter(
                    erased_at=None, merged_into=None, **{f"{column}__isnull": False}
                )
                .annotate(n=Count("id"))
                .group_by(column)
                .filter(n__gt=1)
                .values_list(column, flat=True)
            )
            shared[column] = {str(v) for v in hashes}
        seen: dict[str, list[int]] = {}
        live = (
            (
                await Candidate.filter(erased_at=None, merged_into=None)
                .filter(
                    Q(phone_hash__in=sorted(shared["phone_hash"]))
                    | Q(email_hash__in=sorted(shared["email_hash"]))
                )
                .values_list("id", "phone_hash", "email_hash")
            )
            if shared["phone_hash"] or shared["email_hash"]
            else []
        )
        for cid, ph, eh in live:
            for key in (f"p{ph}" if ph else "", f"e{eh}" if eh else ""):
                if key:
                    seen.setdefault(key, []).append(int(cid))
        joined: list[set[int]] = []
        for ids in seen.values():
            if len(ids) < 2:
                continue
            group = set(ids)
            for other in [g for g in joined if g & group]:
                group |= other
                joined.remove(other)
            joined.append(group)
        groups = [sorted(g) for g in sorted(joined, key=min)][:limit]
        await record(
            principal.actor,
            "list_duplicates",
            "candidate",
            "-",
            allowed=True,
            detail=f"groups={len(groups)}",
        )
        found = {r.id: r for r in await _rows([i for g in groups for i in g])}
        return [[found[i] for i in g if i in found] for g in groups]

    # --- finding ---------------------------------------------------------------------------

    async def search(
        self,
        principal: Principal,
        *,
        name: str = "",
        phone: str = "",
        email: str = "",
        job_id: int | None = None,
        source: str = "",
        page: int = 1,
        per_page: int = 20,
    ) -> CandidatePage:
        """Live candidates, newest first: exact name, phone or e-mail (through the sealed
        name and the keyed hashes, so every filter is an index look-up), opening, source."""
        await require_hr(principal, "list_candidates", "candidate", "-", refusal=NOT_HR)
        if not 1 <= per_page <= PER_PAGE_MAX:
            raise InvalidInput(f"每页条数应在 1 到 {PER_PAGE_MAX} 之间")
        if not 1 <= page <= 100_000:
            raise InvalidInput("页码超出范围")
        query = Candidate.filter(erased_at=None, merged_into=None)
        if name.strip():
            query = query.filter(name=name.strip()[:80])
        if phone.strip():
            query = query.filter(phone_hash=phone_hash(self._cipher, phone[:40]))
        if email.strip():
            query = query.filter(email_hash=email_hash(self._cipher, email[:120]))
        if source.strip():
            query = query.filter(source=source.strip()[:CHANNEL_CHARS])
        if job_id is not None:
            applied = Application.filter(job_id=job_id).values("candidate_id")
            query = query.filter(id__in=Subquery(applied))  # one query, not a list of ids
        total = await query.count()
        page_ids = (
            await query.order_by("-id")
            .offset((page - 1) * per_page)
            .limit(per_page)
            .values_list("id", flat=True)
        )
        rows = await _rows([int(cast(int, i)) for i in page_ids])
        used = (
            ("name", name),
            ("phone", phone),
            ("email", email),
            ("job", job_id),
            ("source", source),
        )
        detail = f"page={page} filters={','.join(k for k, v in used if v)}"
        await record(
            principal.actor, "list_candidates", "candidate", "-", allowed=True, detail=detail
        )
        return CandidatePage(rows, total, page, max(1, math.ceil(total / per_page)))


def _by(phone: bool, email: bool) -> str:
    return "手机和邮箱" if phone and email else "手机" if phone else "邮箱"


async def live_candidate(candidate_id: int) -> Candidate:
    return _live(await Candidate.get_or_none(id=candidate_id))


def _live(candidate: Candidate | None) -> Candidate:
    if candidate is None or candidate.erased_at is not None:
        raise NotFound("没有找到该候选人")
    if candidate.merged_into is not None:
        raise MergedAway(candidate.merged_into)
    return candidate


async def _rows(ids: list[int]) -> list[CandidateRow]:
    if not ids:
        return []
    candidates = {c.id: c for c in await Candidate.filter(id__in=ids)}
    apps: dict[int, list[tuple[int, str, str]]] = {}
    for a in await Application.filter(candidate_id__in=ids).prefetch_related("job").order_by("id"):
        apps.setdefault(a.candidate_id, []).append((a.id, a.job.title, str(a.status)))
    return [
        CandidateRow(
            id=c.id,
            name=c.name,
            source=c.source,
            education=c.education,
            years_experience=c.years_experience,
            created_at=c.created_at,
            applications=apps.get(c.id, []),
        )
        for i in ids
        if (c := candidates.get(i)) is not None
    ]
