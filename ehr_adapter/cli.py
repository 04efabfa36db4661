"""Command line: ``python -m ehr_adapter <command>``.

sync [--dry-run] [--now]  push the pending EHR outbox rows (dry run: show them, mapped, and
                          send nothing); --now first makes rows waiting out a backoff due
export --format xlsx|csv  write what the file exchange spooled to a workbook or CSVs
import FILE [--check]     read job openings or performance ratings from .xlsx/.csv, report
                          every bad row; job openings are applied only if all rows are right
pull openings|ratings     read them from the configured EHR (openings are applied)
reference                 run the reference EHR server (tests, benchmark, trying a mapping)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ehr_adapter.build import build_ehr, close_ehr, unsealer, wire_ehr
from ehr_adapter.config import EhrConfig, load_ehr_config
from ehr_adapter.files import FORMATS, KINDS, FileExchange
from ehr_adapter.mapping import load_mapping
from ehr_adapter.records import record_source
from ehr_adapter.reference import FAULT_KINDS, Faults, ReferenceEhr, create_reference_app
from ehr_adapter.xinrenxinshi import XinrenxinshiEhr
from recruiting import clock
from recruiting.db import close_database, open_database
from recruiting.errors import RecruitingError
from recruiting.infra.pii import FieldCipher
from recruiting.infra.sealed_fields import install_cipher_for
from recruiting.models import OutboxMessage, ProcessingStatus
from recruiting.ports.ehr import (
    CandidateArchive,
    EhrRecord,
    EhrSystem,
    NewEmployee,
    record_from_payload,
)
from recruiting.ports.outbound import Channel
from recruiting.services.messaging.outbox import DeadLetters, OutboxRelay
from recruiting.services.offers.ehr import EhrSync
from recruiting.services.shared.audit import Actor, record
from recruiting.settings import Settings, load_settings

CLI_ACTOR = Actor("cli:ehr_adapter")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "reference":
            return _reference(args)
        settings = load_settings(args.config)
        config = load_ehr_config(settings.data_dir, args.config)
        return asyncio.run(_with_database(settings, config, args))
    except RecruitingError as exc:
        print(exc.message, file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ehr_adapter",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--config", help="config file (default: config.yaml or CONFIG_FILE)")
    sub = parser.add_subparsers(dest="command", required=True)
    sync = sub.add_parser("sync", help="push pending EHR rows (or show them with --dry-run)")
    sync.add_argument("--dry-run", action="store_true", help="show, mapped; send nothing")
    sync.add_argument("--now", action="store_true", help="do not wait out backoffs")
    sync.add_argument("--limit", type=int, default=1000)
    export = sub.add_parser("export", help="spooled pushes → .xlsx or .csv")
    export.add_argument("--format", choices=FORMATS, default="xlsx")
    export.add_argument("--out", type=Path, help="folder (default: <exchange_dir>/export)")
    imp = sub.add_parser("import", help="job openings or ratings from .xlsx/.csv")
    imp.add_argument("file", type=Path)
    imp.add_argument("--kind", choices=KINDS)
    imp.add_argument("--check", action="store_true", help="report only, apply nothing")
    pull = sub.add_parser("pull", help="read from the configured EHR")
    pull.add_argument("what", choices=("openings", "ratings"))
    ref = sub.add_parser("reference", help="run the reference EHR server")
    ref.add_argument("--host", default="127.0.0.1")
    ref.add_argument("--port", type=int, default=8090)
    ref.add_argument("--fail-rate", type=float, default=0.0)
    kinds = ", ".join(FAULT_KINDS)
    ref.add_argument("--faults", default="500,429,timeout,crash_after_commit", help=kinds)
    ref.add_argument("--retry-after", type=int, default=1)
    ref.add_argument("--hang-seconds", type=float, default=30.0)
    ref.add_argument("--seed", type=int)
    ref.add_argument("--auth", choices=("none", "oauth2", "hmac"), default="none")
    ref.add_argument("--client-id", default="")
    ref.add_argument("--client-secret", default="")
    return parser


async def _with_database(settings: Settings, config: EhrConfig, args: argparse.Namespace) -> int:
    cipher = install_cipher_for(settings)  # the sealed model fields
    await open_database(settings.database_url)
    try:
        if args.command == "sync":
            return await (_dry_run(config, args) if args.dry_run else _sync(config, cipher, args))
        if args.command == "export":
            return await _export(config, cipher, args)
        if args.command == "import":
            return await _import(config, cipher, args)
        return await _pull(config, cipher, args)
    finally:
        await close_database()


async def _pending(limit: int) -> list[OutboxMessage]:
    unsent = (ProcessingStatus.PENDING, ProcessingStatus.PROCESSING)
    rows = OutboxMessage.filter(channel=Channel.EHR, status__in=unsent).order_by("id")
    return await rows.limit(limit)


async def _dry_run(config: EhrConfig, args: argparse.Namespace) -> int:
    """One JSON line per pending row: what would be sent, personal fields masked."""
    rows = await _pending(args.limit)
    for row in rows:
        item = record_from_payload(dict(row.payload))
        line = {
            "outbox_id": row.id,
            "op": row.payload.get("op"),
            "idempotency_key": row.idempotency_key,
            "status": row.status.value,
            "attempts": row.attempts,
            "next_attempt_at": row.next_attempt_at.isoformat() if row.next_attempt_at else None,
            "last_error": row.error or None,
            "adapter": config.adapter,
            "would_send": _preview(config, item),
        }
        print(json.dumps(line, ensure_ascii=False))
    print(f"# {len(rows)} pending EHR rows; nothing was sent (--dry-run)", file=sys.stderr)
    return 0


def _preview(config: EhrConfig, item: EhrRecord) -> Any:
    """The body the configured adapter would send, personal fields masked."""
    if config.adapter in ("rest", "file"):
        section = "archive" if isinstance(item, CandidateArchive) else "employee"
        return load_mapping(config.mapping).section(section).render(record_source(item, None))
    if config.adapter == "xinrenxinshi" and isinstance(item, NewEmployee):
        return XinrenxinshiEhr.preview(item)
    return record_source(item, None)


async def _sync(config: EhrConfig, cipher: FieldCipher, args: argparse.Namespace) -> int:
    """Deliver due EHR rows through the same relay as the workers (same claims: safe to run
    while workers run), until none is due."""
    wiring = wire_ehr(config, cipher)
    relay = OutboxRelay(
        {Channel.EHR: wiring.sender},
        lease_seconds=60,
        max_attempts=wiring.policy.max_attempts,
        backoff=wiring.policy.backoff,
        dead_letters=DeadLetters(),  # alerts are stored; the workers send them
    )
    if args.now:
        await OutboxMessage.filter(
            channel=Channel.EHR, status=ProcessingStatus.PENDING, next_attempt_at__gt=clock.now()
        ).update(next_attempt_at=clock.now())
    sent = tried = 0
    try:
        while tried < args.limit:
            due = await relay.due_ids(channel=Channel.EHR)
            if not due:
                break
            for outbox_id in due:
                tried += 1
                sent += await relay.deliver(outbox_id)
    finally:
        await close_ehr(wiring.ehr)
    left = await OutboxMessage.filter(channel=Channel.EHR, status=ProcessingStatus.PENDING).count()
    dead = await OutboxMessage.filter(channel=Channel.EHR, status=ProcessingStatus.FAILED).count()
    print(f"sent {sent} of {tried} attempts; {left} waiting to retry; {dead} dead-lettered")
    return 0 if tried == sent else 1


async def _export(config: EhrConfig, cipher: FieldCipher, args: argparse.Namespace) -> int:
    if config.adapter != "file":
        print(f"ehr.adapter is {config.adapter}: nothing is spooled for files", file=sys.stderr)
        return 2
    exchange = FileExchange(config.exchange_dir, load_mapping(config.mapping), unsealer(cipher))
    result = exchange.export(args.format, args.out)
    for path in result.files:
        detail = f"{result.archives} archives, {result.employees} employees"
        await record(CLI_ACTOR, "export_pii", "file", path.name, allowed=True, detail=detail)
        print(path)
    print(f"exported {result.archives} archives and {result.employees} employee records")
    return 0


async def _import(config: EhrConfig, cipher: FieldCipher, args: argparse.Namespace) -> int:
    mapping = config.mapping if config.adapter == "file" else _file_mapping()
    exchange = FileExchange(config.exchange_dir, load_mapping(mapping), unsealer(cipher))
    report = exchange.import_file(args.file, args.kind)
    for error in report.errors:
        print(error, file=sys.stderr)
    if not report.ok:
        print(f"{len(report.errors)} problems in {report.rows} rows; nothing was applied")
        return 1
    if report.kind == "performance":
        for rating in report.ratings:
            print(json.dumps(asdict(rating), ensure_ascii=False))
        print(f"{len(report.ratings)} ratings read and checked", file=sys.stderr)
        return 0
    if args.check:
        print(f"{len(report.openings)} job openings checked; nothing applied (--check)")
        return 0
    done = await EhrSync().import_job_openings(report.openings)
    print(f"job openings: {done.created} created, {done.updated} updated")
    return 0


def _file_mapping() -> Path:
    from ehr_adapter.config import DEFAULT_MAPPINGS

    return DEFAULT_MAPPINGS["file"]


async def _pull(config: EhrConfig, cipher: FieldCipher, args: argparse.Namespace) -> int:
    ehr: EhrSystem = build_ehr(config, unsealer(cipher))
    try:
        if args.what == "ratings":
            for rating in await ehr.performance_ratings():
                print(json.dumps(asdict(rating), ensure_ascii=False))
            return 0
        done = await EhrSync().import_job_openings(await ehr.job_openings())
        print(f"job openings: {done.created} created, {done.updated} updated")
        return 0
    finally:
        await close_ehr(ehr)


def _reference(args: argparse.Namespace) -> int:
    faults = Faults(
        fail_rate=args.fail_rate,
        kinds=tuple(k for k in args.faults.split(",") if k in FAULT_KINDS),
        retry_after=args.retry_after,
        hang_seconds=args.hang_seconds,
    )
    state = ReferenceEhr(faults, args.client_id, args.client_secret, args.auth, args.seed)
    app = create_reference_app(state)
    app.run(host=args.host, port=args.port, single_process=True, access_log=False)
    return 0
