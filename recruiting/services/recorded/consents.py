"""Consent decisions and their consequences (PIPL).

Each decision is a new row (the history is the record); the standing decision per purpose is
the newest row for the current text version. Withdrawing deletes what the consent covered:
recording → the videos and everything derived from them; automated assessment → transcripts
and AI scores; face analysis → the camera signals. Every decision and erasure is audited.
The recordings go through ``personal_data.erasure`` (the one eraser of media): rows first,
objects after the commit, retried after a crash.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.transactions import in_transaction

from recruiting.clock import now
from recruiting.domain.consent import (
    ConsentState,
    ConsentText,
    consent_texts,
    interview_texts,
)
from recruiting.errors import Conflict, InvalidInput
from recruiting.models import (
    AnalysisStatus,
    Answer,
    Consent,
    ConsentPurpose,
    RaterKind,
    Score,
    SubjectKind,
)
from recruiting.ports.media import MediaStore
from recruiting.services.messaging.effects import Effects
from recruiting.services.personal_data import erasure
from recruiting.services.shared.audit import record
from recruiting.services.shared.sessions import Principal


class StaleConsentVersion(Conflict):
    code = "stale_consent_version"


@dataclass(frozen=True)
class Decision:
    purpose: ConsentPurpose
    version: str
    granted: bool


async def consent_state(candidate_id: int) -> ConsentState:
    """Purposes the candidate granted on the current texts and has not withdrawn."""
    texts = consent_texts()
    granted: set[ConsentPurpose] = set()
    rows = await Consent.filter(candidate_id=candidate_id).order_by("id")
    latest: dict[str, Consent] = {}
    for row in rows:
        latest[row.purpose] = row
    for purpose, row in latest.items():
        current = texts[ConsentPurpose(purpose)].version
        if row.granted and row.withdrawn_at is None and row.text_version == current:
            granted.add(ConsentPurpose(purpose))
    return ConsentState(frozenset(granted))


class ConsentService:
    def __init__(self, media: MediaStore) -> None:
        self._media = media
        self._erasure = erasure.CandidateErasure(media, Effects(None))

    def texts(self) -> list[ConsentText]:
        return interview_texts()

    async def decide(self, principal: Principal, decisions: list[Decision]) -> ConsentState:
        candidate_id = _candidate(principal)
        texts = consent_texts()
        for d in decisions:
            if texts[d.purpose].version != d.version:
                raise StaleConsentVersion(
                    f"{d.purpose.value}: the current text is version {texts[d.purpose].version}"
                )
        before = await consent_state(candidate_id)
        for d in decisions:
            await Consent.create(
                candidate_id=candidate_id,
                purpose=d.purpose,
                text_version=d.version,
                granted=d.granted,
            )
            await record(
                principal.actor,
                "consent",
                "candidate",
                candidate_id,
                allowed=True,
                detail=f"{d.purpose.value}@{d.version} granted={d.granted}",
            )
            if not d.granted and before.allows(d.purpose):
                await self.withdraw(principal, candidate_id, d.purpose)
        return await consent_state(candidate_id)

    async def withdraw(
        self, principal: Principal, candidate_id: int, purpose: ConsentPurpose
    ) -> int:
        """Erase what ``purpose`` covered; returns how many answers were touched."""
        await Consent.filter(candidate_id=candidate_id, purpose=purpose, withdrawn_at=None).update(
            withdrawn_at=now()
        )
        answers = await Answer.filter(interview__application__candidate_id=candidate_id)
        for answer in answers:
            if purpose in (ConsentPurpose.RECORDING, ConsentPurpose.DATA_PROCESSING):
                await self._erase_media(answer)
            elif purpose is ConsentPurpose.AUTOMATED_ASSESSMENT:
                await _erase_assessment(answer)
            elif purpose is ConsentPurpose.FACE_ANALYSIS:
                await _erase_vision(answer)
        await record(
            principal.actor,
            "withdraw_consent",
            "candidate",
            candidate_id,
            allowed=True,
            detail=f"{purpose.value}: {len(answers)} answers erased",
        )
        return len(answers)

    async def _erase_media(self, answer: Answer) -> None:
        await self._erasure.forget_answer_media(answer)
        async with in_transaction():
            await Score.filter(
                interview_id=answer.interview_id,
                rater_kind=RaterKind.AI,
            ).delete()
            await Answer.filter(id=answer.id).update(
                media_key="",
                media_sha256="",
                media_bytes=0,
                analysis=None,
                analysis_status=AnalysisStatus.SKIPPED,
                analysis_reason="候选人撤回了授权，录像和分析结果已删除。",
            )


async def _erase_assessment(answer: Answer) -> None:
    vision = (answer.analysis or {}).get("vision")
    kept: dict[str, Any] | None = {"vision": vision, "assessment": "候选人撤回了自动评估授权。"}
    async with in_transaction():
        await Score.filter(
            interview_id=answer.interview_id,
            rater_kind=RaterKind.AI,
        ).delete()
        await Answer.filter(id=answer.id).update(analysis=kept if vision else None)


async def _erase_vision(answer: Answer) -> None:
    if answer.analysis and answer.analysis.get("vision"):
        analysis = dict(answer.analysis)
        analysis["vision"] = {"skipped": "候选人撤回了人脸分析授权。"}
        await Answer.filter(id=answer.id).update(analysis=analysis)


def upload_key(answer: Answer, upload_id: str) -> str:
    return erasure.upload_key(answer.interview_id, answer.question_index, upload_id)


def _candidate(principal: Principal) -> int:
    if principal.kind is not SubjectKind.CANDIDATE or principal.candidate_id is None:
        raise InvalidInput("授权只能由候选人本人在打开面试邀请后确认。")
    return principal.candidate_id
