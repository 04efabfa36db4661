"""The edge checks every route uses (``recruiting.validation``) and the body parser built on
them: what ``str.isdigit``, ``int`` and ``datetime.fromisoformat`` would let through."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from miniapp_api.schemas import BookBody, EventBody, SurveyBody, parse
from recruiting import validation
from recruiting.errors import InvalidInput, NotFound

NOW = datetime(2026, 5, 1, tzinfo=UTC)


@pytest.mark.parametrize("value", ["²", "٣", "１２", "-1", "0", "", " 1", "1e3", "1.0",
                                   "9223372036854775808", "9" * 40, True, 1.0, None, -5, 0])  # fmt: skip
def test_ids_are_ascii_digits_within_bigint(value: object) -> None:
    with pytest.raises(InvalidInput):
        validation.record_id("interview_id", value)


def test_ids_beyond_the_tables_keys_name_nothing() -> None:
    assert validation.record_id("interview_id", "2147483647") == 2**31 - 1
    assert validation.record_id("interview_id", 7) == 7
    with pytest.raises(NotFound):
        validation.record_id("interview_id", 2**63 - 1)


def test_digits_and_ordinals() -> None:
    assert validation.digits("offset", "16384") == 16384
    for bad in ("²", "-1", "+1", "0x10", "1" * 20, None):
        with pytest.raises(InvalidInput):
            validation.digits("offset", bad)
    assert validation.ordinal("index", 0) == 0
    with pytest.raises(InvalidInput):
        validation.ordinal("index", 10_001)


@pytest.mark.parametrize("value", ["9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00-12:00",
                                   "2026-05-01T09:00:00", "2026-02-30T10:00:00+08:00",
                                   "1999-12-31T23:59:59+00:00", "2030-01-01T00:00:00+08:00",
                                   "tomorrow", "", 20260501, "\ud800"])  # fmt: skip
def test_times_need_a_zone_and_a_sane_year(value: object) -> None:
    with pytest.raises(InvalidInput):
        validation.moment("start", value, now=NOW)


def test_a_time_in_the_window_is_kept_with_its_offset() -> None:
    parsed = validation.moment("start", "2026-05-02T09:00:00+08:00", now=NOW)
    assert parsed.utcoffset() is not None and parsed.hour == 9


@pytest.mark.parametrize("value", ["\ud800", "a\udfffb", "nul\x00", "a" * 4001, 5, None])
def test_text_is_valid_unicode_and_bounded(value: object) -> None:
    with pytest.raises(InvalidInput) as refused:
        validation.text("code", value)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in refused.value.message)


def test_bodies_pass_the_edge_checks() -> None:
    book = {"application_id": 1, "round_id": 2, "start": "x", "interviewers": [3, 4]}
    assert parse(BookBody, book).interviewers == [3, 4]
    for bad in ({"application_id": 0}, {"round_id": 2**63}, {"interviewers": [1, -2]},
                {"interviewers": list(range(1, 200))}, {"location": "\ud800"}):  # fmt: skip
        with pytest.raises(InvalidInput):
            parse(BookBody, book | bad)
    with pytest.raises(InvalidInput):
        parse(EventBody, {"kind": "retake", "question_index": 2**40})
    with pytest.raises(InvalidInput):
        parse(SurveyBody, {"answers": {"\ud800": "1"}})
    with pytest.raises(InvalidInput):
        parse(SurveyBody, {"answers": []})


def test_ids_in_our_own_keys_are_read_with_the_same_check() -> None:
    """A recipient or card key is read with ``is_digits`` too: ``²`` is no id (``int`` would
    raise on it after ``str.isdigit`` said yes)."""
    from recruiting.services.candidate_channel.contacts import candidate_of

    assert candidate_of("candidate:42") == 42
    for value in ("candidate:²", "candidate:٣", "candidate:", "candidate:" + "9" * 40):
        with pytest.raises(InvalidInput):
            candidate_of(value)
