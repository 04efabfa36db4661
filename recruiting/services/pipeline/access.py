"""Who may open the pipeline: HR (the board, bulk actions, decisions) and, for one
application's review, an interviewer on one of its panels. Every look is audited."""

from __future__ import annotations

from recruiting import validation
from recruiting.domain.roles import Permission, allows
from recruiting.errors import AccessDenied, NotFound
from recruiting.models import Application, InterviewAssignment, SubjectKind
from recruiting.services.shared.access import is_hr
from recruiting.services.shared.audit import record
from recruiting.services.shared.sessions import Principal

NOT_HR = "只有 HR 可以查看和处理招聘流程。"
NOT_YOURS = "您不在这位候选人的面试小组中，无法查看。"


async def reviewable(principal: Principal, application_id: int, action: str) -> Application:
    """The application (candidate and job loaded) if the caller may review it: HR, or an
    interviewer assigned to one of its interviews; audited either way. Who may look is
    settled first: a refused caller learns nothing about the id (403, never 404)."""
    allowed = principal.kind is SubjectKind.STAFF and allows(
        principal.roles, Permission.VIEW_ASSESSMENT
    )
    if allowed and not is_hr(principal):
        allowed = await _on_panel(principal, application_id)
    if not allowed:
        await record(principal.actor, action, "application", application_id, allowed=False)
        raise AccessDenied(NOT_YOURS if principal.kind is SubjectKind.STAFF else NOT_HR)
    validation.record_id("application_id", application_id)  # beyond the key: not found
    application = await Application.get_or_none(id=application_id).prefetch_related(
        "candidate", "job"
    )
    if application is None:
        raise NotFound("没有找到这份申请。", code="application_not_found")
    await record(principal.actor, action, "application", application_id, allowed=True)
    return application


async def _on_panel(principal: Principal, application_id: int) -> bool:
    """Assigned to one of the application's interviews (an id no row can have: not)."""
    if not validation.names_a_row(application_id):
        return False
    return await InterviewAssignment.exists(
        interview__application_id=application_id, interviewer_id=principal.staff_id
    )
