"""A calendar month in the tenant's time zone: what a monthly cost report covers.

Its bounds are aware datetimes at local midnight, so an interview at 00:30 on 1 December
in Shanghai belongs to December even though it is still November in UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo

from recruiting.errors import InvalidInput

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not (1 <= self.month <= 12 and 1 <= self.year <= 9998):
            raise InvalidInput(f"not a month: {self.year}-{self.month}")

    @classmethod
    def parse(cls, text: str) -> Month:
        """``2026-11`` → ``Month(2026, 11)``; anything else is ``InvalidInput``."""
        match = _MONTH_RE.match(text.strip())
        if match is None:
            raise InvalidInput(f"month must look like 2026-11, got {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, at: datetime, zone: tzinfo) -> Month:
        """The month ``at`` falls in, on the tenant's calendar."""
        local = at.astimezone(zone)
        return cls(local.year, local.month)

    def shift(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def start(self, zone: tzinfo) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=zone)

    def end(self, zone: tzinfo) -> datetime:
        """The first instant after the month (the next month's start)."""
        return self.shift(1).start(zone)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"
