"""A job's competency model: which competencies a job weighs, and how much.

Weights are validated here so a malformed model is refused when saved, not when scored.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from recruiting.errors import InvalidInput


@dataclass(frozen=True)
class WeightedCompetency:
    code: str
    name: str
    weight: Decimal


@dataclass(frozen=True)
class CompetencyModel:
    items: tuple[WeightedCompetency, ...]

    @classmethod
    def from_json(cls, data: list[dict[str, Any]]) -> CompetencyModel:
        items = []
        for entry in data:
            try:
                weight = Decimal(str(entry["weight"]))
                items.append(WeightedCompetency(str(entry["code"]), str(entry["name"]), weight))
            except (KeyError, ArithmeticError) as exc:
                raise InvalidInput(f"competency entry {entry!r} needs code, name, weight") from exc
        model = cls(tuple(items))
        model.validate()
        return model

    def validate(self) -> None:
        codes = [c.code for c in self.items]
        if not codes:
            raise InvalidInput("a competency model needs at least one competency")
        if len(set(codes)) != len(codes):
            raise InvalidInput("competency codes must be unique")
        if any(c.weight <= 0 for c in self.items):
            raise InvalidInput("competency weights must be positive")
        if sum(c.weight for c in self.items) != Decimal(1):
            raise InvalidInput("competency weights must add up to 1")

    def to_json(self) -> list[dict[str, str]]:
        return [{"code": c.code, "name": c.name, "weight": str(c.weight)} for c in self.items]

    def codes(self) -> list[str]:
        return [c.code for c in self.items]
