"""The competency library: definitions, behavioural indicators, keywords and 1..5 anchors.

Loaded once from ``interview_core/data/competencies.yaml`` and cached; job models refer to
competencies by Chinese name or ascii code, and every score shows the anchor it landed on.
An indicator is a text for people and cues for the rules engine: regular expressions that
recognise the indicator's behaviour in a sentence of a story (see ``evidence``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from recruiting.errors import InvalidInput

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
LIBRARY_PATH = DATA_DIR / "competencies.yaml"
LEVELS = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Behaviour:
    """One indicator: what interviewers look for, and the cues that it was done."""

    text: str
    cues: re.Pattern[str] | None  # None: an indicator only people can judge


@dataclass(frozen=True)
class Competency:
    code: str
    name: str
    definition: str
    indicators: tuple[str, ...]
    keywords: tuple[str, ...]
    anchors: tuple[str, ...]  # texts of levels 1..5, in order
    behaviours: tuple[Behaviour, ...] = ()  # the indicators with their cues, in order

    def anchor(self, level: int) -> str:
        """The anchor text of a level 1..5 (clamped)."""
        return self.anchors[min(max(level, 1), 5) - 1]


@dataclass(frozen=True)
class CompetencyLibrary:
    competencies: tuple[Competency, ...]

    def get(self, key: str) -> Competency:
        """A competency by Chinese name or ascii code; InvalidInput names the known ones."""
        wanted = key.strip()
        for competency in self.competencies:
            if wanted in (competency.name, competency.code):
                return competency
        raise InvalidInput(f"unknown competency {wanted!r}; known: {', '.join(self.names())}")

    def names(self) -> list[str]:
        return [c.name for c in self.competencies]

    def __len__(self) -> int:
        return len(self.competencies)


def load_library(path: Path | str = LIBRARY_PATH) -> CompetencyLibrary:
    """Parse and check a library file; errors name the file and the faulty entry."""
    data = read_yaml(Path(path))
    entries = data.get("competencies") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise InvalidInput(f"{path}: needs a non-empty 'competencies' list")
    competencies = tuple(_competency(entry, path) for entry in entries)
    _check_unique(competencies, path)
    return CompetencyLibrary(competencies)


@lru_cache(maxsize=1)
def default_library() -> CompetencyLibrary:
    """The built-in library, parsed once per process."""
    return load_library(LIBRARY_PATH)


def read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise InvalidInput(f"{path}: not valid YAML ({exc})") from exc


def _competency(entry: Any, path: Path | str) -> Competency:
    if not isinstance(entry, dict):
        raise InvalidInput(f"{path}: each competency must be a mapping, got {entry!r}")
    label = entry.get("name") or entry.get("code") or "?"
    try:
        behaviours = _behaviours(entry["indicators"])
        competency = Competency(
            code=str(entry["code"]),
            name=str(entry["name"]),
            definition=str(entry["definition"]),
            indicators=tuple(b.text for b in behaviours),
            keywords=_strings(entry["keywords"]),
            anchors=_anchors(entry["anchors"]),
            behaviours=behaviours,
        )
    except (KeyError, TypeError, ValueError, AttributeError, re.error) as exc:
        raise InvalidInput(f"{path}: competency {label}: missing or malformed {exc}") from exc
    if not competency.code.isascii() or not competency.code.isidentifier():
        raise InvalidInput(f"{path}: competency {label}: code must be an ascii identifier")
    if not competency.keywords:
        raise InvalidInput(f"{path}: competency {label}: needs keywords")
    return competency


def _anchors(value: Any) -> tuple[str, ...]:
    levels = {int(level): str(text).strip() for level, text in value.items()}
    if tuple(sorted(levels)) != LEVELS or not all(levels.values()):
        raise ValueError("anchors: needs a text for each level 1..5")
    return tuple(levels[level] for level in LEVELS)


def _behaviours(value: Any) -> tuple[Behaviour, ...]:
    """Indicators as plain texts, or as ``{text, cues: [regex, …]}``."""
    if not isinstance(value, list):
        raise TypeError("indicators: list expected")
    found = []
    for item in value:
        if isinstance(item, dict):
            cues = _strings(item.get("cues") or [])
            pattern = re.compile("|".join(f"(?:{c})" for c in cues)) if cues else None
            found.append(Behaviour(str(item["text"]).strip(), pattern))
        elif str(item).strip():
            found.append(Behaviour(str(item).strip(), None))
    return tuple(found)


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise TypeError("list expected")
    return tuple(str(item).strip() for item in value if str(item).strip())


def _check_unique(competencies: tuple[Competency, ...], path: Path | str) -> None:
    for attribute in ("code", "name"):
        values = [getattr(c, attribute) for c in competencies]
        duplicates = sorted({v for v in values if values.count(v) > 1})
        if duplicates:
            raise InvalidInput(f"{path}: duplicate competency {attribute}: {', '.join(duplicates)}")
