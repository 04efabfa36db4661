"""The candidate's rights in the mini-app (PIPL Art. 45-47): see what is held about them (a
readable summary and the complete export), download their own recordings, ask for their
contact data to be corrected, ask for deletion, and decide on the talent pool.

Only the caller's own data is ever read: every query is by the session's candidate id, never
by an id from the request (a recording's interview is checked to be theirs). Every read is
audited and logged as an access request; the other requests go through ``DataRequests``.
"""

from __future__ import annotations

from typing import Any

from recruiting.domain import data_requests as rules
from recruiting.domain.byte_range import byte_range
from recruiting.domain.consent import consent_texts
from recruiting.errors import InvalidInput, NotFound
from recruiting.infra.pii import FieldCipher
from recruiting.models import (
    Answer,
    AnswerStatus,
    DataRequest,
    DataRequestKind,
    ResumeFile,
    SubjectKind,
)
from recruiting.ports.media import MediaStore
from recruiting.services.personal_data import export
from recruiting.services.personal_data.requests import DataRequests, Opened
from recruiting.services.personal_data.talent_pool import TalentPool
from recruiting.services.recorded.results import MediaStream
from recruiting.services.shared.access import candidate_interview
from recruiting.services.shared.audit import record
from recruiting.services.shared.sessions import Principal
from recruiting.validation import MAX_INDEX, names_a_row

STATUS = {
    "applied": "已投递",
    "screening": "筛选中",
    "interviewing": "面试中",
    "offer": "已发 offer",
    "hired": "已录用",
    "rejected": "未通过",
    "withdrawn": "已撤回",
}


class CandidateRights:
    def __init__(
        self,
        requests: DataRequests,
        pool: TalentPool,
        cipher: FieldCipher,
        media: MediaStore,
    ) -> None:
        self._requests = requests
        self._pool = pool
        self._cipher = cipher
        self._media = media

    async def export(self, principal: Principal) -> dict[str, Any]:
        """Everything held about the caller, machine-readable (JSON)."""
        cid = await self._own(principal, "export_personal_data")
        await self._requests.log_access(cid)
        data = await export.collect(cid, self._cipher)
        data["talent_pool"] = await self._pool.state(cid)
        return data

    async def summary(self, principal: Principal) -> dict[str, Any]:
        """What is held, for reading: contact data masked, counts and plain sentences."""
        cid = await self._own(principal, "view_personal_data")
        await self._requests.log_access(cid)
        data = await export.collect(cid, self._cipher)
        person = data["candidate"] or {}
        titles = {p.value: t.title for p, t in consent_texts().items()}
        recordings = [
            {
                "interview_id": i["id"],
                "job": i["job"],
                "question": a["question"],
                "seconds": a["recording"]["seconds"],
                "download": a["recording"]["download"],
            }
            for i in data.get("interviews", [])
            for a in i["answers"]
            if a["recording"]["held"]
        ]
        assessed = [
            {
                "interview_id": i["id"],
                "job": i["job"],
                "question": a["question"],
                "transcript": _transcript(a["transcript"]),
                "assessment": _assessment(a["assessment"]),
            }
            for i in data.get("interviews", [])
            for a in i["answers"]
            if a["assessment"]
        ]
        return {
            "contact": {
                "name": person.get("name"),
                "phone": rules.mask("phone", person.get("phone")),
                "email": rules.mask("email", person.get("email")),
                "id_number": "已登记" if person.get("id_number") else "未登记",
            },
            "applications": [
                {
                    "job": a["job"],
                    "status": STATUS.get(a["status"], a["status"]),
                    "applied_at": a["created_at"],
                }
                for a in data.get("applications", [])
            ],
            "interviews": [
                {
                    "job": i["job"],
                    "round": i["round"],
                    "starts_at": i["starts_at"],
                    "completed_at": i["completed_at"],
                }
                for i in data.get("interviews", [])
            ],
            "consents": [
                {
                    "title": titles.get(c["purpose"], c["purpose"]),
                    "version": c["version"],
                    "decision": "同意" if c["granted"] else "不同意",
                    "decided_at": c["decided_at"],
                    "withdrawn_at": c["withdrawn_at"],
                }
                for c in data.get("consents", [])
            ],
            "recordings": recordings,
            "ai_assessments": assessed,
            "interviewer_notes": len(data.get("notes", [])),
            "interviewer_scores": sum(1 for s in data.get("scores", []) if s["by"] == "面试官"),
            "messages": len(data.get("messages", [])),
            "talent_pool": await self._pool.state(cid),
            "requests": [self._requests.view(r) for r in await _requests(cid)],
            "explain": [
                "以上是我们保存的关于您的信息概要；手机号和邮箱只显示部分，完整内容请使用「导出」。",
                "面试官的笔记和评分也属于您的个人信息，导出文件中包含全文。",
                "AI 评分只供面试官参考，是否录用由人来决定。",
                "您可以申请更正手机号和邮箱，或申请删除您的全部信息。",
            ],
        }

    async def recording(self, principal: Principal, interview_id: int, index: int) -> MediaStream:
        """One of the caller's own recorded answers (the interview must be theirs)."""
        interview = await candidate_interview(principal, interview_id)
        # a question number past any round's names nothing (a smallint column: PostgreSQL
        # would refuse 40000, a 500)
        fits = 0 <= index <= MAX_INDEX
        answer = (
            await Answer.get_or_none(interview_id=interview.id, question_index=index)
            if fits
            else None
        )
        if answer is None or answer.status != AnswerStatus.SUBMITTED or not answer.media_key:
            raise NotFound("这道题没有保存录像。", code="no_recording")
        await record(principal.actor, "download_own_recording", "interview", interview.id,
                     allowed=True, detail=f"question={index}")  # fmt: skip
        whole = byte_range(None, answer.media_bytes)
        return MediaStream(answer.media_type, whole, self._media.read(answer.media_key))

    async def resume(self, principal: Principal, resume_id: int) -> tuple[str, MediaStream]:
        """One of the caller's own résumé files (original name, the bytes); another
        candidate's is as unknown as a missing one."""
        cid = _candidate(principal)
        fits = names_a_row(resume_id)
        row = await ResumeFile.get_or_none(id=resume_id, candidate_id=cid) if fits else None
        await record(principal.actor, "download_own_resume", "resume_file", resume_id,
                     allowed=row is not None)  # fmt: skip
        if row is None:
            raise NotFound("没有找到这份简历。", code="no_resume")
        whole = byte_range(None, row.size)
        stream = MediaStream(row.content_type, whole, self._media.read(row.object_key))
        return row.filename, stream

    async def my_requests(self, principal: Principal) -> list[dict[str, Any]]:
        cid = await self._own(principal, "list_own_requests")
        return [self._requests.view(r) for r in await _requests(cid)]

    async def ask_correction(self, principal: Principal, field: str, value: str) -> Opened:
        cid = _candidate(principal)
        return await self._requests.open(
            cid, DataRequestKind.CORRECTION, principal.actor, field=field, value=value
        )

    async def ask_deletion(self, principal: Principal) -> Opened:
        cid = _candidate(principal)
        return await self._requests.open(cid, DataRequestKind.DELETION, principal.actor)

    async def talent_pool(self, principal: Principal) -> dict[str, Any]:
        return await self._pool.state(_candidate(principal))

    async def decide_talent_pool(
        self, principal: Principal, granted: bool, version: str
    ) -> dict[str, Any]:
        cid = _candidate(principal)
        return await self._pool.decide(cid, granted, version, principal.actor, "miniapp")

    async def _own(self, principal: Principal, action: str) -> int:
        cid = _candidate(principal)
        await record(principal.actor, action, "candidate", cid, allowed=True)
        return cid


def _candidate(principal: Principal) -> int:
    if principal.kind is not SubjectKind.CANDIDATE or principal.candidate_id is None:
        raise InvalidInput(
            "请先通过面试邀请登录，再查看或申请处理您的个人信息。", code="not_a_candidate"
        )
    return principal.candidate_id


async def _requests(candidate_id: int) -> list[DataRequest]:
    return await DataRequest.filter(candidate_id=candidate_id).order_by("-id").limit(100)


def _transcript(value: Any) -> str | None:
    if isinstance(value, dict):
        text = value.get("text")
        return str(text) if text else None
    return str(value) if value else None


def _assessment(score: Any) -> dict[str, Any]:
    """The AI's assessment in words: per competency its score and the quoted evidence."""
    if not isinstance(score, dict):
        return {}
    competencies = []
    for name, c in (score.get("competencies") or {}).items():
        if not isinstance(c, dict):
            continue
        competencies.append(
            {
                "competency": name,
                "score": c.get("score"),
                "not_assessed": c.get("not_assessed_reason"),
                "evidence": [
                    {"quote": e.get("quote"), "why": e.get("why")}
                    for e in c.get("evidence") or []
                    if isinstance(e, dict)
                ],
            }
        )
    return {
        "overall": score.get("overall"),
        "advisory": "仅供面试官参考，是否录用由人来决定",
        "competencies": competencies,
    }
