"""Workbench benchmark: the pipeline's pages at 10,000 candidates and 100,000 interviews.

Seeds a PostgreSQL database (bulk inserts through the models, so sealed fields are really
sealed) with 20 openings, one of them large, 10,000 candidates with one application each,
100,000 interviews, analysed recorded answers with transcripts, AI and panel scores,
integrity events, offers, invitations, reminders, surveys and audit rows. Then times, for
``--requests`` requests each, the use cases behind the workbench's pages:

- the board of the large opening, of a random opening, filtered, and a later page;
- the 待评审 list (the candidate list HR works through);
- the review page's data of a random application;
- the comparison of a random opening;

each with p50/p95/max beside a baseline measured in the same process on the same
connection: a primary-key SELECT of one application. The target: every page < 300 ms.
Every view writes its audit row, as in service. ``--explain`` prints PostgreSQL's plan of
the large board's page query.

    .venv/bin/python bench/workbench.py [--requests 200] [--explain] [--keep]

The database is ``$BENCH_WORKBENCH_DB`` (default ``bench_workbench``) on 127.0.0.1:5432,
user ``postgres``: it is dropped and recreated unless ``--keep`` finds it seeded.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
from tortoise import connections  # noqa: E402

from recruiting.db import close_database, migrate_schema, open_database  # noqa: E402
from recruiting.domain.pipeline import Stage  # noqa: E402
from recruiting.domain.roles import Role  # noqa: E402
from recruiting.infra.pii import FieldCipher  # noqa: E402
from recruiting.infra.sealed_fields import install_cipher  # noqa: E402
from recruiting.models import (  # noqa: E402
    Answer,
    Application,
    AuditLog,
    Candidate,
    IntegrityEvent,
    Interview,
    InterviewAssignment,
    InterviewInvitation,
    InterviewRound,
    Invitation,
    JobOpening,
    Offer,
    ReminderDelivery,
    Score,
    Staff,
    SubjectKind,
    SurveyResponse,
)
from recruiting.services.pipeline.board import BoardFilters, PipelineBoard  # noqa: E402
from recruiting.services.pipeline.compare import Comparison  # noqa: E402
from recruiting.services.pipeline.pending import PendingReview  # noqa: E402
from recruiting.services.pipeline.review import ReviewService  # noqa: E402
from recruiting.services.shared.sessions import Principal  # noqa: E402

SH = ZoneInfo("Asia/Shanghai")
HR = Principal(1, SubjectKind.STAFF, staff_id=1, userid="bench-hr", roles=frozenset({Role.HR}))
MODEL = [
    {"code": c, "name": n, "weight": w}
    for c, n, w in (
        ("comm", "沟通能力", "0.3"),
        ("res", "抗压能力", "0.2"),
        ("cust", "客户导向", "0.3"),
        ("team", "团队协作", "0.2"),
    )
]
QUESTIONS = [
    {"text": f"请讲一次与{n}有关的经历", "competencies": [n]}
    for n in ("沟通能力", "抗压能力", "客户导向")
]
STATUSES = [
    ("applied", 15),
    ("screening", 10),
    ("interviewing", 55),
    ("offer", 5),
    ("hired", 5),
    ("rejected", 8),
    ("withdrawn", 2),
]
CHANNELS = ["boss", "liepin", "zhilian", "referral", "site", "campus"]
BATCH = 2000


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--interviews", type=int, default=100_000)
    parser.add_argument("--openings", type=int, default=20)
    parser.add_argument(
        "--large", type=int, default=3_000, help="applications of the large opening"
    )
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--keep", action="store_true", help="reuse a seeded database")
    return parser.parse_args()


async def recreate(name: str) -> None:
    admin = await asyncpg.connect("postgres://postgres@127.0.0.1:5432/postgres")
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


# -- seeding -------------------------------------------------------------------------------------


async def seed(args: argparse.Namespace, rng: random.Random) -> dict[str, int]:
    now = datetime.now(UTC)
    await Staff.bulk_create(
        [Staff(wecom_userid="bench-hr", name="李娜", roles=["hr"])]
        + [
            Staff(wecom_userid=f"iv{i}", name=f"面试官{i}", roles=["interviewer"])
            for i in range(40)
        ]
    )
    interviewers = [s.id for s in await Staff.filter(roles__not="[]").exclude(id=1)] or [1]
    jobs = [
        JobOpening(code=f"J{j:03}", title=f"岗位{j}", competency_model=MODEL, status="open")
        for j in range(args.openings)
    ]
    await JobOpening.bulk_create(jobs)
    job_ids = [j.id for j in await JobOpening.all().order_by("id")]
    rounds = []
    for job_id in job_ids:
        rounds += [
            InterviewRound(
                job_id=job_id, name="录制初面", sequence=1, kind="recorded", questions=QUESTIONS
            ),
            InterviewRound(job_id=job_id, name="业务面", sequence=2, kind="live"),
            InterviewRound(job_id=job_id, name="终面", sequence=3, kind="live"),
        ]
    await InterviewRound.bulk_create(rounds)
    by_job: dict[int, list[int]] = {}
    for r in await InterviewRound.all().order_by("sequence"):
        by_job.setdefault(r.job_id, []).append(r.id)
    await Candidate.bulk_create(
        [Candidate(name=f"候选人{i:05}") for i in range(args.candidates)], batch_size=BATCH
    )
    candidate_ids = [c for c in await Candidate.all().order_by("id").values_list("id", flat=True)]
    statuses = [s for s, w in STATUSES for _ in range(w)]
    applications = []
    for n, candidate_id in enumerate(candidate_ids):
        job_id = job_ids[0] if n < args.large else job_ids[1 + n % (len(job_ids) - 1)]
        applications.append(
            Application(
                candidate_id=candidate_id,
                job_id=job_id,
                status=rng.choice(statuses),
                channel=rng.choice(CHANNELS),
            )
        )
    await Application.bulk_create(applications, batch_size=BATCH)
    apps = await Application.all().order_by("id").values_list("id", "job_id", "status")
    return await _interviews(args, rng, now, list(apps), by_job, interviewers)


async def _interviews(
    args: argparse.Namespace,
    rng: random.Random,
    now: datetime,
    apps: list[tuple[Any, ...]],
    by_job: dict[int, list[int]],
    interviewers: list[int],
) -> dict[str, int]:
    """Interviews per application (none for new/screened ones): a completed recorded one,
    for most also live ones, the rest of the 100,000 spread as live history."""
    active = [a for a in apps if a[2] not in ("applied", "screening")]
    recorded_only = {a[0] for a in active[: len(active) // 4] if a[2] == "interviewing"}
    live_apps = [a for a in active if a[0] not in recorded_only]
    live_total = max(args.interviews - len(active), 0)
    per_live = [live_total // len(live_apps)] * len(live_apps)
    for i in range(live_total - sum(per_live)):
        per_live[i] += 1
    rows = []
    for a in active:
        done = now - timedelta(days=rng.uniform(0.5, 60))
        rows.append(
            Interview(
                application_id=a[0],
                round_id=by_job[a[1]][0],
                mode="recorded",
                status="completed",
                completed_at=done,
                ends_at=done,
            )
        )
    for a, count in zip(live_apps, per_live, strict=True):
        for k in range(count):
            status = "completed" if k < 2 else rng.choice(("cancelled", "completed", "no_show"))
            start = now - timedelta(days=rng.uniform(0, 50))
            rows.append(
                Interview(
                    application_id=a[0],
                    round_id=by_job[a[1]][1 + k % 2],
                    mode="onsite",
                    status=status,
                    starts_at=start,
                    ends_at=start + timedelta(hours=1),
                    completed_at=start + timedelta(hours=1) if status == "completed" else None,
                )
            )
    await Interview.bulk_create(rows, batch_size=BATCH)
    interviews = (
        await Interview.all().order_by("id").values_list("id", "application_id", "mode", "status")
    )
    await _details(rng, now, list(interviews), interviewers)
    return {"applications": len(apps), "interviews": len(interviews)}


def _analysis(rng: random.Random, q: int) -> dict[str, Any]:
    segments = [
        {
            "start": s * 5.0,
            "end": s * 5.0 + 4.5,
            "error": "",
            "text": f"第{s + 1}段：当时客户投诉很多，我先安抚再复盘，最后把流程改了，"
            f"满意度提升了{rng.randint(5, 30)}%。",
        }
        for s in range(12)
    ]
    return {
        "transcript": {
            "available": True,
            "engine": "paddlespeech",
            "segments": segments,
            "text": " ".join(s["text"] for s in segments),
        },
        "score": {
            "overall": rng.randint(40, 90),
            "coverage": 0.7,
            "flags": [],
            "competencies": {QUESTIONS[q]["competencies"][0]: {"score": 3.5}},
        },
    }


async def _details(
    rng: random.Random, now: datetime, interviews: list[tuple[Any, ...]], interviewers: list[int]
) -> None:
    recorded = [i for i in interviews if i[2] == "recorded"]
    answers, scores, events, links = [], [], [], []
    for iv, _, _, _ in recorded:
        for q in range(3):
            answers.append(
                Answer(
                    interview_id=iv,
                    question_index=q,
                    status="submitted",
                    revealed_at=now - timedelta(days=1),
                    submitted_at=now - timedelta(days=1),
                    media_key=f"answers/{iv}/{q}/u",
                    media_type="video/mp4",
                    media_seconds=60.0,
                    analysis_status="done",
                    analysis=_analysis(rng, q),
                    flag_count=1 if rng.random() < 0.05 else 0,
                )
            )
        for c in MODEL:
            evidence = [{"quote": "当时客户投诉很多", "why": "具体情境", "question": 0}]
            scores.append(
                Score(
                    interview_id=iv,
                    competency=c["name"],
                    rater_kind="ai",
                    rater_key="rules-v2 (jieba)",
                    value=Decimal(str(rng.randint(15, 50) / 10)),
                    confidence=Decimal("0.650"),
                    evidence=evidence,
                )
            )
        if rng.random() < 0.1:
            events.append(
                IntegrityEvent(interview_id=iv, kind="app_backgrounded", question_index=1)
            )
        links.append(
            Invitation(
                token_hash=f"{iv:064}",
                interview_id=iv,
                created_by="bench-hr",
                expires_at=now + timedelta(days=7),
                redeemed_at=now - timedelta(days=2),
            )
        )
    await Answer.bulk_create(answers, batch_size=BATCH)
    await Score.bulk_create(scores, batch_size=BATCH)
    await IntegrityEvent.bulk_create(events, batch_size=BATCH)
    await Invitation.bulk_create(links, batch_size=BATCH)
    await _live_details(rng, now, interviews, interviewers)


async def _live_details(
    rng: random.Random, now: datetime, interviews: list[tuple[Any, ...]], interviewers: list[int]
) -> None:
    first_live: dict[int, int] = {}
    for iv, app, mode, status in interviews:
        if mode != "recorded" and status == "completed":
            first_live.setdefault(app, iv)
    assignments, scores, invitations, reminders, surveys = [], [], [], [], []
    for app, iv in first_live.items():
        rater = rng.choice(interviewers)
        assignments.append(InterviewAssignment(interview_id=iv, interviewer_id=rater, lead=True))
        for c in MODEL:
            scores.append(
                Score(
                    interview_id=iv,
                    competency=c["name"],
                    rater_kind="human",
                    rater_key=f"staff:{rater}",
                    rater_id=rater,
                    value=Decimal(str(rng.randint(2, 5))),
                )
            )
        invitations.append(
            InterviewInvitation(
                reference=f"b{iv}",
                interview_id=iv,
                candidate_id=1,
                hr_userid="bench-hr",
                task_id=f"invite-b{iv}",
                starts_at=now,
                status="confirmed",
                answered_at=now,
            )
        )
        for minutes in (1440, 60):
            reminders.append(
                ReminderDelivery(
                    interview_id=iv,
                    recipient=f"candidate:{app}",
                    audience="candidate",
                    offset_minutes=minutes,
                    start_epoch=1,
                    outbox_id=1,
                )
            )
        surveys.append(
            SurveyResponse(
                interview_id=iv,
                respondent="candidate",
                respondent_key=f"candidate:{app}",
                sent_at=now,
                answered_at=now,
            )
        )
    await InterviewAssignment.bulk_create(assignments, batch_size=BATCH)
    await Score.bulk_create(scores, batch_size=BATCH)
    await InterviewInvitation.bulk_create(invitations, batch_size=BATCH)
    await ReminderDelivery.bulk_create(reminders, batch_size=BATCH)
    await SurveyResponse.bulk_create(surveys, batch_size=BATCH)
    offers = [
        Offer(
            application_id=a,
            created_by="bench-hr",
            city="310000",
            status="approved",
            base_salary=Decimal(20000),
            start_date=now.date(),
        )
        for a, _, _ in await Application.filter(status__in=["offer", "hired"]).values_list(
            "id", "job_id", "status"
        )
    ]
    await Offer.bulk_create(offers, batch_size=BATCH)
    app_ids = list(first_live) or [1]
    await AuditLog.bulk_create(
        [
            AuditLog(
                actor="bench-hr",
                action=rng.choice(("view_review", "decide", "view_media")),
                subject_type="application",
                subject_id=str(rng.choice(app_ids)),
                allowed=True,
            )
            for _ in range(100_000)
        ],
        batch_size=BATCH,
    )


# -- timing --------------------------------------------------------------------------------------


async def timed(label: str, n: int, call: Callable[[int], Awaitable[Any]]) -> list[float]:
    for i in range(min(5, n)):  # warm the connection and the caches
        await call(i)
    times = []
    for i in range(n):
        start = time.perf_counter()
        await call(i)
        times.append((time.perf_counter() - start) * 1000)
    return times


def line(label: str, times: list[float], baseline: list[float] | None = None) -> str:
    q = statistics.quantiles(times, n=100)
    text = f"{label:<42} p50 {q[49]:7.2f} ms   p95 {q[94]:7.2f} ms   max {max(times):7.2f} ms"
    if baseline:
        text += f"   ({q[49] / statistics.median(baseline):5.0f}× baseline p50)"
    return text


async def measure(args: argparse.Namespace, rng: random.Random) -> None:
    conn = connections.get("default")
    jobs = [int(j) for j in await JobOpening.all().order_by("id").values_list("id", flat=True)]
    apps = [int(a) for a in await Application.all().values_list("id", flat=True)]
    reviewed = [
        int(a)
        for a in await Interview.filter(mode="recorded").values_list("application_id", flat=True)
    ]
    picks = [rng.choice(apps) for _ in range(args.requests + 5)]
    board, compare, review, pending = (
        PipelineBoard(),
        Comparison(),
        ReviewService(SH),
        PendingReview(SH),
    )
    n = args.requests
    baseline = await timed(
        "baseline",
        n,
        lambda i: conn.execute_query_dict(
            "SELECT id, status FROM application WHERE id = $1", [picks[i]]
        ),
    )
    results = [
        (
            "board: large opening (first page)",
            await timed("", n, lambda i: board.board(HR, jobs[0], BoardFilters())),
        ),
        (
            "board: random opening",
            await timed("", n, lambda i: board.board(HR, rng.choice(jobs[1:]), BoardFilters())),
        ),
        (
            "board: large, stage + AI ≥ 3 + flagged",
            await timed(
                "",
                n,
                lambda i: board.board(
                    HR, jobs[0], BoardFilters(stage=Stage.RECORDED, ai_min=3.0, flagged=False)
                ),
            ),
        ),
        (
            "board: large, page 10",
            await timed("", n, lambda i: board.board(HR, jobs[0], BoardFilters(page=10))),
        ),
        ("待评审 list (50, all openings)", await timed("", n, lambda i: pending.waiting(HR))),
        ("review page data", await timed("", n, lambda i: review.review(HR, rng.choice(reviewed)))),
        (
            "comparison: large opening (top 8)",
            await timed("", n, lambda i: compare.compare(HR, jobs[0])),
        ),
        (
            "comparison: random opening",
            await timed("", n, lambda i: compare.compare(HR, rng.choice(jobs[1:]))),
        ),
    ]
    print(line("baseline: SELECT one application by id", baseline), flush=True)
    for label, times in results:
        print(line(label, times, baseline), flush=True)
    worst = max(statistics.quantiles(t, n=100)[94] for _, t in results)
    print(f"\nslowest p95 {worst:.1f} ms: {'within' if worst < 300 else 'OVER'} the 300 ms target")


async def explain() -> None:
    from recruiting.services.pipeline.board import PAGE_COLUMNS, _Sql

    job = await JobOpening.all().order_by("id").first()
    assert job is not None
    q = _Sql(job.id, BoardFilters())
    sql = f"SELECT {PAGE_COLUMNS} FROM board AS c WHERE {q.where} ORDER BY c.id DESC LIMIT 50"
    rows = await connections.get("default").execute_query_dict(
        f"EXPLAIN (ANALYZE, BUFFERS) {q.head} {sql}", q.params
    )
    print("\n".join(r["QUERY PLAN"] for r in rows))


async def main() -> None:
    args = parse()
    name = os.environ.get("BENCH_WORKBENCH_DB", "bench_workbench")
    url = f"postgres://postgres@127.0.0.1:5432/{name}"
    install_cipher(FieldCipher({"b": base64.b64decode("C" * 43 + "=")}, "b"))
    rng = random.Random(15)
    seeded = False
    if args.keep:
        try:
            await open_database(url)
            seeded = await Interview.all().count() >= args.interviews
        except Exception:
            seeded = False
        await close_database()
    if not seeded:
        await recreate(name)
        await migrate_schema(url)
        await open_database(url)
        start = time.perf_counter()
        counts = await seed(args, rng)
        # A live database is kept vacuumed by autovacuum: index-only scans need the map.
        await connections.get("default").execute_script("VACUUM ANALYZE")
        print(
            f"seeded {args.candidates:,} candidates, {counts['applications']:,} applications, "
            f"{counts['interviews']:,} interviews in {time.perf_counter() - start:.1f} s"
        )
    else:
        await open_database(url)
        print(f"reusing the seeded database {name}")
    try:
        print(f"{args.requests} requests each, one connection, PostgreSQL on this machine\n")
        await measure(args, rng)
        if args.explain:
            await explain()
    finally:
        await close_database()


if __name__ == "__main__":
    asyncio.run(main())
