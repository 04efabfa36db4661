"""待评审: recorded interviews whose answers are all analysed and that wait for HR, the
longest waiting first. Waiting means the application is still open and nothing came after
the recording (no live interview not cancelled, no offer).

One statement: the index ``interview (mode, status, completed_at)`` is walked in order and
each candidate row is checked by indexed lookups, so the first page costs the same with a
hundred or a hundred thousand interviews.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from tortoise import connections

from recruiting.domain.pipeline import DEAD_INTERVIEWS, DEAD_OFFERS
from recruiting.errors import InvalidInput
from recruiting.models import Candidate, Interview
from recruiting.services.pipeline.access import NOT_HR
from recruiting.services.shared.access import require_hr
from recruiting.services.shared.sessions import Principal

LIMIT_MAX = 200


@dataclass(frozen=True)
class Waiting:
    interview_id: int
    application_id: int
    name: str
    job: str
    round: str
    completed_at: str  # local time, for people
    ai_score: float | None


class PendingReview:
    def __init__(self, zone: tzinfo) -> None:
        self._zone = zone

    async def waiting(
        self, principal: Principal, job_id: int | None = None, limit: int = 50
    ) -> list[Waiting]:
        await require_hr(
            principal,
            "view_pending_review",
            "job",
            job_id or "*",
            refusal=NOT_HR,
            audit_allowed=True,
        )
        if not 1 <= limit <= LIMIT_MAX:
            raise InvalidInput(f"每次最多显示 {LIMIT_MAX} 条。", code="bad_limit")
        rows = await _rows(job_id, limit)
        ids = [int(r["id"]) for r in rows]
        interviews = {
            i.id: i
            for i in await Interview.filter(id__in=ids).prefetch_related(
                "round__job", "application"
            )
        }
        names = {
            c.id: ("（已删除）" if c.erased_at else c.name)
            for c in await Candidate.filter(
                id__in=[i.application.candidate_id for i in interviews.values()]
            ).only("id", "name", "erased_at")
        }
        out = []
        for row in rows:
            interview = interviews[int(row["id"])]
            ai = row["ai"]
            out.append(
                Waiting(
                    interview.id,
                    interview.application_id,
                    names.get(interview.application.candidate_id, ""),
                    interview.round.job.title,
                    interview.round.name,
                    _local(interview.completed_at, self._zone),
                    round(float(ai), 1) if ai is not None else None,
                )
            )
        return out


async def _rows(job_id: int | None, limit: int) -> list[dict[str, Any]]:
    postgres = connections.get("default").capabilities.dialect == "postgres"
    params: list[Any] = []

    def p(value: Any) -> str:
        params.append(value)
        return f"${len(params)}" if postgres else "?"

    dead_iv = ", ".join(f"'{s}'" for s in DEAD_INTERVIEWS)
    dead_offer = ", ".join(f"'{s}'" for s in DEAD_OFFERS)
    job = f" AND a.job_id = {p(job_id)}" if job_id is not None else ""
    sql = f"""SELECT i.id,
          (SELECT AVG(s.value) FROM score s WHERE s.interview_id = i.id
            AND s.rater_kind = 'ai' AND s.value IS NOT NULL) AS ai
        FROM interview i JOIN application a ON a.id = i.application_id
        WHERE i.mode = 'recorded' AND i.status = 'completed'
          AND a.status IN ('applied', 'screening', 'interviewing'){job}
          AND NOT EXISTS (SELECT 1 FROM answer w WHERE w.interview_id = i.id
                          AND w.analysis_status IN ('queued', 'processing'))
          AND NOT EXISTS (SELECT 1 FROM interview j WHERE j.application_id = a.id
                          AND j.mode <> 'recorded' AND j.status NOT IN ({dead_iv}))
          AND NOT EXISTS (SELECT 1 FROM offer o WHERE o.application_id = a.id
                          AND o.status NOT IN ({dead_offer}))
        ORDER BY i.completed_at, i.id LIMIT {int(limit)}"""  # noqa: S608
    return list(await connections.get("default").execute_query_dict(sql, params))


def _local(when: datetime | None, zone: tzinfo) -> str:
    return when.astimezone(zone).strftime("%Y-%m-%d %H:%M") if when else ""
