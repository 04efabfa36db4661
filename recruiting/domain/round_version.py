"""What an interview was taken with: the content of its round frozen as an immutable version.

A round is edited in place by HR; an interview points at the version current when it was
created (or, for rows older than versioning, at the one frozen just before the first edit).
Analysis, reports and the candidate's question flow read this snapshot, never the live round,
so changing a round never changes how a past interview is assessed. Identical content gives
an identical digest, so creating interviews does not mint a version each time.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from recruiting.domain.recorded_round import RecordedQuestion, parse_questions

DEFAULT_DEADLINE_DAYS = 7


@dataclass(frozen=True)
class RoundContent:
    """Everything about a round that bears on how its interviews are run and assessed."""

    name: str
    kind: str  # "recorded" | "live"
    competency_model: tuple[tuple[str, str, str], ...]  # (code, name, weight) of the opening
    competencies: tuple[str, ...]  # codes this round assesses (empty: the whole model)
    questions: tuple[dict[str, Any], ...]  # recorded: RecordedQuestion json (+ bank id)
    deadline_days: int = DEFAULT_DEADLINE_DAYS
    duration_minutes: int = 60
    panel_size: int = 1
    location: str = ""
    meeting_link: str = ""
    preparation: str = ""

    def recorded_questions(self) -> tuple[RecordedQuestion, ...]:
        return parse_questions(list(self.questions))

    def model_json(self) -> list[dict[str, str]]:
        """The competency model in the stored form ({code, name, weight})."""
        return [{"code": c, "name": n, "weight": w} for c, n, w in self.competency_model]

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "competency_model": self.model_json(),
            "competencies": list(self.competencies),
            "questions": [dict(q) for q in self.questions],
            "deadline_days": self.deadline_days,
            "duration_minutes": self.duration_minutes,
            "panel_size": self.panel_size,
            "location": self.location,
            "meeting_link": self.meeting_link,
            "preparation": self.preparation,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RoundContent:
        return cls(
            name=str(data.get("name", "")),
            kind=str(data.get("kind", "live")),
            competency_model=_model(data.get("competency_model")),
            competencies=tuple(str(c) for c in data.get("competencies") or []),
            questions=tuple(dict(q) for q in data.get("questions") or [] if isinstance(q, dict)),
            deadline_days=int(data.get("deadline_days", DEFAULT_DEADLINE_DAYS)),
            duration_minutes=int(data.get("duration_minutes", 60)),
            panel_size=int(data.get("panel_size", 1)),
            location=str(data.get("location", "")),
            meeting_link=str(data.get("meeting_link", "")),
            preparation=str(data.get("preparation", "")),
        )

    def digest(self) -> str:
        """SHA-256 of the canonical JSON: equal content, equal digest."""
        text = json.dumps(self.to_json(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _model(value: Any) -> tuple[tuple[str, str, str], ...]:
    items = value if isinstance(value, list) else []
    return tuple(
        (str(i.get("code", "")), str(i.get("name", "")), str(i.get("weight", "")))
        for i in items
        if isinstance(i, dict)
    )


def content_from_fields(fields: Any, competency_model: Any) -> RoundContent:
    """The content of a round from its stored fields (a row mapping or a model's attributes)
    and its opening's competency model: used when freezing a version and in migration 0016."""

    def get(name: str, default: Any) -> Any:
        value = fields.get(name, default) if isinstance(fields, dict) else getattr(fields, name)
        return default if value is None else value

    kind = get("kind", "live")
    return RoundContent(
        name=str(get("name", "")),
        kind=str(getattr(kind, "value", kind)),
        competency_model=_model(_loaded(competency_model)),
        competencies=tuple(str(c) for c in _loaded(get("competencies", [])) or []),
        questions=tuple(
            dict(q) for q in _loaded(get("questions", [])) or [] if isinstance(q, dict)
        ),
        deadline_days=int(get("deadline_days", DEFAULT_DEADLINE_DAYS)),
        duration_minutes=int(get("duration_minutes", 60)),
        panel_size=int(get("panel_size", 1)),
        location=str(get("location", "")),
        meeting_link=str(get("meeting_link", "")),
        preparation=str(get("preparation", "")),
    )


def _loaded(value: Any) -> Any:
    """JSON columns read with raw SQL arrive as text on some drivers."""
    return json.loads(value) if isinstance(value, str | bytes) else value
