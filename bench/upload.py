"""Upload benchmark: many candidates upload recorded answers at once, some connections break.

The issue's scenario: 100 candidates each upload a 50 MB answer in 1 MB chunks over loopback,
and 5% of them lose a connection halfway through a chunk and resume. The bench starts the
WeCom sandbox and ONE web process (``serve --no-workers``) as subprocesses and reports:

- aggregate MB/s of the chunk transfer, beside a raw disk write of the same bytes to the same
  file system in the same run (the ratio shows what the protocol, hashing, encryption at
  rest and per-chunk fsync cost);
- the completion phase on its own (whole-file SHA-256 and media probe of every upload);
- the web process's peak memory (VmHWM), against the 300 MB target;
- that nothing was lost or corrupted: every file is downloaded through the staff media
  endpoint and its SHA-256 compared with the original. Any loss makes the exit status 1.

Job, round, candidates and applications have no HTTP endpoint yet, so they are written with
the ORM before the service starts; everything else goes through the mini-app API.

    .venv/bin/python bench/upload.py [--candidates 100 --size-mb 50 --chunk-mb 1] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import hashlib
import math
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn, TypeVar, overload

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make the project importable
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402

from bench.callbacks import (  # noqa: E402
    HOST,
    BenchError,
    Children,
    CpuMeter,
    free_port,
    grep_logs,
    prepare_databases,
    tail,
    wait_http,
)
from interview_core.media.probe import MediaLimits, probe  # noqa: E402
from recruiting.db import close_database, open_database  # noqa: E402
from recruiting.infra.sealed_fields import install_cipher_for  # noqa: E402
from recruiting.models import (  # noqa: E402
    Application,
    Candidate,
    InterviewRound,
    JobOpening,
    RoundKind,
)
from recruiting.settings import ENV_NAMES, load_settings  # noqa: E402

MB = 1 << 20
HR = "lina"  # a demo HR member of the sandbox corp (recruiting/services/demo.py)
ANSWER_SECONDS = 300  # the longest answer a round may allow
QUESTION = {"text": "请介绍一次你带领团队完成困难目标的经历。", "competencies": ["结果导向"],
            "prep_seconds": 600, "answer_seconds": ANSWER_SECONDS, "retakes": 0}  # fmt: skip
MEMORY_TARGET_MB = 300
FPS = 15
SETUP_CONCURRENCY = 10
VERIFY_CONCURRENCY = 10
PUT_RETRIES = 50  # 503 upload_busy answers tolerated per upload before it counts as failed
T = TypeVar("T")
Frame = npt.NDArray[np.uint8]


# -- media ----------------------------------------------------------------------------------


class NoisyFrames(Sequence[Frame]):
    """A face drifting on a wall under heavy sensor noise, made frame by frame on access so
    a long video never sits in memory. The noise keeps x264 from compressing it, which is
    how a small clip reaches tens of MB (like a phone recording at a high bitrate)."""

    def __init__(self, count: int) -> None:
        from tests.unit.core.mediafactory import face_frames

        self._base: list[Frame] = face_frames(2.0, fps=FPS)
        self._count = count

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> Frame: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Frame]: ...

    def __getitem__(self, index: int | slice) -> Frame | Sequence[Frame]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        if not 0 <= index < self._count:
            raise IndexError(index)
        noise = np.random.default_rng(index).integers(0, 64, (480, 640, 3), dtype=np.int16)
        frame = self._base[index % len(self._base)].astype(np.int16) + noise - 32
        noisy: Frame = np.clip(frame, 0, 255).astype(np.uint8)
        return noisy


def make_video(path: Path, size: int) -> None:
    """Encode ~``size`` bytes (within 3%) of 640x480 H.264 with AAC speech: the frame count
    comes from a short calibration encode, corrected once by the first full encode."""
    from tests.unit.core.mediafactory import speech_like, write_video

    part = path.with_suffix(".part.mp4")
    write_video(part, NoisyFrames(2 * FPS), FPS)
    frames = 2 * FPS
    for _ in range(2):
        frames = max(FPS, round(frames * size / part.stat().st_size))
        seconds = frames / FPS
        if seconds > ANSWER_SECONDS:
            raise BenchError(f"{size / MB:.0f} MB needs {seconds:.0f} s of video, over the "
                             f"{ANSWER_SECONDS} s an answer may last")  # fmt: skip
        write_video(part, NoisyFrames(frames), FPS, audio=speech_like(seconds))
        if abs(part.stat().st_size / size - 1) <= 0.03:
            break
    part.rename(path)


@dataclass(frozen=True)
class Media:
    """The one answer every candidate uploads, pre-cut into chunks with their checksums."""

    path: Path
    data: bytes
    sha256: str
    seconds: float
    chunks: list[bytes]
    sums: list[str]

    @property
    def size(self) -> int:
        return len(self.data)

    def piece(self, offset: int, chunk: int) -> tuple[bytes, str]:
        if offset % chunk == 0:
            return self.chunks[offset // chunk], self.sums[offset // chunk]
        data = self.data[offset : offset + chunk]  # a resume point between chunk borders
        return data, hashlib.sha256(data).hexdigest()


def load_media(folder: Path, size_mb: float, chunk: int) -> Media:
    path = folder / f"upload-answer-{size_mb:g}mb.mp4"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        log(f"making the answer video ({size_mb:g} MB, 640x480 H.264 + AAC) in {path}")
        make_video(path, int(size_mb * MB))
    info = probe(path, MediaLimits(max_seconds=ANSWER_SECONDS + 30), "video")
    data = path.read_bytes()
    chunks = [data[at : at + chunk] for at in range(0, len(data), chunk)]
    sums = [hashlib.sha256(c).hexdigest() for c in chunks]
    return Media(path, data, hashlib.sha256(data).hexdigest(), info.duration, chunks, sums)


# -- stack ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ports:
    service: int = field(default_factory=free_port)
    sandbox: int = field(default_factory=free_port)


def service_env(args: argparse.Namespace, ports: Ports, data_dir: Path) -> dict[str, str]:
    """Only the bench's wiring applies: inherited service settings are dropped."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ENV_NAMES and not k.startswith("RECRUITING__") and k != "CONFIG_FILE"
    }
    env.update(
        HOST=HOST,
        PORT=str(ports.service),
        WEB_WORKERS="1",
        SANDBOX_PORT=str(ports.sandbox),
        SANDBOX_CALLBACK_URL=f"http://{HOST}:{ports.service}/wecom/callback",
        DATA_DIR=str(data_dir),
        WECOM_CORP_ID="",
        PYTHONUNBUFFERED="1",
        RECRUITING__MINIAPP__MAX_UPLOAD_MB=str(max(500, math.ceil(args.size_mb) + 1)),
        RECRUITING__MINIAPP__MAX_CHUNK_KB=str(max(8192, math.ceil(args.chunk_mb * 1024))),
    )
    if args.postgres_redis:
        key = base64.b64encode(secrets.token_bytes(32)).decode()
        env.update(
            DATABASE_URL=f"{args.pg}/{args.database}",
            REDIS_URL=args.redis,
            PII_KEYS=f"bench:{key}",
        )
    return env


async def migrate(children: Children, env: dict[str, str]) -> None:
    log_path = children.logdir / "migrate.log"
    with log_path.open("wb") as out:
        done = await asyncio.to_thread(
            subprocess.run, [sys.executable, "-m", "recruiting", "migrate"], cwd=ROOT, env=env,
            stdout=out, stderr=subprocess.STDOUT, timeout=180, check=False,
        )  # fmt: skip
    if done.returncode != 0:
        raise BenchError(f"migrate failed ({done.returncode}):\n{tail(log_path)}")


async def seed_rows(env: dict[str, str], count: int) -> tuple[int, list[int]]:
    """Job, recorded round, candidates and applications (no HTTP endpoint creates them yet);
    the ORM is closed again before the service opens the same database."""
    settings = load_settings(None, env)
    install_cipher_for(settings)  # as the service
    await open_database(settings.database_url)
    try:
        job = await JobOpening.create(code="bench-upload", title="销售代表")
        round_ = await InterviewRound.create(
            job=job, name="录制面试", kind=RoundKind.RECORDED, questions=[QUESTION]
        )
        applications = []
        for i in range(count):
            candidate = await Candidate.create(name=f"候选人{i:03d}")
            applications.append((await Application.create(candidate=candidate, job=job)).id)
        return round_.id, applications
    finally:
        await close_database()


async def start_stack(children: Children, env: dict[str, str], ports: Ports) -> None:
    python = sys.executable
    children.start("sandbox", [python, "-m", "recruiting", "sandbox"], env)
    await wait_http(children, "sandbox", ports.sandbox, "/")
    children.start("service", [python, "-m", "recruiting", "serve", "--no-workers"], env)
    await wait_http(children, "service", ports.service, "/healthz")


class MemoryWatch:
    """RSS of the web process and its children, sampled every 0.1 s from /proc, plus the
    kernel's own high-water mark (VmHWM), which catches peaks between samples."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.phase_peak = 0
        self.children_seen = 0

    def rss(self) -> int:
        children = _children(self.pid)
        self.children_seen = max(self.children_seen, len(children))
        return sum(_status_bytes(pid, "VmRSS") for pid in (self.pid, *children))

    def hwm(self) -> int:
        return _status_bytes(self.pid, "VmHWM")

    async def run(self) -> None:
        while True:
            self.phase_peak = max(self.phase_peak, self.rss())
            await asyncio.sleep(0.1)


def _status_bytes(pid: int, name: str) -> int:
    """A ``kB`` line of /proc/<pid>/status in bytes; 0 once the process is gone."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{name}:"):
                return int(line.split()[1]) * 1024
    return 0


def _children(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in map(int, (task / "children").read_text().split()):
                found += [child, *_children(child)]
    return found


# -- client ---------------------------------------------------------------------------------


@dataclass
class Upload:
    """One candidate's run through the API, and what happened to its upload. Each has its
    own httpx client: one shared pool of 100 connections cost the client most of a core
    (httpcore scans its pool on every event), taken from the service on the same 2 cores."""

    index: int
    token: str
    interview_id: int
    http: httpx.AsyncClient
    broken_chunk: int | None = None
    upload_id: str = ""
    put_ms: list[float] = field(default_factory=list)
    sent: int = 0  # bytes put on the wire, half chunks and re-sends included
    broken_offset: int | None = None
    resumed_from: int | None = None
    transferred: bool = False
    completed: bool = False
    complete_ms: float = 0.0
    served_sha: str = ""
    served_size: int = 0
    error: str = ""

    def verdict(self, media: Media) -> str:
        if not self.completed or self.served_size == 0:
            return "lost"
        if self.served_sha != media.sha256 or self.served_size != media.size:
            return "corrupted"
        return "ok"


class Failed(Exception):
    """An answer the bench did not expect; ends this candidate's upload, not the run."""


@dataclass
class Run:
    args: argparse.Namespace
    port: int
    http: httpx.AsyncClient  # set-up and staff calls
    console: httpx.AsyncClient
    media: Media
    chunk: int
    answers: Counter[str] = field(default_factory=Counter)  # non-200 answers by kind

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=str(self.http.base_url), timeout=self.http.timeout)

    async def call(
        self,
        method: str,
        path: str,
        token: str,
        expect: int | None = 200,
        via: httpx.AsyncClient | None = None,
        **kw: Any,
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} | kw.pop("headers", {})
        http = via or self.http
        response = await http.request(method, f"/miniapp/v1{path}", headers=headers, **kw)
        if response.status_code != 200:
            self.answers[f"{method} {_route(path)} {response.status_code} {_code(response)}"] += 1
        if expect is not None and response.status_code != expect:
            raise Failed(f"{method} {path} answered {response.status_code}: {response.text[:300]}")
        return response

    async def staff_token(self, userid: str) -> str:
        code = (await self.console.post("/sandbox/jscode", json={"userid": userid})).json()
        response = await self.http.post("/miniapp/v1/login/staff", json=code)
        if response.status_code != 200:
            raise BenchError(f"staff login of {userid} answered {response.text[:300]}")
        return str(response.json()["token"])

    async def candidate_token(self, openid: str, via: httpx.AsyncClient) -> str:
        code = (await self.console.post("/sandbox/wechat_code", json={"openid": openid})).json()
        response = await via.post("/miniapp/v1/login/candidate", json=code)
        if response.status_code != 200:
            raise BenchError(f"candidate login of {openid} answered {response.text[:300]}")
        return str(response.json()["token"])


def _route(path: str) -> str:
    """The path with ids blanked, so answers group by route."""
    parts = path.split("?")[0].split("/")
    return "/".join(":id" if p.isdigit() or len(p) == 32 else p for p in parts)


def _code(response: httpx.Response) -> str:
    with contextlib.suppress(ValueError, AttributeError):
        return str(response.json().get("error", ""))
    return ""


async def prepare_candidate(
    run: Run, hr: str, round_id: int, application_id: int, index: int
) -> Upload:
    """Recording link → login → redeem → consent to everything → reveal question 0."""
    deadline = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    body = {"application_id": application_id, "round_id": round_id, "deadline": deadline}
    invited = (await run.call("POST", "/staff/invitations", hr, json=body)).json()
    interview_id = int(invited["interview_id"])
    http = run.client()
    try:
        token = await run.candidate_token(f"o-bench-upload-{index:04d}", http)
        redeem = {"invitation": invited["token"]}
        await run.call("POST", "/invitations/redeem", token, via=http, json=redeem)
        texts = (await http.get("/miniapp/v1/consents/texts")).json()
        decisions = [{"purpose": t["purpose"], "version": t["version"], "granted": True}
                     for t in texts]  # fmt: skip
        await run.call("POST", "/consents", token, via=http, json={"decisions": decisions})
        shown = await run.call("POST", f"/interviews/{interview_id}/next", token, via=http)
    except BaseException:
        await http.aclose()
        raise
    if shown.json()["question"]["index"] != 0:
        await http.aclose()
        raise BenchError(f"interview {interview_id} revealed {shown.text} instead of question 0")
    return Upload(index, token, interview_id, http)


async def transfer(run: Run, up: Upload) -> None:
    """Start the upload and send every chunk; at ``broken_chunk`` first send half of it on a
    raw connection that is then dropped, ask where the upload stands and resume there."""
    media, chunk = run.media, run.chunk
    start = {"interview_id": up.interview_id, "question_index": 0, "size": media.size,
             "sha256": media.sha256, "media_type": "video/mp4"}  # fmt: skip
    up.upload_id = str(
        (await run.call("POST", "/uploads", up.token, via=up.http, json=start)).json()["upload_id"]
    )
    offset, busy = 0, 0
    while offset < media.size:
        data, checksum = media.piece(offset, chunk)
        if up.broken_chunk == offset // chunk and up.broken_offset is None:
            up.broken_offset = offset
            up.sent += await broken_put(run, up, offset, data, checksum)
            status = await run.call("GET", f"/uploads/{up.upload_id}", up.token, via=up.http)
            state = status.json()
            offset = up.resumed_from = int(state["received"])
            continue
        t0 = time.perf_counter()
        response = await run.call(
            "PUT", f"/uploads/{up.upload_id}", up.token, expect=None, via=up.http,
            params={"offset": offset}, content=data, headers={"X-Chunk-SHA256": checksum},
        )  # fmt: skip
        up.sent += len(data)
        if response.status_code == 200:
            up.put_ms.append(1000 * (time.perf_counter() - t0))
            offset = int(response.json()["received"])
        elif response.status_code == 503 and busy < PUT_RETRIES:  # the lease is still held
            busy += 1
            await asyncio.sleep(float(response.headers.get("retry-after", "1")))
        elif response.status_code == 409 and _code(response) == "offset_mismatch":
            offset = int(response.json()["expected_offset"])
        else:
            raise Failed(f"PUT at {offset} answered {response.status_code}: {response.text[:300]}")
    up.transferred = True


async def broken_put(run: Run, up: Upload, offset: int, data: bytes, checksum: str) -> int:
    """Headers and half the body, then the connection is closed; returns the bytes sent."""
    _reader, writer = await asyncio.open_connection(HOST, run.port)
    head = (f"PUT /miniapp/v1/uploads/{up.upload_id}?offset={offset} HTTP/1.1\r\n"
            f"Host: {HOST}:{run.port}\r\nAuthorization: Bearer {up.token}\r\n"
            f"X-Chunk-SHA256: {checksum}\r\nContent-Length: {len(data)}\r\n\r\n")  # fmt: skip
    half = data[: len(data) // 2]
    writer.write(head.encode() + half)
    await writer.drain()
    await asyncio.sleep(0.2)  # let the service start storing it
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return len(half)


async def complete(run: Run, up: Upload) -> None:
    t0 = time.perf_counter()
    for _ in range(PUT_RETRIES):
        path = f"/uploads/{up.upload_id}/complete"
        response = await run.call("POST", path, up.token, None, up.http, timeout=900)
        if response.status_code != 503:
            break
        await asyncio.sleep(float(response.headers.get("retry-after", "1")))
    if response.status_code != 200 or response.json().get("status") != "complete":
        raise Failed(f"complete answered {response.status_code}: {response.text[:300]}")
    up.complete_ms = 1000 * (time.perf_counter() - t0)
    up.completed = True


async def download(run: Run, hr: str, up: Upload) -> None:
    """The stored answer as staff get it, hashed as it streams in."""
    digest, size = hashlib.sha256(), 0
    path = f"/miniapp/v1/staff/interviews/{up.interview_id}/answers/0/media"
    headers = {"Authorization": f"Bearer {hr}"}
    async with up.http.stream("GET", path, headers=headers, timeout=300) as response:
        if response.status_code != 200:
            await response.aread()
            run.answers[f"GET {_route(path)} {response.status_code} {_code(response)}"] += 1
            raise Failed(f"media answered {response.status_code}: {response.text[:300]}")
        async for block in response.aiter_bytes():
            digest.update(block)
            size += len(block)
    up.served_sha, up.served_size = digest.hexdigest(), size


async def each(
    ups: Iterable[Upload], work: Callable[[Upload], Awaitable[None]], limit: int
) -> None:
    """Run ``work`` for every upload, at most ``limit`` at a time; a failure is recorded on
    its upload and does not stop the others."""
    gate = asyncio.Semaphore(limit)

    async def one(up: Upload) -> None:
        async with gate:
            if up.error:
                return
            try:
                await work(up)
            except (Failed, httpx.HTTPError, OSError) as exc:
                up.error = f"{type(exc).__name__}: {exc}"[:300]

    await asyncio.gather(*(one(up) for up in ups))


# -- baseline -------------------------------------------------------------------------------


def raw_write(folder: Path, media: Media, files: int) -> float:
    """The same bytes in the same chunks, straight to files with an fsync per file and no
    hashing, encryption or HTTP; one writer. Returns the seconds taken; the files are
    removed afterwards (not timed)."""
    folder.mkdir(parents=True)
    t0 = time.perf_counter()
    for i in range(files):
        fd = os.open(folder / f"answer-{i}.mp4", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            for piece in media.chunks:
                view = memoryview(piece)
                while view:
                    view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
    took = time.perf_counter() - t0
    shutil.rmtree(folder)
    return took


# -- phases and report ----------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    megabytes: float
    seconds: float
    requests: int
    latencies_ms: list[float]
    note: str
    cpu: dict[str, float] = field(default_factory=dict)
    rss_peak: int = 0
    hwm: int = 0

    @property
    def rate(self) -> float:
        return self.megabytes / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        if not self.latencies_ms:
            return math.nan
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


async def timed(
    name: str, work: Coroutine[Any, Any, T], meter_pids: dict[str, int], watch: MemoryWatch
) -> tuple[T, float, dict[str, float], int]:
    """Run one phase: its result, wall seconds, CPU per process and the peak sampled RSS."""
    log(name)
    watch.phase_peak = watch.rss()
    meter = CpuMeter(meter_pids)
    t0 = time.perf_counter()
    result = await work
    took = time.perf_counter() - t0
    cpu = meter.read()
    return result, took, cpu, watch.phase_peak


def log(text: str) -> None:
    print(f"· {text}", flush=True)


def mib(n: int) -> str:
    return f"{n / MB:.0f} MB"


def print_table(phases: Sequence[Phase]) -> None:
    print(f"{'phase':24} {'MB':>8} {'s':>7} {'MB/s':>7} {'requests':>8} {'p50 ms':>8} "
          f"{'p99 ms':>8} {'max ms':>8}  note")  # fmt: skip
    for p in phases:
        lat = " ".join(f"{p.percentile(q):8.1f}" for q in (0.50, 0.99, 1.0))
        print(f"{p.name:24} {p.megabytes:8.0f} {p.seconds:7.1f} {p.rate:7.1f} {p.requests:8d} "
              f"{lat}  {p.note}".replace("nan", "  -"))  # fmt: skip


def print_cpu(phases: Sequence[Phase]) -> None:
    cores = os.cpu_count() or 1
    print(f"\nCPU per phase, % of one core ({cores} cores = {100 * cores}%; 'client' is this "
          "script, which also runs the baseline; 'others' = kernel writeback, PostgreSQL, Redis "
          "and anything else running):")  # fmt: skip
    for p in phases:
        ours = {k: v for k, v in p.cpu.items() if k != "machine"}
        machine = p.cpu.get("machine", 0.0)
        used = ", ".join(f"{k} {v:.0f}" for k, v in ours.items())
        others = max(machine - sum(ours.values()), 0.0)
        print(f"  {p.name:24} {used}, others {others:.0f} | machine {machine:.0f}")


def print_memory(phases: Sequence[Phase], watch: MemoryWatch, at_start: int) -> bool:
    print(f"\nweb process memory (pid {watch.pid}; RSS sampled every 0.1 s, VmHWM = the "
          "kernel's peak):")  # fmt: skip
    print(f"  {'after start-up':24} RSS {mib(at_start)}")
    for p in phases:
        if p.hwm:
            print(f"  {p.name:24} peak RSS sampled {mib(p.rss_peak)}, VmHWM so far {mib(p.hwm)}")
    peak = watch.hwm()
    print(f"  at the end: RSS {mib(watch.rss())}; child processes seen: {watch.children_seen}")
    met = peak < MEMORY_TARGET_MB * MB
    print(f"target peak memory < {MEMORY_TARGET_MB} MB for the web process: "
          f"{'MET' if met else 'NOT MET'} (VmHWM {peak / MB:.1f} MB)")  # fmt: skip
    return met


def print_correctness(run: Run, ups: Sequence[Upload], disk: int) -> int:
    """Every upload's verdict; returns how many were lost or corrupted."""
    media = run.media
    verdicts = Counter(up.verdict(media) for up in ups)
    bad = verdicts["lost"] + verdicts["corrupted"]
    print(f"\nuploads: {len(ups)} started, {sum(u.transferred for u in ups)} fully "
          f"acknowledged, {sum(u.completed for u in ups)} completed; downloaded through the "
          f"staff media endpoint and SHA-256 checked: {verdicts['ok']} intact, "
          f"{verdicts['corrupted']} corrupted, {verdicts['lost']} lost "
          f"[{'OK' if bad == 0 else 'FAILED'}]")  # fmt: skip
    broken = [u for u in ups if u.broken_offset is not None]
    exact = [u for u in broken if u.resumed_from == u.broken_offset]
    print(f"broken connections: {len(broken)} (headers + half a chunk, then closed); the "
          f"status said to resume at the broken chunk's offset for {len(exact)} of them "
          f"[{'OK' if len(exact) == len(broken) else 'MISMATCH'}]")  # fmt: skip
    for u in broken:
        if u.resumed_from != u.broken_offset:
            print(f"  upload {u.upload_id}: broke at byte {u.broken_offset}, status said "
                  f"received {u.resumed_from}")  # fmt: skip
    expected = len(ups) * media.size
    print(f"encrypted at rest: {mib(disk)} on disk for {mib(expected)} of answers "
          f"({(disk / expected - 1) if expected else 0:+.2%})")  # fmt: skip
    if run.answers:
        print("answers other than 200 (expected: none but the resumes' 503 upload_busy):")
        for kind, n in run.answers.most_common():
            print(f"  x{n} {kind}")
    else:
        print("answers other than 200: none")
    for kind, n in Counter(u.error.split(" answered")[0] for u in ups if u.error).items():
        example = next(u.error for u in ups if u.error.startswith(kind))
        print(f"  failed uploads x{n}: {example}")
    return bad


def disk_usage(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


# -- main -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stack:
    children: Children
    data_dir: Path
    watch: MemoryWatch
    at_start: int  # the web process's RSS once it answered /healthz
    pids: dict[str, int]  # measured for CPU


async def bench(args: argparse.Namespace, children: Children, data_dir: Path) -> int:
    chunk = int(args.chunk_mb * MB)
    media = load_media(Path(args.media_dir), args.size_mb, chunk)
    wiring = "PostgreSQL + Redis" if args.postgres_redis else "embedded SQLite, in-process state"
    log(f"{os.cpu_count()} cores; {args.candidates} candidates × {media.size / MB:.1f} MB "
        f"({media.seconds:.0f} s 640x480 H.264, sha256 {media.sha256[:12]}) in "
        f"{args.chunk_mb:g} MB chunks; {wiring}")  # fmt: skip
    log("web process: `serve --no-workers` (analysis is queued by /complete but never run)")
    free = shutil.disk_usage(data_dir).free
    if free < 3 * args.candidates * media.size:  # stored + exported for probing + baseline
        raise BenchError(f"{data_dir} has {mib(free)} free; this run needs about "
                         f"{mib(3 * args.candidates * media.size)}")  # fmt: skip
    log(f"data in {data_dir} ({mib(free)} free), logs in {children.logdir}")
    meter = CpuMeter({})
    await asyncio.sleep(1)
    log(f"before the stack started, other processes kept {meter.read()['machine']:.0f}% of "
        "one core busy")  # fmt: skip
    if args.postgres_redis:
        await prepare_databases(args)
    ports = Ports()
    env = service_env(args, ports, data_dir)
    await migrate(children, env)
    round_id, applications = await seed_rows(env, args.candidates)
    await start_stack(children, env, ports)
    service_pid = children.procs["service"].pid
    watch = MemoryWatch(service_pid)
    at_start = watch.rss()
    watcher = asyncio.create_task(watch.run())
    timeout = httpx.Timeout(120.0, connect=30.0)
    base = f"http://{HOST}:{ports.service}"
    try:
        async with (
            httpx.AsyncClient(base_url=base, timeout=timeout) as http,
            httpx.AsyncClient(base_url=f"http://{HOST}:{ports.sandbox}", timeout=15) as console,
        ):
            run = Run(args, ports.service, http, console, media, chunk)
            pids = {"service": service_pid, "sandbox": children.procs["sandbox"].pid,
                    "client": os.getpid()}  # fmt: skip
            stack = Stack(children, data_dir, watch, at_start, pids)
            return await measure(run, stack, round_id, applications)
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher


async def measure(run: Run, stack: Stack, round_id: int, applications: list[int]) -> int:
    log(f"set-up (not timed): {len(applications)} invitations, logins, redemptions, "
        "consents, question 0 revealed")  # fmt: skip
    hr = await run.staff_token(HR)
    gate = asyncio.Semaphore(SETUP_CONCURRENCY)

    async def prepare(i: int, application_id: int) -> Upload:
        async with gate:
            return await prepare_candidate(run, hr, round_id, application_id, i)

    ups = list(await asyncio.gather(*(prepare(i, a) for i, a in enumerate(applications))))
    try:
        return await run_phases(run, stack, ups, hr)
    finally:
        await asyncio.gather(*(up.http.aclose() for up in ups))


async def run_phases(run: Run, stack: Stack, ups: list[Upload], hr: str) -> int:
    args, media, data_dir = run.args, run.media, stack.data_dir
    children, watch, pids = stack.children, stack.watch, stack.pids
    rng = random.Random(args.seed)
    chunks = len(media.chunks)
    broken = round(len(ups) * args.broken_percent / 100)
    if args.broken_percent > 0:
        broken = max(1, broken)
    for up in rng.sample(ups, min(broken, len(ups))):
        up.broken_chunk = rng.randrange(1, max(2, chunks - 1))  # not the first or the last
    run.answers.clear()  # count answers of the measured phases only
    phases: list[Phase] = []
    total_mb = len(ups) * media.size / MB

    took, _, cpu, peak = await timed(  # raw_write's own time: deleting the files is not timed
        f"baseline: raw write of {total_mb:.0f} MB to {data_dir} ({args.chunk_mb:g} MB writes, "
        "fsync per file)",
        asyncio.to_thread(raw_write, data_dir / "baseline", media, len(ups)),
        pids, watch,
    )  # fmt: skip
    phases.append(Phase("raw disk write", total_mb, took, 0, [], "one writer, fsync per file",
                        cpu, peak))  # fmt: skip

    _, took, cpu, peak = await timed(
        f"transfer: {len(ups)} concurrent uploads, {broken} with a broken connection",
        each(ups, lambda up: transfer(run, up), len(ups)),
        pids, watch,
    )  # fmt: skip
    latencies = [ms for up in ups for ms in up.put_ms]
    sent = sum(up.sent for up in ups) / MB
    phases.append(Phase("service: transfer", total_mb, took, len(latencies), latencies,
                        f"PUT chunks; {sent:.0f} MB sent incl. half chunks and re-sends",
                        cpu, peak, watch.hwm()))  # fmt: skip
    children.check("service")

    _, took, cpu, peak = await timed(
        f"complete: {len(ups)} concurrent /complete (whole-file SHA-256 + probe)",
        each(ups, lambda up: complete(run, up), len(ups)),
        pids, watch,
    )  # fmt: skip
    done = [up.complete_ms for up in ups if up.completed]
    phases.append(Phase("service: complete", total_mb, took, len(done), done,
                        "all at once; MB/s = answers checked", cpu, peak, watch.hwm()))  # fmt: skip
    children.check("service")

    _, took, cpu, peak = await timed(
        f"verify: download every answer as staff ({VERIFY_CONCURRENCY} at a time), SHA-256",
        each(ups, lambda up: download(run, hr, up), VERIFY_CONCURRENCY),
        pids, watch,
    )  # fmt: skip
    served = sum(up.served_size for up in ups) / MB
    phases.append(Phase("staff download (verify)", served, took, len(ups), [],
                        "decrypt + stream; not a target", cpu, peak, watch.hwm()))  # fmt: skip
    children.check("service")

    print()
    print_table(phases)
    transfer_rate, baseline_rate = phases[1].rate, phases[0].rate
    ratio = transfer_rate / baseline_rate if baseline_rate else 0.0
    print(f"\nservice/baseline write throughput: {ratio:.1%} ({transfer_rate:.1f} / "
          f"{baseline_rate:.1f} MB/s)")  # fmt: skip
    print_cpu(phases)
    print_memory(phases, watch, stack.at_start)
    bad = print_correctness(run, ups, disk_usage(data_dir / "media"))
    return 1 if bad else 0


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--candidates", type=int, default=100, help="concurrent uploads (100)")
    p.add_argument("--size-mb", type=float, default=50, help="size of the answer video (50)")
    p.add_argument("--chunk-mb", type=float, default=1, help="chunk size (1)")
    p.add_argument("--broken-percent", type=float, default=5,
                   help="uploads that lose a connection mid-chunk and resume (5)")  # fmt: skip
    p.add_argument("--quick", action="store_true", help="smoke run: 10 candidates × 8 MB")
    p.add_argument("--media-dir", default=str(ROOT / "var" / "bench"),
                   help="where the answer video is made once and reused (var/bench)")  # fmt: skip
    p.add_argument("--dir", default=None, help="parent of the temporary DATA_DIR (system temp)")
    p.add_argument("--keep-data", action="store_true", help="do not delete DATA_DIR at the end")
    p.add_argument("--postgres-redis", action="store_true",
                   help="PostgreSQL + Redis instead of the embedded SQLite (wipes the bench "
                   "database and Redis db, see bench/README.md)")  # fmt: skip
    p.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432", help="server, no db")
    p.add_argument("--database", default="recruiting_bench", help="dropped and recreated")
    p.add_argument("--redis", default="redis://127.0.0.1:6379/14", help="FLUSHDB'd at start")
    p.add_argument("--seed", type=int, default=2026)
    args = p.parse_args(argv)
    if args.quick:
        args.candidates, args.size_mb = 10, 8.0
    if args.candidates < 1 or args.size_mb <= 0 or args.chunk_mb <= 0:
        p.error("--candidates, --size-mb and --chunk-mb must be positive")
    if not 0 <= args.broken_percent <= 100:
        p.error("--broken-percent must be 0..100")
    return args


def _interrupt(signum: int, frame: object) -> NoReturn:
    raise KeyboardInterrupt


def _run_loop(coro: Coroutine[Any, Any, int]) -> int:
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)  # the client shares 2 cores with the service: keep it lean


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    work = Path(tempfile.mkdtemp(prefix="bench-upload-", dir=args.dir))
    (work / "logs").mkdir()
    data_dir = work / "data"
    data_dir.mkdir()
    children = Children(work / "logs")
    status = 0
    try:
        status = _run_loop(bench(args, children, data_dir))
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        status = 2
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        status = 130
    finally:
        children.stop_all()
        if not args.keep_data:
            shutil.rmtree(data_dir, ignore_errors=True)
    grep_logs(children)
    return status


if __name__ == "__main__":
    sys.exit(main())
