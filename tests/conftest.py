"""Shared fixtures: real databases (SQLite file, PostgreSQL) and key-value stores (memory, Redis).

PostgreSQL and Redis are the ones running on this machine (127.0.0.1:5432, :6379). When one
is down the tests that need it skip with the reason, except under CI=true (or
REQUIRE_SERVICES=1) where they fail loudly: CI must never pass by skipping.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import fcntl
import hashlib
import os
import shutil
import socket
import tempfile
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import tortoise
from tortoise import connections
from tortoise.backends.base.executor import EXECUTOR_CACHE

from recruiting import migrations
from recruiting.db import close_database, migrate_schema, open_database
from recruiting.infra.pii import FieldCipher
from recruiting.infra.sealed_fields import install_cipher

# Shared checks live in helper modules (tests/e2e/chat.py, tests/unit/core/pipeline_checks.py):
# their failed asserts explain themselves like a test module's.
pytest.register_assert_rewrite(
    "tests.unit", "tests.speech", "tests.integration", "tests.e2e", "tests.security"
)


def _worker_number() -> int | None:
    """pytest-xdist's worker number (``gw3`` -> 3), None in a serial run."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker.removeprefix("gw")) if worker.startswith("gw") else None


def worker_postgres_url(base: str, worker: int | None) -> str:
    """Each xdist worker truncates its tables between tests, so each gets its own database:
    ``…/test`` becomes ``…/test_gw0``, ``…/test_gw1``; a serial run uses ``base`` itself."""
    if worker is None:
        return base
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"{parts.path}_gw{worker}"))


def worker_redis_url(base: str, worker: int | None) -> str:
    """Each xdist worker flushes its Redis database, so each gets its own: the given number
    for worker 0 and counting down for the next (``/15`` -> 15, 14, …)."""
    if worker is None:
        return base
    parts = urlsplit(base)
    db = int(parts.path.strip("/") or 0) - worker
    if db < 0:
        raise pytest.UsageError(
            f"TEST_REDIS_URL {base} leaves no Redis database for worker gw{worker}: "
            "pick a higher database number or fewer workers (-n)"
        )
    return urlunsplit(parts._replace(path=f"/{db}"))


POSTGRES_URL = worker_postgres_url(
    os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test"),
    _worker_number(),
)
REDIS_URL = worker_redis_url(
    os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"), _worker_number()
)
TABLES = [
    "audit_log", "consent", "interview_note", "interview_slot", "interview_assignment", "score",
    "interview", "application", "interview_round", "job_opening", "candidate", "staff",
    "inbox_event", "outbox_message", "app_session", "recording_link", "answer", "upload",
    "integrity_event", "candidate_summary", "interview_cost", "reminder_delivery",
    "survey_response", "offer_event", "offer",
    "interview_invitation", "candidate_contact", "candidate_message", "candidate_reply",
    "contact_way", "kf_cursor", "card_code", "send_attempt", "resume_file",
    "legal_hold", "pending_object_deletion", "erasure_record", "data_request",
    "interview_round_version", "bank_question",
]  # fmt: skip


# The key the e2e stacks get as PII_KEYS (shared_services_env): rows a service wrote in
# another process decrypt in the test too.
TEST_PII_KEYS = "t:" + "B" * 43 + "="
TEST_CIPHER = FieldCipher({"t": base64.b64decode("B" * 43 + "=")}, "t")


@pytest.fixture(autouse=True)
def _field_cipher() -> None:
    """The sealed model fields need the process's cipher; a service started by a test
    installs its own (from its settings) over this one."""
    install_cipher(TEST_CIPHER)


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def strict() -> bool:
    """Under CI every prerequisite is required: a skip there is a failure."""
    return os.environ.get("CI") == "true" or os.environ.get("REQUIRE_SERVICES") == "1"


def require_service(name: str, host: str, port: int) -> None:
    if _port_open(host, port):
        return
    pytest.skip(f"{name} is not reachable at {host}:{port}; start it (see README 'Tests')")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """Turn every skip into a failure under CI (a missing service, tool or package must
    never let CI pass by not running a test)."""
    report = yield
    if report.skipped and strict() and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped, but CI requires it: {reason}"
    return report


# The marker each top-level folder's tests carry (``pytest -m "not e2e"`` and so on).
FOLDER_MARKERS = {"integration": "integration", "e2e": "e2e", "security": "security",
                  "speech": "speech"}  # fmt: skip
SERVICE_FIXTURES = {"database", "sqlite_db", "kv"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Apply the markers by folder, and ``integration`` to any test that takes a real
    database or key-value store wherever it lives. A module whose tests share a
    module-scoped fixture (media made once, a service process) runs on one xdist worker
    (``--dist loadgroup``), which then builds it once."""
    tests = Path(__file__).parent
    for item in items:
        folder = item.path.relative_to(tests).parts[0] if item.path.is_relative_to(tests) else ""
        if folder in FOLDER_MARKERS:
            item.add_marker(FOLDER_MARKERS[folder])
        if folder != "integration" and SERVICE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker("integration")
        if _shares_module_fixture(item):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))


def _shares_module_fixture(item: pytest.Item) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    return any(d.scope == "module" for defs in info.name2fixturedefs.values() for d in defs)


_pg_migrated = False


def pytest_sessionstart(session: pytest.Session) -> None:
    """An xdist worker's own PostgreSQL database is created on its first run (the tests
    that use POSTGRES_URL directly expect it to exist)."""
    if _worker_number() is not None and _port_open("127.0.0.1", 5432):
        asyncio.run(_create_postgres_database(POSTGRES_URL))


async def _create_postgres_database(url: str) -> None:
    """Create ``url``'s database when it is missing, connected through the server's
    ``postgres`` maintenance database."""
    import asyncpg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")))
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            with contextlib.suppress(asyncpg.DuplicateDatabaseError):  # made in between
                await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def _reset_postgres() -> None:
    global _pg_migrated
    if not _pg_migrated:
        await _drop_schema_of_unknown_migrations(POSTGRES_URL)
        await migrate_schema(POSTGRES_URL)
        _pg_migrated = True
    await open_database(POSTGRES_URL)
    conn = connections.get("default")
    await conn.execute_script(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")


async def _drop_schema_of_unknown_migrations(url: str) -> None:
    """The test database outlives runs and is migrated forward. When it records a migration
    that no longer exists (renamed or renumbered on a branch), migrating forward would meet
    tables that already exist: start it over from an empty schema instead."""
    import asyncpg

    files = {p.stem for p in Path(migrations.__file__).parent.glob("0*.py")}
    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        if not await conn.fetchval("SELECT to_regclass('public.tortoise_migrations') IS NOT NULL"):
            return
        applied = {r["name"] for r in await conn.fetch("SELECT name FROM tortoise_migrations")}
        if applied - files:
            await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await conn.close()


_sqlite_template: Path | None = None


def _schema_template() -> Path:
    """A SQLite file with every migration applied, shared by this run's processes and by
    later runs while the migrations and Tortoise stay the same (the folder's name is their
    digest). Running the migrations takes seconds (Tortoise renders the models' state at
    each one); copying the file, milliseconds. Built on a thread of its own, so callers
    inside an event loop can wait, and under a lock, so xdist workers build it once."""
    digest = hashlib.sha256(tortoise.__version__.encode())
    for migration in sorted(Path(migrations.__file__).parent.glob("*.py")):
        digest.update(migration.name.encode() + migration.read_bytes())
    folder = Path(tempfile.gettempdir()) / f"recruiting-test-schema-{digest.hexdigest()[:16]}"
    folder.mkdir(mode=0o700, exist_ok=True)
    template = folder / "schema.sqlite3"
    with (folder / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not template.exists():
            building = folder / f"building-{os.getpid()}.sqlite3"
            with ThreadPoolExecutor(1) as pool:
                pool.submit(asyncio.run, migrate_schema(f"sqlite://{building}")).result()
            for suffix in ("-wal", "-shm"):  # closed cleanly: everything is in the file
                assert not building.with_name(building.name + suffix).exists()
            building.rename(template)
    return template


def migrated_sqlite(path: Path) -> str:
    """A migrated, empty SQLite database at ``path`` (owner-only, like the service's): a copy
    of the schema template. Returns its URL."""
    global _sqlite_template
    if _sqlite_template is None:
        _sqlite_template = _schema_template()
    shutil.copyfile(_sqlite_template, path)
    path.chmod(0o600)
    return f"sqlite://{path}"


def premigrate(data_dir: Path) -> Path:
    """Put a migrated copy of the schema where a service keeps its SQLite file
    (``DATA_DIR/recruiting.sqlite3``) unless one is there: its start-up migration then
    finds nothing to do. Returns ``data_dir``."""
    data_dir.mkdir(mode=0o700, exist_ok=True)
    if not (data_dir / "recruiting.sqlite3").exists():
        migrated_sqlite(data_dir / "recruiting.sqlite3")
    return data_dir


@pytest.fixture(params=["sqlite", "postgres"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A migrated, empty database; yields its URL."""
    # Tortoise caches insert SQL per connection *name*; tests switch dialects under "default".
    EXECUTOR_CACHE.clear()
    if request.param == "postgres":
        require_service("PostgreSQL", "127.0.0.1", 5432)
        await _reset_postgres()
        url = POSTGRES_URL
    else:
        url = migrated_sqlite(tmp_path / "test.sqlite3")
        await open_database(url)
    yield url
    await close_database()


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[str]:
    EXECUTOR_CACHE.clear()
    url = migrated_sqlite(tmp_path / "test.sqlite3")
    await open_database(url)
    yield url
    await close_database()


@pytest.fixture(params=["memory", "redis"])
async def kv(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    from recruiting.infra.memory_kv import MemoryKeyValueStore
    from recruiting.infra.redis_kv import RedisKeyValueStore

    if request.param == "memory":
        store = MemoryKeyValueStore()
        yield store
        return
    require_service("Redis", "127.0.0.1", 6379)
    store = RedisKeyValueStore.from_url(REDIS_URL)
    await store._r.flushdb()
    yield store
    await store.close()


async def shared_services_env() -> dict[str, str]:
    """Emptied PostgreSQL and Redis for a service under test, as its environment (the
    e2e stacks' "postgres+redis" variant); requires both services."""
    import redis.asyncio as aioredis

    require_service("PostgreSQL", "127.0.0.1", 5432)
    require_service("Redis", "127.0.0.1", 6379)
    await _reset_postgres()
    r = aioredis.from_url(REDIS_URL)
    await r.flushdb()
    await r.aclose()
    EXECUTOR_CACHE.clear()
    return {"DATABASE_URL": POSTGRES_URL, "REDIS_URL": REDIS_URL, "PII_KEYS": TEST_PII_KEYS}


@pytest.fixture(autouse=True)
def people_read_no_developer_text(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Whatever the service sent through the WeCom sandbox in this test (app messages, card
    updates, 微信客服, external-contact sends) holds no developer text and no cut word
    (``tests/people_text.py`` says what counts). Tests that write raw payloads into the
    sandbox themselves are marked ``raw_sandbox_text``."""
    if request.node.get_closest_marker("raw_sandbox_text"):
        yield
        return
    from tests.people_text import sandbox_findings
    from wecom_bot.sandbox.state import SandboxState

    states: list[SandboxState] = []
    findings: list[str] = []
    reset = SandboxState.reset

    def checked_reset(self: SandboxState) -> None:
        if hasattr(self, "messages"):  # a reset forgets the log: check it first
            findings.extend(sandbox_findings(self))
        reset(self)
        if self not in states:
            states.append(self)

    monkeypatch.setattr(SandboxState, "reset", checked_reset)
    yield
    for state in states:
        findings.extend(sandbox_findings(state))
    assert not findings, "people would read developer text or a cut word:\n" + "\n".join(
        dict.fromkeys(findings)
    )
