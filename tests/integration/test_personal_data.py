"""Personal data: encrypted in the database, readable only by allowed roles, always audited."""

from __future__ import annotations

import os

import pytest
from tortoise import connections

from recruiting.domain.roles import Role
from recruiting.errors import AccessDenied, InvalidInput, NotFound
from recruiting.infra.pii import FieldCipher
from recruiting.models import AuditLog, Candidate
from recruiting.services.personal_data.contact_data import PersonalDataService
from recruiting.services.shared.audit import Actor

SERVICE = PersonalDataService(FieldCipher({"k1": os.urandom(32)}, "k1"))
HR = Actor("lina", frozenset({Role.HR}))
INTERVIEWER = Actor("wangqiang", frozenset({Role.INTERVIEWER}))


async def _candidate() -> Candidate:
    candidate = Candidate(name="刘洋")
    SERVICE.seal(
        candidate, phone="13800138000", email="liu@example.cn", id_number="110101199003074514"
    )
    await candidate.save()
    return candidate


async def test_plaintext_never_reaches_the_table(database: str) -> None:
    candidate = await _candidate()
    _, rows = await connections.get("default").execute_query(
        "SELECT * FROM candidate WHERE id = " + str(candidate.id)
    )
    stored = " ".join(str(v) for v in dict(rows[0]).values())
    for secret in ("13800138000", "liu@example.cn", "110101199003074514"):
        assert secret not in stored


async def test_allowed_read_is_decrypted_and_audited(database: str) -> None:
    candidate = await _candidate()
    data = await SERVICE.read(HR, candidate.id, ["phone", "email"], purpose="schedule interview")
    assert data.values == {"phone": "13800138000", "email": "liu@example.cn"}
    entry = await AuditLog.get(actor="lina")
    assert entry.allowed and entry.action == "read_pii" and "schedule interview" in entry.detail
    assert entry.subject_id == str(candidate.id) and entry.actor_roles == "hr"


async def test_denied_read_is_refused_and_audited(database: str) -> None:
    candidate = await _candidate()
    with pytest.raises(AccessDenied, match="手机号"):
        await SERVICE.read(INTERVIEWER, candidate.id, ["phone"], purpose="curious")
    with pytest.raises(AccessDenied, match="身份证号"):
        await SERVICE.read(HR, candidate.id, ["id_number"], purpose="payroll")
    denied = await AuditLog.filter(allowed=False).count()
    assert denied == 2 and await AuditLog.filter(allowed=True).count() == 0


async def test_bad_requests(database: str) -> None:
    with pytest.raises(InvalidInput):
        await SERVICE.read(HR, 1, ["phone"], purpose=" ")
    with pytest.raises(InvalidInput):
        await SERVICE.read(HR, 1, ["salary"], purpose="x")
    with pytest.raises(NotFound):
        await SERVICE.read(HR, 999, ["phone"], purpose="x")
