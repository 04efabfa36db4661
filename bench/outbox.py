"""Outbox relay benchmark: EHR effects through the relay into the reference EHR, with faults.

Starts, as subprocesses on PostgreSQL + Redis: ``migrate``, the reference EHR
(``python -m ehr_adapter reference``, 10% injected faults: 500, 429 with Retry-After, a
timeout, a crash after commit) and N ``python -m recruiting worker`` processes (the relay
runs in them, as in production). Then:

1. throughput: N effects (4 per candidate: archive, employee, archive, employee) written to
   the outbox and queued; time until every one is delivered; then the receiver's records
   are checked: every key applied exactly once, nothing missing.
2. outage: the reference EHR is stopped, M more effects are written, and it stays down for
   ``--outage-seconds`` while the relays retry with backoff; then it is started again and the
   time until the outbox is drained is measured.
3. baselines in the same run: direct sequential POSTs without the relay (no retries), once
   against a clean receiver (the ceiling) and once with the same faults (what gets lost).

    .venv/bin/python bench/outbox.py                       # 10,000 effects, 300 s outage
    .venv/bin/python bench/outbox.py --outage-seconds 20   # iterate quickly
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parent.parent
if str(ROOT) not in sys.path:  # run as a script: make the project importable
    sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402
import redis.asyncio as aioredis  # noqa: E402

from recruiting.infra.pii import FieldCipher  # noqa: E402
from recruiting.ports.ehr import (  # noqa: E402
    CandidateArchive,
    CandidateProfile,
    CompetencyScore,
    Evidence,
    InterviewRecord,
    NewEmployee,
    ehr_draft,
)

HOST = "127.0.0.1"
PII_KEY = base64.b64encode(b"\x07" * 32).decode()
FAULTS = "500,429,timeout,crash_after_commit"


class BenchError(Exception):
    """Ends the run with a message instead of a traceback."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class Children:
    """Subprocesses, each in its own process group, logged to files."""

    def __init__(self, logdir: Path) -> None:
        self.logdir = logdir
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, argv: Sequence[str], env: dict[str, str]) -> None:
        with (self.logdir / f"{name}.log").open("ab") as log:
            self.procs[name] = subprocess.Popen(
                list(argv), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )  # fmt: skip

    def stop(self, name: str, grace: float = 10.0) -> None:
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)

    def stop_all(self) -> None:
        for name in list(self.procs)[::-1]:
            self.stop(name)


def env_for(args: argparse.Namespace, data_dir: Path, ehr_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"{args.pg}/{args.database}",
        "REDIS_URL": args.redis,
        "PII_KEYS": f"b1:{PII_KEY}",
        "DATA_DIR": str(data_dir),
        "EHR_ADAPTER": "rest",
        "EHR_BASE_URL": ehr_url,
        "RECRUITING__EHR__TIMEOUT": str(args.timeout),
        "RECRUITING__EHR__MAX_ATTEMPTS": str(args.max_attempts),
        "RECRUITING__EHR__BACKOFF_BASE": str(args.backoff_base),
        "RECRUITING__EHR__BACKOFF_CAP": str(args.backoff_cap),
        "RECRUITING__ANALYSIS__PROCESSES": "0",
    }


async def reset_stores(args: argparse.Namespace) -> None:
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", args.database):
        raise BenchError(f"--database {args.database!r}: use lowercase letters, digits, _")
    try:
        admin = await asyncpg.connect(f"{args.pg}/postgres", timeout=3)
        try:
            if not await admin.fetchval(
                "SELECT 1 FROM pg_database WHERE datname=$1", args.database
            ):
                await admin.execute(f'CREATE DATABASE "{args.database}"')
        finally:
            await admin.close()
        db = await asyncpg.connect(f"{args.pg}/{args.database}", timeout=3)
        try:
            await db.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        finally:
            await db.close()
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        raise BenchError(f"PostgreSQL is not reachable at {args.pg}: {exc}") from exc
    client = aioredis.from_url(args.redis, socket_connect_timeout=3)
    try:
        await client.flushdb()
    except aioredis.RedisError as exc:
        raise BenchError(f"Redis is not reachable at {args.redis}: {exc}") from exc
    finally:
        await client.aclose()


def effects(first_candidate: int, count: int, cipher: FieldCipher) -> list[tuple[str, str, str]]:
    """(idempotency key, recipient, payload JSON): 4 effects per candidate, in order."""
    rows = []
    for n in range(count):
        cid = first_candidate + n // 4
        profile = CandidateProfile(
            cid, f"候选人{cid}", phone=cipher.encrypt(f"139{cid:08d}", "candidate.phone")
        )
        score = CompetencyScore("沟通能力", 4.0, "human", "staff:3",
                                (Evidence("我先和客户确认了需求", "note:1"),))  # fmt: skip
        if n % 2 == 0:
            record: CandidateArchive | NewEmployee = CandidateArchive(
                cid, profile, "SALES-01", "销售代表", "hired", "2026-11-20T08:00:00+00:00",
                "zhangwei", "", (InterviewRecord(cid, "一面", "onsite", "done", None, (score,)),),
            )  # fmt: skip
        else:
            record = NewEmployee(cid, profile, "SALES-01", "销售代表", "华东", "上海", "2026-12-01")
        draft = ehr_draft(record, f"e{n}")
        rows.append((f"bench:{cid}:{n}", draft.recipient, json.dumps(draft.payload)))
    return rows


async def write_effects(db: asyncpg.Connection, rows: list[tuple[str, str, str]]) -> list[int]:
    ids = await db.fetch(
        """INSERT INTO outbox_message (idempotency_key, channel, recipient, payload, status,
               attempts, created_at, error)
           SELECT k, 'ehr', r, p::jsonb, 'pending', 0, now(), ''
           FROM unnest($1::text[], $2::text[], $3::text[]) AS t(k, r, p) RETURNING id""",
        [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows],
    )  # fmt: skip
    return [int(r["id"]) for r in ids]


async def queue(args: argparse.Namespace, ids: list[int]) -> None:
    client = aioredis.from_url(args.redis)
    try:
        for start in range(0, len(ids), 1000):
            chunk = [str(i) for i in ids[start : start + 1000]]
            await client.lpush("recruiting:queue:outbox", *chunk)
    finally:
        await client.aclose()


async def wait_drained(db: asyncpg.Connection, ids: list[int], timeout: float) -> float:
    """Seconds until every row is done or dead (raises on timeout)."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        left = await db.fetchval(
            "SELECT count(*) FROM outbox_message WHERE id = ANY($1) AND status IN "
            "('pending', 'processing')",
            ids,
        )
        if left == 0:
            return time.monotonic() - start
        await asyncio.sleep(0.2)
    raise BenchError(f"rows still unsent after {timeout:.0f} s")


async def outcome(db: asyncpg.Connection, ids: list[int]) -> dict[str, Any]:
    rows = await db.fetch(
        "SELECT status, count(*) n, sum(attempts) a, max(attempts) m FROM outbox_message "
        "WHERE id = ANY($1) GROUP BY status",
        ids,
    )
    by = {r["status"]: r for r in rows}
    keys = await db.fetch("SELECT idempotency_key FROM outbox_message WHERE id = ANY($1)", ids)
    done = by.get("done")
    return {
        "done": done["n"] if done else 0,
        "dead": by["failed"]["n"] if "failed" in by else 0,
        "attempts": sum(int(r["a"]) for r in rows),
        "max_attempts": max((int(r["m"]) for r in rows), default=0),
        "keys": {r["idempotency_key"] for r in keys},
    }


async def receiver(url: str) -> tuple[dict[str, Any], dict[str, Any]]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        stats = (await http.get("/_stats")).json()
        records = (await http.get("/_records")).json()
    return stats, records


async def wait_up(url: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(base_url=url, timeout=1) as http:
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get("/_stats")).status_code == 200:
                    return
            await asyncio.sleep(0.1)
    raise BenchError(f"the reference EHR did not start at {url}")


def reference_argv(port: int, args: argparse.Namespace, fail_rate: float) -> list[str]:
    return [
        sys.executable, "-m", "ehr_adapter", "reference", "--port", str(port),
        "--fail-rate", str(fail_rate), "--faults", FAULTS, "--seed", str(args.seed),
        "--retry-after", "1", "--hang-seconds", str(args.timeout * 3),
    ]  # fmt: skip


async def direct(url: str, rows: list[tuple[str, str, str]], timeout: float) -> tuple[float, int]:
    """Sequential POSTs without the relay or retries: (effects/s, failed)."""
    from ehr_adapter.config import DEFAULT_MAPPINGS
    from ehr_adapter.mapping import load_mapping
    from ehr_adapter.records import record_source
    from recruiting.ports.ehr import record_from_payload

    mapping = load_mapping(DEFAULT_MAPPINGS["rest"])
    failed = 0
    start = time.monotonic()
    async with httpx.AsyncClient(base_url=url, timeout=timeout) as http:
        for key, _, payload in rows:
            item = record_from_payload(json.loads(payload))
            section = "archive" if isinstance(item, CandidateArchive) else "employee"
            body = mapping.section(section).render(record_source(item, lambda s, f: "x"))
            path = "/v1/candidate-archives" if section == "archive" else "/v1/employees"
            try:
                response = await http.post(path, json=body, headers={"Idempotency-Key": key})
                failed += response.status_code >= 300
            except httpx.HTTPError:
                failed += 1
    return len(rows) / (time.monotonic() - start), failed


def verdict(ok: bool) -> str:
    return "OK" if ok else "FAIL"


async def run(args: argparse.Namespace) -> None:
    await reset_stores(args)
    logdir = Path(tempfile.mkdtemp(prefix="bench-outbox-"))
    data_dir = logdir / "data"
    port = free_port()
    url = f"http://{HOST}:{port}"
    env = env_for(args, data_dir, url)
    children = Children(logdir)
    cipher = FieldCipher({"b1": base64.b64decode(PII_KEY)}, "b1")
    print(f"· {os.cpu_count()} cores; logs in {logdir}", flush=True)
    try:
        migrate = await asyncio.to_thread(
            subprocess.run, [sys.executable, "-m", "recruiting", "migrate"], cwd=ROOT, env=env,
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if migrate.returncode:
            raise BenchError(f"migrate failed:\n{migrate.stderr[-2000:]}")
        children.start("reference", reference_argv(port, args, args.fail_rate), env)
        await wait_up(url)
        db = await asyncpg.connect(f"{args.pg}/{args.database}")
        try:
            await phases(args, db, children, env, port, cipher)
        finally:
            await db.close()
    finally:
        children.stop_all()


async def phases(
    args: argparse.Namespace,
    db: asyncpg.Connection,
    children: Children,
    env: dict[str, str],
    port: int,
    cipher: FieldCipher,
) -> None:
    url = f"http://{HOST}:{port}"
    for n in range(args.workers):
        children.start(f"worker{n}", [sys.executable, "-m", "recruiting", "worker"], env)
    await asyncio.sleep(3)  # workers open their pools and sweep once
    print(f"· {args.workers} worker processes (16 deliveries in flight each), reference EHR "
          f"with {args.fail_rate:.0%} faults ({FAULTS}), client timeout {args.timeout:g} s, "
          f"backoff base {args.backoff_base:g} s cap {args.backoff_cap:g} s, "
          f"dead letter after {args.max_attempts} attempts", flush=True)  # fmt: skip

    # 1. throughput with faults
    rows = effects(1, args.count, cipher)
    ids = await write_effects(db, rows)
    start = time.monotonic()
    await queue(args, ids)
    took = await wait_drained(db, ids, args.drain_timeout)
    got = await outcome(db, ids)
    stats, records = await receiver(url)
    lost = len(got["keys"] - set(records))
    extra = len(set(records) - got["keys"])  # applied under a key no effect has
    again = sum(1 for r in records.values() if r["deliveries"] > 1)
    print(f"\n== relay: {args.count} effects, {args.fail_rate:.0%} injected failures ==")
    print(f"delivered {got['done']} in {took:.1f} s = {got['done'] / took:.0f} effects/s "
          f"(queue to last ack: {time.monotonic() - start:.1f} s)")  # fmt: skip
    print(f"faults injected: {stats['faults']}; attempts {got['attempts']} "
          f"(max {got['max_attempts']} for one effect); dead-lettered {got['dead']}")  # fmt: skip
    print(f"receiver: {stats['applied']} records applied from {stats['deliveries']} deliveries; "
          f"{again} effects arrived more than once (answer lost, re-sent with the same key) "
          f"and were applied once")  # fmt: skip
    ok = lost == 0 and extra == 0 and stats["applied"] == args.count == got["done"]
    print(f"lost: {lost}, duplicates applied: {stats['applied'] - args.count + lost} "
          f"(records under unknown keys: {extra}) [{verdict(ok)}]")  # fmt: skip

    # 2. outage
    children.stop("reference")
    rows = effects(1 + args.count // 4 + 1, args.outage_count, cipher)
    ids = await write_effects(db, rows)
    await queue(args, ids)
    print(f"\n== outage: reference EHR down for {args.outage_seconds:g} s, "
          f"{args.outage_count} effects written at its start ==", flush=True)  # fmt: skip
    await asyncio.sleep(args.outage_seconds)
    mid = await outcome(db, ids)
    children.start("reference2", reference_argv(port, args, 0.0), env)
    await wait_up(url)
    restarted = time.monotonic()
    drained = await wait_drained(db, ids, args.drain_timeout)
    got = await outcome(db, ids)
    stats, records = await receiver(url)
    lost = len(got["keys"] - set(records))
    print(f"during the outage: {mid['attempts']} attempts, max {mid['max_attempts']} for one "
          f"effect, {mid['dead']} dead-lettered")  # fmt: skip
    total = time.monotonic() - restarted
    print(f"time to drain after the EHR came back: {drained:.1f} s "
          f"({got['done']} effects; {total:.1f} s incl. checks)")  # fmt: skip
    print(f"lost: {lost}, dead-lettered: {got['dead']}, applied: {stats['applied']} "
          f"[{verdict(lost == 0 and stats['applied'] == args.outage_count)}]")  # fmt: skip

    # 3. baselines
    for n in range(args.workers):
        children.stop(f"worker{n}")
    children.stop("reference2")
    children.start("reference3", reference_argv(port, args, 0.0), env)
    await wait_up(url)
    base = effects(10**6, args.baseline_count, cipher)
    clean_rate, _ = await direct(url, base, args.timeout)
    children.stop("reference3")
    children.start("reference4", reference_argv(port, args, args.fail_rate), env)
    await wait_up(url)
    faulty_rate, failed = await direct(url, effects(2 * 10**6, args.baseline_count, cipher),
                                       args.timeout)  # fmt: skip
    print(f"\n== baseline: direct sequential POSTs, no relay, no retries "
          f"({args.baseline_count} effects) ==")  # fmt: skip
    print(f"clean receiver: {clean_rate:.0f} effects/s")
    print(f"{args.fail_rate:.0%} faults: {faulty_rate:.0f} effects/s, lost {failed} "
          f"({failed / args.baseline_count:.1%})")  # fmt: skip


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--count", type=int, default=10_000, help="effects in the throughput phase")
    p.add_argument("--fail-rate", type=float, default=0.10)
    p.add_argument("--outage-seconds", type=float, default=300.0)
    p.add_argument("--outage-count", type=int, default=2_000)
    p.add_argument("--baseline-count", type=int, default=1_000)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--timeout", type=float, default=1.0, help="EHR client timeout, seconds")
    p.add_argument("--max-attempts", type=int, default=20)
    p.add_argument("--backoff-base", type=float, default=2.0, help="as config.yaml ehr:")
    p.add_argument("--backoff-cap", type=float, default=600.0)
    p.add_argument("--drain-timeout", type=float, default=1800.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    p.add_argument("--database", default="recruiting_bench_outbox", help="dropped and recreated")
    # Not the other benches' database and Redis db: they wipe theirs when they start.
    p.add_argument("--redis", default="redis://127.0.0.1:6379/13", help="FLUSHDB'd at start")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        asyncio.run(run(args))
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
