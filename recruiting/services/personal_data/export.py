"""The candidate's export: everything held about her, read for her (PIPL Art. 45).

``collect`` is the machine-readable export: every personal field of every table that names
the candidate, decrypted, including the AI's assessments with their evidence quotes and
what interviewers and HR wrote about them (notes, score comments, summary drafts). PIPL
gives the right to a copy of *their* personal information, and an opinion recorded about an
identified person is personal information about them (Art. 4); no law requires keeping
these from the person, so they are included. Staff appear by role, never by name or userid
(that would be the staff member's personal information). Recordings are listed with a path
to download each (the bytes are not inlined). Nothing here writes; the callers audit.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from recruiting.domain.recorded_round import parse_questions
from recruiting.errors import InvalidInput
from recruiting.infra.pii import FieldCipher
from recruiting.models import (
    Answer,
    AnswerStatus,
    Application,
    AppSession,
    Candidate,
    CandidateContact,
    CandidateMessage,
    CandidateReply,
    CandidateSummary,
    Consent,
    DataRequest,
    IntegrityEvent,
    Interview,
    InterviewInvitation,
    InterviewNote,
    Offer,
    OfferEvent,
    RecordingLink,
    ResumeFile,
    Score,
    SurveyResponse,
)
from recruiting.models.surveys import Respondent

EXPORT_VERSION = "candidate-export/1"
CONTACT = {"phone": "phone_enc", "email": "email_enc", "id_number": "id_number_enc"}

# Where the export carries each personal column the inventory
# (``services.personal_data.inventory``) lists for a candidate: ``section.field`` (a list
# section: in any of its items). A test holds the two together, so a column added to the
# inventory must be exported here or withheld below with its reason.
EXPORTED: dict[tuple[str, str], str] = {
    ("candidate", "name"): "candidate.name",
    ("candidate", "phone_enc"): "candidate.phone",
    ("candidate", "email_enc"): "candidate.email",
    ("candidate", "id_number_enc"): "candidate.id_number",
    ("candidate", "wechat_openid"): "candidate.wechat_openid",
    ("candidate", "wechat_unionid"): "candidate.wechat_unionid",
    ("candidate", "external_userid"): "candidate.external_userid",
    ("candidate", "education"): "candidate.education",
    ("candidate", "years_experience"): "candidate.years_experience",
    ("application", "rejection_reason"): "applications.rejection_reason",
    ("application", "rejection_note"): "applications.rejection_note",
    ("resume_file", "object_key"): "resumes.download",
    ("resume_file", "filename"): "resumes.filename",
    ("resume_file", "parsed"): "resumes.parsed",
    ("interview_note", "body"): "notes.text",
    ("interview_note", "media_ref"): "notes.voice_note_ref",
    ("candidate_contact", "kf_external_userid"): "channel.wechat_service_user",
    ("candidate_contact", "external_userid"): "channel.external_userid",
    ("candidate_message", "payload"): "messages.content",
    ("candidate_reply", "text"): "replies.text",
    ("app_session", "openid"): "sessions.openid",
    ("recording_link", "redeemed_by"): "links.redeemed_by",
    ("answer", "media_key"): "interviews.answers.recording.download",
    ("answer", "analysis"): "interviews.answers.transcript",
    ("answer", "flag_count"): "interviews.answers.gaming_flags",
    ("integrity_event", "detail"): "integrity_events.detail",
    ("candidate_summary", "strengths"): "summaries.strengths",
    ("candidate_summary", "improvements"): "summaries.improvements",
    ("candidate_summary", "next_step"): "summaries.next_step",
    ("candidate_summary", "hr_notes"): "summaries.hr_notes",
    ("score", "evidence"): "scores.evidence",
    ("score", "comment"): "scores.comment",
    ("survey_response", "comment"): "surveys.comment",
    ("offer", "city"): "offers.city",
    ("offer", "base_salary"): "offers.base_salary",
    ("offer", "bonus_months"): "offers.bonus_months",
    ("offer", "allowances"): "offers.allowances",
    ("offer", "start_date"): "offers.start_date",
    ("offer", "estimate"): "offers.estimate",
    ("offer_event", "speech"): "offers.approvals.comment",
    ("offer_event", "detail"): "offers.approvals.detail",
    ("data_request", "new_value"): "data_requests.new_value",
    ("data_request", "note"): "data_requests.note",
}
WITHHELD: dict[tuple[str, str], str] = {
    ("candidate", "phone_hash"): "a keyed hash of her phone number, only to recognise a second "
    "résumé of hers; it tells nothing the phone number in the export does not",
    ("candidate", "email_hash"): "a keyed hash of her e-mail, only to recognise a second "
    "résumé of hers; it tells nothing the e-mail in the export does not",
    ("app_session", "session_key_enc"): "WeChat's credential for her login session: it says "
    "nothing about her, and whoever held the file could act as her with it",
}


def recording_path(interview_id: int, index: int) -> str:
    """Where the candidate downloads one of their own recordings (mini-app API)."""
    return f"/miniapp/v1/me/recordings/{interview_id}/{index}"


def resume_path(resume_id: int) -> str:
    """Where the candidate downloads one of their own résumé files (mini-app API)."""
    return f"/miniapp/v1/me/resumes/{resume_id}"


async def collect(candidate_id: int, cipher: FieldCipher) -> dict[str, Any]:
    """The complete export of ``candidate_id`` (an erased candidate holds nothing)."""
    candidate = await Candidate.get_or_none(id=candidate_id)
    if candidate is None or candidate.erased_at is not None:
        return {"format": EXPORT_VERSION, "candidate": None}
    applications = await Application.filter(candidate_id=candidate_id).prefetch_related("job")
    interviews = (
        await Interview.filter(application__candidate_id=candidate_id)
        .order_by("id")
        .prefetch_related("round", "round__job")
    )
    ids = [i.id for i in interviews]
    offers = await Offer.filter(application__candidate_id=candidate_id).order_by("id")
    events = await OfferEvent.filter(offer_id__in=[o.id for o in offers]).order_by("id")
    return {
        "format": EXPORT_VERSION,
        "candidate": _candidate(candidate, cipher),
        "applications": [
            {
                "id": a.id,
                "job": a.job.title,
                "job_code": a.job.code,
                "status": str(a.status),
                "channel": a.channel,
                "created_at": _t(a.created_at),
                "decided_at": _t(a.decided_at),
                "rejection_reason": a.rejection_reason or None,
                "rejection_note": a.rejection_note or None,
            }
            for a in sorted(applications, key=lambda a: a.id)
        ],
        "resumes": [
            {
                "id": r.id,
                "application_id": r.application_id,
                "filename": r.filename,
                "content_type": r.content_type,
                "bytes": r.size,
                "sha256": r.sha256,
                "uploaded_at": _t(r.created_at),
                "parse_status": str(r.parse_status),
                "parsed": r.parsed,
                "download": resume_path(r.id),
            }
            for r in await ResumeFile.filter(candidate_id=candidate_id).order_by("id")
        ],
        "interviews": [await _interview(i) for i in interviews],
        "invitations": [
            {
                "id": inv.id,
                "interview_id": inv.interview_id,
                "reference": inv.reference,
                "status": str(inv.status),
                "starts_at": _t(inv.starts_at),
                "created_at": _t(inv.created_at),
                "answered_at": _t(inv.answered_at),
            }
            for inv in await InterviewInvitation.filter(candidate_id=candidate_id).order_by("id")
        ],
        "consents": [
            {
                "purpose": str(c.purpose),
                "version": c.text_version,
                "granted": c.granted,
                "decided_at": _t(c.decided_at),
                "withdrawn_at": _t(c.withdrawn_at),
            }
            for c in await Consent.filter(candidate_id=candidate_id).order_by("id")
        ],
        "scores": [
            {
                "interview_id": s.interview_id,
                "competency": s.competency,
                "by": "AI（仅供参考）" if s.rater_kind == "ai" else "面试官",
                "value": _n(s.value),
                "confidence": _n(s.confidence),
                "evidence": s.evidence,
                "comment": s.comment,
                "created_at": _t(s.created_at),
            }
            for s in await Score.filter(interview_id__in=ids).order_by("interview_id", "id")
        ],
        "notes": [
            {
                "interview_id": n.interview_id,
                "kind": str(n.kind),
                "text": n.body,
                "voice_note": bool(n.media_ref),
                "voice_note_ref": n.media_ref or None,
                "taken_at": _t(n.taken_at),
            }
            for n in await InterviewNote.filter(interview_id__in=ids).order_by("id")
        ],
        "integrity_events": [
            {
                "interview_id": e.interview_id,
                "kind": e.kind,
                "question_index": e.question_index,
                "detail": e.detail,
                "received_at": _t(e.received_at),
            }
            for e in await IntegrityEvent.filter(interview_id__in=ids).order_by("id")
        ],
        "summaries": [
            {
                "interview_id": s.interview_id,
                "released": s.released_at is not None,
                "released_at": _t(s.released_at),
                "strengths": s.strengths,
                "improvements": s.improvements,
                "next_step": s.next_step,
                "hr_notes": s.hr_notes,
                "for_rejection": s.for_rejection,
            }
            for s in await CandidateSummary.filter(interview_id__in=ids).order_by("id")
        ],
        "surveys": [
            {
                "interview_id": r.interview_id,
                "answers": r.answers,
                "comment": r.comment,
                "answered_at": _t(r.answered_at),
            }
            for r in await SurveyResponse.filter(
                interview_id__in=ids, respondent=Respondent.CANDIDATE
            ).order_by("id")
        ],
        "offers": [_offer(o, [e for e in events if e.offer_id == o.id]) for o in offers],
        "links": [
            {
                "interview_id": link.interview_id,
                "redeemed_at": _t(link.redeemed_at),
                "redeemed_by": link.redeemed_by or None,
            }
            for link in await RecordingLink.filter(interview_id__in=ids).order_by("id")
        ],
        "messages": [
            {
                "id": m.id,
                "content": (m.payload or {}).get("content"),
                "title": (m.payload or {}).get("title"),
                "route": m.route,
                "answer": m.answer_key or None,
                "created_at": _t(m.created_at),
            }
            for m in await CandidateMessage.filter(candidate_id=candidate_id).order_by("id")
        ],
        "replies": [
            {"text": r.text, "outcome": r.outcome, "received_at": _t(r.received_at)}
            for r in await CandidateReply.filter(candidate_id=candidate_id).order_by("id")
        ],
        "channel": await _channel(candidate_id),
        "sessions": [
            {
                "kind": str(s.kind),
                "openid": s.openid or None,
                "created_at": _t(s.created_at),
                "expires_at": _t(s.expires_at),
                "revoked_at": _t(s.revoked_at),
            }
            for s in await AppSession.filter(candidate_id=candidate_id).order_by("id")
        ],
        "data_requests": [
            {
                "id": r.id,
                "kind": str(r.kind),
                "status": str(r.status),
                "via": r.via,
                "field": r.field or None,
                "new_value": r.new_value or None,
                "note": r.note or None,
                "created_at": _t(r.created_at),
                "due_at": _t(r.due_at),
                "handled_at": _t(r.handled_at),
                "outcome": r.outcome,
            }
            for r in await DataRequest.filter(candidate_id=candidate_id).order_by("id")
        ],
    }


def _candidate(candidate: Candidate, cipher: FieldCipher) -> dict[str, Any]:
    values: dict[str, Any] = {"id": candidate.id, "name": candidate.name}
    for name, column in CONTACT.items():
        token = getattr(candidate, column)
        values[name] = None if token is None else cipher.decrypt(token, f"candidate.{name}")
    values.update(
        wechat_openid=candidate.wechat_openid,
        wechat_unionid=candidate.wechat_unionid,
        external_userid=candidate.external_userid,
        education=candidate.education or None,
        years_experience=candidate.years_experience,
        created_at=_t(candidate.created_at),
    )
    return values


async def _interview(interview: Interview) -> dict[str, Any]:
    questions = _questions(interview)
    answers = await Answer.filter(interview_id=interview.id).order_by("question_index")
    return {
        "id": interview.id,
        "application_id": interview.application_id,
        "job": interview.round.job.title,
        "round": interview.round.name,
        "mode": str(interview.mode),
        "status": str(interview.status),
        "starts_at": _t(interview.starts_at),
        "ends_at": _t(interview.ends_at),
        "completed_at": _t(interview.completed_at),
        "location": interview.location,
        "meeting_link": interview.meeting_link,
        "answers": [_answer(a, questions) for a in answers],
    }


def _answer(a: Answer, questions: list[str]) -> dict[str, Any]:
    analysis = a.analysis or {}
    held = a.status == AnswerStatus.SUBMITTED and bool(a.media_key)
    return {
        "question_index": a.question_index,
        "question": questions[a.question_index] if a.question_index < len(questions) else "",
        "status": str(a.status),
        "submitted_at": _t(a.submitted_at),
        "retakes_used": a.retakes_used,
        "recording": {
            "held": held,
            "media_type": a.media_type,
            "bytes": a.media_bytes,
            "seconds": a.media_seconds,
            "sha256": a.media_sha256,
            "download": recording_path(a.interview_id, a.question_index) if held else None,
        },
        "analysis_status": str(a.analysis_status),
        "transcript": analysis.get("transcript"),
        "speech": analysis.get("speech"),
        "assessment": analysis.get("score"),
        "gaming_flags": a.flag_count,
        "camera_signals": analysis.get("vision"),
        "followup": analysis.get("followup"),
    }


def _offer(o: Offer, events: list[OfferEvent]) -> dict[str, Any]:
    return {
        "id": o.id,
        "application_id": o.application_id,
        "status": str(o.status),
        "city": o.city,
        "base_salary": _n(o.base_salary),
        "bonus_months": _n(o.bonus_months),
        "allowances": _n(o.allowances),
        "start_date": o.start_date.isoformat() if isinstance(o.start_date, date) else None,
        "estimate": o.estimate,
        "your_answer": o.candidate_answer or None,
        "answered_at": _t(o.answered_at),
        "approvals": [
            {
                "action": e.action,
                "status": e.to_status,
                "comment": e.speech or None,
                "detail": e.detail,
                "at": _t(e.at),
            }
            for e in events
        ],
    }


async def _channel(candidate_id: int) -> dict[str, Any]:
    c = await CandidateContact.get_or_none(candidate_id=candidate_id)
    if c is None:
        return {"wechat_service": False, "external_contact": False}
    return {
        "wechat_service": bool(c.kf_external_userid),
        "wechat_service_user": c.kf_external_userid or None,
        "external_contact": bool(c.external_userid),
        "external_userid": c.external_userid or None,
        "last_message_at": _t(c.kf_window_start),
    }


def _questions(interview: Interview) -> list[str]:
    try:
        return [q.text for q in parse_questions(interview.round.questions)]
    except InvalidInput:  # a live round has no recorded questions
        return []


def _t(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _n(value: Decimal | float | None) -> float | None:
    return float(value) if value is not None else None
