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
                raise InvalidInput("能力模型的每一项都需要编号、名称和权重") from exc
        model = cls(tuple(items))
        model.validate()
        return model

    def validate(self) -> None:
        codes = [c.code for c in self.items]
        if not codes:
            raise InvalidInput("能力模型至少需要一项能力")
        if len(set(codes)) != len(codes):
            raise InvalidInput("能力模型中的能力不能重复")
        # NaN and Infinity parse as Decimals; a NaN cannot even be compared (a 500, not a refusal)
        if any(not c.weight.is_finite() or c.weight <= 0 for c in self.items):
            raise InvalidInput("能力模型的权重须为大于 0 的数")
        if sum(c.weight for c in self.items) != Decimal(1):
            raise InvalidInput("能力模型的权重合计须为 100%")

    def to_json(self) -> list[dict[str, str]]:
        return [{"code": c.code, "name": c.name, "weight": str(c.weight)} for c in self.items]

    def codes(self) -> list[str]:
        return [c.code for c in self.items]
