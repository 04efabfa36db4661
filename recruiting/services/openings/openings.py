"""Openings: create and edit one, list them with counts, set its competency model from the
built-in library (default weights) or edited weights.

A change of the competency model first pins every interview already taken to the content it
was taken with (``freeze_unpinned``), so analyses and reports of past interviews keep the old
weights; new interviews get a new round version with the new ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from recruiting.domain import openings as rules
from recruiting.domain.roles import Permission
from recruiting.errors import Conflict, InvalidInput, NotFound
from recruiting.models import Application, Interview, InterviewRound, JobOpening, JobStatus
from recruiting.ports.competency_catalog import CatalogCompetency, CatalogJob, CompetencyCatalog
from recruiting.services.openings.common import Library, changed, require, row
from recruiting.services.shared.audit import Actor
from recruiting.services.shared.round_versions import freeze_unpinned

MAX_PAGE = 200


@dataclass(frozen=True)
class ModelItem:
    code: str
    name: str
    weight: str  # decimal string, e.g. "0.25"
    definition: str

    @property
    def percent(self) -> str:
        return f"{(Decimal(self.weight) * 100).normalize():f}"


@dataclass(frozen=True)
class OpeningSummary:
    id: int
    code: str
    title: str
    department: str
    city: str
    status: str
    status_name: str
    rounds: int
    candidates: int
    created_at: datetime


@dataclass(frozen=True)
class RoundSummary:
    id: int
    sequence: int
    name: str
    kind: str
    closed: bool
    questions: int
    interviews: int


@dataclass(frozen=True)
class OpeningDetail:
    summary: OpeningSummary
    interview_location: str
    model: tuple[ModelItem, ...]
    rounds: tuple[RoundSummary, ...]


class OpeningService:
    def __init__(self, catalog: CompetencyCatalog) -> None:
        self._library = Library(catalog)

    # -- reading ------------------------------------------------------------------------------

    def library(self) -> tuple[CatalogCompetency, ...]:
        """The built-in competencies with definitions and anchors (no personal data)."""
        return self._library.catalog.competencies()

    def library_jobs(self) -> tuple[CatalogJob, ...]:
        """The built-in job models with their default weights."""
        return self._library.catalog.jobs()

    async def list_openings(
        self,
        actor: Actor,
        *,
        status: str = "",
        search: str = "",
        limit: int = 50,
        offset: int = 0,
    ) -> list[OpeningSummary]:
        await require(actor, Permission.VIEW_OPENINGS, "list_openings", "job_opening", "*")
        query = JobOpening.all()
        if status:
            if status not in rules.STATUSES:
                raise InvalidInput("岗位状态须为：草稿、招聘中、暂停或已关闭")
            query = query.filter(status=status)
        search = rules.text(search, "搜索词", 64)
        if search:
            query = query.filter(Q(title__icontains=search) | Q(code__icontains=search))
        limit = rules.number(limit, "每页条数", 1, MAX_PAGE)
        offset = rules.number(offset, "起始位置", 0, 10_000_000)
        jobs = await query.order_by("-id").offset(offset).limit(limit)
        return await _summaries(jobs)

    async def get(self, actor: Actor, opening_id: int) -> OpeningDetail:
        await require(actor, Permission.VIEW_OPENINGS, "view_opening", "job_opening", opening_id)
        job = await _job(opening_id)
        rounds = await InterviewRound.filter(job_id=job.id).order_by("sequence")
        counts = await _interview_counts([r.id for r in rounds])
        names = self._library
        model = tuple(
            ModelItem(
                str(i.get("code")),
                str(i.get("name")),
                str(i.get("weight")),
                (c.definition if (c := names.get(str(i.get("code")))) else ""),
            )
            for i in job.competency_model or []
            if isinstance(i, dict)
        )
        return OpeningDetail(
            summary=(await _summaries([job]))[0],
            interview_location=job.interview_location,
            model=model,
            rounds=tuple(
                RoundSummary(
                    r.id,
                    r.sequence,
                    r.name,
                    r.kind.value,
                    r.closed_at is not None,
                    len(r.questions or []),
                    counts.get(r.id, 0),
                )
                for r in rounds
            ),
        )

    # -- changing -----------------------------------------------------------------------------

    async def create(self, actor: Actor, data: Mapping[str, Any]) -> JobOpening:
        """A new opening (draft unless said otherwise; opening it needs a competency model)."""
        await require(actor, Permission.MANAGE_OPENINGS, "create_opening", "job_opening", "new")
        fields = rules.opening_fields(data)
        model = self._model_of(data.get("competency_model"))
        if data.get("library_job"):  # checked before the row exists: no half-made opening
            model = self._library_model(str(data["library_job"]))
        if fields.status == "open" and not model:
            raise InvalidInput("开放招聘前请先设置能力模型")
        try:
            job = await JobOpening.create(
                code=fields.code,
                title=fields.title,
                department=fields.department,
                city=fields.city,
                status=JobStatus(fields.status),
                interview_location=fields.interview_location,
                competency_model=model,
            )
        except IntegrityError:
            raise Conflict(f"岗位编号“{fields.code}”已被使用，请换一个") from None
        how = f" library={data['library_job']}" if data.get("library_job") else ""
        await changed(actor, "create_opening", "job_opening", job.id, f"status={job.status}{how}")
        return job

    async def update(self, actor: Actor, opening_id: int, data: Mapping[str, Any]) -> JobOpening:
        """Edit the opening's fields (the code too, if still unique)."""
        await require(actor, Permission.MANAGE_OPENINGS, "edit_opening", "job_opening", opening_id)
        job = await _job(opening_id)
        merged = {
            "code": job.code,
            "title": job.title,
            "department": job.department,
            "city": job.city,
            "status": job.status.value,
            "interview_location": job.interview_location,
            **{k: v for k, v in data.items() if k != "competency_model"},
        }
        fields = rules.opening_fields(merged)
        if fields.status == "open" and not job.competency_model:
            raise InvalidInput("开放招聘前请先设置能力模型")
        before = {
            "code": job.code,
            "title": job.title,
            "department": job.department,
            "city": job.city,
            "status": job.status.value,
            "interview_location": job.interview_location,
        }
        after = {
            "code": fields.code,
            "title": fields.title,
            "department": fields.department,
            "city": fields.city,
            "status": fields.status,
            "interview_location": fields.interview_location,
        }
        edited = [k for k in after if after[k] != before[k]]
        if not edited:
            return job
        for key in edited:
            setattr(job, key, JobStatus(after[key]) if key == "status" else after[key])
        try:
            await job.save(update_fields=edited)
        except IntegrityError:
            raise Conflict(f"岗位编号“{fields.code}”已被使用，请换一个") from None
        await changed(actor, "edit_opening", "job_opening", job.id, "fields=" + ",".join(edited))
        return job

    async def set_model(
        self, actor: Actor, opening_id: int, entries: Sequence[Mapping[str, Any]]
    ) -> list[dict[str, str]]:
        """Replace the competency model with ``[{code, weight}]`` (weights adding up to 1)."""
        await require(
            actor, Permission.MANAGE_OPENINGS, "edit_competency_model", "job_opening", opening_id
        )
        model = rules.competency_model(entries, self._library.names())
        await self._store_model(actor, opening_id, model, "edited")
        return model

    async def model_from_library(
        self, actor: Actor, opening_id: int, job_code: str
    ) -> list[dict[str, str]]:
        """Take a built-in job model's competencies with its default weights."""
        await require(
            actor, Permission.MANAGE_OPENINGS, "edit_competency_model", "job_opening", opening_id
        )
        model = self._library_model(str(job_code))
        await self._store_model(actor, opening_id, model, f"library={job_code}")
        return model

    def _library_model(self, job_code: str) -> list[dict[str, str]]:
        builtin = self._library.job(job_code)
        if builtin is None:
            raise InvalidInput("没有这个内置岗位模型，请从列表中选择")
        entries = [{"code": code, "weight": weight} for code, weight in builtin.weights]
        return rules.competency_model(entries, self._library.names())

    def _model_of(self, value: Any) -> list[dict[str, str]]:
        if value in (None, "", []):
            return []
        if not isinstance(value, list):
            raise InvalidInput("能力模型须为能力和权重的列表")
        return rules.competency_model(value, self._library.names())

    async def _store_model(
        self, actor: Actor, opening_id: int, model: list[dict[str, str]], how: str
    ) -> None:
        async with in_transaction():
            job = await JobOpening.select_for_update().get_or_none(
                id=row(opening_id, "没有找到这个岗位")
            )
            if job is None:
                raise NotFound("没有找到这个岗位")
            if job.competency_model == model:
                return
            round_ids = await InterviewRound.filter(job_id=job.id).values_list("id", flat=True)
            pinned = await freeze_unpinned([cast(int, r) for r in round_ids], actor.id)
            job.competency_model = model
            await job.save(update_fields=["competency_model"])
        detail = f"{how} competencies={len(model)} pinned={pinned}"
        await changed(actor, "edit_competency_model", "job_opening", opening_id, detail)


async def not_closed() -> list[JobOpening]:
    """The openings still taking candidates (draft, open, paused), by title: where HR adds a
    candidate (intake) or screens résumés. No role check: each caller checks its own."""
    return await JobOpening.exclude(status=JobStatus.CLOSED).order_by("title", "id")


async def _job(opening_id: int) -> JobOpening:
    job = await JobOpening.get_or_none(id=row(opening_id, "没有找到这个岗位"))
    if job is None:
        raise NotFound("没有找到这个岗位")
    return job


async def _summaries(jobs: Sequence[JobOpening]) -> list[OpeningSummary]:
    ids = [j.id for j in jobs]
    rounds = await _count_by(InterviewRound, "job_id", ids)
    candidates = await _count_by(Application, "job_id", ids)
    return [
        OpeningSummary(
            id=j.id,
            code=j.code,
            title=j.title,
            department=j.department,
            city=j.city,
            status=j.status.value,
            status_name=rules.STATUS_NAMES.get(j.status.value, j.status.value),
            rounds=rounds.get(j.id, 0),
            candidates=candidates.get(j.id, 0),
            created_at=j.created_at,
        )
        for j in jobs
    ]


async def _count_by(model: Any, key: str, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = (
        await model.filter(**{f"{key}__in": ids})
        .annotate(n=Count("id"))
        .group_by(key)
        .values(key, "n")
    )
    return {int(r[key]): int(r["n"]) for r in rows}


async def _interview_counts(round_ids: list[int]) -> dict[int, int]:
    return await _count_by(Interview, "round_id", round_ids)
