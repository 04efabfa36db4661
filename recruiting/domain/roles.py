"""Staff roles and what each may do with candidates' personal data.

The policy lives here, in one table, so an auditor can read it; use cases ask ``allows``.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    HR = "hr"
    HR_MANAGER = "hr_manager"
    INTERVIEWER = "interviewer"
    FINANCE = "finance"
    ADMIN = "admin"


# What people read for a role (the workbench, chat): every role has its name here, so a page
# never falls back to the English key.
ROLE_NAMES: dict[Role, str] = {
    Role.HR: "HR",
    Role.HR_MANAGER: "HR 经理",
    Role.INTERVIEWER: "面试官",
    Role.FINANCE: "财务",
    Role.ADMIN: "管理员",
}


class Permission(StrEnum):
    VIEW_CONTACT = "view_contact"  # phone, email
    VIEW_ID_NUMBER = "view_id_number"
    VIEW_MEDIA = "view_media"  # recorded answers (video/voice)
    VIEW_ASSESSMENT = "view_assessment"  # transcripts, scores with evidence
    MANAGE_INTERVIEWS = "manage_interviews"
    APPROVE_OFFERS = "approve_offers"
    VIEW_COSTS = "view_costs"
    MANAGE_RETENTION = "manage_retention"  # legal holds, erasure on request
    VIEW_OPENINGS = "view_openings"  # openings, rounds, the question bank (no personal data)
    MANAGE_OPENINGS = "manage_openings"  # create and edit them


POLICY: dict[Role, frozenset[Permission]] = {
    Role.HR: frozenset(
        {
            Permission.VIEW_CONTACT,
            Permission.VIEW_MEDIA,
            Permission.VIEW_ASSESSMENT,
            Permission.MANAGE_INTERVIEWS,
            Permission.VIEW_OPENINGS,
            Permission.MANAGE_OPENINGS,
        }
    ),
    Role.HR_MANAGER: frozenset(
        {
            Permission.VIEW_CONTACT,
            Permission.VIEW_ID_NUMBER,
            Permission.VIEW_MEDIA,
            Permission.VIEW_ASSESSMENT,
            Permission.MANAGE_INTERVIEWS,
            Permission.APPROVE_OFFERS,
            Permission.MANAGE_RETENTION,
            Permission.VIEW_OPENINGS,
            Permission.MANAGE_OPENINGS,
        }
    ),
    # Interviewers see what they assess, never contact details or ID numbers.
    Role.INTERVIEWER: frozenset(
        {Permission.VIEW_MEDIA, Permission.VIEW_ASSESSMENT, Permission.VIEW_OPENINGS}
    ),
    # Finance needs the ID number for payroll hand-off, nothing about the interview.
    Role.FINANCE: frozenset({Permission.VIEW_ID_NUMBER, Permission.VIEW_COSTS}),
    # Admins run the system; they do not read candidates' data.
    Role.ADMIN: frozenset({Permission.MANAGE_INTERVIEWS}),
}


def parse_roles(values: list[str] | tuple[str, ...]) -> frozenset[Role]:
    """Known roles only; unknown strings are ignored rather than granting anything."""
    known = {r.value for r in Role}
    return frozenset(Role(v) for v in values if v in known)


def allows(roles: frozenset[Role], permission: Permission) -> bool:
    return any(permission in POLICY[role] for role in roles)
