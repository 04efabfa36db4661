"""The candidate list's use case at 10,000 candidates: ``CandidateIntake.search`` (exact
name through the sealed name, phone through its keyed hash, opening, source, deep pages) and
``duplicate_groups``, each timed 15 times (audit rows included).

    .venv/bin/python bench/candidates.py postgres://postgres@127.0.0.1:5432/DATABASE

**Wipes** the candidate, application, job opening, résumé file and audit tables of DATABASE.
"""

import asyncio
import statistics
import sys
import time

from tortoise import connections

from recruiting.db import close_database, migrate_schema, open_database
from recruiting.domain.roles import Role
from recruiting.infra.pii import FieldCipher
from recruiting.infra.sealed_fields import install_cipher
from recruiting.models import Application, Candidate, JobOpening, JobStatus, SubjectKind
from recruiting.services.intake.candidates import CandidateIntake
from recruiting.services.personal_data.contact_data import PersonalDataService
from recruiting.services.shared.sessions import Principal

TEST_CIPHER = FieldCipher({"b": bytes(32)}, "b")  # a throwaway key: the data is fake

URL = sys.argv[1]
HR = Principal(0, SubjectKind.STAFF, staff_id=1, userid="lina", roles=frozenset({Role.HR}))


async def main() -> None:
    install_cipher(TEST_CIPHER)
    await migrate_schema(URL)
    await open_database(URL)
    conn = connections.get("default")
    await conn.execute_script(
        "TRUNCATE audit_log, resume_file, application, candidate, job_opening "
        "RESTART IDENTITY CASCADE"
    )
    jobs = [
        await JobOpening.create(code=f"J{i}", title=f"岗位{i}", status=JobStatus.OPEN)
        for i in range(20)
    ]
    seal = PersonalDataService(TEST_CIPHER)
    t = time.perf_counter()
    batch = []
    for i in range(10_000):
        c = Candidate(
            name=f"候选人{i}",
            source=["BOSS直聘", "智联招聘", "猎聘", "内推"][i % 4],
            education="本科",
            years_experience=i % 15,
        )
        seal.seal(c, phone=f"135{i:08d}", email=f"c{i}@example.cn")
        batch.append(c)
    for i in range(0, 5000, 100):  # 50 people who came in twice (before duplicates were found)
        twin = Candidate(name=f"候选人{i}", source="EHR")
        seal.seal(twin, phone=f"+86 135{i:08d}")
        batch.append(twin)
    await Candidate.bulk_create(batch, batch_size=1000)
    ids = await Candidate.all().values_list("id", flat=True)
    await Application.bulk_create(
        [Application(candidate_id=cid, job_id=jobs[n % 20].id) for n, cid in enumerate(ids)],
        batch_size=1000,
    )
    print(f"seeded 10,000 candidates + applications in {time.perf_counter() - t:.1f}s")
    await conn.execute_script("ANALYZE")
    intake = CandidateIntake(TEST_CIPHER)
    cases = {
        "first page": {},
        "page 200": {"page": 200},
        "exact name": {"name": "候选人7777"},
        "phone": {"phone": "135-0000-7777"},
        "opening": {"job_id": jobs[3].id},
        "opening+source p10": {"job_id": jobs[3].id, "source": "猎聘", "page": 10},
    }
    for label, kwargs in cases.items():
        times = []
        for _ in range(15):
            t = time.perf_counter()
            page = await intake.search(HR, **kwargs)
            times.append((time.perf_counter() - t) * 1000)
        print(
            f"{label:22s} total={page.total:5d} rows={len(page.rows):2d} "
            f"median={statistics.median(times):6.1f} ms  max={max(times):6.1f} ms"
        )
    t = time.perf_counter()
    groups = await intake.duplicate_groups(HR)
    print(f"duplicate_groups {len(groups)} groups {1000 * (time.perf_counter() - t):.1f} ms")
    await close_database()


asyncio.run(main())
