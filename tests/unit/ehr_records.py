"""A hired candidate's EHR records (the archive and the new employee, with a sealed phone)
for the EHR adapter tests and the file-mode check of its file exchange."""

from __future__ import annotations

from recruiting.ports.ehr import (
    CandidateArchive,
    CandidateProfile,
    CompetencyScore,
    Evidence,
    InterviewRecord,
    NewEmployee,
)

PROFILE = CandidateProfile(candidate_id=3, name="刘洋", phone="sealed-phone", email=None)
ARCHIVE = CandidateArchive(
    application_id=12, candidate=PROFILE, job_code="SALES-01", job_title="销售代表",
    decision="hired", decided_at="2026-11-20T08:00:00+00:00", decided_by="zhangwei",
    interviews=(InterviewRecord(7, "一面", "onsite", "completed", None, (
        CompetencyScore("沟通能力", 4.5, "ai", "ai:rules@1", (Evidence("我先分析了数据", "a1"),)),
    )),),
)  # fmt: skip
EMPLOYEE = NewEmployee(12, PROFILE, "SALES-01", "销售代表", "华东", "上海", "2026-12-01", "intern")


def unseal(sealed: str, field: str) -> str:
    """The ``Unsealer`` port for these records: opens their one sealed field, the phone."""
    return {"sealed-phone": "13800001111"}[sealed]
