"""The one HR-only check (``shared.access.require_hr``) as intake, screening and the pipeline
use it: the same refusal (``NotHr``, with each capability's Chinese reason), audited; an
allowed call audited only where the capability asks for it (the pipeline's looks)."""

from __future__ import annotations

import pytest

from recruiting.domain.roles import Permission, Role
from recruiting.errors import AccessDenied, NotFound
from recruiting.models import AuditLog, JobOpening, Staff, SubjectKind
from recruiting.services.intake.candidates import CandidateIntake
from recruiting.services.pipeline.board import BoardFilters, PipelineBoard
from recruiting.services.screening.requirements import OpeningRequirements
from recruiting.services.shared.access import (
    NotHr,
    NotYourInterview,
    candidate_interview,
    is_hr,
    require_hr,
    staff_interview,
)
from recruiting.services.shared.sessions import Principal
from tests.conftest import TEST_CIPHER

HR = Principal(1, SubjectKind.STAFF, staff_id=1, userid="lina", roles=frozenset({Role.HR}))
MANAGER = Principal(2, SubjectKind.STAFF, staff_id=2, userid="boss",
                    roles=frozenset({Role.HR_MANAGER}))  # fmt: skip
ADMIN = Principal(3, SubjectKind.STAFF, staff_id=3, userid="root", roles=frozenset({Role.ADMIN}))
CANDIDATE = Principal(4, SubjectKind.CANDIDATE, candidate_id=7, roles=frozenset({Role.HR}))


def test_hr_means_staff_with_an_hr_role() -> None:
    assert is_hr(HR) and is_hr(MANAGER)
    assert not is_hr(ADMIN)
    assert not is_hr(CANDIDATE)  # roles on a candidate's session grant nothing


async def test_every_capability_refuses_with_the_same_error_and_its_own_reason(
    database: str,
) -> None:
    job = await JobOpening.create(code="s1", title="销售代表")
    refusals = []
    with pytest.raises(NotHr) as intake:
        await CandidateIntake(TEST_CIPHER).search(ADMIN)
    refusals.append(intake.value)
    with pytest.raises(NotHr) as screening:
        await OpeningRequirements().read(ADMIN, job.id)
    refusals.append(screening.value)
    with pytest.raises(NotHr) as pipeline:
        await PipelineBoard().board(ADMIN, job.id, BoardFilters())
    refusals.append(pipeline.value)
    assert {e.code for e in refusals} == {"not_hr"}
    assert all("只有 HR" in e.message for e in refusals)
    assert len({e.message for e in refusals}) == 3  # each says what it guards
    refused = await AuditLog.filter(allowed=False).order_by("id")
    assert [(a.actor, a.action) for a in refused] == [
        ("root", "list_candidates"),
        ("root", "read_requirements"),
        ("root", "view_pipeline"),
    ]


async def test_an_allowed_call_is_audited_only_when_asked(database: str) -> None:
    await require_hr(MANAGER, "quiet", "job", 1, refusal="只有 HR 可以")
    await require_hr(MANAGER, "looked", "job", 1, refusal="只有 HR 可以", audit_allowed=True)
    entries = await AuditLog.all()
    assert [(a.action, a.allowed) for a in entries] == [("looked", True)]


async def test_the_lists_behind_the_pages_are_hr_only_too(database: str) -> None:
    """What the screening list and the panel pickers show comes from HR-only use cases: a
    role the page lets in (an admin manages interviews) is refused there, audited."""
    await JobOpening.create(code="s2", title="客服专员")
    assert [o.title for o in await OpeningRequirements().openings(HR)] == ["客服专员"]
    for userid, roles, active in (("wq", ["interviewer"], True), ("hr", ["hr"], True),
                                  ("old", ["interviewer"], False)):  # fmt: skip
        await Staff.create(wecom_userid=userid, name=f"员工{userid}", title="面试官",
                           roles=roles, active=active)  # fmt: skip
    picked = await PipelineBoard().interviewers(MANAGER)
    assert [(i.name, i.title) for i in picked] == [("员工wq", "面试官")]
    with pytest.raises(NotHr):
        await OpeningRequirements().openings(ADMIN)
    with pytest.raises(NotHr):
        await PipelineBoard().interviewers(ADMIN)
    refused = await AuditLog.filter(allowed=False).order_by("id")
    assert [(a.actor, a.action) for a in refused] == [
        ("root", "list_openings"),
        ("root", "list_interviewers"),
    ]


async def test_an_interview_refuses_the_wrong_caller_before_looking_it_up(database: str) -> None:
    """Who may open an interview is settled before the id is looked up: a refused caller gets
    the same refusal for a missing interview as for an existing one (before, a missing one
    was a 404 and an existing one a 403, telling which ids exist), audited."""
    interviewer = Principal(5, SubjectKind.STAFF, staff_id=5, userid="wq",
                            roles=frozenset({Role.INTERVIEWER}))  # fmt: skip
    missing = 987_654
    with pytest.raises(AccessDenied):  # not on the panel of an interview that is not there
        await staff_interview(interviewer, missing, Permission.VIEW_ASSESSMENT, "view_results")
    with pytest.raises(AccessDenied):  # a candidate's session on a staff look
        await staff_interview(CANDIDATE, missing, Permission.VIEW_ASSESSMENT, "view_results")
    with pytest.raises(NotYourInterview):  # a staff session on a candidate's look
        await candidate_interview(HR, missing)
    with pytest.raises(NotFound):  # HR may look: a missing interview is not found
        await staff_interview(HR, missing, Permission.VIEW_ASSESSMENT, "view_results")
    with pytest.raises(NotFound):  # beyond the keys: not found, never a database error
        await staff_interview(HR, 2**40, Permission.VIEW_ASSESSMENT, "view_results")
    refused = await AuditLog.filter(allowed=False).order_by("id")
    assert [(a.actor, a.action) for a in refused] == [
        ("wq", "view_results"),
        (CANDIDATE.actor.id, "view_results"),
        ("lina", "open_interview"),
    ]
