"""Analyse submitted answers in the background: claim, decrypt to a scratch file, run the
core (in a worker process), store the analysis and the AI's advisory scores.

A claim is a lease: an answer whose worker died is taken over after ``lease_seconds``. Bad
media fails at once with its reason; other errors are retried up to ``max_attempts``.
The interview's AI score per competency combines its answers, weighted by confidence, with
each answer's evidence, so HR can check every number against the candidate's own words.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import tempfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar, cast

from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from recruiting.clock import now
from recruiting.domain.assessment_reasons import NotAssessed, not_assessed_label
from recruiting.domain.error_text import written_for_people
from recruiting.errors import InvalidInput
from recruiting.models import AnalysisStatus, Answer, ConsentPurpose, Interview, RaterKind, Score
from recruiting.ports.analysis import AnalysisOutcome, AnalysisRequest, MediaAnalysis
from recruiting.ports.media import MediaStore
from recruiting.ports.queue import TaskQueue
from recruiting.services.recorded.consents import consent_state
from recruiting.services.recorded.review_ready import notify_if_ready
from recruiting.services.shared.access import job_of
from recruiting.services.shared.round_versions import ASSESSED, assessed

log = logging.getLogger(__name__)
T = TypeVar("T")
QUEUED_RESWEEP = 600.0
# What staff read beside an answer that was not analysed (``analysis_reason``); the
# technical reason (a decoder's words, a file name) goes to the log.
MEDIA_UNREADABLE = "录像文件无法自动分析，请直接观看录像评审。"
ANALYSIS_FAILED = "自动分析没有完成，请直接观看录像评审。"


class AnswerAnalysisRunner:
    def __init__(
        self,
        media: MediaStore,
        analysis: MediaAnalysis,
        *,
        processes: int,
        scratch: Path,
        lease_seconds: int,
        max_attempts: int,
        queue: TaskQueue | None = None,
    ) -> None:
        self._queue = queue
        self._media = media
        self._analysis = analysis
        self._processes = processes
        self._pool: ProcessPoolExecutor | None = None
        self._scratch = scratch
        self._lease = timedelta(seconds=lease_seconds)
        self._max_attempts = max_attempts

    async def process(self, answer_id: int) -> bool:
        """Analyse one answer if this call wins its claim; True when it did the work."""
        if not await self._claim(answer_id):
            return False
        answer = await Answer.get(id=answer_id)
        try:
            outcome = await self._run(answer)
        except InvalidInput as exc:
            log.info("analysis of answer %s refused: %s", answer_id, exc.message)
            reason = exc.message if written_for_people(exc.message) else MEDIA_UNREADABLE
            await self._finish_failed(answer, reason)
            await notify_if_ready(answer.interview_id, self._queue)
            return True
        except Exception:
            log.exception("analysis of answer %s failed", answer_id)
            if answer.analysis_attempts >= self._max_attempts:
                await self._finish_failed(answer, ANALYSIS_FAILED)
                await notify_if_ready(answer.interview_id, self._queue)
            else:  # let the sweep try again after the lease
                await Answer.filter(id=answer.id).update(
                    analysis_status=AnalysisStatus.QUEUED, updated_at=now()
                )
            return True
        await self._store(answer, outcome)
        await notify_if_ready(answer.interview_id, self._queue)
        return True

    async def due_ids(self, grace: float = 0.0) -> list[int]:
        """Claims whose lease ran out, and queued answers: all of them at start-up (grace 0),
        later only those waiting over ten minutes (a lost queue message), so a long queue is
        not queued again on every sweep."""
        cutoff = now() - timedelta(seconds=grace and max(grace, QUEUED_RESWEEP))
        rows = await Answer.filter(
            Q(analysis_status=AnalysisStatus.QUEUED, updated_at__lte=cutoff)
            | Q(analysis_status=AnalysisStatus.PROCESSING, lease_until__lt=now())
        ).values_list("id", flat=True)
        return [int(cast(int, r)) for r in rows]

    async def _claim(self, answer_id: int) -> bool:
        taken = await Answer.filter(
            Q(id=answer_id)
            & (
                Q(analysis_status=AnalysisStatus.QUEUED)
                | Q(analysis_status=AnalysisStatus.PROCESSING, lease_until__lt=now())
            )
        ).update(
            analysis_status=AnalysisStatus.PROCESSING,
            lease_until=now() + self._lease,
            analysis_attempts=F("analysis_attempts") + 1,
        )
        return bool(taken)

    async def _run(self, answer: Answer) -> AnalysisOutcome:
        interview = await Interview.get(id=answer.interview_id).prefetch_related(
            "application", *ASSESSED
        )
        consents = await consent_state(interview.application.candidate_id)
        content = assessed(interview)  # the version it was taken with, not the live round
        question = content.recorded_questions()[answer.question_index]
        job = job_of(interview)
        with tempfile.TemporaryDirectory(dir=self._scratch, prefix="analysis-") as folder:
            path = Path(folder) / "answer.media"
            await self._media.export(answer.media_key, path)
            request = AnalysisRequest(
                media_path=path,
                job_code=job.code,
                job_title=job.title,
                competency_model=content.model_json(),
                question=question.text,
                question_competencies=question.competencies,
                automated_assessment=consents.allows(ConsentPurpose.AUTOMATED_ASSESSMENT),
                face_analysis=consents.allows(ConsentPurpose.FACE_ANALYSIS),
            )
            return await self._call(self._analysis.analyze, request)

    async def _call(self, fn: Callable[[AnalysisRequest], T], request: AnalysisRequest) -> T:
        """In a worker process (started on first use, kept: the speech model loads once);
        with ``processes`` 0 in a thread of this process."""
        if self._processes <= 0:
            return await asyncio.to_thread(fn, request)
        if self._pool is None:
            spawn = multiprocessing.get_context("spawn")  # no inherited sockets or loop
            self._pool = ProcessPoolExecutor(self._processes, mp_context=spawn)
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, request)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    async def _store(self, answer: Answer, outcome: AnalysisOutcome) -> None:
        async with in_transaction():
            updated = await Answer.filter(
                id=answer.id, analysis_status=AnalysisStatus.PROCESSING
            ).update(
                analysis=outcome.analysis,
                flag_count=_flag_count(outcome.analysis),
                analysis_status=AnalysisStatus.DONE,
                analysis_reason="",
                lease_until=None,
            )
            if updated:  # not withdrawn or retaken meanwhile
                await combine_ai_scores(answer.interview_id, outcome.engine)

    async def _finish_failed(self, answer: Answer, reason: str) -> None:
        await Answer.filter(id=answer.id).update(
            analysis_status=AnalysisStatus.FAILED, analysis_reason=reason[:512], lease_until=None
        )


def _flag_count(analysis: Any) -> int:
    """The answer's gaming flags, counted beside the sealed analysis (the board filters)."""
    score = (analysis or {}).get("score") if isinstance(analysis, dict) else None
    flags = score.get("flags") if isinstance(score, dict) else None
    return min(len(flags), 100) if isinstance(flags, list) else 0


async def combine_ai_scores(interview_id: int, engine: str) -> None:
    """One advisory score per competency of the interview, from every analysed answer; a
    competency no answer could score says why (a ``NotAssessed`` label, in Chinese)."""
    per: dict[str, list[tuple[float, float, list[dict[str, Any]], int]]] = {}
    why: dict[str, set[str]] = {}
    answers = await Answer.filter(interview_id=interview_id, analysis_status=AnalysisStatus.DONE)
    for answer in answers:
        competencies = ((answer.analysis or {}).get("score") or {}).get("competencies") or {}
        for name, item in competencies.items():
            per.setdefault(name, [])
            if item.get("score") is not None:
                per[name].append(
                    (
                        float(item["score"]),
                        float(item.get("confidence") or 0),
                        list(item.get("evidence") or []),
                        answer.question_index,
                    )
                )
            else:
                code = item.get("not_assessed_code") or NotAssessed.NO_EVIDENCE
                why.setdefault(name, set()).add(str(code))
    await Score.filter(interview_id=interview_id, rater_kind=RaterKind.AI).delete()
    for name, found in per.items():
        await Score.create(
            interview_id=interview_id,
            competency=name[:32],
            rater_kind=RaterKind.AI,
            rater_key=engine[:64],
            **_combined(found, why.get(name, set())),
        )


def _combined(
    found: list[tuple[float, float, list[dict[str, Any]], int]], why: set[str]
) -> dict[str, Any]:
    if not found:
        return {"value": None, "confidence": None, "evidence": [], "comment": _why_none(why)}
    weight = sum(max(c, 0.05) for _, c, _, _ in found)
    value = sum(s * max(c, 0.05) for s, c, _, _ in found) / weight
    evidence = [e | {"question": q} for _, _, ev, q in found for e in ev]
    return {
        "value": Decimal(str(round(value, 1))),
        "confidence": Decimal(str(round(max(c for _, c, _, _ in found), 3))),
        "evidence": evidence,
        "comment": f"AI 参考分，依据 {len(found)} 个回答；结论由人决定",
    }


def _why_none(codes: set[str]) -> str:
    """The candidate's answers are blamed only when some answer had text to read."""
    if NotAssessed.NO_EVIDENCE in codes:
        return "所有回答中都没有与此项相关的具体描述，未评估（不是 0 分）"
    if NotAssessed.SYSTEM_NO_TRANSCRIPT in codes:
        return not_assessed_label(NotAssessed.SYSTEM_NO_TRANSCRIPT)
    return not_assessed_label(next(iter(sorted(codes)), NotAssessed.NO_EVIDENCE))
