"""Command line: ``python -m recruiting <command>``.

run       service + WeCom sandbox in one process (the embedded default, `make run`)
serve     the web service (callback gateway, APIs) with in-process workers
worker    background workers only (inbox processing, outbox delivery)
scheduler time-driven jobs only (reminders, …); one leader among all instances runs them
sandbox   the WeCom sandbox alone
migrate   apply database migrations
config    print the effective settings (secrets hidden)
seed-demo create the demo staff of the sandbox corp
purge     erase personal data past its retention once (--dry-run: only report what would go)
hold      place, lift or list legal holds that suspend the purge (HR managers)
inventory print (or --write) the personal-data inventory of docs/personal-data.md
resumes   read résumé files: ``resumes parse FILE`` prints the facts as JSON (exit 0 parsed,
          3 needs OCR, 4 refused, 2 file not found); ``resumes evaluate CORPUS [--json]``
          prints field-level precision/recall against the corpus's ground truth;
          ``resumes match FILE --job JOB.yaml`` prints {score, knocked_out, requirements}
          (same exit codes as parse; 2 for a bad job file)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from recruiting.errors import RecruitingError
from recruiting.infra.malloc import tame_malloc
from recruiting.infra.private_files import restrict_umask
from recruiting.settings import Settings, load_settings

log = logging.getLogger("recruiting")


def main(argv: Sequence[str] | None = None) -> int:
    restrict_umask()  # the data folder, SQLite files, keys, media, scratch: owner only
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:  # one line per outbound request is noise in normal operation
        logging.getLogger("httpx").setLevel(logging.WARNING)
        logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line per tick otherwise
    if args.command in ("run", "serve", "worker", "scheduler"):
        tame_malloc()
    try:
        settings = load_settings(args.config)
        return int(args.func(settings, args) or 0)
    except RecruitingError as exc:
        print(exc.message, file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m recruiting",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--config", help="config file (default: config.yaml or CONFIG_FILE)")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, func, text in [
        ("run", _run, "service + WeCom sandbox in one process"),
        ("serve", _serve, "the web service with in-process workers"),
        ("worker", _worker, "background workers only"),
        ("scheduler", _scheduler, "time-driven jobs only (reminders, …)"),
        ("sandbox", _sandbox, "the WeCom sandbox alone"),
        ("migrate", _migrate, "apply database migrations"),
        ("config", _show_config, "print the effective settings"),
        ("seed-demo", _seed_demo, "create the sandbox corp's demo staff"),
        ("purge", _purge, "erase personal data past its retention (once)"),
        ("hold", _hold, "place, lift or list legal holds"),
        ("inventory", _inventory, "the personal-data inventory (docs/personal-data.md)"),
    ]:
        cmd = sub.add_parser(name, help=text)
        cmd.set_defaults(func=func)
        if name == "serve":
            cmd.add_argument("--no-workers", action="store_true", help="web only")
        if name == "scheduler":
            cmd.add_argument("--once", action="store_true",
                             help="one tick of every job (if leader), then exit")  # fmt: skip
        if name == "purge":
            cmd.add_argument("--dry-run", action="store_true",
                             help="report counts and candidate ids only")  # fmt: skip
        if name == "hold":
            cmd.add_argument("action", choices=["place", "lift", "list"])
            cmd.add_argument("--as", dest="userid", required=True,
                             help="WeCom userid of the HR manager acting")  # fmt: skip
            cmd.add_argument("--candidate", type=int, help="candidate id (place)")
            cmd.add_argument("--job", type=int, help="job opening id (place)")
            cmd.add_argument("--hold", type=int, help="hold id (lift)")
            cmd.add_argument("--reason", default="", help="why (place and lift)")
        if name == "inventory":
            cmd.add_argument("--write", action="store_true",
                             help="rewrite docs/personal-data.md")  # fmt: skip
    _resumes_parser(sub)
    return parser


# Exit codes of ``resumes parse`` (stable: others test against them).
RESUME_EXIT = {"parsed": 0, "needs_ocr": 3, "refused": 4}


def _resumes_parser(sub: Any) -> None:
    cmd = sub.add_parser("resumes", help="read résumé files (parse, evaluate)")
    verbs = cmd.add_subparsers(dest="verb", required=True)
    parse = verbs.add_parser("parse", help="print one résumé's facts as JSON")
    parse.add_argument("file")
    parse.add_argument("--as-of", type=_month,
                       help="the month 至今 means, YYYY-MM (default: this month)")  # fmt: skip
    parse.set_defaults(func=_resumes_parse)
    evaluate = verbs.add_parser("evaluate", help="precision/recall over a generated corpus")
    evaluate.add_argument("corpus")
    evaluate.add_argument("--json", action="store_true", help="machine-readable report")
    evaluate.add_argument("--by-layout", action="store_true", help="one line per layout too")
    evaluate.set_defaults(func=_resumes_evaluate)
    match = verbs.add_parser("match", help="match one résumé file against a job; prints JSON")
    match.add_argument("file", help="résumé file (PDF, .docx, HTML, text)")
    match.add_argument("--job", required=True, help="job YAML with requirements: must / nice")
    match.set_defaults(func=_resumes_match)


def _month(text: str) -> str:
    """``--as-of`` as ``YYYY-MM`` (a bad one is argparse's exit 2, not a traceback later)."""
    year, dash, month = text.partition("-")
    if not (text.isascii() and dash and len(year) == 4 and year.isdigit() and len(month) == 2):
        raise argparse.ArgumentTypeError("月份格式应为 YYYY-MM，例如 2024-05")
    if not (month.isdigit() and 1 <= int(month) <= 12):
        raise argparse.ArgumentTypeError("月份应在 01 到 12 之间")
    return text


def _resumes_parse(settings: Settings, args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from recruiting.services.resumes.evaluate import output_json
    from recruiting.wiring.resumes import resume_reader

    path = Path(args.file)
    if not path.is_file():
        print(f"找不到文件：{path.name}", file=sys.stderr)
        return 2
    parsed = resume_reader(as_of=args.as_of).read(path.read_bytes(), path.name)
    print(json.dumps(output_json(parsed), ensure_ascii=False, indent=2))
    return RESUME_EXIT[parsed.status.value]


def _resumes_evaluate(settings: Settings, args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from recruiting.services.resumes.evaluate import evaluate, render
    from recruiting.wiring.resumes import resume_reader

    corpus = Path(args.corpus)
    if not corpus.is_dir():
        print(f"找不到目录：{corpus}", file=sys.stderr)
        return 2
    report = evaluate(corpus, lambda data, name, as_of: resume_reader(as_of=as_of).read(data, name))
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(render(report, by_layout=args.by_layout))
    return 0


def _resumes_match(settings: Settings, args: argparse.Namespace) -> int:
    """Thin: the reader and synonym table from the composition root, one use-case call."""
    import json
    from pathlib import Path

    from recruiting.domain.skill_synonyms import SynonymTable
    from recruiting.services.screening.files import match_file, read_job_file, read_resume_file
    from recruiting.wiring.resumes import resume_reader

    requirements = read_job_file(args.job)
    data = read_resume_file(args.file)
    table = SynonymTable.load(settings.screening.skill_synonyms or None)
    result = match_file(resume_reader(), table, requirements, data, Path(args.file).name)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return RESUME_EXIT[str(result["status"])]  # as ``parse``: 3 needs OCR, 4 refused


def _run(settings: Settings, args: argparse.Namespace) -> int:
    from sanic import Sanic

    from recruiting.bootstrap import create_app
    from recruiting.sandbox_guard import ensure_sandbox_allowed
    from wecom_bot.sandbox.app import create_sandbox_app

    ensure_sandbox_allowed(settings)  # run = service + sandbox: never beside real credentials
    app = create_app(settings)
    _demo_workbench(settings, app)
    sandbox = create_sandbox_app(settings, world=_demo_world(settings, app))
    _prepare_single(app, settings.server.host, settings.server.port)
    _prepare_single(sandbox, settings.sandbox.host, settings.sandbox.port)
    print(f"Service:          http://{settings.server.host}:{settings.server.port}/healthz")
    print(f"WeCom sandbox:    {settings.sandbox.base_url}/   ← open this, pick a member, type 帮助")
    Sanic.serve_single(app)
    return 0


def _demo_workbench(settings: Settings, app: Any) -> bool:
    """The lived-in workbench (``services.demo_workbench``): seeded once, before the
    workers start, only with the sandbox corp on loopback; its pages then show 示例数据.
    True when the seed was hooked on ``app``."""
    from recruiting.services.demo import sandbox_demo_allowed

    if not sandbox_demo_allowed(settings):
        return False

    async def _seed(app: Any) -> None:
        from recruiting.services.demo_workbench import demo_seeded, seed_demo_workbench

        await seed_demo_workbench(app.ctx.services, demo_recordings(settings))
        app.ctx.demo_data = await demo_seeded()

    app.before_server_start(_seed)
    return True


def demo_recordings(settings: Settings) -> Any:
    """The analysis core's demo side (scripted transcripts, placeholder videos) for the seed."""
    from interview_core.demo_script import (
        ScriptedAnalysis,
        demo_video,
        script_seconds,
        warm_up,
    )
    from interview_core.service import CoreAnalysis
    from recruiting.bootstrap import scorer_choice
    from recruiting.services.demo_workbench import DemoRecordings

    core = CoreAnalysis(min_coverage=settings.analysis.min_coverage_percent / 100,
                        scoring=scorer_choice(settings))  # fmt: skip
    scripted = ScriptedAnalysis(core)
    return DemoRecordings(scripted, scripted.register, demo_video, script_seconds, warm_up)


def _demo_world(settings: Settings, app: Any) -> Any:
    """The console's demo candidates and clock: loopback only (else the console goes without)."""
    from recruiting.services.demo import SandboxDemo, sandbox_demo_allowed

    if not sandbox_demo_allowed(settings):
        print("WeCom sandbox:    not on loopback, so no demo clock", file=sys.stderr)
        return None

    async def tick() -> object:
        return await app.ctx.services.scheduler.run_once()

    return SandboxDemo(settings, tick)


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    from sanic import Sanic
    from sanic.worker.loader import AppLoader

    from recruiting.bootstrap import WebApp, create_app

    def factory() -> WebApp:
        return create_app(settings, run_workers=not args.no_workers)

    if settings.server.workers == 1:
        app = factory()
        _prepare_single(app, settings.server.host, settings.server.port)
        Sanic.serve_single(app)
        return 0
    loader = AppLoader(factory=factory)
    app = loader.load()
    app.prepare(
        host=settings.server.host,
        port=settings.server.port,
        workers=settings.server.workers,
        motd=False,
        access_log=False,
    )
    Sanic.serve(primary=app, app_loader=loader)
    return 0


def _prepare_single(app: Any, host: str, port: int) -> None:
    """One process, no banner, no access log (the embedded default and tests)."""
    app.prepare(host=host, port=port, single_process=True, motd=False, access_log=False)


def _sandbox(settings: Settings, args: argparse.Namespace) -> int:
    from sanic import Sanic

    from recruiting.sandbox_guard import ensure_sandbox_allowed
    from wecom_bot.sandbox.app import create_sandbox_app

    ensure_sandbox_allowed(settings)
    app = create_sandbox_app(settings)
    _prepare_single(app, settings.sandbox.host, settings.sandbox.port)
    print(
        f"WeCom sandbox: {settings.sandbox.base_url}/ → callbacks to "
        f"{settings.sandbox.callback_url}"
    )
    Sanic.serve_single(app)
    return 0


def _worker(settings: Settings, args: argparse.Namespace) -> int:
    from recruiting.bootstrap import start_services, stop_services

    if settings.embedded:
        log.warning(
            "no REDIS_URL: this worker cannot see the web process's in-process "
            "queue and will only pick up work by sweeping the database"
        )

    async def work() -> None:
        services = await start_services(settings)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, services.worker.stop)
        try:
            await services.worker.run()
        finally:
            await stop_services(services)

    import uvloop  # installed with Sanic; the web processes use it too

    uvloop.run(work())
    return 0


def _scheduler(settings: Settings, args: argparse.Namespace) -> int:
    """The jobs in a process of their own (set scheduler.in_web: false on the web processes,
    or keep both: the leader lock lets one run them)."""
    from recruiting.bootstrap import start_services, stop_services

    if settings.embedded:
        log.warning(
            "no REDIS_URL: the leader lock is in-process, so this scheduler cannot see a web "
            "process's; run only one (SCHEDULER_IN_WEB=false on the web process)"
        )

    async def work() -> None:
        services = await start_services(settings)
        try:
            if args.once:
                log.info("scheduler tick: %s", await services.scheduler.run_once())
                return
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError):
                    loop.add_signal_handler(sig, stop.set)
            await services.scheduler.start()
            await stop.wait()
        finally:
            await services.scheduler.stop()
            await stop_services(services)

    import uvloop

    uvloop.run(work())
    return 0


def _migrate(settings: Settings, args: argparse.Namespace) -> int:
    from recruiting.db import migrate_schema
    from recruiting.infra.sealed_fields import install_cipher_for

    # The data migrations seal plaintext personal data with the configured keys.
    install_cipher_for(settings)
    asyncio.run(migrate_schema(settings.database_url))
    print("database schema is up to date")
    return 0


def _show_config(settings: Settings, args: argparse.Namespace) -> int:
    print(f"server:   {settings.server}")
    print(f"wecom:    {settings.wecom}")
    print(f"sandbox:  {settings.sandbox}")
    print(f"database: {_redact(settings.database_url)}")
    print(f"redis:    {_redact(settings.redis_url) or '(in-process)'}")
    print(f"pii keys: {', '.join(settings.pii_keys)} (active {settings.active_pii_key_id})")
    print(f"scheduler: {settings.scheduler}")
    print(f"reminders: {settings.reminders}")
    llm = replace(settings.scoring_llm, base_url=_redact(settings.scoring_llm.base_url))
    print(f"scoring llm: {llm if llm.enabled else '(off: the rules engine scores)'}")
    return 0


def _redact(url: str) -> str:
    """Hide a password in a URL (scheme://user:secret@host → scheme://user:***@host)."""
    head, sep, tail = url.partition("@")
    if not sep or ":" not in head.split("//", 1)[-1]:
        return url
    scheme_user, _, _ = head.rpartition(":")
    return f"{scheme_user}:***@{tail}"


def _seed_demo(settings: Settings, args: argparse.Namespace) -> int:
    from recruiting.db import close_database, migrate_schema, open_database
    from recruiting.infra.sealed_fields import install_cipher_for
    from recruiting.services.demo import seed_demo_staff

    async def seed() -> int:
        install_cipher_for(settings)
        await migrate_schema(settings.database_url)
        await open_database(settings.database_url)
        try:
            return await seed_demo_staff()
        finally:
            await close_database()

    print(f"created {asyncio.run(seed())} demo staff")
    return 0


def _purge(settings: Settings, args: argparse.Namespace) -> int:
    """One purge run now (the scheduler runs it hourly); prints ids and counts as JSON."""
    import json

    from recruiting.wiring.personal_data import standalone

    async def run() -> dict[str, Any]:
        async with standalone(settings) as lifecycle:
            return (await lifecycle.purge.run(dry_run=args.dry_run)).to_json()

    print(json.dumps(asyncio.run(run()), ensure_ascii=False, indent=2))
    return 0


def _hold(settings: Settings, args: argparse.Namespace) -> int:
    from recruiting.services.personal_data.holds import staff_actor
    from recruiting.wiring.personal_data import standalone

    async def run() -> list[Any]:
        async with standalone(settings) as lifecycle:
            actor, holds = await staff_actor(args.userid), lifecycle.holds
            if args.action == "place":
                return [await holds.place(actor, candidate_id=args.candidate, job_id=args.job,
                                          reason=args.reason)]  # fmt: skip
            if args.action == "lift":
                if args.hold is None:
                    raise RecruitingError("--hold <id> is required to lift a hold")
                return [await holds.lift(actor, args.hold, args.reason)]
            return await holds.standing(actor)

    for hold in asyncio.run(run()):
        subject = f"candidate {hold.candidate_id}" if hold.candidate_id else f"job {hold.job_id}"
        state = f"lifted {hold.lifted_at:%Y-%m-%d}" if hold.lifted_at else "standing"
        print(f"hold {hold.id}: {subject}, {state}, placed by {hold.placed_by} "
              f"{hold.placed_at:%Y-%m-%d}")  # fmt: skip
    return 0


def _inventory(settings: Settings, args: argparse.Namespace) -> int:
    from recruiting.services.personal_data.inventory import write_document

    text = write_document(check=not args.write)
    if not args.write:
        print(text)
    return 0
