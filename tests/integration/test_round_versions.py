"""Round versions on SQLite and PostgreSQL: an interview keeps the questions and weights it
was taken with after HR edits the round and the opening's competency model, through the
candidate's question flow, the analysis request, HR's report and the live prompts; a new
invitation gets the new version.

The analysis core is a fake (it records the request it gets); the database, the use cases,
the library and the encrypted media store are real.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from recruiting.clock import now
from recruiting.domain.interview_state import InterviewStatus
from recruiting.infra.media_store import LocalMediaStore
from recruiting.infra.pii import FieldCipher
from recruiting.models import (
    AnalysisStatus,
    Answer,
    Application,
    Interview,
    InterviewMode,
)
from recruiting.services.live.context import load_context
from recruiting.services.recorded.analysis import AnswerAnalysisRunner
from recruiting.services.recorded.interview import RecordedInterviewService
from recruiting.services.recorded.links import RecordingLinks, RoundClosed
from recruiting.services.recorded.results import ResultsService
from recruiting.services.shared.sessions import SessionService
from recruiting.wiring.openings import wire_openings
from tests.fakes.analysis import FakeAnalysis
from tests.integration.round_world import (
    HR,
    HR_PRINCIPAL,
    OLD,
    NoLogin,
    consenting_candidate,
)

NEW = [
    {"text": "请讲一次你超额完成销售目标的经历。", "competencies": ["结果导向"]},
    {"text": "请讲一次你化解客户投诉的经历。", "competencies": ["沟通能力", "结果导向"]},
]
OLD_MODEL = [
    {"code": "communication", "weight": "0.6"},
    {"code": "results_orientation", "weight": "0.4"},
]
NEW_MODEL = [
    {"code": "communication", "weight": "0.2"},
    {"code": "results_orientation", "weight": "0.8"},
]


async def _invite(links: RecordingLinks, application: Application, round_id: int) -> int:
    created = await links.create(HR_PRINCIPAL, application.id, round_id)
    await Interview.filter(id=created.interview_id).update(status=InterviewStatus.CONFIRMED)
    return created.interview_id


async def test_an_edited_round_does_not_change_a_past_interview(
    database: str, tmp_path: Path
) -> None:
    wired = wire_openings()
    cipher = FieldCipher({"k": os.urandom(32)}, "k")
    media = LocalMediaStore(tmp_path / "media", cipher)
    links = RecordingLinks(SessionService(NoLogin(), cipher, 600), 3600)  # type: ignore[arg-type]
    flow = RecordedInterviewService(media)

    job = await wired.openings.create(HR, {"code": "SALES-SH", "title": "销售代表"})
    await wired.openings.set_model(HR, job.id, OLD_MODEL)
    recorded = await wired.rounds.add(HR, job.id, {"kind": "recorded", "name": "录制面试",
                                                   "questions": [OLD], "deadline_days": 3})  # fmt: skip
    live = await wired.rounds.add(HR, job.id, {"kind": "live", "name": "业务面"})

    first_app, first = await consenting_candidate(job.id, "候选人甲")
    first_id = await _invite(links, first_app, recorded.id)
    taken = await Interview.get(id=first_id).prefetch_related("round_version")
    assert taken.round_version.number == 1
    assert timedelta(days=3) - (taken.ends_at - now()) < timedelta(minutes=1)  # deadline_days
    shown = await flow.next_question(first, first_id)
    assert shown is not None and shown.question.text == OLD["text"]
    live_interview = await Interview.create(
        application=first_app, round=live, mode=InterviewMode.ONSITE
    )  # unpinned: legacy path

    # HR changes the questions and the weights after the first candidate answered
    await wired.rounds.update(HR, recorded.id, {"questions": NEW})
    await wired.openings.set_model(HR, job.id, NEW_MODEL)

    again = await flow.next_question(first, first_id)
    assert again is not None and (again.question.text, again.total) == (OLD["text"], 1)
    key = f"answers/{first_id}/0/a"
    writer = await media.appender(key, 0)
    await writer.write(b"media bytes")
    await writer.close()
    await Answer.filter(interview_id=first_id, question_index=0).update(
        media_key=key, status="submitted", analysis_status=AnalysisStatus.QUEUED
    )
    answer = await Answer.get(interview_id=first_id, question_index=0)
    fake = FakeAnalysis()
    runner = AnswerAnalysisRunner(media, fake, processes=0, scratch=tmp_path, lease_seconds=60,
                                  max_attempts=2)  # fmt: skip
    assert await runner.process(answer.id)
    request = fake.calls[0]
    assert request.question == OLD["text"] and request.question_competencies == ("沟通能力",)
    assert [i["weight"] for i in request.competency_model] == ["0.6", "0.4"]  # as taken

    report = await ResultsService(media, explain=None).staff_view(HR_PRINCIPAL, first_id)
    assert [a["question"] for a in report["answers"]] == [OLD["text"]]
    context = await load_context(live_interview.id)  # pinned by the model edit
    assert [i["weight"] for i in context.scope.competency_model] == ["0.6", "0.4"]

    # a new candidate is invited to the new version
    second_app, second = await consenting_candidate(job.id, "候选人乙")
    second_id = await _invite(links, second_app, recorded.id)
    newer = await Interview.get(id=second_id).prefetch_related("round_version")
    assert newer.round_version.number == 2
    assert newer.round_version.content["competency_model"][1]["weight"] == "0.8"
    shown = await flow.next_question(second, second_id)
    assert shown is not None and (shown.question.text, shown.total) == (NEW[0]["text"], 2)
    detail = await wired.rounds.get(HR, recorded.id)
    assert [(v.number, v.interviews) for v in detail.versions] == [(1, 1), (2, 1)]

    await wired.rounds.close(HR, recorded.id)
    third_app, _ = await consenting_candidate(job.id, "候选人丙")
    with pytest.raises(RoundClosed, match="已关闭"):
        await links.create(HR_PRINCIPAL, third_app.id, recorded.id)
