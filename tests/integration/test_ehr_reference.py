"""EHR effects through the real relay, the REST adapter and the reference EHR over sockets,
with injected faults: nothing lost, nothing applied twice, refusals dead-lettered."""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
import pytest
from sanic import Sanic

from ehr_adapter.auth import HmacAuth, OAuth2ClientCredentials
from ehr_adapter.build import unsealer
from ehr_adapter.config import DEFAULT_MAPPINGS
from ehr_adapter.mapping import load_mapping
from ehr_adapter.reference import Faults, ReferenceEhr, create_reference_app
from ehr_adapter.rest import RestEhr
from ehr_adapter.sender import EhrSender
from recruiting import clock
from recruiting.infra.pii import FieldCipher
from recruiting.models import (
    Application,
    ApplicationStatus,
    AuditLog,
    Candidate,
    JobOpening,
    OutboxMessage,
    ProcessingStatus,
    Staff,
)
from recruiting.ports.outbound import Channel
from recruiting.services.messaging.outbox import Backoff, DeadLetters, OutboxRelay
from recruiting.services.offers.ehr import EhrSync
from recruiting.services.shared.audit import Actor
from tests.serving import free_port, serving

CIPHER = FieldCipher({"k": os.urandom(32)}, "k")
HR = Actor("zhangwei")
_names = itertools.count()


@dataclass
class Rig:
    ehr: ReferenceEhr
    rest: RestEhr
    relay: OutboxRelay
    base: str


@pytest.fixture(params=["hmac", "oauth2"])
async def rig(request: pytest.FixtureRequest, database: str) -> AsyncIterator[Rig]:
    Sanic.test_mode = True
    state = ReferenceEhr(Faults(hang_seconds=2.0, slow_seconds=0.2), "app1", "s3cret",
                         auth=request.param, seed=7)  # fmt: skip
    app = create_reference_app(state, name=f"ref{next(_names)}")
    port = free_port()
    async with serving(app, port) as base:
        auth = (
            HmacAuth("app1", "s3cret")
            if request.param == "hmac"
            else OAuth2ClientCredentials(f"{base}/oauth/token", "app1", "s3cret")
        )
        mapping = load_mapping(DEFAULT_MAPPINGS["rest"])
        rest = RestEhr(base, mapping, unsealer(CIPHER), auth=auth, timeout=0.5)
        relay = OutboxRelay({Channel.EHR: EhrSender(rest)}, lease_seconds=60, max_attempts=12,
                            backoff=Backoff(0.0, 0.0), dead_letters=DeadLetters())  # fmt: skip
        yield Rig(state, rest, relay, base)
        await rest.aclose()


async def _hires(n: int) -> list[int]:
    job = await JobOpening.create(code="DEV-01", title="后端工程师", city="杭州")
    for i in range(n):
        candidate = await Candidate.create(
            name=f"候选人{i}", phone_enc=CIPHER.encrypt(f"1380000{i:04d}", "candidate.phone")
        )
        application = await Application.create(candidate=candidate, job=job)
        await EhrSync().record_hire(application.id, HR, start_date=date(2026, 12, 1))
    return list(await OutboxMessage.filter(channel=Channel.EHR).values_list("id", flat=True))


async def _drain(relay: OutboxRelay, rounds: int = 40) -> None:
    """What the workers do, stepped: deliver every due row, make waiting rows due, repeat."""
    for _ in range(rounds):
        await OutboxMessage.filter(status=ProcessingStatus.PENDING).update(
            next_attempt_at=clock.now()
        )
        due = await relay.due_ids(channel=Channel.EHR)
        if not due:
            return
        for outbox_id in due:
            await relay.deliver(outbox_id)


async def test_every_fault_ends_applied_exactly_once(rig: Rig) -> None:
    ids = await _hires(3)  # 6 effects: archive then employee record per candidate
    rig.ehr.faults.next = ["500", "429", "timeout", "crash_after_commit", "slow", "500"]
    await _drain(rig.relay)
    rows = await OutboxMessage.filter(id__in=ids)
    assert {r.status for r in rows} == {ProcessingStatus.DONE}
    assert all(r.result["external_id"] for r in rows)
    keys = {r.idempotency_key for r in rows}
    assert set(rig.ehr.records) == keys  # nothing lost
    stats = rig.ehr.stats()
    assert stats["applied"] == 6  # nothing applied twice …
    assert stats["replays"] >= 1  # … although the crash after commit made us send one again
    crashed = [k for k, r in rig.ehr.records.items() if r.deliveries > 1]
    assert crashed and all(OutboxMessage.filter(idempotency_key=k) for k in crashed)
    body = next(iter(rig.ehr.records.values())).body
    assert body["candidate"]["mobile"].startswith("1380000")  # decrypted only on the wire
    assert await AuditLog.filter(action="disclose_pii").count() >= 6


async def test_archive_reaches_the_ehr_before_the_employee_record(rig: Rig) -> None:
    await _hires(1)
    rig.ehr.faults.next = ["500"]  # the archive fails first; the employee record must wait
    await _drain(rig.relay)
    operations = [r.operation for r in rig.ehr.records.values()]
    assert operations == ["archive", "employee"]


async def test_rate_limit_waits_at_least_retry_after(rig: Rig) -> None:
    ids = await _hires(1)
    rig.ehr.faults.retry_after = 30
    rig.ehr.faults.next = ["429"]
    assert not await rig.relay.deliver(ids[0])
    row = await OutboxMessage.get(id=ids[0])
    assert row.next_attempt_at is not None
    assert (row.next_attempt_at - clock.now()).total_seconds() > 28
    assert "429" in row.error


async def test_random_faults_soak_loses_and_doubles_nothing(rig: Rig) -> None:
    ids = await _hires(15)
    rig.ehr.faults.fail_rate = 0.4
    rig.ehr.faults.hang_seconds = 0.8
    await _drain(rig.relay, rounds=60)
    rows = await OutboxMessage.filter(id__in=ids)
    assert [(r.status, r.error) for r in rows if r.status != ProcessingStatus.DONE] == []
    assert len(rows) == 30
    assert rig.ehr.stats()["applied"] == 30
    assert len(rig.ehr.records) == len({r.id for r in rig.ehr.records.values()}) == 30


async def test_refused_record_is_dead_lettered_and_hr_told(rig: Rig) -> None:
    await Staff.create(wecom_userid="zhangwei", name="张伟", roles=["hr_manager"])
    job = await JobOpening.create(code="DEV-02", title="测试工程师")
    candidate = await Candidate.create(name="")  # the EHR requires a name: 422
    application = await Application.create(candidate=candidate, job=job)
    ids = await EhrSync().record_decision(application.id, ApplicationStatus.REJECTED, HR)
    assert not await rig.relay.deliver(ids[0])
    row = await OutboxMessage.get(id=ids[0])
    assert row.status == ProcessingStatus.FAILED and "422" in row.error
    alert = await OutboxMessage.get(channel="wecom.message")
    card = alert.payload["card"]  # the row travels in the button, people read whom it was for
    assert alert.recipient == "zhangwei" and card["button_list"][0]["key"].endswith(f":{ids[0]}")
    assert card["main_title"]["desc"] == "发给：一位候选人（未填写姓名）"


@pytest.mark.parametrize("rig", ["oauth2"], indirect=True)  # tokens are OAuth2's
async def test_expired_token_is_replaced_once(rig: Rig) -> None:
    ids = await _hires(1)
    assert await rig.relay.deliver(ids[0])
    rig.ehr.tokens.clear()  # the EHR forgot (or revoked) every token
    assert await rig.relay.deliver(ids[1])


async def test_pull_job_openings_and_ratings(rig: Rig) -> None:
    async with httpx.AsyncClient(base_url=rig.base) as client:
        await client.post("/_seed", json={
            "job_openings": [{
                "code": "SALES-02", "title": "大客户经理", "department": "华南", "city": "深圳",
                "status": "OPEN",
                "competencyModel": [{"code": "COMM", "name": "沟通能力", "weight": 0.6},
                                    {"code": "CUST", "name": "客户导向", "weight": 0.4}],
            }],
            "performance": [{"employeeId": "E001", "period": "2026-H1", "rating": "A",
                             "score": 92.5, "externalId": 12}],
        })  # fmt: skip
    openings = await rig.rest.job_openings()
    done = await EhrSync().import_job_openings(openings)
    assert (done.created, done.updated) == (1, 0)
    job = await JobOpening.get(code="SALES-02")
    assert job.status == "open" and [c["code"] for c in job.competency_model] == ["COMM", "CUST"]
    ratings = await rig.rest.performance_ratings(since=date(2026, 1, 1))
    assert ratings[0].rating == "A" and ratings[0].application_id == 12


def test_default_mappings_load() -> None:
    for path in DEFAULT_MAPPINGS.values():
        assert load_mapping(Path(path)).sections
