"""A candidate with personal data in every kind of place it is kept, for the erasure and
purge tests that must find all of it gone (or kept) afterwards."""

from __future__ import annotations

from recruiting import clock
from recruiting.domain.interview_state import InterviewStatus
from recruiting.infra.media_store import LocalMediaStore
from recruiting.models import (
    Answer,
    AnswerStatus,
    Application,
    Candidate,
    CandidateMessage,
    Interview,
    InterviewMode,
    InterviewNote,
    InterviewRound,
    JobOpening,
    RaterKind,
    Respondent,
    ResumeFile,
    Score,
    Staff,
    SurveyResponse,
    Upload,
)


async def plant(media: LocalMediaStore, suffix: str = "") -> tuple[int, str]:
    """A candidate with a recording, a transcript, an AI score, a note, a survey comment and
    an inbox message; returns the candidate id and the media key."""
    staff = await Staff.create(wecom_userid=f"lead{suffix}", name="王强", roles=["interviewer"])
    job = await JobOpening.create(code=f"S1{suffix}", title="销售")
    round_ = await InterviewRound.create(job=job, name="一面")
    candidate = await Candidate.create(name="赵敏", phone_enc="x", wechat_openid=f"o-zm{suffix}")
    app = await Application.create(candidate=candidate, job=job, status="rejected",
                                   decided_at=clock.now(), rejection_reason="skills",
                                   rejection_note="沟通偏弱，不适合大客户")  # fmt: skip
    interview = await Interview.create(application=app, round=round_, mode=InterviewMode.RECORDED,
                                       status=InterviewStatus.COMPLETED)  # fmt: skip
    key = f"answers/{interview.id}/0/up1{suffix}"
    writer = await media.appender(key, 0)
    await writer.write(b"recording-bytes")
    await writer.close()
    answer = await Answer.create(interview=interview, question_index=0, revealed_at=clock.now(),
                                 status=AnswerStatus.SUBMITTED, media_key=key,
                                 analysis={"transcript": "我负责七个门店"},
                                 flag_count=1)  # fmt: skip
    await Upload.create(
        id=f"up1{suffix}", answer=answer, size=15, sha256="0" * 64, media_type="video/mp4"
    )
    await Score.create(interview=interview, competency="c", rater_kind=RaterKind.AI,
                       rater_key="ai:x", value=4, evidence=[{"quote": "七个门店"}])  # fmt: skip
    await Score.create(interview=interview, competency="c", rater_kind=RaterKind.HUMAN,
                       rater_key="staff:1", rater=staff, value=3, comment="表达清楚")  # fmt: skip
    await InterviewNote.create(interview=interview, author=staff, body="犹豫的大客户",
                               taken_at=clock.now())  # fmt: skip
    await SurveyResponse.create(interview=interview, respondent=Respondent.CANDIDATE,
                                respondent_key=f"candidate:{candidate.id}",
                                answers={"satisfaction": "5"}, comment="面试官很专业")  # fmt: skip
    resume = f"resumes/r{suffix}x"
    writer = await media.appender(resume, 0)
    await writer.write(b"%PDF resume of zhao min")
    await writer.close()
    await ResumeFile.create(candidate=candidate, application=app, object_key=resume,
                            filename="赵敏简历.pdf", size=23, sha256="1" * 64,
                            uploaded_by="lina", parsed={"name": "赵敏"})  # fmt: skip
    await CandidateMessage.create(outbox_key=f"k1{suffix}", candidate=candidate,
                                  payload={"t": "你好"})  # fmt: skip
    return candidate.id, key
