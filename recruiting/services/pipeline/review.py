"""One application under review: the recorded answers with their transcripts, the AI's
advisory scores with each evidence quote located in the transcript, the panel's scores
beside them, integrity flags, notes, the timeline of everything that happened, and what
HR may decide next. Viewing is audited; so is every play of a recording.

The queries are per application (a candidate has a handful of interviews): each source is
one indexed read over the application's interview ids, never one per row.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from recruiting.domain.intake import channel_name
from recruiting.domain.interview_state import InterviewStatus
from recruiting.domain.pipeline import (
    REJECT_NAMES,
    STAGE_NAMES,
    Happening,
    ai_engine_name,
    in_time_order,
    locate_quotes,
    reject_reason,
)
from recruiting.domain.recorded_round import RecordedQuestion
from recruiting.errors import InvalidInput
from recruiting.models import (
    Answer,
    AnswerStatus,
    Application,
    AuditLog,
    CandidateSummary,
    IntegrityEvent,
    Interview,
    InterviewInvitation,
    InterviewMode,
    InterviewNote,
    InterviewRound,
    Offer,
    OfferEvent,
    RaterKind,
    RecordingLink,
    ReminderDelivery,
    Score,
    Staff,
    SurveyResponse,
)
from recruiting.services.pipeline.access import reviewable
from recruiting.services.pipeline.board import stages_of
from recruiting.services.shared.access import is_hr
from recruiting.services.shared.round_versions import ASSESSED, assessed
from recruiting.services.shared.sessions import Principal

ADVISORY = "AI 评分仅供参考，录用与否由人决定。"
GONE_RATER = "面试官（账号已删除）"  # the score stays, its rater's row is gone
INTEGRITY_NAMES = {
    "app_backgrounded": "作答时切换到了后台",
    "network_switch": "作答时网络切换",
    "retake": "重新录制",
    "screen_capture": "截屏或录屏",
    "call_interrupted": "来电打断",
    "camera_lost": "摄像头中断",
    "microphone_lost": "麦克风中断",
}
INVITATION_NAMES = {
    "sent": "已发出，等待答复", "confirmed": "候选人已确认", "declined": "候选人已拒绝",
    "reschedule_offered": "候选人申请改期", "superseded": "已改期", "withdrawn": "已撤回",
}  # fmt: skip
AUDIT_NAMES = {"decide": "记录决定", "reject": "标记未通过", "propose_offer": "发起 offer",
               "reject_application": "标记不合适"}  # fmt: skip
MODE_NAMES = {InterviewMode.RECORDED: "录制面试", InterviewMode.ONSITE: "现场面试",
              InterviewMode.REMOTE: "视频面试"}  # fmt: skip


class ReviewService:
    """The review page's data. Its recordings are played through the recorded-interview
    results use case (``ResultsService.media``: ranges, role check, audit)."""

    def __init__(self, zone: tzinfo) -> None:
        self._zone = zone

    async def review(self, principal: Principal, application_id: int) -> dict[str, Any]:
        application = await reviewable(principal, application_id, "view_review")
        interviews = await (
            Interview.filter(application_id=application_id)
            .order_by("created_at", "id")
            .prefetch_related(*ASSESSED)
        )
        ids = [i.id for i in interviews]
        answers = await Answer.filter(interview_id__in=ids).order_by(
            "interview_id", "question_index"
        )
        scores = await Score.filter(interview_id__in=ids).prefetch_related("rater").order_by("id")
        events = await IntegrityEvent.filter(interview_id__in=ids).order_by("id")
        notes = await InterviewNote.filter(interview_id__in=ids).prefetch_related("author")
        stage = (await stages_of([application_id]))[application_id]
        views = [_interview_view(i, answers, scores, events, notes, self._zone) for i in interviews]
        job = application.job
        rounds = await InterviewRound.filter(job_id=job.id).order_by("sequence")
        return {
            "application": _application_view(application, stage, self._zone, is_hr(principal)),
            "interviews": views,
            "timeline": [
                {"at": _local(h.at, self._zone), "kind": h.kind, "text": h.text}
                for h in await timeline(application, interviews, answers, self._zone)
            ],
            "rounds": [{"id": r.id, "name": r.name, "kind": r.kind.value} for r in rounds],
            "can_decide": is_hr(principal),
            "advisory": ADVISORY,
        }


def _application_view(
    application: Application, stage: Any, zone: tzinfo, hr: bool
) -> dict[str, Any]:
    """``hr``: HR's own rejection note is HR's (an interviewer on the panel sees the reason)."""
    candidate = application.candidate
    rejection = None
    if application.rejection_reason:
        reason = reject_reason(application.rejection_reason)
        rejection = {
            "reason": reason.value if reason else "",
            # a code from pipeline.reject, or the words HR typed for intake's 不合适
            "reason_name": REJECT_NAMES[reason] if reason else application.rejection_reason,
            "note": (application.rejection_note or "") if hr else "",
            "at": _local(application.rejected_at, zone),
            "by": application.rejected_by,
        }
    return {
        "id": application.id,
        "candidate_id": candidate.id,
        "candidate": "（已删除）" if candidate.erased_at else candidate.name,
        "job_id": application.job.id,
        "job": application.job.title,
        "status": application.status.value,
        "stage": stage.value,
        "stage_name": STAGE_NAMES[stage],
        "channel": application.channel,
        "rejection": rejection,
    }


def _interview_view(
    interview: Interview,
    answers: list[Answer],
    scores: list[Score],
    events: list[IntegrityEvent],
    notes: list[InterviewNote],
    zone: tzinfo,
) -> dict[str, Any]:
    round_: InterviewRound = interview.round
    mine = [a for a in answers if a.interview_id == interview.id]
    ai = [s for s in scores if s.interview_id == interview.id and s.rater_kind == RaterKind.AI]
    panel = [
        s for s in scores if s.interview_id == interview.id and s.rater_kind == RaterKind.HUMAN
    ]
    questions = _questions(interview) if interview.mode == InterviewMode.RECORDED else ()
    answer_views = {a.question_index: _answer_view(a, questions) for a in mine}
    ai_views = [_ai_view(s, answer_views) for s in ai]
    return {
        "id": interview.id,
        "round": round_.name,
        "mode": interview.mode.value,
        "mode_name": MODE_NAMES.get(InterviewMode(interview.mode), ""),
        "status": interview.status.value,
        "starts_at": _local(interview.starts_at, zone),
        "answers": [answer_views[k] for k in sorted(answer_views)],
        "ai": ai_views,
        "engine": ai_engine_name(ai[0].rater_key) if ai else "",
        "panel": [
            {
                "rater": s.rater.name if s.rater else GONE_RATER,
                "competency": s.competency,
                "value": float(s.value) if s.value is not None else None,
                "comment": s.comment,
            }
            for s in panel
        ],
        "integrity": [
            {
                "label": INTEGRITY_NAMES.get(e.kind, "异常事件"),
                "question": e.question_index + 1 if e.question_index is not None else None,
                "at": _local(e.received_at, zone),
            }
            for e in events
            if e.interview_id == interview.id
        ],
        "notes": [
            {
                "author": n.author.name,
                "kind": n.kind.value,
                "body": n.body,
                "at": _local(n.taken_at, zone),
            }
            for n in sorted(notes, key=lambda n: n.taken_at)
            if n.interview_id == interview.id
        ],
    }


def _questions(interview: Interview) -> tuple[RecordedQuestion, ...]:
    """The questions the interview was taken with (its round version, not today's round)."""
    try:
        return assessed(interview).recorded_questions()
    except InvalidInput:
        return ()


def _answer_view(answer: Answer, questions: tuple[RecordedQuestion, ...]) -> dict[str, Any]:
    analysis = answer.analysis or {}
    transcript = analysis.get("transcript") or {}
    score = analysis.get("score") or {}
    index = answer.question_index
    segments = [
        {"start": float(s.get("start") or 0), "end": float(s.get("end") or 0),
         "text": str(s.get("text") or ""), "marks": []}
        for s in transcript.get("segments") or [] if isinstance(s, dict)
    ]  # fmt: skip
    flags = [
        {"label": str(f.get("label") or "回答有异常标记"), "reason": str(f.get("reason") or "")}
        for f in score.get("flags") or []
        if isinstance(f, dict)
    ]
    vision = analysis.get("vision") or {}
    for f in vision.get("flags") or []:
        if isinstance(f, dict) and f.get("kind") == "integrity":
            flags.append({"label": str(f.get("message_zh") or "画面异常"), "reason": ""})
    return {
        "index": index,
        "number": index + 1,
        "question": questions[index].text if index < len(questions) else f"第 {index + 1} 题",
        "status": answer.status.value,
        "has_media": answer.status == AnswerStatus.SUBMITTED and bool(answer.media_key),
        "media_type": answer.media_type,
        "seconds": round(answer.media_seconds, 1) if answer.media_seconds else None,
        "analysis_status": answer.analysis_status.value,
        "transcript_available": bool(transcript.get("available")),
        "transcript_reason": str(transcript.get("reason") or ""),
        "segments": segments,
        "overall": score.get("overall"),
        "coverage": score.get("coverage"),
        "flags": flags,
    }


def _ai_view(score: Score, answers: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """One AI competency score; each evidence quote with where it is in its answer's
    transcript (and the answer's segments get the mark, for highlighting)."""
    evidence = []
    for item in score.evidence or []:
        if not isinstance(item, dict):
            continue
        quote = str(item.get("quote") or "")
        question = item.get("question")
        answer = answers.get(question) if isinstance(question, int) else None
        mark = None
        if answer is not None and quote:
            segments = answer["segments"]
            found = locate_quotes([(s["start"], s["text"]) for s in segments], [quote])[0]
            if found is not None:
                mark = {"question": question, "segment": found.segment, "start": found.start,
                        "end": found.end, "at": found.at}  # fmt: skip
                segments[found.segment]["marks"].append(
                    {"start": found.start, "end": found.end, "competency": score.competency}
                )
        evidence.append({"quote": quote, "why": str(item.get("why") or ""),
                         "question": question, "mark": mark})  # fmt: skip
    return {
        "competency": score.competency,
        "value": float(score.value) if score.value is not None else None,
        "confidence": float(score.confidence) if score.confidence is not None else None,
        "engine": ai_engine_name(score.rater_key),
        "evidence": evidence,
        "comment": score.comment,
    }


def pieces(text: str, marks: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """``text`` cut into (piece, competency or "") for highlighting: marks in order of
    start, an overlapping mark joins the one it overlaps."""
    out: list[tuple[str, str]] = []
    at = 0
    for mark in sorted(marks, key=lambda m: (m["start"], -m["end"])):
        start, end = max(int(mark["start"]), at), int(mark["end"])
        if end <= start:
            continue
        if start > at:
            out.append((text[at:start], ""))
        out.append((text[start:end], str(mark["competency"])))
        at = end
    if at < len(text):
        out.append((text[at:], ""))
    return out


async def timeline(
    application: Application, interviews: list[Interview], answers: list[Answer], zone: tzinfo
) -> list[Happening]:
    """Everything that happened to the application, from the records that exist anyway."""
    ids = [i.id for i in interviews]
    rounds = {i.id: i.round.name for i in interviews}
    source = channel_name(application.channel)
    found = [Happening(application.created_at, "applied", f"投递申请（来源：{source}）")]
    for i in interviews:
        what = MODE_NAMES.get(InterviewMode(i.mode), "面试")
        found.append(Happening(i.created_at, "interview", f"安排{what}「{i.round.name}」"))
        if i.completed_at:
            found.append(Happening(i.completed_at, "completed", f"「{i.round.name}」已完成"))
        elif i.status == InterviewStatus.CANCELLED:
            found.append(Happening(i.updated_at, "cancelled", f"「{i.round.name}」已取消"))
    for link in await RecordingLink.filter(interview_id__in=ids).order_by("id"):
        name = rounds[link.interview_id]
        found.append(Happening(link.created_at, "invitation", f"发出录制面试邀请「{name}」"))
        if link.redeemed_at:
            found.append(Happening(link.redeemed_at, "invitation", f"候选人打开了邀请「{name}」"))
    for inv in await InterviewInvitation.filter(interview_id__in=ids).order_by("id"):
        name = rounds[inv.interview_id]
        found.append(Happening(inv.created_at, "invitation", f"发出面试邀请「{name}」"))
        if inv.answered_at:
            state = INVITATION_NAMES.get(inv.status.value, "状态已更新")
            found.append(Happening(inv.answered_at, "invitation", f"面试邀请「{name}」：{state}"))
    for a in answers:
        if a.submitted_at:
            name = rounds[a.interview_id]
            found.append(
                Happening(
                    a.submitted_at, "answer", f"提交「{name}」第 {a.question_index + 1} 题的回答"
                )
            )
    for r in await ReminderDelivery.filter(interview_id__in=ids).order_by("id"):
        who = "候选人" if r.audience == "candidate" else "面试官"
        found.append(
            Happening(r.created_at, "reminder", f"提醒{who}：「{rounds[r.interview_id]}」")
        )
    for s in await SurveyResponse.filter(interview_id__in=ids).order_by("id"):
        who = "候选人" if s.respondent == "candidate" else "面试官"
        if s.sent_at:
            found.append(Happening(s.sent_at, "survey", f"向{who}发出反馈问卷"))
        if s.answered_at:
            found.append(Happening(s.answered_at, "survey", f"{who}完成了反馈问卷"))
    for c in await CandidateSummary.filter(interview_id__in=ids):
        if c.drafted_at:
            found.append(Happening(c.drafted_at, "summary", "候选人反馈草稿已生成"))
        if c.released_at:
            found.append(Happening(c.released_at, "summary", "候选人反馈已发布"))
    offers = await Offer.filter(application_id=application.id).values_list("id", flat=True)
    for e in await OfferEvent.filter(offer_id__in=list(offers)).order_by("id"):
        found.append(Happening(e.at, "approval", f"offer：{_offer_step(e)}"))
    audit = await AuditLog.filter(
        subject_type="application", subject_id=str(application.id),
        action__in=list(AUDIT_NAMES), allowed=True,
    ).order_by("id")  # fmt: skip
    names = await _staff_names({entry.actor for entry in audit})
    for entry in audit:
        who = names.get(entry.actor, "系统" if entry.actor == "system" else "HR")
        found.append(Happening(entry.at, "decision", f"{AUDIT_NAMES[entry.action]}（{who}）"))
    if application.rejected_at:
        code = reject_reason(application.rejection_reason)
        reason = REJECT_NAMES[code] if code else application.rejection_reason
        found.append(Happening(application.rejected_at, "decision", f"未通过：{reason}"))
    return in_time_order(found)


async def _staff_names(userids: set[str]) -> dict[str, str]:
    """Who acted, by name: the audit keeps the WeCom userid, which people do not read."""
    if not userids:
        return {}
    rows = await Staff.filter(wecom_userid__in=sorted(userids)).values_list("wecom_userid", "name")
    return {str(userid): str(name) for userid, name in rows}


OFFER_ACTIONS = {"draft": "草稿", "submit": "提交审批", "cancel": "取消", "approval": "审批进展"}


def _offer_step(event: OfferEvent) -> str:
    step = OFFER_ACTIONS.get(event.action, "状态变化")
    names = {"approved": "已通过", "rejected": "已驳回", "pending_approval": "审批中",
             "withdrawn": "已撤销", "draft": "草稿", "cancelled": "已取消"}  # fmt: skip
    to = names.get(event.to_status, "")
    return f"{step}{'，' + to if to else ''}"


def _local(when: datetime | None, zone: tzinfo) -> str:
    return when.astimezone(zone).strftime("%Y-%m-%d %H:%M") if when else ""
