"""Callback ingestion benchmark: how fast does one web worker acknowledge WeCom callbacks?

WeCom retries a callback that is not answered within 5 s, so the gateway must verify, store
and answer quickly while a separate worker does the real work. This script starts the whole
stack as subprocesses (migrations, WeCom sandbox, ONE web worker with ``serve --no-workers``,
one ``worker`` process) on PostgreSQL + Redis, plus a bare Sanic app as the ceiling, and
drives both with a small keep-alive HTTP/1.1 client written on asyncio streams (an httpx
client would burn the CPU it is meant to measure on a small box).

Two phases per target: an open loop at a fixed rate (latency measured from each request's
scheduled send time, so a stalled server cannot hide behind a waiting client) and a closed
loop (as fast as N connections allow). Afterwards it checks that the worker stored every
unique callback once and queued exactly one reply per text message.

    .venv/bin/python bench/callbacks.py [--rate 500 --seconds 10 --concurrency 32] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import itertools
import math
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlencode

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parent.parent
if str(ROOT) not in sys.path:  # run as a script: make the project importable
    sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402
import redis.asyncio as aioredis  # noqa: E402
from sanic import Request, Sanic  # noqa: E402
from sanic.response import HTTPResponse, text  # noqa: E402

from recruiting.settings import ENV_NAMES, Settings, load_settings  # noqa: E402
from wecom_bot import xmlcodec  # noqa: E402
from wecom_bot.events import dedup_key  # noqa: E402
from wecom_bot.sandbox.pusher import CallbackPusher, new_msg_id  # noqa: E402

HOST = "127.0.0.1"
STAFF = ("zhangwei", "lina", "wangqiang", "chenjing")  # recruiting/services/demo.py
VISITOR = "visitor"  # a corp member who is not staff: gets the "contact HR" reply
MEMBERS = (*STAFF, VISITOR)
STAFF_TEXTS = ("帮助", "我的面试", "help", "明天下午的面试几点开始？", "？")
# Share of unique callbacks per kind (the traffic mix); duplicates come on top.
MIX: dict[str, int] = {
    "text_staff": 40,
    "text_visitor": 10,
    "voice": 10,
    "image": 5,
    "enter_agent": 10,
    "card": 10,
    "approval": 5,
    "schedule": 5,
    "unknown": 5,
}
TEXT_KINDS = frozenset({"text_staff", "text_visitor"})
DUPLICATE_SHARE = 0.10
REQUEST_TIMEOUT = 10.0  # a bounded wait per request; WeCom itself gives up after 5 s
TARGET_P99_MS = 50.0
TARGET_RATE = 500
TARGET_RATIO = 0.30
LOG_MARKERS = ("Traceback", " ERROR ", "CRITICAL")


# -- payloads -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Payload:
    """One encrypted callback ready to send; ``key`` is the service's own de-dup key."""

    key: str
    kind: str
    query: str
    body: bytes

    def request(self, host_port: str) -> bytes:
        head = (
            f"POST /wecom/callback?{self.query} HTTP/1.1\r\nHost: {host_port}\r\n"
            f"Content-Type: text/xml\r\nContent-Length: {len(self.body)}\r\n\r\n"
        )
        return head.encode() + self.body


class PayloadFactory:
    """Builds the traffic mix with the sandbox's own pusher, so every byte is what WeCom
    would send. Each unique payload gets a distinct de-dup key (checked, not assumed)."""

    def __init__(self, settings: Settings, http: httpx.AsyncClient, seed: int) -> None:
        w = settings.wecom
        self.pusher = CallbackPusher(
            "http://unused", w.token, w.encoding_aes_key, w.corp_id, w.agent_id, http
        )
        self.rng = random.Random(seed)
        self.serial = itertools.count(1)
        self.epoch = int(time.time())
        self.seen: set[str] = set()
        self.builders: dict[str, Callable[[int], bytes]] = {
            "text_staff": self._text_staff,
            "text_visitor": lambda n: self.pusher.text(VISITOR, "你好，请问怎么报名？"),
            "voice": lambda n: self.pusher.voice(self._member(), f"bench-voice-{n}"),
            "image": lambda n: self.pusher.image(self._member(), f"bench-img-{n}"),
            "enter_agent": self._enter_agent,
            "card": self._card,
            "approval": self._approval,
            "schedule": lambda n: self.pusher.schedule_event("modify_schedule", f"bench-{n}"),
            "unknown": self._location,
        }

    def _member(self) -> str:
        return self.rng.choice(MEMBERS)

    def _text_staff(self, n: int) -> bytes:
        return self.pusher.text(self.rng.choice(STAFF), self.rng.choice(STAFF_TEXTS))

    def _enter_agent(self, n: int) -> bytes:
        # Its de-dup key is sender + CreateTime, so each one gets its own (past) second,
        # as a real member could not enter the app twice in one second.
        fields = {"EventKey": ""}
        return self.pusher.build_plaintext(
            "event",
            fields,
            from_user=self._member(),
            event="enter_agent",
            create_time=self.epoch - n,
        )

    def _card(self, n: int) -> bytes:
        return self.pusher.card_event(
            self.rng.choice(STAFF),
            task_id=f"bench-task-{n}",
            card_type="button_interaction",
            key=f"schedule.booked:{n}",  # a routed, inert button: routing without side effects
            response_code=secrets.token_hex(8),
        )

    def _approval(self, n: int) -> bytes:
        info = {
            "SpNo": f"2026{n:010d}",
            "SpName": "录用审批",
            "SpStatus": 1,
            "TemplateId": "bench-offer",
            "ApplyTime": self.epoch,
            "Applyer": {"UserId": "lina", "Party": "1"},
            "SpRecord": [{"SpStatus": 1, "ApproverAttr": 1, "Details": [{"SpStatus": 1}]}],
            "StatuChangeEvent": 1,
        }
        return self.pusher.approval_change(info)

    def _location(self, n: int) -> bytes:
        fields = {"Location_X": "39.9", "Location_Y": "116.4", "Scale": 15, "Label": "北京"}
        fields["MsgId"] = new_msg_id()
        return self.pusher.build_plaintext("location", fields, from_user=self._member())

    def unique(self) -> Payload:
        kind = self.rng.choices(list(MIX), weights=list(MIX.values()))[0]
        plaintext = self.builders[kind](next(self.serial))
        key = dedup_key(xmlcodec.parse(plaintext))
        if key in self.seen:
            raise RuntimeError(f"bench bug: two unique payloads share the de-dup key {key}")
        self.seen.add(key)
        env = self.pusher.envelope(plaintext)  # signed with the current timestamp
        return Payload(key, kind, urlencode(env.params), env.body)

    def sequence(self, count: int, gap: int) -> list[Payload]:
        """``count`` requests; ~10% re-send a payload sent at least ``gap`` requests earlier
        (WeCom's retry after a lost answer), the rest are new."""
        out: list[Payload] = []
        uniques: list[Payload] = []
        for _ in range(count):
            if len(uniques) > gap and self.rng.random() < DUPLICATE_SHARE:
                out.append(self.rng.choice(uniques[-gap - 500 : -gap]))
                continue
            uniques.append(self.unique())
            out.append(uniques[-1])
        return out


# -- load client ----------------------------------------------------------------------------


class Connection:
    """One keep-alive HTTP/1.1 connection; reconnects after an error or ``close``."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def exchange(self, raw: bytes) -> int:
        """Send one request, read the whole answer; the status, or 0 when none came."""
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT):
                if self.reader is None or self.writer is None:
                    self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
                self.writer.write(raw)
                await self.writer.drain()
                status, length, close = _parse_head(await self.reader.readuntil(b"\r\n\r\n"))
                if length:
                    await self.reader.readexactly(length)
        except (OSError, TimeoutError, ValueError, asyncio.IncompleteReadError):
            await self.close()
            return 0
        if close:
            await self.close()
        return status

    async def close(self) -> None:
        writer, self.reader, self.writer = self.writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


def _parse_head(head: bytes) -> tuple[int, int, bool]:
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length, close = 0, False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding":
            raise ValueError("chunked answers are not expected here")
        elif name == b"connection":
            close = value.strip().lower() == b"close"
    return status, length, close


@dataclass(frozen=True)
class Sample:
    index: int  # position in the phase's request list
    latency: float  # seconds
    status: int


@dataclass
class PhaseResult:
    target: str
    phase: str
    samples: list[Sample]
    elapsed: float
    payloads: list[Payload]
    note: str = ""
    schedule: float = 0.0  # requests/s of an open loop (0: closed loop)
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return len(self.samples) / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def errors(self) -> int:
        return sum(1 for s in self.samples if s.status != 200)

    def percentile_ms(self, q: float) -> float:
        ordered = sorted(s.latency for s in self.samples)
        if not ordered:
            return math.nan
        return 1000 * ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]

    def p99_by_second(self) -> list[float]:
        """Open loop only: p99 of the requests due in each second, to tell a steady queue
        from a few stalls."""
        buckets: dict[int, list[float]] = {}
        for s in self.samples:
            buckets.setdefault(int(s.index / self.schedule), []).append(s.latency)
        p99 = []
        for second in sorted(buckets):
            ordered = sorted(buckets[second])
            p99.append(1000 * ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)])
        return p99


async def _with_connections(
    port: int, count: int, work: Callable[[Connection], Awaitable[None]]
) -> None:
    conns = [Connection(port) for _ in range(count)]
    try:
        await asyncio.gather(*(work(c) for c in conns))
    finally:
        await asyncio.gather(*(c.close() for c in conns))


async def closed_loop(
    target: str, port: int, payloads: list[Payload], concurrency: int, seconds: float, cycle: bool
) -> PhaseResult:
    """Every connection sends its next request as soon as the previous one is answered."""
    raws = [p.request(f"{HOST}:{port}") for p in payloads]
    counter = itertools.count()
    samples: list[Sample] = []
    exhausted = False
    start = time.perf_counter()
    deadline = start + seconds

    async def work(conn: Connection) -> None:
        nonlocal exhausted
        while time.perf_counter() < deadline:
            i = next(counter)
            if i >= len(raws) and not cycle:
                exhausted = True
                return
            t0 = time.perf_counter()
            status = await conn.exchange(raws[i % len(raws)])
            samples.append(Sample(i % len(raws), time.perf_counter() - t0, status))

    await _with_connections(port, concurrency, work)
    elapsed = time.perf_counter() - start
    note = "payload pool ran out (raise --pool)" if exhausted else ""
    return PhaseResult(target, f"closed c={concurrency}", samples, elapsed, payloads, note)


async def open_loop(
    target: str, port: int, payloads: list[Payload], rate: float, concurrency: int
) -> PhaseResult:
    """Request i is due at start + i/rate; its latency counts from then, not from when a
    free connection finally sent it (no coordinated omission)."""
    raws = [p.request(f"{HOST}:{port}") for p in payloads]
    counter = itertools.count()
    samples: list[Sample] = []
    start = time.perf_counter() + 0.05

    async def work(conn: Connection) -> None:
        while (i := next(counter)) < len(raws):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            status = await conn.exchange(raws[i])
            samples.append(Sample(i, time.perf_counter() - due, status))

    await _with_connections(port, concurrency, work)
    elapsed = time.perf_counter() - start
    return PhaseResult(target, f"open {rate:g}/s", samples, elapsed, payloads, schedule=rate)


# -- processes ------------------------------------------------------------------------------


class Children:
    """Every subprocess of the bench, each in its own process group, logged to a file."""

    def __init__(self, logdir: Path) -> None:
        self.logdir = logdir
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.logs: dict[str, Path] = {}

    def start(self, name: str, argv: Sequence[str], env: dict[str, str]) -> None:
        path = self.logdir / f"{name}.log"
        with path.open("ab") as log:
            self.procs[name] = subprocess.Popen(
                list(argv), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )  # fmt: skip
        self.logs[name] = path

    def check(self, name: str) -> None:
        code = self.procs[name].poll()
        if code is not None:
            raise BenchError(f"{name} exited with {code}; log:\n{tail(self.logs[name])}")

    def stop_all(self, grace: float = 10.0) -> None:
        live = [p for p in reversed(self.procs.values()) if p.poll() is None]
        for proc in live:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for proc in live:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)


class BenchError(Exception):
    """A problem that ends the run with a message instead of a traceback."""


def tail(path: Path, lines: int = 20) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Ports:
    service: int = field(default_factory=free_port)
    sandbox: int = field(default_factory=free_port)
    bare: int = field(default_factory=free_port)


def service_env(args: argparse.Namespace, ports: Ports, data_dir: Path) -> dict[str, str]:
    """The environment of every service process: inherited settings are dropped so only
    the bench's wiring applies (sandbox corp, bench database, Redis db, fresh PII key)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ENV_NAMES and not k.startswith("RECRUITING__") and k != "CONFIG_FILE"
    }
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    env.update(
        HOST=HOST,
        PORT=str(ports.service),
        WEB_WORKERS="1",
        DATABASE_URL=f"{args.pg}/{args.database}",
        REDIS_URL=args.redis,
        PII_KEYS=f"bench:{key}",
        SANDBOX_PORT=str(ports.sandbox),
        SANDBOX_CALLBACK_URL=f"http://{HOST}:{ports.service}/wecom/callback",
        DATA_DIR=str(data_dir),
        WECOM_CORP_ID="",
        PYTHONUNBUFFERED="1",
    )
    return env


async def wait_http(children: Children, name: str, port: int, path: str) -> None:
    """Poll a GET route until it answers 200 (30 s at most), failing fast if the process died."""
    deadline = time.monotonic() + 30
    async with httpx.AsyncClient(timeout=1.0) as client:
        while time.monotonic() < deadline:
            children.check(name)
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(f"http://{HOST}:{port}{path}")).status_code == 200:
                    return
            await asyncio.sleep(0.2)
    raise BenchError(f"{name} did not answer GET {path} within 30 s:\n{tail(children.logs[name])}")


async def start_stack(children: Children, env: dict[str, str], ports: Ports) -> None:
    python = sys.executable
    log = children.logdir / "migrate.log"
    with log.open("wb") as out:
        done = await asyncio.to_thread(
            subprocess.run, [python, "-m", "recruiting", "migrate"], cwd=ROOT, env=env,
            stdout=out, stderr=subprocess.STDOUT, timeout=180, check=False,
        )  # fmt: skip
    if done.returncode != 0:
        raise BenchError(f"migrate failed ({done.returncode}):\n{tail(log)}")
    children.start("sandbox", [python, "-m", "recruiting", "sandbox"], env)
    await wait_http(children, "sandbox", ports.sandbox, "/")
    children.start("service", [python, "-m", "recruiting", "serve", "--no-workers"], env)
    await wait_http(children, "service", ports.service, "/healthz")
    children.start("worker", [python, "-m", "recruiting", "worker"], env)
    bare_env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    children.start("bare", [python, str(SCRIPT), "--bare-server", str(ports.bare)], bare_env)
    await wait_http(children, "bare", ports.bare, "/healthz")


def run_bare_server(port: int) -> None:
    """The ceiling: the same framework and loop, no verification, no storage."""

    app = Sanic("bench_bare", configure_logging=False)

    @app.post("/wecom/callback")
    async def callback(request: Request) -> HTTPResponse:
        return text("")

    @app.get("/healthz")
    async def health(request: Request) -> HTTPResponse:
        return text("ok")

    app.run(host=HOST, port=port, single_process=True, access_log=False, motd=False)


class CpuMeter:
    """CPU used by each bench process and by the whole machine over an interval, in % of
    one core (Linux /proc). On a small box the stack's processes compete with each other
    and with anything else running, which the latency figures alone do not show."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self.t0 = time.monotonic()
        self.start = {name: _proc_ticks(pid) for name, pid in pids.items()}
        self.machine = _machine_busy_ticks()

    def read(self) -> dict[str, float]:
        hz = os.sysconf("SC_CLK_TCK")
        seconds = max(time.monotonic() - self.t0, 1e-6)
        used = {
            name: 100 * (_proc_ticks(pid) - self.start[name]) / hz / seconds
            for name, pid in self.pids.items()
        }
        used["machine"] = 100 * (_machine_busy_ticks() - self.machine) / hz / seconds
        return used


def _proc_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


def _machine_busy_ticks() -> int:
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return 0
    return sum(values) - values[3] - values[4]  # all but idle and iowait


# -- databases ------------------------------------------------------------------------------


async def prepare_databases(args: argparse.Namespace) -> None:
    """Fail early with a plain message if PostgreSQL or Redis is missing (before wiping
    either); then start clean: a fresh schema and an empty Redis db."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", args.database):
        raise BenchError(f"--database {args.database!r}: use lowercase letters, digits, _")
    client = aioredis.from_url(args.redis, socket_connect_timeout=3)
    try:
        await client.ping()
        admin = await asyncpg.connect(f"{args.pg}/postgres", timeout=3)
        try:
            await _recreate_database(admin, args)
        finally:
            await admin.close()
        await client.flushdb()
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        raise BenchError(f"PostgreSQL is not reachable at {args.pg}: {exc}") from exc
    except aioredis.RedisError as exc:
        raise BenchError(f"Redis is not reachable at {args.redis}: {exc}") from exc
    finally:
        await client.aclose()


async def _recreate_database(admin: asyncpg.Connection, args: argparse.Namespace) -> None:
    if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname=$1", args.database):
        await admin.execute(f'CREATE DATABASE "{args.database}"')
    db = await asyncpg.connect(f"{args.pg}/{args.database}", timeout=3)
    try:
        await db.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await db.close()


# Rows of the timed phases: inbox rows after the warm-up, and the replies to those rows
# (an outbox key is "inbox:<inbox id>:<draft>"), whatever order the worker wrote them in.
SCOPE = {
    "inbox_event": "id > $1",
    "outbox_message": "substring(idempotency_key from '^inbox:([0-9]+):')::bigint > $1",
}


async def status_counts(db: asyncpg.Connection, table: str, after_id: int) -> Counter[str]:
    rows = await db.fetch(
        f"SELECT status, count(*) AS n FROM {table} WHERE {SCOPE[table]} GROUP BY status",
        after_id,
    )
    return Counter({str(r["status"]): int(r["n"]) for r in rows})


async def max_id(db: asyncpg.Connection, table: str) -> int:
    return int(await db.fetchval(f"SELECT coalesce(max(id), 0) FROM {table}"))


# -- phases ---------------------------------------------------------------------------------


@dataclass
class Run:
    args: argparse.Namespace
    ports: Ports
    factory: PayloadFactory
    db: asyncpg.Connection
    pids: dict[str, int]
    results: list[PhaseResult] = field(default_factory=list)

    def log(self, text: str) -> None:
        print(f"· {text}", flush=True)


async def warm_up(run: Run) -> None:
    """Callbacks end to end (gateway → worker → reply in the sandbox): proves the worker is
    up and fetches the access token, so the timed phases do not pay for it."""
    payloads = run.factory.sequence(50, gap=10)  # a few of each kind, warms the code paths
    for port in (run.ports.service, run.ports.bare):
        conn = Connection(port)
        statuses = [await conn.exchange(p.request(f"{HOST}:{port}")) for p in payloads]
        await conn.close()
        if set(statuses) != {200}:
            raise BenchError(f"warm-up callbacks to port {port} answered {Counter(statuses)}")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        inbox = await status_counts(run.db, "inbox_event", 0)
        outbox = await status_counts(run.db, "outbox_message", 0)
        if inbox["pending"] + inbox["processing"] == 0 and outbox["done"] >= 1:
            return
        await asyncio.sleep(0.2)
    raise BenchError("warm-up callbacks were not processed and answered within 30 s")


async def run_phases(run: Run, target: str, port: int) -> None:
    """Open loop first (the issue's target, on a quiet stack), then the closed loop.
    Payloads are built right before each phase so their timestamps are fresh."""
    a = run.args
    bare = target == "bare"
    count = int(a.rate * a.seconds)
    run.log(f"{target}: building {count} callbacks for the open loop")
    payloads = run.factory.sequence(count, a.concurrency)
    run.log(f"{target}: open loop, {a.rate:g}/s for {a.seconds:g} s")
    meter = CpuMeter(run.pids)
    result = await open_loop(target, port, payloads, a.rate, a.concurrency)
    result.cpu = meter.read()
    run.results.append(result)
    pool = min(a.pool, 5000) if bare else a.pool  # the bare app ignores content: cycle
    run.log(f"{target}: building {pool} callbacks for the closed loop")
    payloads = run.factory.sequence(pool, a.concurrency)
    run.log(f"{target}: closed loop, {a.concurrency} connections for {a.seconds:g} s")
    meter = CpuMeter(run.pids)
    result = await closed_loop(target, port, payloads, a.concurrency, a.seconds, cycle=bare)
    result.cpu = meter.read()
    run.results.append(result)


# -- report ---------------------------------------------------------------------------------


def print_table(results: Iterable[PhaseResult]) -> None:
    head = f"{'target':8} {'phase':14} {'requests':>8} {'req/s':>8} {'p50 ms':>8}"
    print(f"{head} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>6}  note")
    for r in results:
        cells = [r.percentile_ms(q) for q in (0.50, 0.95, 0.99, 1.0)]
        lat = " ".join(f"{c:8.2f}" for c in cells)
        line = f"{r.target:8} {r.phase:14} {len(r.samples):8d} {r.rate:8.1f} {lat} {r.errors:6d}"
        print(f"{line}  {r.note}".rstrip())


def print_cpu(results: Iterable[PhaseResult]) -> None:
    cores = os.cpu_count() or 1
    print(f"\nCPU per phase, % of one core ({cores} cores = {100 * cores}%):")
    print("  ('others' = PostgreSQL, Redis and anything else running on the machine)")
    for r in results:
        ours = {k: v for k, v in r.cpu.items() if k != "machine"}
        machine = r.cpu.get("machine", 0.0)
        used = ", ".join(f"{k} {v:.0f}" for k, v in ours.items())
        others = max(machine - sum(ours.values()), 0.0)
        print(f"  {r.target:8} {r.phase:14} {used}, others {others:.0f} | machine {machine:.0f}")
    for r in results:
        if r.schedule:
            series = " ".join(f"{v:.0f}" for v in r.p99_by_second())
            print(f"p99 ms by second, {r.target} {r.phase}: {series}")


def find(results: list[PhaseResult], target: str, phase: str) -> PhaseResult:
    return next(r for r in results if r.target == target and r.phase.startswith(phase))


def print_verdicts(results: list[PhaseResult], rate: float) -> None:
    service_open, bare_open = find(results, "service", "open"), find(results, "bare", "open")
    service_closed, bare_closed = (
        find(results, "service", "closed"),
        find(results, "bare", "closed"),
    )
    ratio = service_closed.rate / bare_closed.rate if bare_closed.rate else 0.0
    print()
    print(f"service/bare throughput, closed loop: {ratio:.1%}")
    p99 = service_open.percentile_ms(0.99)
    print(f"service/bare p99 at {rate:g}/s: {p99:.2f} ms vs {bare_open.percentile_ms(0.99):.2f} ms")
    kept_up = service_open.rate >= 0.95 * rate and service_open.errors == 0
    met = p99 < TARGET_P99_MS and kept_up
    where = "" if rate == TARGET_RATE else f" [measured at {rate:g}/s, not {TARGET_RATE}/s]"
    print(f"target p99 ack < {TARGET_P99_MS:g} ms at {TARGET_RATE} callbacks/s on one web worker: "
          f"{'MET' if met else 'NOT MET'} (p99 {p99:.2f} ms, {service_open.rate:.1f}/s achieved, "
          f"{service_open.errors} non-200){where}")  # fmt: skip
    print(f"target throughput >= {TARGET_RATIO:.0%} of the bare Sanic baseline: "
          f"{'MET' if ratio >= TARGET_RATIO else 'NOT MET'} ({ratio:.1%} = "
          f"{service_closed.rate:.0f} / {bare_closed.rate:.0f} req/s)")  # fmt: skip


@dataclass(frozen=True)
class Expected:
    """What the database must hold, derived from what the service acknowledged."""

    sent: int
    duplicates_sent: int
    accepted: int  # unique payloads answered 200 at least once
    texts: int  # ... of which text messages (each must get one reply)
    unanswered_only: int  # unique payloads never answered 200 (may or may not be stored)


def expected(results: list[PhaseResult]) -> Expected:
    sent, dups = 0, 0
    seen: set[str] = set()
    accepted: dict[str, str] = {}
    for r in results:
        if r.target != "service":
            continue
        for s in sorted(r.samples, key=lambda s: s.index):
            payload = r.payloads[s.index]
            sent += 1
            dups += payload.key in seen
            seen.add(payload.key)
            if s.status == 200:
                accepted[payload.key] = payload.kind
    texts = sum(1 for kind in accepted.values() if kind in TEXT_KINDS)
    return Expected(sent, dups, len(accepted), texts, len(seen) - len(accepted))


async def drain(run: Run, after_id: int) -> tuple[int, float, bool]:
    """Wait until the worker has finished every inbox row (bounded by --drain-timeout);
    returns the backlog at the end of the load, the time taken, and whether it finished."""
    start = time.monotonic()
    counts = await status_counts(run.db, "inbox_event", after_id)
    backlog = counts["pending"] + counts["processing"]
    while time.monotonic() - start < run.args.drain_timeout:
        counts = await status_counts(run.db, "inbox_event", after_id)
        if counts["pending"] + counts["processing"] == 0:
            return backlog, time.monotonic() - start, True
        await asyncio.sleep(0.5)
    return backlog, time.monotonic() - start, False


def fmt_counts(counts: Counter[str]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"


def check(ok: bool) -> str:
    return "OK" if ok else "MISMATCH"


async def print_inbox(
    run: Run, exp: Expected, after: int, drained: tuple[int, float, bool]
) -> None:
    backlog, took, finished = drained
    inbox = await status_counts(run.db, "inbox_event", after)
    total = sum(inbox.values())
    print(f"requests sent to the service: {exp.sent} ({exp.duplicates_sent} exact re-sends)")
    print(f"unique callbacks acknowledged (200): {exp.accepted}; never acknowledged: "
          f"{exp.unanswered_only}")  # fmt: skip
    print(f"inbox rows: {total} [{check(total == exp.accepted)}: duplicates stored once] "
          f"by status: {fmt_counts(inbox)}")  # fmt: skip
    span = await run.db.fetchrow(
        "SELECT count(*) AS n, extract(epoch FROM max(processed_at) - min(received_at)) AS s "
        "FROM inbox_event WHERE id > $1 AND processed_at IS NOT NULL", after
    )  # fmt: skip
    rate = span["n"] / float(span["s"]) if span["s"] else 0.0
    state = "finished" if finished else "NOT finished"
    drain_rate = f" ({backlog / took:.0f} rows/s)" if finished and took > 0 else ""
    print(f"worker: backlog {backlog} rows at end of load, {state} after {took:.1f} s"
          f"{drain_rate}; {span['n']} rows done at {rate:.0f} rows/s overall "
          "(first receipt → last done)")  # fmt: skip
    for row in await run.db.fetch(
        "SELECT kind, error, count(*) AS n FROM inbox_event WHERE id > $1 AND error <> '' "
        "GROUP BY kind, error ORDER BY n DESC LIMIT 5", after
    ):  # fmt: skip
        print(f"  inbox error x{row['n']} ({row['kind']}): {row['error'][:160]}")


async def print_outbox(run: Run, exp: Expected, after: int) -> None:
    """Every processed text must have exactly one reply row; the rows not yet processed
    (worker still behind) are reported, not counted as failures."""
    outbox = await status_counts(run.db, "outbox_message", after)
    row = await run.db.fetchrow(  # one statement, one snapshot: the worker may still run
        f"SELECT (SELECT count(*) FROM outbox_message WHERE {SCOPE['outbox_message']}) AS rows, "
        "(SELECT count(DISTINCT split_part(idempotency_key, ':', 2)) FROM outbox_message "
        f"WHERE {SCOPE['outbox_message']}) AS replied, (SELECT count(*) FROM inbox_event "
        "WHERE id > $1 AND kind = 'text' AND status = 'done') AS texts_done", after
    )  # fmt: skip
    rows, replied, texts_done = row["rows"], row["replied"], row["texts_done"]
    print(f"outbox rows: {rows} [{check(rows == texts_done == replied)}: one reply per "
          f"processed text ({texts_done} processed, {exp.texts} acknowledged)] "
          f"by status: {fmt_counts(outbox)}")  # fmt: skip
    waiting = outbox["pending"] + outbox["processing"]
    minutes = waiting / (30 * len(MEMBERS))
    print(f"  {waiting} replies waiting: WeCom allows 30 app messages/min per member and "
          f"only {len(MEMBERS)} members exist, so they need ~{minutes:.0f} min more")  # fmt: skip
    await print_sandbox(run)


async def print_sandbox(run: Run) -> None:
    """What members actually received in the sandbox vs outbox rows marked done: WeCom
    answers errcode 0 even for a message its per-member limit drops, so only this shows it."""
    rows = await run.db.fetch(
        "SELECT recipient, count(*) AS n FROM outbox_message WHERE status = 'done' "
        "GROUP BY recipient"
    )  # fmt: skip
    done = {str(r["recipient"]): int(r["n"]) for r in rows}
    got: dict[str, int] = {}
    async with httpx.AsyncClient(timeout=5) as client:
        for member in MEMBERS:
            url = f"http://{HOST}:{run.ports.sandbox}/sandbox/messages"
            answer = (await client.get(url, params={"userid": member})).json()
            got[member] = sum(1 for m in answer.get("messages", []) if m.get("direction") == "out")
    parts = ", ".join(f"{m} {got[m]}/{done.get(m, 0)}" for m in MEMBERS)
    lost = sum(done.values()) - sum(got.values())
    print(
        f"  sandbox received / outbox done per member (incl. warm-up): {parts} "
        f"[{check(lost == 0)}: {max(lost, 0)} replies marked sent but never delivered]"
    )


def grep_logs(children: Children) -> None:
    print()
    for name, path in sorted(children.logs.items()):
        lines = path.read_text(errors="replace").splitlines()
        hits = [line for line in lines if any(m in line for m in LOG_MARKERS)]
        warnings = sum(" WARNING " in line for line in lines)
        print(f"log {name}: {len(hits)} error lines, {warnings} warnings ({path})")
        for line, n in Counter(h.strip()[:200] for h in hits).most_common(5):
            print(f"  x{n} {line}")


# -- main -----------------------------------------------------------------------------------


async def bench(args: argparse.Namespace, children: Children) -> None:
    await prepare_databases(args)
    meter = CpuMeter({})
    await asyncio.sleep(1)
    print(f"· {os.cpu_count()} cores; before the stack started, other processes kept "
          f"{meter.read()['machine']:.0f}% of one core busy", flush=True)  # fmt: skip
    ports = Ports()
    env = service_env(args, ports, children.logdir / "data")
    print(f"· logs in {children.logdir}", flush=True)
    await start_stack(children, env, ports)
    db = await asyncpg.connect(f"{args.pg}/{args.database}", timeout=3)
    async with httpx.AsyncClient() as http:
        try:
            factory = PayloadFactory(load_settings(None, env), http, args.seed)
            pids = {name: proc.pid for name, proc in children.procs.items()}
            run = Run(args, ports, factory, db, {**pids, "client": os.getpid()})
            await measure(run, children)
        finally:
            await db.close()


async def measure(run: Run, children: Children) -> None:
    run.log("warm-up: 50 callbacks through gateway → worker → sandbox")
    await warm_up(run)
    after = await max_id(run.db, "inbox_event")
    worker = children.procs["worker"]
    if run.args.worker == "after":  # acks alone, as with workers on their own machines
        run.log("worker paused during the load phases (--worker after)")
        worker.send_signal(signal.SIGSTOP)
    try:
        await run_phases(run, "bare", run.ports.bare)
        await run_phases(run, "service", run.ports.service)
    finally:
        worker.send_signal(signal.SIGCONT)
    for name in ("service", "worker", "sandbox", "bare"):
        children.check(name)
    run.log(f"waiting for the worker to drain the inbox (at most {run.args.drain_timeout:g} s)")
    drained = await drain(run, after)
    print()
    print_table(run.results)
    print_cpu(run.results)
    print_verdicts(run.results, run.args.rate)
    print()
    exp = expected(run.results)
    await print_inbox(run, exp, after, drained)
    await print_outbox(run, exp, after)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--rate", type=float, default=500, help="open-loop callbacks/s (500)")
    p.add_argument("--seconds", type=float, default=10, help="length of each phase (10)")
    p.add_argument("--concurrency", type=int, default=32, help="connections (32)")
    p.add_argument(
        "--pool", type=int, default=0, help="callbacks built for the service's closed loop (auto)"
    )
    p.add_argument("--drain-timeout", type=float, default=60, help="max wait for the worker (60)")
    p.add_argument("--quick", action="store_true", help="smoke run: 200/s for 3 s")
    p.add_argument(
        "--worker",
        choices=("after", "during"),
        default="after",
        help="run the worker after the load (default: web worker measured alone, as when "
        "workers run elsewhere) or during it (all on this machine's 2 cores)",
    )
    p.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432", help="server, no db")
    p.add_argument("--database", default="recruiting_bench", help="dropped and recreated")
    p.add_argument("--redis", default="redis://127.0.0.1:6379/14", help="FLUSHDB'd at start")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--bare-server", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.quick:
        args.rate, args.seconds = 200.0, 3.0
    if args.pool <= 0:  # enough for ~2500 req/s; building costs ~0.1 ms each
        args.pool = int(2500 * args.seconds)
    return args


def _interrupt(signum: int, frame: object) -> NoReturn:
    raise KeyboardInterrupt


def _run_loop(coro: Coroutine[Any, Any, None]) -> None:
    try:
        import uvloop
    except ImportError:
        asyncio.run(coro)
    else:
        uvloop.run(coro)  # the client's own overhead matters: use the fast loop


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.bare_server:
        run_bare_server(args.bare_server)
        return 0
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with it ignored
    children = Children(Path(tempfile.mkdtemp(prefix="bench-callbacks-")))
    try:
        _run_loop(bench(args, children))
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130
    finally:
        children.stop_all()
    grep_logs(children)
    return 0


if __name__ == "__main__":
    sys.exit(main())
