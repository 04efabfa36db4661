"""Who may open which interview, the one permission check and the one HR-only check. Every
refusal is audited (except ``require_staff``'s, see there); so is every staff view of an
interview.

Candidates see only interviews of their own applications. Staff need the permission for
what they open, and interviewers (who are not HR) only interviews they are assigned to.
What a role's permission allows (the roles table of ``domain.roles``) is
``require_permission``; what only HR may do (every candidate of every opening: intake,
screening, the pipeline) is ``require_hr``; both are checked before anything is looked up.
"""

from __future__ import annotations

from recruiting.domain.roles import Permission, Role, allows
from recruiting.errors import AccessDenied, NotFound
from recruiting.models import (
    Interview,
    InterviewAssignment,
    InterviewRound,
    JobOpening,
    SubjectKind,
)
from recruiting.services.shared.audit import Actor, record
from recruiting.services.shared.sessions import Principal
from recruiting.validation import names_a_row


def round_of(interview: Interview) -> InterviewRound:
    """The prefetched round (the relation is typed loosely by the ORM)."""
    return interview.round


def job_of(interview: Interview) -> JobOpening:
    job: JobOpening = round_of(interview).job
    return job


HR_ROLES = frozenset({Role.HR, Role.HR_MANAGER})
NOT_PERMITTED = "您没有权限进行此操作。"


class NotYourInterview(AccessDenied):
    code = "not_your_interview"


class NotHr(AccessDenied):
    code = "not_hr"


def is_hr(principal: Principal) -> bool:
    """A staff member with an HR role (HR or HR manager)."""
    return principal.kind is SubjectKind.STAFF and bool(principal.roles & HR_ROLES)


async def require_hr(
    principal: Principal, action: str, subject: str, subject_id: object, *, refusal: str,
    audit_allowed: bool = False,
) -> None:  # fmt: skip
    """HR and HR managers only, before the subject is looked up (a refused caller learns
    nothing about it). A refusal is audited with ``refusal`` (Chinese, for the person); an
    allowed call too when ``audit_allowed`` (a look at many candidates at once, which the
    use case does not audit itself)."""
    allowed = is_hr(principal)
    if allowed and not audit_allowed:
        return
    await record(principal.actor, action, subject, subject_id, allowed=allowed)
    if not allowed:
        raise NotHr(refusal)


async def require_permission(
    actor: Actor, permission: Permission, action: str, subject: str, subject_id: object, *,
    refusal: str = NOT_PERMITTED,
) -> None:  # fmt: skip
    """Refuse unless the actor's roles allow ``permission``, before the subject is looked up.
    A refusal is audited (``permission=<name>`` in the detail) and raised with ``refusal``
    (Chinese, for the person). A candidate's or visitor's actor has no roles: refused."""
    if allows(actor.roles, permission):
        return
    await record(
        actor, action, subject, subject_id, allowed=False, detail=f"permission={permission}"
    )
    raise AccessDenied(refusal)


async def candidate_interview(principal: Principal, interview_id: int) -> Interview:
    """The caller's own interview (with application, round and job loaded). Anyone but a
    candidate is refused before the id is looked up."""
    mine = principal.kind is SubjectKind.CANDIDATE
    interview = await _load(interview_id) if mine else None
    if interview is None or interview.application.candidate_id != principal.candidate_id:
        await record(principal.actor, "open_interview", "interview", interview_id, allowed=False)
        raise NotYourInterview("this interview belongs to someone else")
    return interview


async def staff_interview(
    principal: Principal, interview_id: int, permission: Permission, action: str
) -> Interview:
    """The interview if the staff member may ``permission`` on it; audited either way. Who
    may is settled before the interview is looked up: a refused caller learns nothing about
    the id (403, never 404)."""
    allowed = principal.kind is SubjectKind.STAFF and allows(principal.roles, permission)
    if allowed and not is_hr(principal) and Role.INTERVIEWER in principal.roles:
        allowed = names_a_row(interview_id) and await InterviewAssignment.exists(
            interview_id=interview_id, interviewer_id=principal.staff_id
        )
    detail = f"permission={permission.value}"
    if not allowed:
        await record(principal.actor, action, "interview", interview_id, allowed=False,
                     detail=detail)  # fmt: skip
        raise AccessDenied("您的角色不能在这场面试中进行此操作。")
    interview = await _load(interview_id)
    await record(principal.actor, action, "interview", interview_id, allowed=True, detail=detail)
    return interview


def require_staff(principal: Principal, permission: Permission) -> None:
    """The same rule as ``require_permission`` (a staff session whose roles allow
    ``permission``), unaudited on purpose: it touches no database, so the scheduling,
    booking, invitation and recording-link use cases turn a refused caller away before any
    connection is used (the staff scheduling routes promise a refusal without a single
    query: tests/unit/test_scheduling_routes.py). Where a refusal must be audited, use
    ``require_permission``."""
    if principal.kind is not SubjectKind.STAFF or not allows(principal.roles, permission):
        raise AccessDenied(NOT_PERMITTED)


async def _load(interview_id: int) -> Interview:
    interview = None
    if names_a_row(interview_id):  # a larger number names nothing (PostgreSQL: a 500)
        interview = await Interview.get_or_none(id=interview_id).prefetch_related(
            "application", "round", "round__job", "round_version"
        )
    if interview is None:
        raise NotFound("没有找到这场面试。")
    return interview
