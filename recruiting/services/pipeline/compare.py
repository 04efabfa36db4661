"""The candidates of one opening side by side: per competency of the job's model, the AI's
advisory score with its confidence and how many quotes it rests on, and the panel's mean
score; the stage and the number of flags. HR picks who to compare (at most ``COMPARE_MAX``);
by default the open applications with the highest AI scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from recruiting import validation
from recruiting.domain.pipeline import STAGE_NAMES
from recruiting.errors import InvalidInput, NotFound
from recruiting.models import (
    Answer,
    Application,
    IntegrityEvent,
    Interview,
    JobOpening,
    RaterKind,
    Score,
)
from recruiting.services.pipeline.access import NOT_HR
from recruiting.services.pipeline.board import Card, cards_of, top_open
from recruiting.services.pipeline.review import ADVISORY
from recruiting.services.shared.access import require_hr
from recruiting.services.shared.sessions import Principal

COMPARE_MAX = 8


@dataclass(frozen=True)
class Cell:
    ai: float | None
    confidence: float | None
    evidence: int
    panel: float | None


class Comparison:
    async def compare(
        self, principal: Principal, job_id: int, application_ids: Sequence[int] = ()
    ) -> dict[str, Any]:
        await require_hr(
            principal, "compare_candidates", "job", job_id, refusal=NOT_HR, audit_allowed=True
        )
        job = await JobOpening.get_or_none(id=validation.record_id("job_id", job_id))
        if job is None:
            raise NotFound("没有找到这个岗位。", code="job_not_found")
        ids = list(dict.fromkeys(int(i) for i in application_ids))
        if len(ids) > COMPARE_MAX:
            raise InvalidInput(f"一次最多比较 {COMPARE_MAX} 位候选人。", code="too_many")
        cards = await self._cards(job_id, ids)
        competencies = [str(c.get("name") or c.get("code")) for c in job.competency_model or []]
        cells = await _cells([c.application_id for c in cards])
        flags = await _flag_counts([c.application_id for c in cards])
        for per in cells.values():  # competencies scored but not in the model, after it
            competencies += [k for k in per if k not in competencies]
        return {
            "job_id": job.id,
            "job": job.title,
            "competencies": competencies,
            "advisory": ADVISORY,
            "candidates": [
                {
                    "application_id": c.application_id,
                    "name": c.name,
                    "stage": c.stage.value,
                    "stage_name": STAGE_NAMES[c.stage],
                    "ai_score": c.ai_score,
                    "flags": flags.get(c.application_id, 0),
                    "cells": {k: vars(v) for k, v in cells.get(c.application_id, {}).items()},
                }
                for c in cards
            ],
        }

    async def _cards(self, job_id: int, ids: list[int]) -> list[Card]:
        if not ids:
            return await top_open(job_id, COMPARE_MAX)
        belong = await Application.filter(id__in=ids, job_id=job_id).count()
        if belong != len(ids):
            raise InvalidInput("所选候选人不都属于这个岗位。", code="other_job")
        return await cards_of(ids)


async def _cells(application_ids: list[int]) -> dict[int, dict[str, Cell]]:
    """Per application and competency: the newest interview's AI score, the mean of all
    panel scores."""
    if not application_ids:
        return {}
    owner = dict(
        await Interview.filter(application_id__in=application_ids).values_list(
            "id", "application_id"
        )
    )
    scores = await Score.filter(interview_id__in=list(owner)).order_by("interview_id")
    ai: dict[tuple[int, str], Score] = {}
    panel: dict[tuple[int, str], list[float]] = {}
    for s in scores:
        key = (int(owner[s.interview_id]), s.competency)
        if s.rater_kind == RaterKind.AI:
            ai[key] = s  # ordered by interview: the newest wins
        elif s.value is not None:
            panel.setdefault(key, []).append(float(s.value))
    out: dict[int, dict[str, Cell]] = {}
    for key in set(ai) | set(panel):
        machine = ai.get(key)
        people = panel.get(key)
        out.setdefault(key[0], {})[key[1]] = Cell(
            ai=float(machine.value) if machine and machine.value is not None else None,
            confidence=float(machine.confidence)
            if machine and machine.confidence is not None
            else None,
            evidence=len(machine.evidence or []) if machine else 0,
            panel=round(sum(people) / len(people), 1) if people else None,
        )
    return out


async def _flag_counts(application_ids: list[int]) -> dict[int, int]:
    owner = dict(
        await Interview.filter(application_id__in=application_ids).values_list(
            "id", "application_id"
        )
    )
    counts: dict[int, int] = {}
    for interview_id in await IntegrityEvent.filter(interview_id__in=list(owner)).values_list(
        "interview_id", flat=True
    ):
        app = int(owner[interview_id])
        counts[app] = counts.get(app, 0) + 1
    for interview_id, flagged in await Answer.filter(
        interview_id__in=list(owner), flag_count__gt=0
    ).values_list("interview_id", "flag_count"):
        app = int(owner[interview_id])
        counts[app] = counts.get(app, 0) + int(flagged)
    return counts
