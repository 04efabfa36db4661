"""The pipeline board of one opening: every application's stage, counts per stage, filters
and one page of cards.

Two statements per board, whatever the number of candidates: one counts the stages (all
filters but the stage), one reads the page (all filters, ``LIMIT``). Each derives the stage
in SQL from indexed lookups per application (``interview (application_id, mode, status)``,
``offer (application_id, status)``, ``score``'s unique key), the rule of
``recruiting.domain.pipeline.stage_of``; names are then read for the page's rows only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tortoise import connections

from recruiting.domain.pipeline import DEAD_INTERVIEWS, DEAD_OFFERS, STAGE_NAMES, Stage
from recruiting.errors import InvalidInput, NotFound
from recruiting.models import Application, Candidate, InterviewRound, JobOpening
from recruiting.services.pipeline.access import require_hr
from recruiting.services.shared.sessions import Principal

PAGE_MAX = 200


@dataclass(frozen=True)
class BoardFilters:
    stage: Stage | None = None
    channel: str = ""
    ai_min: float | None = None  # the mean AI score (1–5) over the application's interviews
    ai_max: float | None = None
    flagged: bool | None = None  # integrity events or gaming flags on any answer
    round_id: int | None = None  # has an interview (not cancelled) in this round
    page: int = 1
    per_page: int = 50

    def checked(self) -> BoardFilters:
        """Refuse what no board can show, with a message HR can act on."""
        for value in (self.ai_min, self.ai_max):
            if value is not None and not 0 <= value <= 5:
                raise InvalidInput("AI 评分范围应在 0 到 5 之间。", code="bad_filter")
        if self.ai_min is not None and self.ai_max is not None and self.ai_min > self.ai_max:
            raise InvalidInput("AI 评分的下限不能高于上限。", code="bad_filter")
        if not 1 <= self.page <= 100_000 or not 1 <= self.per_page <= PAGE_MAX:
            raise InvalidInput(f"页码无效（每页最多 {PAGE_MAX} 条）。", code="bad_filter")
        if len(self.channel) > 32:
            raise InvalidInput("来源渠道过长。", code="bad_filter")
        return self


@dataclass(frozen=True)
class Card:
    application_id: int
    candidate_id: int
    name: str
    stage: Stage
    status: str
    channel: str
    ai_score: float | None
    flagged: bool
    round_name: str  # the furthest round reached ("" before any interview)
    rejection_reason: str


@dataclass(frozen=True)
class Board:
    job_id: int
    job_title: str
    counts: dict[Stage, int]
    cards: list[Card]
    total: int  # cards matching every filter (for paging)
    filters: BoardFilters
    rounds: list[tuple[int, str]] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)

    @property
    def stage_names(self) -> dict[Stage, str]:
        return STAGE_NAMES


class PipelineBoard:
    async def board(self, principal: Principal, job_id: int, filters: BoardFilters) -> Board:
        await require_hr(principal, "view_pipeline", "job", job_id)
        filters = filters.checked()
        job = await JobOpening.get_or_none(id=job_id)
        if job is None:
            raise NotFound("没有找到这个岗位。", code="job_not_found")
        counts = await stage_counts(job_id, filters)
        cards = await _cards(await _page(job_id, filters))
        rounds = await InterviewRound.filter(job_id=job_id).order_by("sequence")
        total = counts.get(filters.stage, 0) if filters.stage else sum(counts.values())
        channels = await _channels(job_id)
        return Board(
            job.id, job.title, counts, cards, total, filters,
            [(r.id, r.name) for r in rounds], channels,
        )  # fmt: skip


async def stage_counts(job_id: int, filters: BoardFilters) -> dict[Stage, int]:
    """Applications per stage under every filter but the stage (every stage present)."""
    sql, params = _query(job_id, filters, stage=False)
    sql = f"SELECT stage, COUNT(*) AS n FROM ({sql}) AS board GROUP BY stage"  # noqa: S608
    rows = await connections.get("default").execute_query_dict(sql, params)
    counts = dict.fromkeys(Stage, 0)
    for row in rows:
        counts[Stage(row["stage"])] = int(row["n"])
    return counts


async def stages_of(application_ids: list[int]) -> dict[int, Stage]:
    """The stage of each application (any opening), by the board's own SQL."""
    if not application_ids:
        return {}
    sql, params = _query(None, BoardFilters(), stage=False, ids=application_ids)
    rows = await connections.get("default").execute_query_dict(sql, params)
    return {int(r["id"]): Stage(r["stage"]) for r in rows}


async def cards_of(application_ids: list[int]) -> list[Card]:
    """The cards of these applications (any opening), in the order given."""
    if not application_ids:
        return []
    sql, params = _query(None, BoardFilters(), stage=False, ids=application_ids)
    rows = await connections.get("default").execute_query_dict(sql, params)
    return await _cards(sorted(rows, key=lambda r: application_ids.index(int(r["id"]))))


async def top_open(job_id: int, limit: int) -> list[Card]:
    """The open applications of the opening with the highest AI scores (then the newest)."""
    sql, params = _query(job_id, BoardFilters(), stage=False)
    closed = ", ".join(f"'{s.value}'" for s in (Stage.HIRED, Stage.REJECTED, Stage.WITHDRAWN))
    sql += f" AND c.stage NOT IN ({closed}) ORDER BY CASE WHEN c.ai IS NULL THEN 1 ELSE 0 END,"
    sql += f" c.ai DESC, c.id DESC LIMIT {int(limit)}"
    rows = await connections.get("default").execute_query_dict(sql, params)
    return await _cards(list(rows))


async def _cards(rows: list[dict[str, Any]]) -> list[Card]:
    names = await _names([int(r["candidate_id"]) for r in rows])
    jobs = {int(r["job_id"]) for r in rows}
    rounds = {(r.job_id, r.sequence): r.name for r in await InterviewRound.filter(job_id__in=jobs)}
    return [
        _card(r, names, {seq: n for (j, seq), n in rounds.items() if j == int(r["job_id"])})
        for r in rows
    ]


async def _page(job_id: int, filters: BoardFilters) -> list[dict[str, Any]]:
    sql, params = _query(job_id, filters, stage=True)
    sql += f" ORDER BY id DESC LIMIT {int(filters.per_page)} "
    sql += f"OFFSET {int((filters.page - 1) * filters.per_page)}"
    return list(await connections.get("default").execute_query_dict(sql, params))


def _query(
    job_id: int | None, f: BoardFilters, *, stage: bool, ids: list[int] | None = None
) -> tuple[str, list[Any]]:
    """The board's rows as SQL text and its parameters, placeholders of the connection's
    dialect. Only constants of this module and placeholders are interpolated."""
    postgres = connections.get("default").capabilities.dialect == "postgres"
    params: list[Any] = []

    def p(value: Any) -> str:
        params.append(value)
        return f"${len(params)}" if postgres else "?"

    dead_iv = ", ".join(f"'{s}'" for s in DEAD_INTERVIEWS)
    dead_offer = ", ".join(f"'{s}'" for s in DEAD_OFFERS)
    live_iv = f"i.application_id = a.id AND i.status NOT IN ({dead_iv})"
    where = f"a.job_id = {p(job_id)}" if ids is None else (
        f"a.id IN ({', '.join(p(i) for i in ids)})")  # fmt: skip
    inner = f"""
        SELECT a.id, a.job_id, a.candidate_id, a.status, a.channel, a.rejection_reason,
          EXISTS (SELECT 1 FROM interview i WHERE {live_iv} AND i.mode = 'recorded') AS rec,
          EXISTS (SELECT 1 FROM interview i WHERE {live_iv} AND i.mode <> 'recorded') AS live,
          EXISTS (SELECT 1 FROM offer o WHERE o.application_id = a.id
                  AND o.status NOT IN ({dead_offer})) AS has_offer,
          (SELECT AVG(s.value) FROM interview i JOIN score s ON s.interview_id = i.id
            WHERE {live_iv} AND s.rater_kind = 'ai' AND s.value IS NOT NULL) AS ai,
          (EXISTS (SELECT 1 FROM interview i JOIN integrity_event e ON e.interview_id = i.id
                   WHERE i.application_id = a.id)
           OR EXISTS (SELECT 1 FROM interview i JOIN answer w ON w.interview_id = i.id
                      WHERE i.application_id = a.id AND w.flag_count > 0)) AS flagged,
          (SELECT MAX(r.sequence) FROM interview i JOIN interview_round r ON r.id = i.round_id
            WHERE {live_iv}) AS round_seq
        FROM application a WHERE {where}"""  # noqa: S608
    sql = f"""SELECT * FROM (SELECT b.*, CASE
          WHEN b.status IN ('hired', 'rejected', 'withdrawn') THEN b.status
          WHEN b.status = 'offer' OR b.has_offer THEN 'offer'
          WHEN b.live THEN 'live'
          WHEN b.rec THEN 'recorded'
          WHEN b.status IN ('screening', 'interviewing') THEN 'screened'
          ELSE 'new' END AS stage FROM ({inner}) AS b) AS c WHERE 1 = 1"""  # noqa: S608
    if stage and f.stage is not None:
        sql += f" AND c.stage = {p(f.stage.value)}"
    if f.channel:
        sql += f" AND c.channel = {p(f.channel)}"
    if f.ai_min is not None:
        sql += f" AND c.ai >= {p(Decimal(str(f.ai_min)) if postgres else f.ai_min)}"
    if f.ai_max is not None:
        sql += f" AND c.ai <= {p(Decimal(str(f.ai_max)) if postgres else f.ai_max)}"
    if f.flagged is not None:
        sql += " AND c.flagged" if f.flagged else " AND NOT c.flagged"
    if f.round_id is not None:
        in_round = f"i.status NOT IN ({dead_iv}) AND i.round_id = {p(f.round_id)}"
        sql += (
            f" AND EXISTS (SELECT 1 FROM interview i WHERE i.application_id = c.id AND {in_round})"  # noqa: S608
        )
    return sql, params


async def _names(candidate_ids: list[int]) -> dict[int, str]:
    if not candidate_ids:
        return {}
    rows = await Candidate.filter(id__in=candidate_ids).only("id", "name", "erased_at")
    return {c.id: ("（已删除）" if c.erased_at else c.name) for c in rows}


async def _channels(job_id: int) -> list[str]:
    found = (
        await Application.filter(job_id=job_id)
        .distinct()
        .limit(50)
        .values_list("channel", flat=True)
    )
    return sorted(str(c) for c in found)


def _card(row: dict[str, Any], names: dict[int, str], rounds: dict[int, str]) -> Card:
    ai = row["ai"]
    seq = row["round_seq"]
    return Card(
        application_id=int(row["id"]),
        candidate_id=int(row["candidate_id"]),
        name=names.get(int(row["candidate_id"]), ""),
        stage=Stage(row["stage"]),
        status=str(row["status"]),
        channel=str(row["channel"]),
        ai_score=round(float(ai), 1) if ai is not None else None,
        flagged=bool(row["flagged"]),
        round_name=rounds.get(int(seq), "") if seq is not None else "",
        rejection_reason=str(row["rejection_reason"] or ""),
    )
