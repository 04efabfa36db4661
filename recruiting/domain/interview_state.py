"""The interview lifecycle as an explicit state machine; invalid moves raise.

scheduled ─invite→ invited ─confirm→ confirmed ─start→ in_progress ─finish→ completed
scheduled/invited ─start→ in_progress (a live interview begins when the interviewer says so,
    confirmed in the room or not)
invited/confirmed ─request_reschedule→ reschedule_requested ─reschedule→ invited
scheduled ─reschedule→ scheduled (not yet sent to the candidate: just moved)
invited/confirmed/reschedule_requested ─decline→ declined (the candidate said no)
confirmed ─no_show→ no_show;  any open state ─cancel→ cancelled
"""

from __future__ import annotations

from enum import StrEnum

from recruiting.errors import InvalidTransition


class InterviewMode(StrEnum):
    """How an interview is held (set when it is booked; no transition changes it)."""

    ONSITE = "onsite"
    REMOTE = "remote"
    RECORDED = "recorded"


class InterviewStatus(StrEnum):
    SCHEDULED = "scheduled"
    INVITED = "invited"
    CONFIRMED = "confirmed"
    RESCHEDULE_REQUESTED = "reschedule_requested"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


S = InterviewStatus

TRANSITIONS: dict[str, dict[InterviewStatus, InterviewStatus]] = {
    "invite": {S.SCHEDULED: S.INVITED},
    "confirm": {S.INVITED: S.CONFIRMED, S.RESCHEDULE_REQUESTED: S.CONFIRMED},
    "request_reschedule": {S.INVITED: S.RESCHEDULE_REQUESTED, S.CONFIRMED: S.RESCHEDULE_REQUESTED},
    "reschedule": {
        S.SCHEDULED: S.SCHEDULED,  # not yet sent to the candidate: just moved
        S.RESCHEDULE_REQUESTED: S.INVITED,
        S.INVITED: S.INVITED,
        S.CONFIRMED: S.INVITED,
    },
    "decline": {S.INVITED: S.DECLINED, S.RESCHEDULE_REQUESTED: S.DECLINED, S.CONFIRMED: S.DECLINED},
    "start": {S.SCHEDULED: S.IN_PROGRESS, S.INVITED: S.IN_PROGRESS, S.CONFIRMED: S.IN_PROGRESS},
    "finish": {S.IN_PROGRESS: S.COMPLETED},
    "no_show": {S.CONFIRMED: S.NO_SHOW},
    "cancel": {
        S.SCHEDULED: S.CANCELLED,
        S.INVITED: S.CANCELLED,
        S.CONFIRMED: S.CANCELLED,
        S.RESCHEDULE_REQUESTED: S.CANCELLED,
        S.IN_PROGRESS: S.CANCELLED,
    },
}

FINAL = frozenset({S.COMPLETED, S.DECLINED, S.CANCELLED, S.NO_SHOW})

# What people read for a status (refusals name it: 这场面试当前状态为「已取消」).
STATUS_NAMES: dict[InterviewStatus, str] = {
    S.SCHEDULED: "已安排",
    S.INVITED: "已邀请",
    S.CONFIRMED: "已确认",
    S.RESCHEDULE_REQUESTED: "申请改期",
    S.IN_PROGRESS: "进行中",
    S.COMPLETED: "已完成",
    S.DECLINED: "候选人已拒绝",
    S.CANCELLED: "已取消",
    S.NO_SHOW: "未到场",
}


def next_status(current: InterviewStatus, action: str) -> InterviewStatus:
    """The status after ``action``, or ``InvalidTransition`` naming both."""
    moves = TRANSITIONS.get(action)
    if moves is None:
        raise InvalidTransition(f"unknown interview action {action!r}")
    target = moves.get(current)
    if target is None:
        raise InvalidTransition(f"cannot {action} an interview that is {current.value}")
    return target


def allowed_actions(current: InterviewStatus) -> list[str]:
    return sorted(action for action, moves in TRANSITIONS.items() if current in moves)
