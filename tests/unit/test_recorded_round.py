"""Pure rules of recorded interviews: question definitions, clocks, retakes, consent texts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from miniapp_api.schemas import UploadStartBody, parse
from recruiting.domain.consent import ConsentRequired, ConsentState, consent_texts
from recruiting.domain.recorded_round import (
    UPLOAD_START_GRACE,
    DeadlinePassed,
    RecordedQuestion,
    RetakeLimit,
    check_deadline,
    check_retake,
    parse_questions,
)
from recruiting.errors import InvalidInput
from recruiting.models import ConsentPurpose

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def test_questions_are_validated_with_their_position() -> None:
    good = parse_questions([{"text": "介绍一个项目", "competencies": ["沟通能力"]}])
    assert good[0].answer_seconds == 180 and good[0].retakes == 1
    with pytest.raises(InvalidInput, match="question 2: answer_seconds"):
        parse_questions([{"text": "a"}, {"text": "b", "answer_seconds": 301}])
    with pytest.raises(InvalidInput, match="question 1: text"):
        parse_questions([{"text": "  "}])
    with pytest.raises(InvalidInput, match="retakes must be an integer"):
        parse_questions([{"text": "a", "retakes": True}])
    with pytest.raises(InvalidInput, match="non-empty"):
        parse_questions([])


def test_the_upload_window_and_duration_follow_the_question() -> None:
    q = RecordedQuestion("说说你的经历", ("沟通能力",), prep_seconds=30, answer_seconds=120)
    assert q.upload_window_end(T0) == T0 + timedelta(seconds=150) + UPLOAD_START_GRACE
    assert q.accepts_duration(121.5) and not q.accepts_duration(125)


def test_deadline_and_retakes() -> None:
    check_deadline(T0, T0)
    check_deadline(None, T0)
    with pytest.raises(DeadlinePassed):
        check_deadline(T0, T0 + timedelta(seconds=1))
    q = RecordedQuestion("x", (), retakes=1)
    check_retake(q, 0)
    with pytest.raises(RetakeLimit):
        check_retake(q, 1)


def test_every_purpose_has_a_versioned_text_and_recording_needs_the_required_ones() -> None:
    texts = consent_texts()
    assert set(texts) == set(ConsentPurpose)
    assert texts[ConsentPurpose.RECORDING].required
    assert not texts[ConsentPurpose.AUTOMATED_ASSESSMENT].required
    assert "不会根据面部推断情绪" in texts[ConsentPurpose.FACE_ANALYSIS].text
    state = ConsentState(frozenset({ConsentPurpose.RECORDING}))
    assert state.missing_required() == [ConsentPurpose.DATA_PROCESSING]
    with pytest.raises(ConsentRequired):
        state.require_recording()
    ConsentState(
        frozenset({ConsentPurpose.RECORDING, ConsentPurpose.DATA_PROCESSING})
    ).require_recording()


def test_request_bodies_are_checked_field_by_field() -> None:
    body = {"interview_id": 1, "question_index": 0, "size": 10, "sha256": "a" * 64,
            "media_type": "video/mp4"}  # fmt: skip
    assert parse(UploadStartBody, body).size == 10
    with pytest.raises(InvalidInput, match="字段 size 的格式不对"):
        parse(UploadStartBody, body | {"size": "10"})
    with pytest.raises(InvalidInput, match="字段 size 的格式不对"):
        parse(UploadStartBody, body | {"size": True})
    with pytest.raises(InvalidInput, match="缺少字段 sha256"):
        parse(UploadStartBody, {k: v for k, v in body.items() if k != "sha256"})
    with pytest.raises(InvalidInput, match="JSON 对象"):
        parse(UploadStartBody, [body])
