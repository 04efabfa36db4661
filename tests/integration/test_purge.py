"""The purge job on both databases: each class goes when its period ends and not before, a
legal hold suspends it, a dry run changes nothing, a repeat does nothing, old audit records
go, and HR managers get one summary a month."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from recruiting import clock
from recruiting.domain.retention import RetentionPolicy
from recruiting.domain.roles import Role
from recruiting.infra.media_store import LocalMediaStore
from recruiting.models import (
    Answer,
    Application,
    AuditLog,
    Candidate,
    Consent,
    ConsentPurpose,
    ErasureRecord,
    InterviewNote,
    Offer,
    OfferEvent,
    OutboxMessage,
    Staff,
    SurveyResponse,
)
from recruiting.services.messaging.effects import Effects
from recruiting.services.personal_data.erasure import CandidateErasure
from recruiting.services.personal_data.holds import LegalHolds
from recruiting.services.personal_data.purge import Purge, candidate_facts
from recruiting.services.personal_data.talent_pool import current_version
from recruiting.services.shared.audit import Actor
from tests.conftest import TEST_CIPHER, TEST_PII_KEYS
from tests.integration.candidate_data import plant
from tests.people_text import problems

MANAGER = Actor("zhangwei", frozenset({Role.HR_MANAGER}))
ZONE = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def media(tmp_path: Path) -> LocalMediaStore:
    return LocalMediaStore(tmp_path / "media", TEST_CIPHER)


def purge_of(media: LocalMediaStore, scratch: Path | None = None) -> Purge:
    effects = Effects(None)
    return Purge(CandidateErasure(media, effects), RetentionPolicy(), effects, ZONE, scratch)


async def test_each_class_goes_when_its_period_ends(database: str, media: LocalMediaStore) -> None:
    candidate_id, key = await plant(media)
    decided = (await Application.get(candidate_id=candidate_id)).decided_at
    assert decided is not None
    purge = purge_of(media)
    assert (await purge.run(decided + timedelta(days=29))).candidates == []
    month = await purge.run(decided + timedelta(days=31))
    assert [(p.candidate_id, [c.value for c in p.classes]) for p in month.candidates] == [
        (candidate_id, ["recordings"])
    ]
    assert await media.size(key) == 0 and await InterviewNote.all().count() == 1
    assert (await purge.run(decided + timedelta(days=32))).candidates == []  # done already
    dry = await purge.run(decided + timedelta(days=91), dry_run=True)
    assert [p.classes for p in dry.candidates] == [("survey_comments",)]  # type: ignore[comparison-overlap]
    assert (await SurveyResponse.get()).comment == "面试官很专业"  # the dry run changed nothing
    await purge.run(decided + timedelta(days=91))
    assert (await SurveyResponse.get()).comment == ""
    assert (await Answer.get()).analysis is not None  # assessments keep 180 days
    everything = await purge.run(decided + timedelta(days=181))
    assert everything.per_class["profile"] == 1
    candidate = await Candidate.get(id=candidate_id)
    assert candidate.erased_at is not None and candidate.name == ""
    assert (await Answer.get()).analysis is None and await InterviewNote.all().count() == 0
    assert (await purge.run(decided + timedelta(days=400))).candidates == []
    erase_audits = await AuditLog.filter(action="erase").count()
    assert erase_audits == 3 and await ErasureRecord.all().count() == 3
    # audit and erasure records outlive the data, then go after audit_days
    gone = await purge.run(decided + timedelta(days=181 + 1096))
    assert gone.audit_records >= erase_audits + 3 and await AuditLog.all().count() == 0


async def test_a_hold_suspends_and_the_dry_run_names_it(
    database: str, media: LocalMediaStore
) -> None:
    candidate_id, key = await plant(media)
    decided = (await Application.get(candidate_id=candidate_id)).decided_at
    assert decided is not None
    later = decided + timedelta(days=200)
    hold = await LegalHolds().place(MANAGER, candidate_id=candidate_id, reason="劳动仲裁")
    purge = purge_of(media)
    assert (await candidate_facts(candidate_id)).held
    dry = await purge.run(later, dry_run=True)
    assert dry.held == [candidate_id] and dry.candidates == []
    held = await purge.run(later)
    assert held.held == [candidate_id] and await media.size(key) > 0
    assert (await Candidate.get(id=candidate_id)).name == "赵敏"
    await LegalHolds().lift(MANAGER, hold.id, "仲裁结束")
    dry = await purge.run(later, dry_run=True)
    assert [p.candidate_id for p in dry.candidates] == [candidate_id]
    assert dry.per_class == {c: 1 for c in dry.per_class} and len(dry.per_class) == 7
    assert "赵敏" not in str(dry.to_json())
    assert await media.size(key) > 0 and (await Candidate.get(id=candidate_id)).name == "赵敏"
    await purge.run(later)
    assert await media.size(key) == 0 and (await Candidate.get(id=candidate_id)).name == ""


async def test_an_open_application_is_never_purged(database: str, media: LocalMediaStore) -> None:
    candidate_id, key = await plant(media)
    await Application.filter(candidate_id=candidate_id).update(status="interviewing",
                                                               decided_at=None)  # fmt: skip
    report = await purge_of(media).run(clock.now() + timedelta(days=3000))
    assert report.candidates == [] and await media.size(key) > 0


async def test_a_candidate_who_never_applied_goes_after_the_not_hired_period(
    database: str, media: LocalMediaStore
) -> None:
    lone = await Candidate.create(name="孙丽", phone_enc="x")
    purge = purge_of(media)
    early = await purge.run(lone.created_at + timedelta(days=179))
    assert "profile" not in early.per_class and (await Candidate.get(id=lone.id)).name == "孙丽"
    done = await purge.run(lone.created_at + timedelta(days=181))
    assert [p.candidate_id for p in done.candidates] == [lone.id]
    assert done.per_class["profile"] == 1
    assert (await Candidate.get(id=lone.id)).name == ""


async def test_only_a_yes_to_the_current_talent_pool_text_keeps_the_candidate(
    database: str, media: LocalMediaStore
) -> None:
    """The purge reads the talent pool by the one rule (``talent_pool_periods``): a yes to
    an older text keeps nobody past the not-hired period; a yes to the current text does."""
    old, _ = await plant(media)
    kept, _ = await plant(media, "-2")
    decided = (await Application.get(candidate_id=old)).decided_at
    assert decided is not None
    await Application.filter(candidate_id=kept).update(decided_at=decided)
    await Consent.create(candidate_id=old, purpose=ConsentPurpose.TALENT_POOL,
                         text_version="2000-01-01", granted=True)  # fmt: skip
    await Consent.create(candidate_id=kept, purpose=ConsentPurpose.TALENT_POOL,
                         text_version=current_version(), granted=True)  # fmt: skip
    assert (await candidate_facts(old)).talent_pool_since is None
    assert (await candidate_facts(kept)).talent_pool_since is not None
    report = await purge_of(media).run(decided + timedelta(days=181))
    profiles = [p.candidate_id for p in report.candidates if "profile" in p.classes]
    assert profiles == [old]
    assert (await Candidate.get(id=old)).name == "" and (await Candidate.get(id=kept)).name


async def test_an_offer_ended_unanswered_starts_the_clock_where_it_ended(
    database: str, media: LocalMediaStore
) -> None:
    """An application left at ``offer`` whose offer was withdrawn after approval (or refused,
    deleted) and never answered is decided when the offer ended; a new offer HR is shaping
    opens it again."""
    candidate_id, key = await plant(media)
    app = await Application.get(candidate_id=candidate_id)
    await Application.filter(id=app.id).update(status="offer", decided_at=None)
    offer = await Offer.create(application_id=app.id, created_by="lina", city="310000",
                               base_salary=12000, start_date=clock.now().date(),
                               status="withdrawn_after_approval")  # fmt: skip
    ended = clock.now() - timedelta(days=10)
    event = await OfferEvent.create(offer=offer, source="wecom", action="approval",
                                    from_status="approved",
                                    to_status="withdrawn_after_approval", sp_status=6)  # fmt: skip
    await OfferEvent.filter(id=event.id).update(at=ended)
    facts = await candidate_facts(candidate_id)
    assert facts.decided_at == ended and not facts.hired
    purge = purge_of(media)
    assert (await purge.run(ended + timedelta(days=29))).candidates == []
    month = await purge.run(ended + timedelta(days=31))
    assert [p.classes for p in month.candidates] == [("recordings",)]  # type: ignore[comparison-overlap]
    assert await media.size(key) == 0
    done = await purge.run(ended + timedelta(days=181))
    assert done.per_class["profile"] == 1 and (await Candidate.get(id=candidate_id)).name == ""


async def test_a_new_offer_after_a_refused_one_keeps_the_application_open(
    database: str, media: LocalMediaStore
) -> None:
    candidate_id, _ = await plant(media)
    app = await Application.get(candidate_id=candidate_id)
    await Application.filter(id=app.id).update(status="offer", decided_at=None)
    terms: dict[str, Any] = {"created_by": "lina", "city": "310000", "base_salary": 12000,
                             "start_date": clock.now().date()}  # fmt: skip
    refused = await Offer.create(application_id=app.id, status="rejected", **terms)
    await OfferEvent.create(offer=refused, source="wecom", action="approval",
                            to_status="rejected", sp_status=3)  # fmt: skip
    assert (await candidate_facts(candidate_id)).decided_at is not None
    await Offer.create(application_id=app.id, status="pending_approval", **terms)
    assert (await candidate_facts(candidate_id)).decided_at is None
    report = await purge_of(media).run(clock.now() + timedelta(days=3000))
    assert report.candidates == []


async def test_dead_processes_scratch_is_wiped(
    database: str, media: LocalMediaStore, tmp_path: Path
) -> None:
    scratch = tmp_path / "tmp"
    dead = scratch / "999999"
    dead.mkdir(parents=True)
    (dead / ".started").write_text("1")
    (dead / "upload-x.media").write_bytes(b"decrypted recording")
    report = await purge_of(media, scratch).run(clock.now())
    assert report.scratch_folders == 1 and not dead.exists()


async def test_hr_managers_get_one_summary_a_month(database: str, media: LocalMediaStore) -> None:
    await Staff.create(wecom_userid="zhangwei", name="张伟", roles=["hr_manager"])
    await Staff.create(wecom_userid="lina", name="李娜", roles=["hr"])
    candidate_id, _ = await plant(media)
    decided = (await Application.get(candidate_id=candidate_id)).decided_at
    assert decided is not None
    purge = purge_of(media)
    when = decided + timedelta(days=181)
    await purge.run(when)
    next_month = (when.astimezone(ZONE).replace(day=1) + timedelta(days=40)).replace(day=2)
    assert await purge.monthly_summary(next_month) == 1
    assert await purge.monthly_summary(next_month + timedelta(hours=6)) == 0
    row = await OutboxMessage.get(channel="wecom.message")
    assert row.recipient == "zhangwei"
    text = row.payload["content"]
    assert "共清理了 1 位候选人" in text and "录制的回答视频：1 位" in text and "赵敏" not in text
    assert problems(text) == []  # written for HR: no developer text
    assert await purge.monthly_summary(next_month + timedelta(days=31)) == 0  # nothing erased


async def test_the_command_line_dry_run_and_run(
    database: str, media: LocalMediaStore, tmp_path: Path
) -> None:
    """``python -m recruiting purge --dry-run`` names the candidate and deletes nothing;
    ``purge`` erases them (a real process on the same database)."""
    candidate_id, key = await plant(media)
    await Application.filter(candidate_id=candidate_id).update(
        decided_at=clock.now() - timedelta(days=200)
    )
    env = {**os.environ, "DATABASE_URL": database, "DATA_DIR": str(tmp_path),
           "MEDIA_DIR": str(tmp_path / "media"), "PII_KEYS": TEST_PII_KEYS}  # fmt: skip
    env.pop("REDIS_URL", None)

    def purge(*flags: str) -> dict[str, Any]:
        done = subprocess.run(
            [sys.executable, "-m", "recruiting", "purge", *flags],
            cwd=ROOT, env=env, capture_output=True, timeout=120, check=True,
        )  # fmt: skip
        text = done.stdout.decode()
        assert "赵敏" not in text
        return dict(json.loads(text))

    dry = await asyncio.to_thread(purge, "--dry-run")
    assert dry["candidates"] == [{"candidate_id": candidate_id, "classes": [
        "recordings", "assessments", "notes", "resumes", "survey_comments", "messages",
        "profile"]}] and dry["dry_run"]  # fmt: skip
    assert await media.size(key) > 0 and (await Candidate.get(id=candidate_id)).name == "赵敏"
    run = await asyncio.to_thread(purge)
    assert run["per_class"]["profile"] == 1 and not run["dry_run"]
    assert await media.size(key) == 0 and (await Candidate.get(id=candidate_id)).name == ""
