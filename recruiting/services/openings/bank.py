"""The question bank, filed by competency, each question shown with the behavioural anchors
of the competencies it targets (what a level 1..5 answer shows), so HR and interviewers pick
questions that can tell the levels apart.

Questions are retired, never deleted: rounds copied them, and past versions name them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from recruiting import clock
from recruiting.domain import openings as rules
from recruiting.domain.roles import Permission
from recruiting.errors import Conflict, InvalidInput, NotFound
from recruiting.models import BankQuestion
from recruiting.ports.competency_catalog import CatalogCompetency, CompetencyCatalog
from recruiting.services.openings.common import Library, changed, require, row
from recruiting.services.shared.audit import Actor

MAX_BANK = 5000  # questions in all: a bank beyond this is a data dump, not a bank


@dataclass(frozen=True)
class BankItem:
    id: int
    text: str
    competencies: tuple[tuple[str, str], ...]  # (code, name)
    tags: tuple[str, ...]
    prep_seconds: int
    answer_seconds: int
    retakes: int
    retired: bool
    updated_at: datetime


@dataclass(frozen=True)
class Shelf:
    """One competency of the library with its anchors and the bank questions targeting it."""

    competency: CatalogCompetency
    questions: tuple[BankItem, ...]


class QuestionBankService:
    def __init__(self, catalog: CompetencyCatalog) -> None:
        self._library = Library(catalog)

    async def shelves(
        self,
        actor: Actor,
        *,
        competency: str = "",
        tag: str = "",
        include_retired: bool = False,
    ) -> list[Shelf]:
        """The bank by competency (every library competency, with or without questions);
        a question targeting several competencies appears on each of their shelves."""
        await require(actor, Permission.VIEW_OPENINGS, "view_question_bank", "bank_question", "*")
        wanted = self._library.code_of(competency.strip()) if competency else ""
        if wanted and self._library.get(wanted) is None:
            raise NotFound("能力库中没有这项能力")
        tag = rules.text(tag, "标签", rules.MAX_TAG)
        query = BankQuestion.all() if include_retired else BankQuestion.filter(retired_at=None)
        items = [self._item(q) for q in await query.order_by("id").limit(MAX_BANK)]
        if tag:
            items = [i for i in items if tag in i.tags]
        shelves = []
        for c in self._library.catalog.competencies():
            if wanted and c.code != wanted:
                continue
            mine = tuple(i for i in items if any(code == c.code for code, _ in i.competencies))
            shelves.append(Shelf(c, mine))
        return shelves

    async def get(self, actor: Actor, question_id: int) -> BankItem:
        await require(actor, Permission.VIEW_OPENINGS, "view_question_bank", "bank_question",
                      question_id)  # fmt: skip
        return self._item(await _question(question_id))

    async def add(self, actor: Actor, data: Mapping[str, Any]) -> BankItem:
        await require(actor, Permission.MANAGE_OPENINGS, "add_bank_question", "bank_question",
                      "new")  # fmt: skip
        draft = rules.question_draft(data, self._library.names(), "题目")
        labels = rules.tags(data.get("tags"))
        async with in_transaction():
            if await BankQuestion.all().count() >= MAX_BANK:
                raise InvalidInput(f"题库最多 {MAX_BANK} 道题，请先停用不用的题目")
            if await BankQuestion.filter(text=draft.text, retired_at=None).exists():
                raise Conflict("题库里已有这道题")
            question = await BankQuestion.create(
                text=draft.text,
                competencies=list(draft.competencies),
                tags=list(labels),
                prep_seconds=draft.prep_seconds,
                answer_seconds=draft.answer_seconds,
                retakes=draft.retakes,
                created_by=actor.id[:64],
            )
        await changed(actor, "add_bank_question", "bank_question", question.id,
                      f"competencies={','.join(draft.competencies)}")  # fmt: skip
        return self._item(question)

    async def edit(self, actor: Actor, question_id: int, data: Mapping[str, Any]) -> BankItem:
        """Edit a bank question; rounds that picked it keep their copy."""
        await require(actor, Permission.MANAGE_OPENINGS, "edit_bank_question", "bank_question",
                      question_id)  # fmt: skip
        question = await _question(question_id)
        merged = {
            "text": question.text,
            "competencies": question.competencies,
            "prep_seconds": question.prep_seconds,
            "answer_seconds": question.answer_seconds,
            "retakes": question.retakes,
            "tags": question.tags,
            **data,
        }
        draft = rules.question_draft(merged, self._library.names(), "题目")
        values: dict[str, Any] = {
            "text": draft.text,
            "competencies": list(draft.competencies),
            "tags": list(rules.tags(merged.get("tags"))),
            "prep_seconds": draft.prep_seconds,
            "answer_seconds": draft.answer_seconds,
            "retakes": draft.retakes,
        }
        edited = [k for k, v in values.items() if getattr(question, k) != v]
        if not edited:
            return self._item(question)
        clash = BankQuestion.filter(text=draft.text, retired_at=None).exclude(id=question.id)
        if "text" in edited and await clash.exists():
            raise Conflict("题库里已有这道题")
        for key in edited:
            setattr(question, key, values[key])
        await question.save(update_fields=[*edited, "updated_at"])
        await changed(actor, "edit_bank_question", "bank_question", question.id,
                      "fields=" + ",".join(edited))  # fmt: skip
        return self._item(question)

    async def retire(self, actor: Actor, question_id: int, *, retired: bool = True) -> BankItem:
        """Take a question out of the bank's choices (or put it back)."""
        action = "retire_bank_question" if retired else "restore_bank_question"
        await require(actor, Permission.MANAGE_OPENINGS, action, "bank_question", question_id)
        question = await _question(question_id)
        if (question.retired_at is not None) == retired:
            return self._item(question)
        if not retired:
            clash = BankQuestion.filter(text=question.text, retired_at=None)
            if await clash.exclude(id=question.id).exists():
                raise Conflict("题库里已有一道相同的题目在用")
        question.retired_at = clock.now() if retired else None
        await question.save(update_fields=["retired_at", "updated_at"])
        await changed(actor, action, "bank_question", question.id)
        return self._item(question)

    async def seed_from_library(self, actor: Actor) -> int:
        """Add the built-in job models' sample questions that the bank lacks (idempotent by
        text): a new installation starts with a usable bank. Returns how many were added."""
        await require(actor, Permission.MANAGE_OPENINGS, "seed_question_bank", "bank_question",
                      "*")  # fmt: skip
        have = {str(t) for t in await BankQuestion.all().values_list("text", flat=True)}
        added = 0
        for job in self._library.catalog.jobs():
            for q in job.questions:
                if q.text in have or not q.competencies:
                    continue
                await BankQuestion.create(
                    text=q.text[: rules.MAX_QUESTION_TEXT],
                    competencies=list(q.competencies[: rules.MAX_QUESTION_COMPETENCIES]),
                    tags=[job.title[: rules.MAX_TAG]],
                    created_by=actor.id[:64],
                )
                have.add(q.text)
                added += 1
        if added:
            await changed(actor, "seed_question_bank", "bank_question", "*", f"added={added}")
        return added

    def _item(self, q: BankQuestion) -> BankItem:
        names = self._library.names()
        return BankItem(
            id=q.id,
            text=q.text,
            competencies=tuple((str(c), names.get(str(c), str(c))) for c in q.competencies or []),
            tags=tuple(str(t) for t in q.tags or []),
            prep_seconds=q.prep_seconds,
            answer_seconds=q.answer_seconds,
            retakes=q.retakes,
            retired=q.retired_at is not None,
            updated_at=q.updated_at,
        )


async def _question(question_id: int) -> BankQuestion:
    found = await BankQuestion.get_or_none(id=row(question_id, "题库中没有这道题"))
    if found is None:
        raise NotFound("题库中没有这道题")
    return found
