"""Issue 12 item 3: no personal data in the clear at rest.

The whole story of one candidate runs over real HTTP through the WeCom sandbox (the steps of
``tests/e2e/test_workflow_end_to_end.py``: her name, her and HR's chat, an interviewer's
notes in chat, scores, her survey comment, the offer, the EHR and payroll hand-offs), then
her phone, e-mail, ID number and WeChat ids are stored, and a recorded answer is analysed
into a transcript. Afterwards the raw bytes of every file in the data folder (SQLite file,
its WAL, media, scratch) and every text/JSON column of every PostgreSQL table are searched
for each of those strings, as UTF-8 and as JSON escapes: none may be found.

The payroll CSV and the EHR spool are hand-offs whose job is to carry the new hire's data
to another system in the clear; they are checked for owner-only modes instead and must
hold her name (which also shows the search would find it).
"""

from __future__ import annotations

import json
import stat
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tortoise import connections

from recruiting import clock
from recruiting.domain.interview_state import InterviewStatus
from recruiting.domain.roles import Role
from recruiting.infra.media_store import LocalMediaStore
from recruiting.infra.scratch import prepare_scratch
from recruiting.models import (
    Answer,
    AnswerStatus,
    Application,
    AppSession,
    Candidate,
    CandidateContact,
    Consent,
    ConsentPurpose,
    Interview,
    InterviewMode,
    InterviewNote,
    InterviewRound,
    RoundKind,
    Score,
    SubjectKind,
    SurveyResponse,
)
from recruiting.models.recorded import AnalysisStatus
from recruiting.ports.analysis import AiScore, AnalysisOutcome, AnalysisRequest, MediaFacts
from recruiting.services.recorded.analysis import AnswerAnalysisRunner
from recruiting.services.shared.audit import Actor
from tests.e2e import test_workflow_end_to_end as story_steps
from tests.e2e.stack import Stack, running
from tests.e2e.test_workflow_end_to_end import Story

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


class TranscribingAnalysis:
    """The analysis core's port: reads the decrypted copy (it must hold the recording) and
    answers with a transcript and a quoted piece of evidence."""

    def __init__(self) -> None:
        self.saw: list[Path] = []

    def probe(self, path: Path, expect: str, max_seconds: float) -> MediaFacts:
        return MediaFacts(5.0, True, True, 64, 64, "mov,mp4")

    def device_check(self, path: Path) -> Any:
        raise NotImplementedError

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


async def test_no_personal_string_is_stored_in_the_clear(story: Story, tmp_path: Path) -> None:
    await the_candidates_story(story, tmp_path)
    await her_contact_data_and_wechat_ids(story)
    await a_recorded_answer_is_analysed(story)
    secrets = [NAME, CANDIDATE_CHAT, COMMENT, story_steps.NOTE, PHONE, EMAIL, ID_NUMBER,
               OPENID, UNIONID, EXTERNAL, RECORDING, TRANSCRIPT, QUOTE, story.kf_user]  # fmt: skip
    await they_are_all_readable_through_the_service(story)

    data_dir = story.stack.settings.data_dir
    handoffs = the_handoffs_are_private_and_hold_her_name(data_dir)
    found = _files_holding(data_dir, secrets, skip=handoffs)
    assert found == {}, found
    if story.stack.settings.database_url.startswith("postgres"):
        columns = await _pg_text_columns()
        assert len(columns) > 40, columns  # every table's text columns were searched
        assert await _pg_rows_holding(columns, secrets) == {}


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
    runner = AnswerAnalysisRunner(media, core, processes=0, scratch=scratch,  # type: ignore[arg-type]
                                  lease_seconds=60, max_attempts=2)  # fmt: skip
    assert await runner.process(answer.id)
    assert core.saw and not core.saw[0].exists()
    assert [p.name for p in scratch.iterdir() if not p.name.startswith(".")] == []
    stored = await Answer.get(id=answer.id)
    assert stored.analysis_status == AnalysisStatus.DONE, stored.analysis_reason


async def they_are_all_readable_through_the_service(story: Story) -> None:
    """Sealed is not lost: each value reads back (so the search below searched real data)."""
    candidate = await Candidate.get(wechat_openid=OPENID)
    assert (candidate.id, candidate.name, candidate.external_userid) == (
        story.candidate_id, NAME, EXTERNAL)  # fmt: skip
    assert await Candidate.get(external_userid=EXTERNAL) == candidate
    contact = await CandidateContact.get(kf_external_userid=story.kf_user)
    assert contact.candidate_id == candidate.id  # type: ignore[attr-defined]
    assert (await AppSession.get(openid=OPENID)).candidate_id == candidate.id  # type: ignore[attr-defined]
    actor = Actor("zhangwei", frozenset({Role.HR_MANAGER}))
    read = await story.services.personal_data.contact_data.read(
        actor, candidate.id, ["phone", "email", "id_number"], "test"
    )
    assert read.values == {"phone": PHONE, "email": EMAIL, "id_number": ID_NUMBER}
    notes = await InterviewNote.filter(interview_id=story.interview_id)
    assert any(story_steps.NOTE in n.body for n in notes)
    survey = await SurveyResponse.get(respondent_key=f"candidate:{candidate.id}")
    assert COMMENT in survey.comment
    answer = await Answer.get(interview__application__candidate_id=candidate.id,
                              analysis_status=AnalysisStatus.DONE)  # fmt: skip
    assert answer.analysis["transcript"] == TRANSCRIPT
    ai = await Score.get(interview_id=answer.interview_id, rater_kind="ai")  # type: ignore[attr-defined]
    assert ai.evidence[0]["quote"] == QUOTE


def the_handoffs_are_private_and_hold_her_name(data_dir: Path) -> set[Path]:
    payroll = data_dir / "payroll" / "new-hires.csv"
    assert NAME in payroll.read_text(encoding="utf-8")
    handoffs = {payroll}
    ehr = data_dir / "ehr"
    if ehr.exists():
        handoffs |= {p for p in ehr.rglob("*") if p.is_file()}
    for path in handoffs:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    return handoffs


def _needles(secrets: list[str]) -> dict[str, list[bytes]]:
    """Each string as UTF-8 and as it appears inside JSON with ASCII escapes."""
    return {
        s: sorted({s.encode(), json.dumps(s)[1:-1].encode(), json.dumps(s)[1:-1].lower().encode()})
        for s in secrets
    }


def _files_holding(data_dir: Path, secrets: list[str], skip: set[Path]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    files = [p for p in data_dir.rglob("*") if p.is_file() and p not in skip]
    assert files, data_dir
    needles = _needles(secrets)
    for path in files:
        raw = path.read_bytes()
        for secret, forms in needles.items():
            if any(form in raw for form in forms):
                found.setdefault(secret, []).append(str(path.relative_to(data_dir)))
    return found


async def _pg_text_columns() -> list[tuple[str, str]]:
    rows = await connections.get("default").execute_query_dict(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND data_type IN "
        "('text', 'character varying', 'character', 'json', 'jsonb')"
    )
    return [(str(r["table_name"]), str(r["column_name"])) for r in rows]


async def _pg_rows_holding(
    columns: list[tuple[str, str]], secrets: list[str]
) -> dict[str, list[str]]:
    conn = connections.get("default")
    found: dict[str, list[str]] = {}
    needles = _needles(secrets)
    for table, column in columns:
        rows = await conn.execute_query_dict(f'SELECT "{column}"::text AS v FROM "{table}"')
        for row in rows:
            value = (row["v"] or "").encode()
            for secret, forms in needles.items():
                if any(form in value for form in forms):
                    found.setdefault(secret, []).append(f"{table}.{column}")
    return found
