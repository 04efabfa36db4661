"""The analysis core behind the live-interview ports: competencies of a round, prompts over
notes, the advisory score of the notes, and voice notes (real AMR) to text or a reason."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from interview_core.live import ENGINE, CoreLivePrompts
from interview_core.voice_notes import CoreSpeechToText
from recruiting.domain.assessment_reasons import NO_TRANSCRIPT_LABELS, NoTranscript
from recruiting.ports.live_prompts import LiveScope
from tests.unit.core.mediafactory import amr_from_wav, espeak_wav, write_audio

MODEL = [
    {"code": "customer_focus", "name": "客户导向", "weight": "0.4"},
    {"code": "comm", "name": "沟通能力", "weight": "0.3"},
    {"code": "results", "name": "结果导向", "weight": "0.3"},
]
JOB = LiveScope("sales-x", "销售代表", MODEL)
CORE = CoreLivePrompts()


def test_competencies_come_from_the_round_else_the_job() -> None:
    assert [b.name for b in CORE.competencies(JOB)] == ["客户导向", "沟通能力", "结果导向"]
    rnd = LiveScope("sales-x", "销售代表", MODEL, ("comm", "抗压能力", "不存在的能力"))
    briefs = CORE.competencies(rnd)
    assert [(b.code, b.name) for b in briefs] == [
        ("communication", "沟通能力"), ("stress_tolerance", "抗压能力")]  # fmt: skip
    assert all(len(b.anchors) == 5 for b in briefs)
    nothing = LiveScope("x", "x", [{"code": "x", "name": "不存在", "weight": "1"}])
    assert CORE.competencies(nothing) == []
    assert CORE.prompt(nothing, ["他讲了例子"], "他讲了例子").question == ""


def test_prompt_tracks_coverage_and_asks_about_the_latest_note() -> None:
    notes = ["她负责一个犹豫的大客户，多次上门沟通，了解顾客的顾虑。"]
    prompt = CORE.prompt(JOB, notes, notes[0])
    assert prompt.uncovered == ["结果导向"] and set(prompt.covered) == {"客户导向", "沟通能力"}
    assert prompt.focus is not None and prompt.focus.name == "结果导向"
    assert "result" in prompt.missing and prompt.quote == "你负责一个犹豫的大客户"
    # A note about her is not quoted as if she had said it.
    assert (
        prompt.question.startswith("你提到你负责一个犹豫的大客户，") and "“" not in prompt.question
    )
    assert "她" not in prompt.question
    later = [*notes, "最后签下合同，季度销售额提升了35%。"]
    assert CORE.prompt(JOB, later, later[1]).uncovered == []


def test_assessment_is_advisory_with_evidence_and_never_zero() -> None:
    result = CORE.assess(JOB, ["她多次和客户沟通，了解顾客诉求。"])
    assert result.engine == ENGINE and ENGINE.startswith("ai:")
    scores = {s.competency: s for s in result.scores}
    assert scores["结果导向"].value is None and scores["结果导向"].evidence == []
    assessed = scores["客户导向"]
    assert assessed.value is not None and 1 <= assessed.value <= 5 and assessed.evidence


def test_voice_note_without_a_model_says_why(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    wav = espeak_wav(tmp_path / "n.wav", "ke4 hu4 man3 yi4 du4 ti2 sheng1 le5 san1 shi2")
    amr = amr_from_wav(wav, tmp_path / "n").read_bytes()
    assert amr.startswith(b"#!AMR\n")
    empty_models = tmp_path / "models"
    empty_models.mkdir()
    speech = CoreSpeechToText(tmp_path, str(empty_models))
    spoken = speech.transcribe(amr, "amr")
    assert not spoken.available and spoken.text == ""
    # the interviewer reads Chinese; the operator's log has the path and the install command
    assert spoken.code == NoTranscript.MODEL_MISSING and spoken.seconds > 1.0
    assert spoken.reason == NO_TRANSCRIPT_LABELS[NoTranscript.MODEL_MISSING]
    assert spoken.reason.isascii() is False and "install" not in spoken.reason
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "no speech model installed" in logged and "install-model" in logged
    assert list(tmp_path.glob("tmp*")) == []  # the decoded copy is gone


def test_voice_note_that_is_silent_or_not_audio(tmp_path: Path) -> None:
    speech = CoreSpeechToText(tmp_path, str(tmp_path))
    silent = write_audio(tmp_path / "s.amr", np.zeros(16000, dtype=np.float32), 16000)
    assert speech.transcribe(silent.read_bytes(), "amr").code == NoTranscript.NO_SPEECH
    broken = speech.transcribe(b"#!AMR\n not really", "amr")
    assert not broken.available and broken.code == NoTranscript.UNDECODABLE
    assert broken.reason == NO_TRANSCRIPT_LABELS[NoTranscript.UNDECODABLE]


@pytest.mark.parametrize("fmt", ["../../etc", ""])
def test_odd_formats_are_treated_as_amr(tmp_path: Path, fmt: str) -> None:
    speech = CoreSpeechToText(tmp_path, str(tmp_path))
    assert speech.transcribe(b"junk", fmt).code == NoTranscript.UNDECODABLE
