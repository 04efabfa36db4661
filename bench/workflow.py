"""Scheduling benchmark: plan 1,000 interviews across 50 interviewers.

Two figures, both checked for conflicts afterwards (every pair of an interviewer's interviews
compared, and the database's per-block rows counted):
- the planner alone (``recruiting.domain.availability``): proposals over candidates' windows,
  each booking held in memory before the next is planned;
- the real use case (``SchedulingService``: load calendars, propose, book in a transaction
  with the WeCom schedule effect written to the outbox) on SQLite, or PostgreSQL with
  ``--postgres``.

Baseline in the same run: a naive planner that scans every interviewer's bookings linearly
(no bisect, no merged calendars), on the same requests.

Then "preparing 1,000 invitations" for the interviews just booked, in two figures:
- plan and queue: ``InterviewInvitations.invite`` per interview (the invitation, the state
  move, the candidate's message and HR's card written to the outbox in one transaction);
- sending: the outbox relay draining the candidate messages through the real
  candidate-channel sender into fake WeCom APIs (no route bound yet, so each goes to the
  mini-app inbox with a contact way made per invitation). WeCom's own limits, not this
  code, bound the real sending rate: 10,000 calls per API per minute for the corp, 5 kf
  replies per candidate within 48 h, 30 app messages per minute per HR member (the cards);
  the time those limits impose is printed beside the measured rate.

    .venv/bin/python bench/workflow.py [--interviews 1000] [--interviewers 50] [--postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from recruiting.domain.availability import (  # noqa: E402
    Calendar,
    Interval,
    Proposal,
    SlotRequest,
    propose,
)
from recruiting.domain.roles import Role  # noqa: E402
from recruiting.models import SubjectKind  # noqa: E402
from recruiting.services.shared.sessions import Principal  # noqa: E402

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2030, 11, 25, tzinfo=SH)  # a Monday
HR = Principal(1, SubjectKind.STAFF, userid="bench-hr", roles=frozenset({Role.HR}))


def requests(count: int, seed: int) -> list[SlotRequest]:
    """Each candidate offers two windows of half a day to two days within four weeks."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        windows = []
        for _ in range(2):
            day = rng.randrange(0, 28)
            length = rng.choice((12, 24, 48))
            begin = START + timedelta(days=day, hours=rng.choice((0, 8, 12)))
            windows.append(Interval(begin, begin + timedelta(hours=length)))
        out.append(SlotRequest(timedelta(minutes=rng.choice((45, 60))), rng.choice((1, 1, 1, 2)),
                               tuple(sorted(windows, key=lambda w: w.start)), want=3))  # fmt: skip
    return out


def plan(reqs: list[SlotRequest], interviewers: int) -> tuple[list[Proposal], int, float]:
    calendars = [Calendar(i) for i in range(interviewers)]
    booked, unplaced = [], 0
    started = time.perf_counter()
    for req in reqs:
        options = propose(req, calendars, SH)
        if not options:
            unplaced += 1
            continue
        choice = options[0]
        for who in choice.interviewers:
            calendars[who].hold(choice.slot, SH)
        booked.append(choice)
    return booked, unplaced, time.perf_counter() - started


def naive_plan(reqs: list[SlotRequest], interviewers: int) -> float:
    """The same search for three spread options, but every check scans the interviewer's
    whole booking list and working hours are checked per interviewer."""
    held: list[list[Interval]] = [[] for _ in range(interviewers)]
    hours = Calendar(0).hours
    started = time.perf_counter()
    for req in reqs:
        options: list[tuple[Interval, list[int]]] = []
        for window in req.windows:
            t = window.start
            while t + req.duration <= window.end and len(options) < req.want:
                slot = Interval(t, t + req.duration)
                gap_ok = not options or t - options[-1][0].start >= req.min_gap
                free = [i for i in range(interviewers) if gap_ok and hours.contains(slot, SH)
                        and not any(slot.overlaps(b) for b in held[i])]  # fmt: skip
                if len(free) >= req.panel_size:
                    options.append((slot, free[: req.panel_size]))
                t += timedelta(minutes=30)
        if options:
            for i in options[0][1]:
                held[i].append(options[0][0])
    return time.perf_counter() - started


def conflicts(booked: list[Proposal]) -> int:
    per: dict[int, list[Interval]] = {}
    for p in booked:
        for who in p.interviewers:
            per.setdefault(who, []).append(p.slot)
    clashes = 0
    for slots in per.values():
        slots.sort(key=lambda s: s.start)
        clashes += sum(a.overlaps(b) for a, b in itertools.pairwise(slots))
    return clashes


async def book_through_service(
    reqs: list[SlotRequest], interviewers: int, url: str
) -> dict[str, float]:
    from recruiting.db import close_database, migrate_schema, open_database
    from recruiting.infra.pii import FieldCipher
    from recruiting.infra.sealed_fields import install_cipher
    from recruiting.models import (
        Application,
        Candidate,
        InterviewRound,
        InterviewSlot,
        JobOpening,
        Staff,
    )
    from recruiting.services.scheduling.slots import SchedulingRules, SchedulingService, SlotTaken

    install_cipher(FieldCipher({"bench": os.urandom(32)}, "bench"))  # names are sealed
    await migrate_schema(url)
    await open_database(url)
    try:
        job = await JobOpening.create(code=f"bench-{time.time_ns()}", title="基准岗位")
        rounds = {
            (minutes, panel): await InterviewRound.create(
                job=job, name=f"{minutes}m×{panel}", sequence=n, duration_minutes=minutes,
                panel_size=panel)
            for n, (minutes, panel) in enumerate(((45, 1), (60, 1), (45, 2), (60, 2)), 1)
        }  # fmt: skip
        tag = time.time_ns()
        staff = [
            await Staff.create(wecom_userid=f"b{tag}-{i}", name=f"面试官{i}", roles=["interviewer"])
            for i in range(interviewers)
        ]
        pool = [s.id for s in staff]
        service = SchedulingService(SchedulingRules(SH))
        booked = taken = unplaced = 0
        started = time.perf_counter()
        for n, req in enumerate(reqs):
            candidate = await Candidate.create(name=f"候选人{n}")
            application = await Application.create(candidate=candidate, job=job)
            round_ = rounds[(int(req.duration.total_seconds() // 60), req.panel_size)]
            options = await service.propose(HR, round_.id, req.windows, pool)
            if not options:
                unplaced += 1
                continue
            try:
                await service.book(HR, application.id, round_.id, options[0])
                booked += 1
            except SlotTaken:
                taken += 1
        elapsed = time.perf_counter() - started
        invitations = await prepare_invitations(job.id, pool, len(reqs))
        blocks = await InterviewSlot.filter(interviewer_id__in=pool).count()
        distinct = len(set(await InterviewSlot.filter(interviewer_id__in=pool)
                           .values_list("interviewer_id", "starts_at")))  # fmt: skip
        return {"seconds": elapsed, "booked": booked, "taken": taken, "unplaced": unplaced,
                "blocks": blocks, "duplicate_blocks": blocks - distinct, **invitations}  # fmt: skip
    finally:
        await close_database()


class _FakeWeCom:
    """Stands in for kf / external contact APIs: counts calls, answers at once."""

    def __init__(self) -> None:
        self.calls = 0

    async def send_msg(self, payload: dict[str, Any]) -> dict[str, Any]:
        self.calls += 1
        return {"msgid": str(payload.get("msgid", ""))}

    async def add_contact_way(self, payload: dict[str, Any]) -> dict[str, Any]:
        self.calls += 1
        return {"config_id": f"c{self.calls}", "qr_code": f"https://qr.example/{self.calls}"}

    async def add_msg_template(self, payload: dict[str, Any]) -> dict[str, Any]:
        self.calls += 1
        return {"msgid": f"t{self.calls}", "fail_list": []}


async def prepare_invitations(job_id: int, pool: list[int], count: int) -> dict[str, float]:
    """Invite ``count`` booked interviews: the ones just booked, topped up with interviews
    stored directly (later in the calendar) when some requests found no slot."""
    from recruiting.models import (
        Application,
        Candidate,
        Interview,
        InterviewAssignment,
        InterviewRound,
        OutboxMessage,
    )
    from recruiting.ports.outbound import Channel
    from recruiting.services.invitations.lifecycle import InterviewInvitations
    from recruiting.services.messaging.outbox import OutboxRelay
    from recruiting.services.scheduling.slots import SchedulingRules, SchedulingService
    from wecom_bot.candidate_channel import CandidateChannelSender

    ids = await Interview.filter(round__job_id=job_id).order_by("id").values_list("id", flat=True)
    round_ = await InterviewRound.filter(job_id=job_id).order_by("sequence").first()
    assert round_ is not None
    for n in range(len(ids), count):
        candidate = await Candidate.create(name=f"补充候选人{n}")
        application = await Application.create(candidate=candidate, job_id=job_id)
        at = START + timedelta(days=35 + n // 8, hours=9 + n % 8)
        interview = await Interview.create(application=application, round=round_, starts_at=at,
                                           ends_at=at + timedelta(minutes=45))  # fmt: skip
        await InterviewAssignment.create(interview=interview, interviewer_id=pool[n % len(pool)])
        ids.append(interview.id)
    service = InterviewInvitations(SchedulingService(SchedulingRules(SH)), SH)
    before = await OutboxMessage.all().count()
    started = time.perf_counter()
    for interview_id in ids:
        await service.invite(HR, int(cast(int, interview_id)))
    planned = time.perf_counter() - started
    rows = await OutboxMessage.all().count() - before
    fake = _FakeWeCom()
    relay = OutboxRelay({Channel.CANDIDATE: CandidateChannelSender(fake, fake, None)},
                        lease_seconds=60, max_attempts=3)  # fmt: skip
    pending = await OutboxMessage.filter(channel=Channel.CANDIDATE, status="pending").order_by(
        "id").values_list("id", flat=True)  # fmt: skip
    started = time.perf_counter()
    sent = sum([await relay.deliver(int(cast(int, i))) for i in pending])
    sending = time.perf_counter() - started
    return {"invited": len(ids), "invite_seconds": planned, "outbox_rows": rows,
            "sent": sent, "send_seconds": sending, "wecom_calls": fake.calls}  # fmt: skip


def _print_invitations(result: dict[str, float]) -> None:
    n = result["invited"]
    print(f"invitations: {n:.0f} prepared (invitation + state + outbox, one transaction each)")
    print(f"  plan and queue     {result['invite_seconds']:8.2f} s    "
          f"({n / result['invite_seconds']:,.0f} invitations/s, "
          f"{result['outbox_rows']:.0f} outbox rows: candidate messages + HR cards)")  # fmt: skip
    print(f"  sending (relay → candidate channel → fake WeCom) {result['send_seconds']:6.2f} s  "
          f"({result['sent'] / result['send_seconds']:,.0f} messages/s, "
          f"{result['wecom_calls']:.0f} WeCom calls)")  # fmt: skip
    floor = max(result["wecom_calls"] / 10_000, 0) * 60
    print(f"  WeCom limits: ≥ {floor:.0f} s for these calls at 10,000/min per API; HR cards "
          f"to one member at 30/min: ≥ {n / 30:.0f} min (spread over HR members)")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--interviews", type=int, default=1000)
    p.add_argument("--interviewers", type=int, default=50)
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument(
        "--postgres",
        default="",
        metavar="URL",
        help="e.g. postgres://postgres@127.0.0.1:5432/recruiting_bench (emptied first)",
    )
    args = p.parse_args(argv)
    reqs = requests(args.interviews, args.seed)

    booked, unplaced, seconds = plan(reqs, args.interviewers)
    naive = naive_plan(reqs, args.interviewers)
    print(f"planner: {len(booked)} interviews placed across {args.interviewers} interviewers "
          f"({unplaced} without a free slot in their windows)")  # fmt: skip
    print(f"  time               {seconds * 1000:8.1f} ms   ({len(reqs) / seconds:,.0f} plans/s)")
    print(f"  naive baseline     {naive * 1000:8.1f} ms   (ratio {naive / seconds:.1f}× slower)")
    print(f"  conflicts          {conflicts(booked):8d}")

    with tempfile.TemporaryDirectory() as tmp:
        url = args.postgres or f"sqlite://{tmp}/bench.sqlite3"
        if args.postgres:
            asyncio.run(_empty_postgres(args.postgres))
        result = asyncio.run(book_through_service(reqs, args.interviewers, url))
    where = "PostgreSQL" if args.postgres else "SQLite"
    print(f"use case on {where}: propose + book each in its own transaction")
    print(f"  time               {result['seconds']:8.2f} s    "
          f"({result['booked'] / result['seconds']:,.0f} bookings/s)")  # fmt: skip
    print(f"  booked / taken / unplaced   {result['booked']:.0f} / {result['taken']:.0f} / "
          f"{result['unplaced']:.0f}")  # fmt: skip
    print(f"  blocks held {result['blocks']:.0f}, duplicated {result['duplicate_blocks']:.0f} "
          "(the unique key makes this 0)")  # fmt: skip
    _print_invitations(result)
    return 0 if conflicts(booked) == 0 and result["duplicate_blocks"] == 0 else 1


async def _empty_postgres(url: str) -> None:
    import asyncpg

    base, _, name = url.rpartition("/")
    conn = await asyncpg.connect(f"{base}/postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


if __name__ == "__main__":
    raise SystemExit(main())
