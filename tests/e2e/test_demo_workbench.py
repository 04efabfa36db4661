"""The sandbox's lived-in workbench (``services.demo_workbench``) on SQLite and on
PostgreSQL + Redis: every stage of the board is populated through the use cases, the
analysed answers are the scoring engine's real output on the demo's scripts (and say so),
everything is marked 示例数据, and a second start seeds nothing."""

from __future__ import annotations

import time
from collections import Counter
from decimal import Decimal
from statistics import mean
from typing import Any

from recruiting.cli import _demo_workbench, demo_recordings
from recruiting.domain.pipeline import Stage
from recruiting.models import (
    AnalysisStatus,
    Answer,
    Application,
    Candidate,
    Interview,
    InterviewNote,
    InterviewSlot,
    JobOpening,
    Offer,
    RaterKind,
    Score,
)
from recruiting.services.demo_workbench import DEMO_SOURCE, OPENINGS, seed_demo_workbench
from recruiting.services.pipeline.board import stages_of
from recruiting.settings import load_settings
from tests.e2e.stack import Stack

STAGE_OF_PLAN = {
    "new": Stage.NEW, "screened": Stage.SCREENED, "invited": Stage.RECORDED,
    "started": Stage.RECORDED, "done": Stage.RECORDED, "rejected": Stage.REJECTED,
    "dropped": Stage.REJECTED, "live": Stage.LIVE, "held": Stage.LIVE, "offer": Stage.OFFER,
    "hired": Stage.HIRED, "withdrawn": Stage.WITHDRAWN,
}  # fmt: skip


async def test_demo_fills_every_stage_with_real_analysis_once(stack: Stack) -> None:
    services = stack.service.ctx.services
    # ``run`` seeds before its workers start; here they run already, and the real analysis
    # (no speech model) must not take the demo's queued answers first.
    services.worker.stop()
    await services.worker.drain()
    recordings = demo_recordings(stack.settings)
    before = await Candidate.all().count()
    started = time.monotonic()
    made = await seed_demo_workbench(services, recordings)
    seconds = time.monotonic() - started
    people = sum(len(o.people) for o in OPENINGS)
    assert made == people == 31
    print(f"demo seed: {made} candidates in {seconds:.1f} s")

    for opening in OPENINGS:
        job = await JobOpening.get(code=opening.code)
        assert job.title.endswith("（示例）") and job.status == "open"
        apps = await Application.filter(job_id=job.id).prefetch_related("candidate")
        by_name = {a.candidate.name: a for a in apps}
        assert set(by_name) == {name for name, _ in opening.people}
        stages = await stages_of([a.id for a in apps])
        for name, plan in opening.people:
            app = by_name[name]
            assert stages[app.id] == STAGE_OF_PLAN[plan.split(":")[0]], (name, plan)
            assert app.channel == DEMO_SOURCE and app.candidate.source == DEMO_SOURCE
            await _check_person(app, plan, opening.answers)
    everyone = Counter(STAGE_OF_PLAN[p.split(":")[0]] for o in OPENINGS for _, p in o.people)
    assert set(everyone) == set(Stage)  # every stage of the board has someone

    # The engine tells good answers from thin ones (its own scores, nothing written in).
    levels: dict[str, list[float]] = {"good": [], "thin": []}
    for opening in OPENINGS:
        for name, plan in opening.people:
            level = plan.split(":")[1] if ":" in plan else ""
            if level in levels and not plan.startswith(("started", "live", "held")):
                levels[level].append(await _ai_mean(name))
    assert min(levels["good"]) > max(levels["thin"])

    assert await Candidate.all().count() == before + people
    counts = (await Answer.all().count(), await Score.all().count(), await Interview.all().count())
    assert await seed_demo_workbench(services, recordings) == 0  # a second start
    assert await Candidate.all().count() == before + people
    assert (await Answer.all().count(), await Score.all().count(),
            await Interview.all().count()) == counts  # fmt: skip


async def _check_person(app: Application, plan: str, answers: dict[str, tuple[str, str]]) -> None:
    kind, _, rest = plan.partition(":")
    level = rest.split(":")[0]
    interviews = await Interview.filter(application_id=app.id).order_by("id")
    if kind in ("new", "screened", "dropped", "withdrawn"):
        assert not interviews
        if kind == "dropped":
            assert app.rejection_reason == "experience"
        return
    recorded = interviews[0]
    assert recorded.mode == "recorded" and recorded.round_version_id is not None
    submitted = await Answer.filter(interview_id=recorded.id).order_by("question_index")
    if kind == "invited":
        assert recorded.status == "invited" and not submitted
        return
    assert len(submitted) == (1 if kind == "started" else 2)
    assert recorded.status == ("in_progress" if kind == "started" else "completed")
    for answer in submitted:
        _check_analysis(answer, answers[level][answer.question_index])
    if kind == "rejected":
        assert app.rejection_reason == rest.split(":")[1]
    if kind == "live":
        live = interviews[1]
        assert live.mode == "onsite" and live.status == "invited"
        assert live.starts_at is not None and live.starts_at.weekday() < 5
        held = await InterviewSlot.filter(interview_id=live.id).values_list("interviewer_id",
                                                                             flat=True)  # fmt: skip
        assert len(set(held)) == 2  # both panel members' calendars are booked
    if kind in ("held", "offer", "hired"):
        live = interviews[1]
        assert live.status == "completed"
        human = await Score.filter(interview_id=live.id, rater_kind=RaterKind.HUMAN)
        job = await JobOpening.get(id=app.job_id)
        assert len(human) == 2 * len(job.competency_model)  # both panel members, every item
        assert all(Decimal("1") <= (s.value or 0) <= Decimal("5") for s in human)
        assert await InterviewNote.filter(interview_id=live.id).exists()
    if kind == "offer":  # a draft from the offer use case, with its payroll figures
        offer = await Offer.get(application_id=app.id)
        assert offer.status == "draft" and offer.base_salary == Decimal("25000")


def _check_analysis(answer: Answer, script: str) -> None:
    assert answer.analysis_status == AnalysisStatus.DONE and answer.media_bytes > 0
    analysis: dict[str, Any] = answer.analysis
    assert analysis["demo"].startswith("示例数据")
    transcript = analysis["transcript"]
    assert transcript["engine"] == "示例文字稿" and transcript["text"].replace(" ", "") == \
        script.replace(" ", "")  # fmt: skip
    ends = [s["end"] for s in transcript["segments"]]
    assert ends == sorted(ends) and ends[-1] <= analysis["media"]["duration"] + 0.01
    assert analysis["speech"] is None  # nothing measured: the video has no voice
    for item in analysis["score"]["competencies"].values():
        for evidence in item["evidence"]:
            assert evidence["quote"] in script  # quotes are the candidate's own words


async def _ai_mean(name: str) -> float:
    app = await Application.get(candidate__name=name)
    interview = await Interview.filter(application_id=app.id, mode="recorded").first()
    assert interview is not None
    values = await Score.filter(interview_id=interview.id, rater_kind=RaterKind.AI,
                                value__not_isnull=True).values_list("value", flat=True)  # fmt: skip
    return mean(float(v) for v in values)  # type: ignore[arg-type]


def test_no_demo_without_the_sandbox_corp_on_loopback() -> None:
    hooked: list[object] = []

    class App:
        def before_server_start(self, fn: object) -> object:
            hooked.append(fn)
            return fn

    real_corp = load_settings(env={"WECOM_CORP_ID": "ww1234567890abcdef", "WECOM_TOKEN": "t",
        "WECOM_ENCODING_AES_KEY": "a" * 43, "WECOM_SECRET": "s"})  # fmt: skip
    for settings in (real_corp, load_settings(env={"HOST": "0.0.0.0"})):
        assert _demo_workbench(settings, App()) is False
    assert not hooked
    assert _demo_workbench(load_settings(env={}), App()) is True and len(hooked) == 1
