"""An opening's screening requirements: HR reads and edits them; every save is validated
(``JobRequirements``) and audited. A requirement on gender is refused; one on age, marital
status, ethnicity, home town, looks or ID number is kept aside as flagged and never used."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from recruiting.domain.job_requirements import JobRequirements
from recruiting.errors import NotFound
from recruiting.models import JobOpening
from recruiting.services.openings.openings import not_closed
from recruiting.services.shared.access import require_hr
from recruiting.services.shared.audit import record
from recruiting.services.shared.sessions import Principal
from recruiting.validation import names_a_row

NOT_HR = "只有 HR 可以设置招聘要求和筛选简历"


async def opening(job_id: int) -> JobOpening:
    job = await JobOpening.get_or_none(id=job_id) if names_a_row(job_id) else None
    if job is None:
        raise NotFound("找不到该岗位，可能已被删除")
    return job


def stored(job: JobOpening) -> JobRequirements:
    """The opening's requirements as saved (validated again: a row edited by hand that no
    longer passes is refused here with the reason, not matched wrongly)."""
    return JobRequirements.from_json(job.requirements)


@dataclass(frozen=True)
class ScreenedOpening:
    """An opening as screening shows it: what it is and what it is screened by."""

    id: int
    code: str
    title: str
    city: str
    requirements: JobRequirements

    @property
    def ready(self) -> bool:
        """Requirements are set: résumés can be ranked."""
        return not self.requirements.empty


def _screened(job: JobOpening) -> ScreenedOpening:
    return ScreenedOpening(job.id, job.code, job.title, job.city, stored(job))


class OpeningRequirements:
    async def openings(self, principal: Principal) -> list[ScreenedOpening]:
        """The openings HR may screen for (not closed, by title), with their requirements."""
        await require_hr(principal, "list_openings", "job_opening", "-", refusal=NOT_HR)
        return [_screened(job) for job in await not_closed()]

    async def show(self, principal: Principal, job_id: int) -> ScreenedOpening:
        """One opening with its requirements (an unknown id: ``NotFound``)."""
        await require_hr(principal, "read_requirements", "job_opening", job_id, refusal=NOT_HR)
        return _screened(await opening(job_id))

    async def read(self, principal: Principal, job_id: int) -> JobRequirements:
        """The opening's requirements alone (``show`` without the opening)."""
        return (await self.show(principal, job_id)).requirements

    async def save(self, principal: Principal, job_id: int, raw: Any) -> JobRequirements:
        """Replace the opening's requirements; returns them with what was flagged."""
        await require_hr(principal, "save_requirements", "job_opening", job_id, refusal=NOT_HR)
        job = await opening(job_id)
        requirements = JobRequirements.from_json(raw)
        job.requirements = requirements.to_json()
        await job.save(update_fields=["requirements"])
        flags = ",".join(f.attribute.value for f in requirements.flagged)
        await record(
            principal.actor,
            "save_requirements",
            "job_opening",
            job_id,
            allowed=True,
            detail=f"items={len(requirements.items)} flagged={flags}",
        )
        return requirements
