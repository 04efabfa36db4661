"""Consent texts and what each decision allows (PIPL: separate, explicit, withdrawable).

The texts are data (``recruiting/data/consents.yaml``) with a version each; a decision counts
only for the version the candidate saw, so a reworded text is asked again.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

import yaml

from recruiting.errors import ConfigError, Forbidden


class ConsentPurpose(StrEnum):
    """What a candidate decides on, one by one (``models.Consent`` stores the decisions)."""

    DATA_PROCESSING = "data_processing"
    RECORDING = "recording"
    AUTOMATED_ASSESSMENT = "automated_assessment"
    FACE_ANALYSIS = "face_analysis"
    TALENT_POOL = "talent_pool"  # asked at rejection or withdrawal, not before the interview


TEXTS_FILE = Path(__file__).parent.parent / "data" / "consents.yaml"


class ConsentRequired(Forbidden):
    code = "consent_required"


@dataclass(frozen=True)
class ConsentText:
    purpose: ConsentPurpose
    version: str
    required: bool
    title: str
    text: str
    stage: str = "interview"  # "decision": asked when an application ends (talent pool)


@lru_cache(maxsize=1)
def consent_texts() -> dict[ConsentPurpose, ConsentText]:
    """Every purpose's current text; a missing purpose is a broken deployment."""
    data = yaml.safe_load(TEXTS_FILE.read_text(encoding="utf-8")) or {}
    texts: dict[ConsentPurpose, ConsentText] = {}
    for purpose in ConsentPurpose:
        entry = data.get(purpose.value)
        if not isinstance(entry, dict) or not entry.get("version") or not entry.get("text"):
            raise ConfigError(f"{TEXTS_FILE.name}: {purpose.value} needs version and text")
        texts[purpose] = ConsentText(
            purpose=purpose,
            version=str(entry["version"]),
            required=bool(entry.get("required", False)),
            title=str(entry.get("title") or purpose.value),
            text=str(entry["text"]).strip(),
            stage=str(entry.get("stage") or "interview"),
        )
    return texts


def interview_texts() -> list[ConsentText]:
    """The texts asked before a recorded interview (the talent pool is asked later)."""
    return [t for t in consent_texts().values() if t.stage == "interview"]


@dataclass(frozen=True)
class ConsentState:
    """The candidate's standing decisions on the current texts (purpose → granted)."""

    granted: frozenset[ConsentPurpose]

    def allows(self, purpose: ConsentPurpose) -> bool:
        return purpose in self.granted

    def missing_required(self) -> list[ConsentPurpose]:
        return [p for p, t in consent_texts().items() if t.required and p not in self.granted]

    def require_recording(self) -> None:
        missing = self.missing_required()
        if missing:
            names = ", ".join(p.value for p in missing)
            raise ConsentRequired(f"consent needed before recording: {names}")
