"""What the openings use cases share: the role check with openings' refusals (the shared
``require_permission``, audited when refused), the library lookups and the audit entry of a
change."""

from __future__ import annotations

from dataclasses import dataclass

from recruiting.domain.roles import Permission
from recruiting.errors import NotFound
from recruiting.ports.competency_catalog import CatalogCompetency, CatalogJob, CompetencyCatalog
from recruiting.services.shared.access import require_permission
from recruiting.services.shared.audit import Actor, record
from recruiting.validation import names_a_row

DENIED = {
    Permission.VIEW_OPENINGS: "您的角色不能查看岗位和面试轮次",
    Permission.MANAGE_OPENINGS: "只有招聘专员和招聘经理可以修改岗位、面试轮次和题库",
}


async def require(
    actor: Actor, permission: Permission, action: str, subject: str, sid: object
) -> None:
    """``require_permission`` with what openings tell a refused person for ``permission``."""
    await require_permission(actor, permission, action, subject, sid, refusal=DENIED[permission])


async def changed(actor: Actor, action: str, subject: str, sid: object, detail: str = "") -> None:
    """The audit entry of a change: who, what, which row; never what a person wrote about
    anyone (``detail`` holds field names, counts, version numbers)."""
    await record(actor, action, subject, sid, allowed=True, detail=detail)


def row(row_id: int, missing: str) -> int:
    """``row_id`` if a 32-bit key can hold it; a larger one names nothing (PostgreSQL would
    refuse to compare it with the column: a 500 instead of ``missing``)."""
    if not names_a_row(row_id):
        raise NotFound(missing)
    return row_id


@dataclass(frozen=True)
class Library:
    """The catalog indexed by code: names for validation, anchors beside questions."""

    catalog: CompetencyCatalog

    def names(self) -> dict[str, str]:
        return {c.code: c.name for c in self.catalog.competencies()}

    def get(self, code: str) -> CatalogCompetency | None:
        return next((c for c in self.catalog.competencies() if c.code == code), None)

    def code_of(self, key: str) -> str:
        """A code from a code or a Chinese name (questions of old rounds store names)."""
        for c in self.catalog.competencies():
            if key in (c.code, c.name):
                return c.code
        return key

    def job(self, code: str) -> CatalogJob | None:
        return next((j for j in self.catalog.jobs() if j.code == code), None)
