"""The candidate's story of ``tests/e2e/candidate_story.py`` with personal strings of known
value added (contact data, WeChat ids, a recorded answer and its transcript), for the
security tests that look for them at rest and after the purge."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Collection
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from recruiting import clock
from recruiting.domain.interview_state import InterviewStatus
from recruiting.infra.media_store import LocalMediaStore
from recruiting.infra.scratch import prepare_scratch
from recruiting.models import (
    Answer,
    AnswerStatus,
    Application,
    AppSession,
    Candidate,
    Consent,
    ConsentPurpose,
    Interview,
    InterviewMode,
    InterviewRound,
    RoundKind,
    SubjectKind,
)
from recruiting.models.recorded import AnalysisStatus
from recruiting.ports.analysis import AiScore, AnalysisOutcome, AnalysisRequest
from recruiting.services.recorded.analysis import AnswerAnalysisRunner
from tests.e2e import candidate_story as story_steps
from tests.e2e.candidate_story import Story
from tests.e2e.stack import Stack, running
from tests.fakes.analysis import FakeAnalysis

NAME = "赵敏"  # the story's candidate
CANDIDATE_CHAT = "你好，想问一下面试安排"
COMMENT = "面试官很专业，希望提前告知面试形式"
PHONE = "13987654321"
EMAIL = "zhaomin.h7.secret@example.cn"
ID_NUMBER = "11010519491231002X"
OPENID = "oH7-secret-openid-5e1f"
UNIONID = "uH7-secret-unionid-77aa"
EXTERNAL = "wmH7-secret-external-3c9d"
RECORDING = "录音原始字节里的私密标记H7"
TRANSCRIPT = "我在上一家公司负责华东区的七个门店整改项目"
QUOTE = "七个门店整改项目由我牵头"


class TranscribingAnalysis(FakeAnalysis):
    """The analysis core's port (``FakeAnalysis``'s short usable video): reads the decrypted
    copy (it must hold the recording) and answers with a transcript and a quoted piece of
    evidence."""

    def __init__(self) -> None:
        super().__init__()
        self.saw: list[Path] = []

    def analyze(self, request: AnalysisRequest) -> AnalysisOutcome:
        assert RECORDING.encode() in request.media_path.read_bytes()
        self.saw.append(request.media_path)
        evidence = [{"quote": QUOTE, "source": "transcript"}]
        competencies = {"沟通能力": {"score": 4.0, "confidence": 0.8, "evidence": evidence}}
        analysis = {"transcript": TRANSCRIPT, "score": {"competencies": competencies}}
        return AnalysisOutcome(analysis, [AiScore("沟通能力", 4.0, 0.8, evidence)], "ai:t@1")


@pytest.fixture(params=["sqlite", "postgres+redis"])
async def story(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Story]:
    env = {"RECRUITING__ANALYSIS__PROCESSES": "0", "RECRUITING__SCHEDULER__TICK_SECONDS": "1"}
    async with running(request.param, tmp_path / "data", "pii", env) as (s, service, console):
        story = Story(Stack(s, service, console), service.ctx.services)
        story.scheduler_at(clock.now())
        yield story


async def the_candidates_story(story: Story, tmp_path: Path) -> None:
    """Scheduling, her chat in 微信客服, the live interview (staff chat, notes), scores, the
    survey with her comment, the summary, the offer and its hand-offs."""
    s = story_steps
    await s.an_opening_and_a_candidate_who_wrote_to_kf(story)
    await s.hr_schedules_in_chat_and_clicks_a_slot(story)
    await s.the_invitation_reaches_her_in_kf_and_she_confirms(story)
    start = (await Interview.get(id=story.interview_id)).starts_at
    assert start is not None
    async with s.the_service_clock_at(start - timedelta(minutes=5)):
        await s.the_lead_runs_the_interview_in_chat(story, tmp_path)
        await s.both_score_and_hr_gets_the_consolidation(story)
    await s.the_survey_job_asks_and_they_answer(story)
    await s.hr_releases_the_summary_and_she_receives_it(story)
    await s.hr_sends_the_offer_and_it_is_approved(story)
    await s.the_handoffs_are_in_the_outbox_once(story)


async def her_contact_data_and_wechat_ids(story: Story) -> None:
    candidate = await Candidate.get(id=story.candidate_id)
    story.services.personal_data.contact_data.seal(
        candidate, phone=PHONE, email=EMAIL, id_number=ID_NUMBER
    )
    candidate.wechat_openid, candidate.wechat_unionid = OPENID, UNIONID
    candidate.external_userid = EXTERNAL
    await candidate.save()
    await AppSession.create(token_hash="h7" * 32, kind=SubjectKind.CANDIDATE, candidate=candidate,
                            openid=OPENID, expires_at=clock.now() + timedelta(hours=1))  # fmt: skip


async def a_recorded_answer_is_analysed(story: Story) -> None:
    """The real runner: decrypts the recording to scratch, analyses, stores the transcript
    and the AI scores, and leaves no decrypted copy behind."""
    settings = story.stack.settings
    application = await Application.get(candidate_id=story.candidate_id)
    job = await application.job
    round_ = await InterviewRound.create(job=job, name="录制", kind=RoundKind.RECORDED, sequence=3,
                                         questions=[{"text": "请介绍一个项目",
                                                     "competencies": ["沟通能力"]}])  # fmt: skip
    interview = await Interview.create(
        application=application, round=round_, mode=InterviewMode.RECORDED,
        status=InterviewStatus.IN_PROGRESS, ends_at=datetime.now(UTC) + timedelta(days=1),
    )  # fmt: skip
    for purpose in ConsentPurpose:
        await Consent.create(candidate_id=story.candidate_id, purpose=purpose,
                             text_version="2026-11-01", granted=True)  # fmt: skip
    media = LocalMediaStore(settings.miniapp.media_dir, story.services.shared.cipher)
    key = f"answers/{interview.id}/0/h7"
    appender = await media.appender(key, 0)
    await appender.write(b"\x00\x00\x00\x18ftypmp42" + RECORDING.encode() * 50)
    await appender.close()
    answer = await Answer.create(
        interview=interview, question_index=0, status=AnswerStatus.SUBMITTED,
        revealed_at=clock.now(), submitted_at=clock.now(), media_key=key,
        analysis_status=AnalysisStatus.QUEUED,
    )  # fmt: skip
    scratch = prepare_scratch(settings.data_dir / "tmp")
    core = TranscribingAnalysis()
    runner = AnswerAnalysisRunner(media, core, processes=0, scratch=scratch,
                                  lease_seconds=60, max_attempts=2)  # fmt: skip
    assert await runner.process(answer.id)
    assert core.saw and not core.saw[0].exists()
    assert [p.name for p in scratch.iterdir() if not p.name.startswith(".")] == []
    stored = await Answer.get(id=answer.id)
    assert stored.analysis_status == AnalysisStatus.DONE, stored.analysis_reason


def needles(secrets: list[str]) -> dict[str, list[bytes]]:
    """Each string as UTF-8 and as it appears inside JSON with ASCII escapes."""
    return {
        s: sorted({s.encode(), json.dumps(s)[1:-1].encode(), json.dumps(s)[1:-1].lower().encode()})
        for s in secrets
    }


def files_holding(
    root: Path, secrets: list[str], skip: Collection[Path] = ()
) -> dict[str, list[str]]:
    """Which files under ``root`` (but those in ``skip``) hold each secret, by raw bytes."""
    found: dict[str, list[str]] = {}
    files = [p for p in root.rglob("*") if p.is_file() and p not in skip]
    assert files, root
    forms = needles(secrets)
    for path in files:
        raw = path.read_bytes()
        for secret, variants in forms.items():
            if any(v in raw for v in variants):
                found.setdefault(secret, []).append(str(path.relative_to(root)))
    return found
