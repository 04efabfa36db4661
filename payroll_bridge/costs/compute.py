"""Interview costs for a month: interviewers' time priced at their hourly cost, plus the
venue, travel and other expenses recorded against each interview.

Every amount is rounded to the fen once, per interviewer and interview (the figure printed
on the report); all totals are sums of those figures, so every table adds up exactly.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from decimal import Decimal

from payroll_bridge.costs.facts import Expense, Hire, Interviewer, InterviewFacts
from payroll_bridge.costs.period import Month
from payroll_bridge.money import fen
from recruiting.domain.interview_state import InterviewStatus
from recruiting.errors import InvalidInput
from recruiting.models.costs import CostKind
from recruiting.settings import CostSettings

CURRENCY = "CNY"
SIXTY = Decimal(60)
NIL = Decimal("0.00")  # sums start here, so an empty one prints like the others
# The interview took place: the panel spent the time.
HELD = frozenset({InterviewStatus.COMPLETED, InterviewStatus.IN_PROGRESS})
# The panel's time is charged for these too: on a no-show they prepared and waited, and the
# booking keeps their time blocked (scheduling does not free it), so nobody else could use it.
CHARGED = HELD | {InterviewStatus.NO_SHOW}


@dataclass(frozen=True)
class TimeCost:
    """One interviewer's time on one interview, priced."""

    interviewer: Interviewer
    minutes: int
    rate: Decimal  # yuan per hour
    rate_source: str  # "staff", "grade <name>" or "default"
    amount: Decimal


@dataclass(frozen=True)
class CostedInterview:
    facts: InterviewFacts
    month: Month
    minutes: int  # the interview's own length, before each interviewer's overhead
    time: tuple[TimeCost, ...]
    expenses: tuple[Expense, ...]  # in CNY, counted
    excluded: tuple[Expense, ...]  # in another currency: listed, not counted

    @property
    def held(self) -> bool:
        return self.facts.status in HELD

    @property
    def no_show(self) -> bool:
        return self.facts.status is InterviewStatus.NO_SHOW

    @property
    def interviewer_time(self) -> Decimal:
        return sum((t.amount for t in self.time), NIL)

    def expense(self, kind: CostKind) -> Decimal:
        return sum((e.amount for e in self.expenses if e.kind is kind), NIL)

    @property
    def total(self) -> Decimal:
        return self.interviewer_time + sum((e.amount for e in self.expenses), NIL)


@dataclass(frozen=True)
class Breakdown:
    """Costs of a group of interviews (a job, a channel, a month) and the hires it made."""

    key: str
    label: str
    held: int
    no_shows: int
    interviewer_time: Decimal
    venue: Decimal
    travel: Decimal
    other: Decimal
    hires: int
    hiring_cost: Decimal | None = None  # what ``per_hire`` divides, when not ``total``

    @property
    def total(self) -> Decimal:
        return self.interviewer_time + self.venue + self.travel + self.other

    @property
    def per_interview(self) -> Decimal | None:
        """Total over interviews held: no-shows and cancelled bookings are part of what
        getting the held ones done cost."""
        return fen(self.total / self.held) if self.held else None

    @property
    def per_hire(self) -> Decimal | None:
        cost = self.total if self.hiring_cost is None else self.hiring_cost
        return fen(cost / self.hires) if self.hires else None


@dataclass(frozen=True)
class TrendPoint:
    month: Month
    held: int
    total: Decimal
    hires: int


@dataclass(frozen=True)
class CostReport:
    month: Month
    zone: tzinfo  # the tenant's: months and shown times are in it
    settings: CostSettings
    interviews: tuple[CostedInterview, ...]
    totals: Breakdown  # its ``hiring_cost`` is what the jobs that hired this month cost
    by_job: tuple[Breakdown, ...]
    by_channel: tuple[Breakdown, ...]
    trend: tuple[TrendPoint, ...]  # oldest first, ending with ``month``

    @property
    def hired_jobs_cost(self) -> Decimal:
        return NIL if self.totals.hiring_cost is None else self.totals.hiring_cost

    @property
    def cost_per_hire(self) -> Decimal | None:
        """Cost of the month's interviews for the jobs that hired this month, over the
        month's hires. Jobs without a hire are left out (``unhired_jobs_cost``)."""
        return self.totals.per_hire

    @property
    def unhired_jobs_cost(self) -> Decimal:
        return self.totals.total - self.hired_jobs_cost

    @property
    def excluded(self) -> tuple[tuple[int, Expense], ...]:
        """Expenses in a currency other than CNY, by interview id: shown, never summed."""
        return tuple((c.facts.interview_id, e) for c in self.interviews for e in c.excluded)


def hourly_rate(person: Interviewer, settings: CostSettings) -> tuple[Decimal, str]:
    """HR-finance's ``hourly_cost`` when set; else the rate of the exact title, else of the
    longest configured grade the title contains (``高级经理`` → ``经理``); else the default."""
    if person.hourly_cost is not None:
        return person.hourly_cost, "staff"
    title = person.title.strip().casefold()
    grades = settings.grade_rates
    if title in grades:
        return grades[title], f"grade {title}"
    within = sorted((g for g in grades if g in title), key=lambda g: (-len(g), g))
    if within:
        return grades[within[0]], f"grade {within[0]}"
    return settings.default_hourly_rate, "default"


def interview_minutes(facts: InterviewFacts) -> int:
    """Booked length from the interview's own times (a started minute counts), else the
    round's planned length."""
    if facts.starts_at is not None and facts.ends_at is not None:
        seconds = (facts.ends_at - facts.starts_at).total_seconds()
        if seconds > 0:
            return math.ceil(seconds / 60)
    return facts.round_minutes


def when(facts: InterviewFacts) -> datetime:
    """The instant that places an interview in a month: its start, else its creation."""
    return facts.starts_at or facts.created_at


def cost_interview(facts: InterviewFacts, settings: CostSettings, zone: tzinfo) -> CostedInterview:
    minutes = interview_minutes(facts)
    time: list[TimeCost] = []
    if facts.status in CHARGED:
        each = minutes + settings.interviewer_overhead_minutes
        for person in facts.interviewers:
            rate, source = hourly_rate(person, settings)
            time.append(TimeCost(person, each, rate, source, fen(rate * each / SIXTY)))
    counted = tuple(e for e in facts.expenses if e.currency.upper() == CURRENCY)
    return CostedInterview(
        facts=facts,
        month=Month.of(when(facts), zone),
        minutes=minutes,
        time=tuple(time),
        expenses=counted,
        excluded=tuple(e for e in facts.expenses if e.currency.upper() != CURRENCY),
    )


def build_report(
    month: Month,
    interviews: Iterable[InterviewFacts],
    hires: Iterable[Hire],
    settings: CostSettings,
    zone: tzinfo,
    trend_months: int = 12,
) -> CostReport:
    """The month's report; interviews and hires outside the trend window are ignored.

    An interview counts when its panel's time is charged (``CHARGED``) or it has recorded
    expenses (a venue booked for a cancelled interview is still paid). A hire counts in the
    month of its ``hired_at``.
    """
    if trend_months < 1:
        raise InvalidInput(f"trend_months must be at least 1, got {trend_months}")
    first = month.shift(1 - trend_months)
    costed = [
        c
        for c in (cost_interview(f, settings, zone) for f in interviews)
        if first <= c.month <= month and (c.time or c.expenses or c.excluded)
    ]
    hired = [h for h in hires if first <= Month.of(h.hired_at, zone) <= month]
    this = tuple(
        sorted(
            (c for c in costed if c.month == month),
            key=lambda c: (when(c.facts), c.facts.interview_id),
        )
    )
    this_hires = [h for h in hired if Month.of(h.hired_at, zone) == month]
    by_job = _group(this, this_hires, lambda j: j.job_code, lambda j: j.job_title)
    return CostReport(
        month=month,
        zone=zone,
        settings=settings,
        interviews=this,
        totals=replace(
            _breakdown(str(month), str(month), this, len(this_hires)),
            hiring_cost=sum((b.total for b in by_job if b.hires), NIL),
        ),
        by_job=by_job,
        by_channel=_group(this, this_hires, lambda j: j.channel, lambda j: j.channel),
        trend=tuple(_trend(first, month, costed, hired, zone)),
    )


def _group(
    interviews: Sequence[CostedInterview],
    hires: Sequence[Hire],
    key: Callable[[InterviewFacts | Hire], str],
    label: Callable[[InterviewFacts | Hire], str],
) -> tuple[Breakdown, ...]:
    """One breakdown per key, the most expensive first; a key with hires but no cost this
    month still gets its row (its hires count, at no cost)."""
    members: dict[str, list[CostedInterview]] = defaultdict(list)
    labels: dict[str, str] = {}
    for c in interviews:
        members[key(c.facts)].append(c)
        labels.setdefault(key(c.facts), label(c.facts))
    counts: dict[str, int] = defaultdict(int)
    for h in hires:
        counts[key(h)] += 1
        labels.setdefault(key(h), label(h))
    rows = [_breakdown(k, labels[k], members.get(k, []), counts.get(k, 0)) for k in labels]
    return tuple(sorted(rows, key=lambda b: (-b.total, b.key)))


def _breakdown(key: str, label: str, items: Sequence[CostedInterview], hires: int) -> Breakdown:
    return Breakdown(
        key=key,
        label=label,
        held=sum(1 for c in items if c.held),
        no_shows=sum(1 for c in items if c.no_show),
        interviewer_time=sum((c.interviewer_time for c in items), NIL),
        venue=sum((c.expense(CostKind.VENUE) for c in items), NIL),
        travel=sum((c.expense(CostKind.TRAVEL) for c in items), NIL),
        other=sum((c.expense(CostKind.OTHER) for c in items), NIL),
        hires=hires,
    )


def _trend(
    first: Month,
    last: Month,
    costed: Sequence[CostedInterview],
    hires: Sequence[Hire],
    zone: tzinfo,
) -> Iterable[TrendPoint]:
    month = first
    while month <= last:
        items = [c for c in costed if c.month == month]
        yield TrendPoint(
            month=month,
            held=sum(1 for c in items if c.held),
            total=sum((c.total for c in items), NIL),
            hires=sum(1 for h in hires if Month.of(h.hired_at, zone) == month),
        )
        month = month.shift(1)
