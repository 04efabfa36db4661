"""Write the audit log. Denials are logged too: a refused look is as telling as a granted one."""

from __future__ import annotations

from dataclasses import dataclass

from recruiting.domain.roles import Role
from recruiting.models import AuditLog


@dataclass(frozen=True)
class Actor:
    """Who is acting: a staff member (WeCom userid + roles), a candidate, or the system."""

    id: str
    roles: frozenset[Role] = frozenset()

    @property
    def role_text(self) -> str:
        return ",".join(sorted(r.value for r in self.roles))


SYSTEM = Actor("system")


async def record(
    actor: Actor,
    action: str,
    subject_type: str,
    subject_id: object,
    *,
    allowed: bool,
    detail: str = "",
) -> None:
    await AuditLog.create(
        actor=actor.id[:64],
        actor_roles=actor.role_text[:128],
        action=action[:64],
        subject_type=subject_type[:32],
        subject_id=str(subject_id)[:64],
        allowed=allowed,
        detail=detail[:256],
    )
