"""Tell HR in WeCom when a recorded interview is ready for review: every question answered
or skipped and every analysis finished (done, failed or skipped).

The message goes through the outbox with a per-interview idempotency key, so however many
workers notice at once, HR gets it once.
"""

from __future__ import annotations

from typing import Any

from recruiting.domain.coverage import overall_of
from recruiting.domain.interview_state import InterviewStatus
from recruiting.models import (
    AnalysisStatus,
    Answer,
    AnswerStatus,
    Interview,
    RecordingLink,
)
from recruiting.ports.outbound import Channel, OutboundDraft
from recruiting.ports.queue import TaskQueue
from recruiting.services.messaging.effects import Effects
from recruiting.services.shared.access import job_of, round_of

PENDING = (AnalysisStatus.QUEUED, AnalysisStatus.PROCESSING)


async def notify_if_ready(interview_id: int, queue: TaskQueue | None = None) -> bool:
    """Queue the "ready for review" message if the interview is; True when this call did."""
    interview = await Interview.get_or_none(id=interview_id).prefetch_related(
        "application__candidate", "round", "round__job"
    )
    if interview is None or interview.status != InterviewStatus.COMPLETED:
        return False
    answers = await Answer.filter(interview_id=interview_id)
    if any(a.analysis_status in PENDING for a in answers):
        return False
    link = await RecordingLink.filter(interview_id=interview_id).order_by("id").first()
    if link is None or not link.created_by:
        return False
    payload = {"kind": "text", "content": _text(interview, answers)}
    draft = OutboundDraft(Channel.WECOM_MESSAGE, link.created_by, payload, str(interview_id))
    async with Effects(queue).unit() as unit:
        created = await unit.add([draft], cause="review-ready")  # one per interview
    return bool(created)


def _text(interview: Interview, answers: list[Answer]) -> str:
    submitted = sum(a.status == AnswerStatus.SUBMITTED for a in answers)
    skipped = sum(a.status == AnswerStatus.SKIPPED for a in answers)
    failed = sum(a.analysis_status == AnalysisStatus.FAILED for a in answers)
    name = interview.application.candidate.name
    text = (
        f"候选人 {name} 已完成录制面试（{job_of(interview).title} · {round_of(interview).name}）："
        f"{submitted} 题已作答，{skipped} 题跳过。"
    )
    if failed:
        text += f"其中 {failed} 个回答无法自动分析，请人工查看。"
    lines = [line for a in sorted(answers, key=lambda a: a.question_index)
             if (line := headline(a))]  # fmt: skip
    if lines:
        text += "\n" + "\n".join(lines) + "\n"
    return text + "AI 评分仅供参考，录用由人决定；请在小程序“面试详情”中查看回答、依据和提示。"


def headline(answer: Answer) -> str:
    """One answer's AI overall next to the coverage it rests on ("" when not scored); an
    overall the analysis withheld (too little of the job covered) is said to be withheld."""
    analysis = answer.analysis if answer.analysis_status == AnalysisStatus.DONE else None
    score = (analysis or {}).get("score")
    if not isinstance(score, dict):
        return ""
    n = answer.question_index + 1
    shown = overall_of(score)
    coverage = shown.coverage
    transcript = (analysis or {}).get("transcript") or {}
    if isinstance(transcript, dict) and transcript.get("available") is False:
        return f"第 {n} 题：没有语音转写，AI 未评分，请查看录像"
    if coverage == 0 or (shown.value is None and not shown.withheld):
        return f"第 {n} 题：AI 未评分（回答中没有与岗位能力项对应的内容）"
    warned = _flags(score)
    if shown.value is None:
        return (
            f"第 {n} 题：评估覆盖 {coverage:.0%}，低于 {shown.threshold:.0%}，不给出 AI 综合分"
            + warned
        )
    return f"第 {n} 题：AI 综合分 {shown.value:.0f} / 100，评估覆盖 {coverage:.0%}" + warned


def _flags(score: dict[str, Any]) -> str:
    """The answer's gaming flags (keywords without a story…), so HR reads the score with them."""
    labels = [_label(f) for f in score.get("flags") or [] if isinstance(f, dict)]
    return f"（⚠ {'；'.join(labels)}）" if labels else ""


def _label(flag: dict[str, Any]) -> str:
    """The flag's Chinese label; a stored flag without one says so in Chinese, never
    ``None`` or its English code."""
    label = flag.get("label")
    return label if isinstance(label, str) and label else "回答有异常标记"
