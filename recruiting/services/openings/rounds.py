"""Interview rounds of an opening: add, edit, reorder, close, delete; recorded rounds hold
ordered questions (typed here or picked from the bank), live rounds a duration, a panel and
a place or an online meeting.

Every edit first pins the interviews already created from the round to the content they were
taken with (``freeze_unpinned``); the next interview gets a new version. A round with
interviews is never deleted (they keep pointing at it): it can be closed instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from tortoise.functions import Count
from tortoise.transactions import in_transaction

from recruiting import clock
from recruiting.domain import openings as rules
from recruiting.domain.recorded_round import parse_questions
from recruiting.domain.roles import Permission
from recruiting.domain.round_version import RoundContent, content_from_fields
from recruiting.errors import Conflict, InvalidInput, NotFound
from recruiting.models import (
    BankQuestion,
    Interview,
    InterviewRound,
    JobOpening,
    RoundKind,
    RoundVersion,
)
from recruiting.ports.competency_catalog import CompetencyCatalog
from recruiting.services.openings.common import Library, changed, require, row
from recruiting.services.shared.audit import Actor
from recruiting.services.shared.round_versions import freeze_unpinned

JOB, ROUND = "没有找到这个岗位", "没有找到这一轮面试"
KIND_NAMES = {"recorded": "录制面试", "live": "现场/视频面试"}


class RoundInUse(Conflict):
    code = "round_in_use"


@dataclass(frozen=True)
class Anchored:
    """A competency with its behavioural anchors (levels 1..5), shown beside a question."""

    code: str
    name: str
    definition: str
    anchors: tuple[str, ...]


@dataclass(frozen=True)
class QuestionView:
    index: int
    text: str
    competencies: tuple[Anchored, ...]
    prep_seconds: int
    answer_seconds: int
    retakes: int
    bank_question_id: int | None


@dataclass(frozen=True)
class VersionInfo:
    number: int
    created_at: datetime
    created_by: str
    interviews: int


@dataclass(frozen=True)
class RoundDetail:
    id: int
    opening_id: int
    opening_title: str
    sequence: int
    name: str
    kind: str
    kind_name: str
    closed: bool
    deadline_days: int
    duration_minutes: int
    panel_size: int
    location: str
    meeting_link: str
    preparation: str
    competencies: tuple[Anchored, ...]  # what the round assesses (live: chosen, else model)
    questions: tuple[QuestionView, ...]
    interviews: int
    versions: tuple[VersionInfo, ...]


class RoundService:
    def __init__(self, catalog: CompetencyCatalog) -> None:
        self._library = Library(catalog)

    async def get(self, actor: Actor, round_id: int) -> RoundDetail:
        await require(actor, Permission.VIEW_OPENINGS, "view_round", "interview_round", round_id)
        round_ = await _round(round_id)
        return await self._detail(round_)

    async def add(self, actor: Actor, opening_id: int, data: Mapping[str, Any]) -> InterviewRound:
        """A new round at the end of the opening's rounds; ``data["kind"]`` recorded or live."""
        await require(actor, Permission.MANAGE_OPENINGS, "add_round", "job_opening", opening_id)
        kind = str(data.get("kind") or "")
        if kind not in rules.KINDS:
            raise InvalidInput("请选择面试形式：录制面试或现场/视频面试")
        async with in_transaction():
            job = await JobOpening.select_for_update().get_or_none(id=row(opening_id, JOB))
            if job is None:
                raise NotFound("没有找到这个岗位")
            existing = await InterviewRound.filter(job_id=job.id).order_by("-sequence")
            if len(existing) >= rules.MAX_ROUNDS:
                raise InvalidInput(f"一个岗位最多 {rules.MAX_ROUNDS} 轮面试")
            values = self._values(kind, data, job)
            round_ = await InterviewRound.create(
                job=job,
                sequence=(existing[0].sequence if existing else 0) + 1,
                kind=RoundKind(kind),
                **values,
            )
        detail = f"kind={kind} questions={len(values.get('questions', []))}"
        await changed(actor, "add_round", "interview_round", round_.id, detail)
        return round_

    async def update(self, actor: Actor, round_id: int, data: Mapping[str, Any]) -> RoundDetail:
        """Edit a round (its kind stays). Missing keys keep their value; the interviews
        already created keep the version they were taken with."""
        await require(actor, Permission.MANAGE_OPENINGS, "edit_round", "interview_round", round_id)
        async with in_transaction():
            round_ = await InterviewRound.select_for_update().get_or_none(id=row(round_id, ROUND))
            if round_ is None:
                raise NotFound("没有找到这一轮面试")
            job = await JobOpening.get(id=round_.job_id)
            merged = {**_current(round_), **data}
            values = self._values(round_.kind.value, merged, job)
            edited = [k for k, v in values.items() if getattr(round_, k) != v]
            if not edited:
                return await self._detail(round_)
            pinned = await freeze_unpinned([round_.id], actor.id)
            for key in edited:
                setattr(round_, key, values[key])
            await round_.save(update_fields=edited)
        detail = f"fields={','.join(edited)} pinned={pinned}"
        await changed(actor, "edit_round", "interview_round", round_id, detail[:256])
        return await self._detail(round_)

    async def add_bank_questions(
        self, actor: Actor, round_id: int, bank_ids: Sequence[int]
    ) -> RoundDetail:
        """Append bank questions (copied, in the order given) to a recorded round."""
        await require(actor, Permission.MANAGE_OPENINGS, "edit_round", "interview_round", round_id)
        ids = [rules.number(i, "题库题目编号", 1, 2**31 - 1) for i in bank_ids]
        if not ids:
            raise InvalidInput("请至少选择一道题")
        if len(set(ids)) != len(ids):
            raise InvalidInput("同一道题只能选一次")
        found = {q.id: q for q in await BankQuestion.filter(id__in=ids, retired_at=None)}
        missing = [i for i in ids if i not in found]
        if missing:
            raise NotFound("有题目不在题库中或已停用，请刷新后重选")
        round_ = await _round(round_id)
        if round_.kind != RoundKind.RECORDED:
            raise InvalidInput("只有录制面试可以从题库选题")
        names = self._library.names()
        picked = [
            {
                "text": q.text,
                "competencies": [names.get(c, c) for c in q.competencies],
                "prep_seconds": q.prep_seconds,
                "answer_seconds": q.answer_seconds,
                "retakes": q.retakes,
                "bank_question_id": q.id,
            }
            for q in (found[i] for i in ids)
        ]
        return await self.update(actor, round_id, {"questions": [*round_.questions, *picked]})

    async def reorder(self, actor: Actor, opening_id: int, round_ids: Sequence[int]) -> None:
        """Put the opening's rounds in the order of ``round_ids`` (all of them, once each)."""
        await require(
            actor, Permission.MANAGE_OPENINGS, "reorder_rounds", "job_opening", opening_id
        )
        async with in_transaction():
            rounds = await _rounds_locked(opening_id)
            wanted = [int(i) for i in round_ids if isinstance(i, int) and not isinstance(i, bool)]
            if len(wanted) != len(round_ids) or sorted(wanted) != sorted(r.id for r in rounds):
                raise InvalidInput("排序须包含这个岗位的每一轮面试，且每轮只出现一次")
            await _put_in_order(rounds, wanted)
        await changed(actor, "reorder_rounds", "job_opening", opening_id, f"rounds={len(wanted)}")

    async def move(self, actor: Actor, opening_id: int, round_id: int, *, up: bool) -> None:
        """Swap the round with the one before it (``up``) or after it; at either end nothing
        changes. Read and written in one transaction: two HR moving rounds of the same
        opening at once each see the other's order."""
        await require(
            actor, Permission.MANAGE_OPENINGS, "reorder_rounds", "job_opening", opening_id
        )
        async with in_transaction():
            rounds = await _rounds_locked(opening_id)
            order = [r.id for r in rounds]
            if round_id not in order:
                raise NotFound(ROUND)
            at = order.index(round_id)
            to = at - 1 if up else at + 1
            if not 0 <= to < len(order):
                return
            order[at], order[to] = order[to], order[at]
            await _put_in_order(rounds, order)
        await changed(actor, "reorder_rounds", "job_opening", opening_id, f"rounds={len(order)}")

    async def close(self, actor: Actor, round_id: int, *, closed: bool = True) -> None:
        """Close a round (no new interviews; the taken ones stay) or open it again."""
        await require(actor, Permission.MANAGE_OPENINGS, "close_round", "interview_round", round_id)
        round_ = await _round(round_id)
        if (round_.closed_at is not None) == closed:
            return
        round_.closed_at = clock.now() if closed else None
        await round_.save(update_fields=["closed_at"])
        await changed(actor, "close_round" if closed else "reopen_round", "interview_round",
                      round_id)  # fmt: skip

    async def delete(self, actor: Actor, round_id: int) -> None:
        """Delete a round without interviews; one with interviews is refused (close it)."""
        await require(
            actor, Permission.MANAGE_OPENINGS, "delete_round", "interview_round", round_id
        )
        async with in_transaction():
            round_ = await InterviewRound.select_for_update().get_or_none(id=row(round_id, ROUND))
            if round_ is None:
                raise NotFound("没有找到这一轮面试")
            taken = await Interview.filter(round_id=round_id).count()
            if taken:
                raise RoundInUse(
                    f"这一轮已有 {taken} 场面试，不能删除；可以关闭这一轮，不再安排新的面试"
                )
            await RoundVersion.filter(round_id=round_id).delete()
            await round_.delete()
            rest = await InterviewRound.filter(job_id=round_.job_id).order_by("sequence")
            for position, r in enumerate(rest, start=1):
                if r.sequence != position:
                    await InterviewRound.filter(id=r.id).update(sequence=position)
        await changed(actor, "delete_round", "interview_round", round_id)

    async def version(self, actor: Actor, round_id: int, number: int) -> RoundContent:
        """The content of one version (what its interviews were taken with)."""
        await require(actor, Permission.VIEW_OPENINGS, "view_round", "interview_round", round_id)
        found = None
        if 0 < number < 2**15:  # a smallint column
            found = await RoundVersion.get_or_none(round_id=row(round_id, ROUND), number=number)
        if found is None:
            raise NotFound("没有这个版本")
        return RoundContent.from_json(found.content)

    # -- helpers ------------------------------------------------------------------------------

    def _values(self, kind: str, data: Mapping[str, Any], job: JobOpening) -> dict[str, Any]:
        """Validated column values of a round of ``kind`` from form-like ``data``."""
        values: dict[str, Any] = {
            "name": rules.round_name(data.get("name")),
            "preparation": rules.text(data.get("preparation"), "候选人需准备的内容",
                                      rules.MAX_PREPARATION),
        }  # fmt: skip
        model_codes = [str(i.get("code")) for i in job.competency_model or []]
        known = self._library.names()
        if kind == "recorded":
            questions = self._questions(data.get("questions"), known, model_codes)
            values["questions"] = questions
            targets = (self._library.code_of(n) for q in questions for n in q["competencies"])
            values["competencies"] = list(dict.fromkeys(targets))
            values["deadline_days"] = rules.deadline_days(data.get("deadline_days", 7))
            return values
        live = rules.live_settings(data)
        chosen = rules.competency_codes(data.get("competencies"), known, "考察能力")
        outside = [c for c in chosen if model_codes and c not in model_codes]
        if outside:
            raise InvalidInput(f"“{known[outside[0]]}”不在这个岗位的能力模型中")
        values.update(
            duration_minutes=live.duration_minutes,
            panel_size=live.panel_size,
            location=live.location,
            meeting_link=live.meeting_link,
            competencies=list(chosen),
        )
        return values

    def _questions(
        self, value: Any, known: dict[str, str], model_codes: list[str]
    ) -> list[dict[str, Any]]:
        if not isinstance(value, list) or not value:
            raise InvalidInput("录制面试至少需要一道题")
        if len(value) > rules.MAX_QUESTIONS:
            raise InvalidInput(f"录制面试最多 {rules.MAX_QUESTIONS} 道题")
        out: list[dict[str, Any]] = []
        for position, item in enumerate(value, start=1):
            where = f"第 {position} 题"
            if not isinstance(item, Mapping):
                raise InvalidInput(f"{where}格式不对")
            draft = rules.question_draft(item, known, where)
            outside = [c for c in draft.competencies if model_codes and c not in model_codes]
            if outside:
                raise InvalidInput(f"{where}：“{known[outside[0]]}”不在这个岗位的能力模型中")
            if any(q["text"] == draft.text for q in out):
                raise InvalidInput(f"{where}与前面的题目重复")
            question: dict[str, Any] = {
                "text": draft.text,
                "competencies": [known[c] for c in draft.competencies],  # names, as analysed
                "prep_seconds": draft.prep_seconds,
                "answer_seconds": draft.answer_seconds,
                "retakes": draft.retakes,
            }
            bank_id = item.get("bank_question_id")
            if isinstance(bank_id, int) and not isinstance(bank_id, bool) and bank_id > 0:
                question["bank_question_id"] = bank_id
            out.append(question)
        parse_questions(out)  # the recorded flow's own rules: must hold for what it will read
        return out

    def _anchored(self, key: str) -> Anchored:
        code = self._library.code_of(key)
        found = self._library.get(code)
        if found is None:
            return Anchored(code, key, "", ())
        return Anchored(found.code, found.name, found.definition, found.anchors)

    async def _detail(self, round_: InterviewRound) -> RoundDetail:
        job = await JobOpening.get(id=round_.job_id)
        content = content_from_fields(round_, job.competency_model)
        versions = await RoundVersion.filter(round_id=round_.id).order_by("number")
        per_version = {int(cast(int, v)): n for v, n in await _version_counts(round_.id)}
        assessed = content.competencies or tuple(c for c, _, _ in content.competency_model)
        return RoundDetail(
            id=round_.id,
            opening_id=job.id,
            opening_title=job.title,
            sequence=round_.sequence,
            name=round_.name,
            kind=round_.kind.value,
            kind_name=KIND_NAMES.get(round_.kind.value, round_.kind.value),
            closed=round_.closed_at is not None,
            deadline_days=round_.deadline_days,
            duration_minutes=round_.duration_minutes,
            panel_size=round_.panel_size,
            location=round_.location,
            meeting_link=round_.meeting_link,
            preparation=round_.preparation,
            competencies=tuple(self._anchored(c) for c in assessed),
            questions=tuple(
                QuestionView(
                    index=i,
                    text=str(q.get("text", "")),
                    competencies=tuple(self._anchored(str(c)) for c in q.get("competencies", [])),
                    prep_seconds=int(q.get("prep_seconds", 30)),
                    answer_seconds=int(q.get("answer_seconds", 180)),
                    retakes=int(q.get("retakes", 1)),
                    bank_question_id=q.get("bank_question_id"),
                )
                for i, q in enumerate(content.questions)
            ),
            interviews=await Interview.filter(round_id=round_.id).count(),
            versions=tuple(
                VersionInfo(v.number, v.created_at, v.created_by, per_version.get(v.id, 0))
                for v in versions
            ),
        )


def _current(round_: InterviewRound) -> dict[str, Any]:
    """The round's values in the form ``_values`` reads (what a partial edit keeps)."""
    return {
        "name": round_.name,
        "preparation": round_.preparation,
        "questions": round_.questions,
        "deadline_days": round_.deadline_days,
        "duration_minutes": round_.duration_minutes,
        "panel_size": round_.panel_size,
        "location": round_.location,
        "meeting_link": round_.meeting_link,
        "competencies": list(round_.competencies or []),
    }


async def _rounds_locked(opening_id: int) -> list[InterviewRound]:
    """The opening's rounds in their order, the opening locked until the transaction ends
    (every reorder of it waits for this one)."""
    job = await JobOpening.select_for_update().get_or_none(id=row(opening_id, JOB))
    if job is None:
        raise NotFound(JOB)
    return await InterviewRound.filter(job_id=job.id).order_by("sequence", "id")


async def _put_in_order(rounds: list[InterviewRound], order: Sequence[int]) -> None:
    # (job, sequence) is unique: move every round out of the way first
    for r in rounds:
        await InterviewRound.filter(id=r.id).update(sequence=-r.sequence - 100)
    for position, rid in enumerate(order, start=1):
        await InterviewRound.filter(id=rid).update(sequence=position)


async def _round(round_id: int) -> InterviewRound:
    found = await InterviewRound.get_or_none(id=row(round_id, ROUND))
    if found is None:
        raise NotFound("没有找到这一轮面试")
    return found


async def _version_counts(round_id: int) -> list[tuple[Any, int]]:
    rows = (
        await Interview.filter(round_id=round_id, round_version_id__not_isnull=True)
        .annotate(n=Count("id"))
        .group_by("round_version_id")
        .values("round_version_id", "n")
    )
    return [(r["round_version_id"], int(r["n"])) for r in rows]
