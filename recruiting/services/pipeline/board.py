"""The pipeline board of one opening: every application's stage, counts per stage, filters
and one page of cards.

Two statements per board, whatever the number of candidates: one counts the stages (all
filters but the stage), one reads the page (all filters, ``LIMIT``). Each derives the stage
in SQL from indexed lookups per application (``interview (application_id, mode, status)``,
``offer (application_id, status)``, ``score``'s unique key), the rule of
``recruiting.domain.pipeline.stage_of``; names are then read for the page's rows only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tortoise import connections

from recruiting import validation
from recruiting.domain.pipeline import DEAD_INTERVIEWS, DEAD_OFFERS, STAGE_NAMES, Stage
from recruiting.domain.roles import Role
from recruiting.errors import InvalidInput, NotFound
from recruiting.models import Application, Candidate, InterviewRound, JobOpening, Staff
from recruiting.services.pipeline.access import NOT_HR
from recruiting.services.shared.access import require_hr
from recruiting.services.shared.sessions import Principal

PAGE_MAX = 200
STAFF_READ = 500  # staff rows read for the interviewer picker
# ``application.channel`` is sealed deterministically: the raw SQL compares and reads tokens
# through the field itself.
_CHANNEL = Application._meta.fields_map["channel"]


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


@dataclass(frozen=True)
class Interviewer:
    """A choice of the panel picker."""

    id: int
    name: str
    title: str


class PipelineBoard:
    async def board(self, principal: Principal, job_id: int, filters: BoardFilters) -> Board:
        await require_hr(
            principal, "view_pipeline", "job", job_id, refusal=NOT_HR, audit_allowed=True
        )
        filters = filters.checked()
        job = await JobOpening.get_or_none(id=validation.record_id("job_id", job_id))
        if job is None:
            raise NotFound("没有找到这个岗位。", code="job_not_found")
        counts, rows = await _page_and_counts(job_id, filters)
        cards = await _cards(rows)
        rounds = await InterviewRound.filter(job_id=job_id).order_by("sequence")
        total = counts.get(filters.stage, 0) if filters.stage else sum(counts.values())
        channels = await _channels(job_id)
        return Board(
            job.id, job.title, counts, cards, total, filters,
            [(r.id, r.name) for r in rounds], channels,
        )  # fmt: skip

    async def interviewers(self, principal: Principal) -> list[Interviewer]:
        """Active staff with the interviewer role (of the first ``STAFF_READ`` by id), for
        booking from the board's bulk bar or a review's decision."""
        await require_hr(principal, "list_interviewers", "staff", "-", refusal=NOT_HR)
        staff = await Staff.filter(active=True).order_by("id").limit(STAFF_READ)
        return [
            Interviewer(s.id, s.name, s.title) for s in staff if Role.INTERVIEWER in s.role_set()
        ]


async def stage_counts(job_id: int, filters: BoardFilters) -> dict[Stage, int]:
    """Applications per stage under every filter but the stage (every stage present)."""
    return (await _page_and_counts(job_id, filters))[0]


async def stages_of(application_ids: list[int]) -> dict[int, Stage]:
    """The stage of each application (any opening), by the board's own SQL."""
    if not application_ids:
        return {}
    q = _Sql(None, BoardFilters(), application_ids)
    rows = await q.run(f"SELECT * FROM board AS c WHERE {q.where}")  # noqa: S608
    return {int(r["id"]): Stage(r["stage"]) for r in rows}


async def cards_of(application_ids: list[int]) -> list[Card]:
    """The cards of these applications (any opening), in the order given."""
    if not application_ids:
        return []
    q = _Sql(None, BoardFilters(), application_ids)
    rows = await q.run(f"SELECT * FROM board AS c WHERE {q.where}")  # noqa: S608
    return await _cards(sorted(rows, key=lambda r: application_ids.index(int(r["id"]))))


async def top_open(job_id: int, limit: int) -> list[Card]:
    """The open applications of the opening with the highest AI scores (then the newest)."""
    q = _Sql(job_id, BoardFilters())
    closed = ", ".join(f"'{s.value}'" for s in (Stage.HIRED, Stage.REJECTED, Stage.WITHDRAWN))
    rows = await q.run(
        f"SELECT * FROM board AS c WHERE {q.where} AND c.stage NOT IN ({closed}) "  # noqa: S608
        "ORDER BY CASE WHEN c.ai IS NULL THEN 1 ELSE 0 END, c.ai DESC, c.id DESC "
        f"LIMIT {int(limit)}"
    )
    return await _cards(rows)


async def _cards(rows: list[dict[str, Any]]) -> list[Card]:
    names = await _names([int(r["candidate_id"]) for r in rows])
    jobs = {int(r["job_id"]) for r in rows}
    rounds = {(r.job_id, r.sequence): r.name for r in await InterviewRound.filter(job_id__in=jobs)}
    return [
        _card(r, names, {seq: n for (j, seq), n in rounds.items() if j == int(r["job_id"])})
        for r in rows
    ]


PAGE_COLUMNS = "id, job_id, candidate_id, status, channel, rejection_reason, ai, flagged, round_seq"


async def _page_and_counts(
    job_id: int, f: BoardFilters
) -> tuple[dict[Stage, int], list[dict[str, Any]]]:
    """One statement (the board computed once): the page's rows under every filter, and
    the count per stage under every filter but the stage."""
    q = _Sql(job_id, f)
    stage = f" AND c.stage = {q.p(f.stage.value)}" if f.stage is not None else ""
    offset = int((f.page - 1) * f.per_page)
    rows = await q.run(
        f"SELECT 'page' AS part, {PAGE_COLUMNS}, stage, 1 AS n FROM ("  # noqa: S608
        f"SELECT * FROM board AS c WHERE {q.where}{stage} ORDER BY c.id DESC "
        f"LIMIT {int(f.per_page)} OFFSET {offset}) AS shown UNION ALL "
        "SELECT 'count', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, c.stage, "
        f"COUNT(*) FROM board AS c WHERE {q.where_again()} GROUP BY c.stage"
    )
    counts = dict.fromkeys(Stage, 0)
    for row in rows:
        if row["part"] == "count":
            counts[Stage(row["stage"])] = int(row["n"])
    page = [r for r in rows if r["part"] == "page"]
    return counts, sorted(page, key=lambda r: -int(r["id"]))


class _Sql:
    """The board's SQL: ``head`` computes every application in view once (``board``),
    ``where`` holds the filters but the stage; placeholders follow the connection's
    dialect. Only constants of this module and placeholders are interpolated."""

    def __init__(self, job_id: int | None, f: BoardFilters, ids: list[int] | None = None):
        self.postgres = connections.get("default").capabilities.dialect == "postgres"
        self.params: list[Any] = []
        self._filters = f
        self.head = _head(self.p, job_id, ids)
        self.where = _where(self.p, f, self.postgres)

    def where_again(self) -> str:
        """The filters once more, placeholders renewed (SQLite's are positional)."""
        return _where(self.p, self._filters, self.postgres)

    def p(self, value: Any) -> str:
        self.params.append(value)
        return f"${len(self.params)}" if self.postgres else "?"

    async def run(self, select: str) -> list[dict[str, Any]]:
        sql = f"{self.head} {select}"
        return list(await connections.get("default").execute_query_dict(sql, self.params))


def _head(p: Callable[[Any], str], job_id: int | None, ids: list[int] | None) -> str:
    dead_iv = ", ".join(f"'{s}'" for s in DEAD_INTERVIEWS)
    dead_offer = ", ".join(f"'{s}'" for s in DEAD_OFFERS)
    where = f"job_id = {p(job_id)}" if ids is None else (
        f"id IN ({', '.join(p(i) for i in ids)})")  # fmt: skip
    # One pass over the interviews of the applications in view, one over their recorded
    # interviews (AI scores, flags), one over their offers, each materialised once: the
    # filters then read finished rows instead of steering the planner into guesses. The
    # applications' own CTE is inlined so each pass starts from the ``job_id`` index.
    mine = "JOIN apps ON apps.id = i.application_id"
    return f"""WITH apps AS NOT MATERIALIZED (SELECT id, job_id, candidate_id, status, channel,
            rejection_reason FROM application WHERE {where}),
        agg AS MATERIALIZED (SELECT i.application_id,
            MAX(CASE WHEN i.mode = 'recorded' THEN 1 ELSE 0 END) AS rec,
            MAX(CASE WHEN i.mode <> 'recorded' THEN 1 ELSE 0 END) AS live,
            MAX(r.sequence) AS round_seq
          FROM interview i {mine} JOIN interview_round r ON r.id = i.round_id
          WHERE i.status NOT IN ({dead_iv}) GROUP BY i.application_id),
        rec AS MATERIALIZED (SELECT i.application_id, AVG(s.value) AS ai,
            MAX(CASE WHEN EXISTS (SELECT 1 FROM integrity_event e WHERE e.interview_id = i.id)
              OR EXISTS (SELECT 1 FROM answer w WHERE w.interview_id = i.id
                         AND w.flag_count > 0) THEN 1 ELSE 0 END) AS flagged
          FROM interview i {mine}
          LEFT JOIN score s ON s.interview_id = i.id AND s.rater_kind = 'ai'
            AND s.value IS NOT NULL
          WHERE i.mode = 'recorded' AND i.status NOT IN ({dead_iv})
          GROUP BY i.application_id),
        off AS MATERIALIZED (SELECT DISTINCT o.application_id FROM offer o
            JOIN apps ON apps.id = o.application_id WHERE o.status NOT IN ({dead_offer})),
        board AS MATERIALIZED (SELECT b.*, CASE
          WHEN b.status IN ('hired', 'rejected', 'withdrawn') THEN b.status
          WHEN b.status = 'offer' OR b.has_offer = 1 THEN 'offer'
          WHEN b.live = 1 THEN 'live'
          WHEN b.rec = 1 THEN 'recorded'
          WHEN b.status IN ('screening', 'interviewing') THEN 'screened'
          ELSE 'new' END AS stage
        FROM (SELECT apps.*, COALESCE(agg.rec, 0) AS rec, COALESCE(agg.live, 0) AS live,
            agg.round_seq, rec.ai, COALESCE(rec.flagged, 0) AS flagged,
            CASE WHEN off.application_id IS NULL THEN 0 ELSE 1 END AS has_offer
          FROM apps LEFT JOIN agg ON agg.application_id = apps.id
          LEFT JOIN rec ON rec.application_id = apps.id
          LEFT JOIN off ON off.application_id = apps.id) AS b)
        """  # noqa: S608


def _where(p: Callable[[Any], str], f: BoardFilters, postgres: bool) -> str:
    dead_iv = ", ".join(f"'{s}'" for s in DEAD_INTERVIEWS)
    where = "1 = 1"
    if f.channel:
        where += f" AND c.channel = {p(_CHANNEL.to_db_value(f.channel, Application))}"
    if f.ai_min is not None:
        where += f" AND c.ai >= {p(Decimal(str(f.ai_min)) if postgres else f.ai_min)}"
    if f.ai_max is not None:
        where += f" AND c.ai <= {p(Decimal(str(f.ai_max)) if postgres else f.ai_max)}"
    if f.flagged is not None:
        where += f" AND c.flagged = {1 if f.flagged else 0}"
    if f.round_id is not None:
        in_round = f"i.status NOT IN ({dead_iv}) AND i.round_id = {p(f.round_id)}"
        where += (
            f" AND EXISTS (SELECT 1 FROM interview i WHERE i.application_id = c.id AND {in_round})"  # noqa: S608
        )
    return where


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
        channel=str(_CHANNEL.to_python_value(row["channel"]) or ""),
        ai_score=round(float(ai), 1) if ai is not None else None,
        flagged=bool(row["flagged"]),
        round_name=rounds.get(int(seq), "") if seq is not None else "",
        rejection_reason=str(row["rejection_reason"] or ""),
    )
