"""Without a transcript nothing is scored, and the reason names the system or the recording,
never the candidate's answer; reasons are codes with Chinese labels."""

from __future__ import annotations

import re

import pytest

from interview_core.text.jobs import builtin_jobs
from interview_core.text.scoring import score_answer
from recruiting.domain.assessment_reasons import (
    NO_TRANSCRIPT_LABELS,
    NOT_ASSESSED_LABELS,
    NotAssessed,
    NoTranscript,
    no_transcript_label,
    not_assessed_for,
    not_assessed_label,
)
from recruiting.services.recorded.analysis import _why_none

ANSWER = "去年我负责华东区的大客户，拜访了二十家老客户，签单五百万，回款率达到百分之九十五。"
SYSTEM = (NoTranscript.MODEL_MISSING, NoTranscript.ENGINE_MISSING, NoTranscript.MODEL_FAILED)
RECORDING = (NoTranscript.NO_AUDIO, NoTranscript.NO_SPEECH, NoTranscript.EMPTY_RESULT)


@pytest.mark.parametrize("code", [*SYSTEM, *RECORDING])
def test_no_transcript_marks_every_competency_for_the_right_cause(code: NoTranscript) -> None:
    job = builtin_jobs()["sales"]
    scored = score_answer(ANSWER, "请讲讲你的销售业绩", job, no_transcript=code)
    assert scored.overall is None and scored.coverage == 0.0
    want = NotAssessed.SYSTEM_NO_TRANSCRIPT if code in SYSTEM else NotAssessed.RECORDING_NO_SPEECH
    for item in scored.competencies:
        assert item.score is None and item.evidence == () and item.anchor is None
        assert item.not_assessed_code == want
        assert item.not_assessed_reason == NOT_ASSESSED_LABELS[want]
        assert "关键词" not in item.not_assessed_reason  # not the candidate's fault
        data = item.to_json()
        assert data["not_assessed_code"] == want.value


def test_a_transcript_without_evidence_is_the_answers_lack() -> None:
    job = builtin_jobs()["sales"]
    scored = score_answer("我觉得还行吧。", "请讲讲你的销售业绩", job)
    assert {c.not_assessed_code for c in scored.competencies} == {NotAssessed.NO_EVIDENCE}


def test_the_interviews_score_blames_answers_only_when_one_had_text() -> None:
    assert _why_none({NotAssessed.SYSTEM_NO_TRANSCRIPT}) == not_assessed_label(
        NotAssessed.SYSTEM_NO_TRANSCRIPT
    )
    assert "没有与此项相关" in _why_none(
        {NotAssessed.NO_EVIDENCE, NotAssessed.SYSTEM_NO_TRANSCRIPT}
    )
    assert _why_none({NotAssessed.RECORDING_NO_SPEECH}) == not_assessed_label(
        NotAssessed.RECORDING_NO_SPEECH
    )


def test_every_code_has_a_chinese_label_without_developer_words() -> None:
    labels = [*NO_TRANSCRIPT_LABELS.values(), *NOT_ASSESSED_LABELS.values()]
    assert set(NO_TRANSCRIPT_LABELS) == set(NoTranscript)
    assert set(NOT_ASSESSED_LABELS) == set(NotAssessed)
    for label in labels:
        assert not re.search(r"[A-Za-z]{2,}", label), label
    assert no_transcript_label("something_new") == "未能转写"
    assert not_assessed_for("something_new") == NotAssessed.SYSTEM_NO_TRANSCRIPT
