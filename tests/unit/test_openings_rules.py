"""The pure rules behind openings, rounds and bank questions: bounds and Chinese refusals,
the competency model's weights, and the round snapshot's digest."""

from __future__ import annotations

from typing import Any

import pytest

from recruiting.domain import openings as rules
from recruiting.domain.round_version import RoundContent, content_from_fields
from recruiting.errors import InvalidInput

KNOWN = {"communication": "沟通能力", "teamwork": "团队协作", "problem_solving": "问题解决"}


def _refused(fn: Any, *args: Any) -> str:
    with pytest.raises(InvalidInput) as caught:
        fn(*args)
    message = caught.value.message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message  # written for HR
    return message


def test_weights_must_add_up_to_one_and_come_from_the_library() -> None:
    model = rules.competency_model(
        [{"code": "communication", "weight": "0.6"}, {"code": "teamwork", "weight": "40%"}],
        KNOWN,
    )
    assert model == [
        {"code": "communication", "name": "沟通能力", "weight": "0.6"},
        {"code": "teamwork", "name": "团队协作", "weight": "0.4"},
    ]
    assert "合计须为 1" in _refused(
        rules.competency_model, [{"code": "communication", "weight": "0.5"}], KNOWN
    )
    assert "能力库中没有" in _refused(
        rules.competency_model, [{"code": "charisma", "weight": "1"}], KNOWN
    )
    assert "重复" in _refused(
        rules.competency_model,
        [{"code": "teamwork", "weight": "0.5"}, {"code": "teamwork", "weight": "0.5"}],
        KNOWN,
    )
    for bad in ("0", "-0.5", "1.5", "NaN", "Infinity", "abc", "1e999999", "0.00001"):
        _refused(rules.competency_model, [{"code": "teamwork", "weight": bad}], KNOWN)
    _refused(rules.competency_model, [], KNOWN)
    many = [{"code": f"c{i}", "weight": "0.05"} for i in range(20)]
    assert "最多" in _refused(rules.competency_model, many, KNOWN)


def test_opening_fields_are_bounded() -> None:
    ok = rules.opening_fields({"code": "SALES-01", "title": " 销售代表 ", "status": "open"})
    assert (ok.code, ok.title, ok.status) == ("SALES-01", "销售代表", "open")
    assert "岗位编号" in _refused(rules.opening_fields, {"code": "销售", "title": "x"})
    assert "请填写岗位名称" in _refused(rules.opening_fields, {"code": "a", "title": "  "})
    assert "最多 128 个字" in _refused(rules.opening_fields, {"code": "a", "title": "长" * 129})
    _refused(rules.opening_fields, {"code": "a", "title": "x", "status": "archived"})
    _refused(rules.opening_fields, {"code": "a", "title": "x\x00"})
    _refused(rules.opening_fields, {"code": "a" * 33, "title": "x"})


def test_question_bounds_and_competencies_by_code_or_name() -> None:
    draft = rules.question_draft(
        {"text": "讲一次合作", "competencies": ["团队协作", "communication"], "retakes": "2"},
        KNOWN,
        "第 1 题",
    )
    assert draft.competencies == ("teamwork", "communication")
    assert (draft.prep_seconds, draft.answer_seconds, draft.retakes) == (30, 180, 2)
    base = {"text": "题", "competencies": ["teamwork"]}
    assert "作答时间" in _refused(
        rules.question_draft, {**base, "answer_seconds": 301}, KNOWN, "第 1 题"
    )
    assert "准备时间" in _refused(
        rules.question_draft, {**base, "prep_seconds": -1}, KNOWN, "第 1 题"
    )
    assert "重录" in _refused(rules.question_draft, {**base, "retakes": 10**12}, KNOWN, "第 1 题")
    assert "整数" in _refused(rules.question_draft, {**base, "retakes": True}, KNOWN, "第 1 题")
    assert "至少选择一项" in _refused(rules.question_draft, {"text": "题"}, KNOWN, "第 1 题")
    assert "最多 500" in _refused(
        rules.question_draft, {**base, "text": "长" * 501}, KNOWN, "第 1 题"
    )


def test_live_settings_and_meeting_links() -> None:
    live = rules.live_settings({"duration_minutes": "45", "panel_size": 2,
                                "meeting_link": "https://meeting.tencent.com/dm/abc"})  # fmt: skip
    assert (live.duration_minutes, live.panel_size) == (45, 2)
    assert "https://" in _refused(rules.live_settings, {"meeting_link": "javascript:alert(1)"})
    _refused(rules.live_settings, {"duration_minutes": 5})
    _refused(rules.live_settings, {"panel_size": 11})
    _refused(rules.deadline_days, 61)
    assert rules.tags("校招，  社招 校招") == ("校招", "社招")
    _refused(rules.tags, ["t"] * 3 + [str(i) for i in range(9)])


def test_round_content_digest_is_stable_and_changes_with_content() -> None:
    fields = {"name": "录制", "kind": "recorded", "competencies": '["teamwork"]',
              "questions": '[{"text": "题", "competencies": ["团队协作"]}]'}  # fmt: skip
    model = '[{"code": "teamwork", "name": "团队协作", "weight": "1"}]'
    content = content_from_fields(fields, model)  # raw rows: JSON as text (migration 0016)
    again = RoundContent.from_json(content.to_json())
    assert again == content and again.digest() == content.digest()
    assert content.recorded_questions()[0].competencies == ("团队协作",)
    reweighted = content_from_fields(fields, [{"code": "teamwork", "name": "团队协作",
                                               "weight": "1.0"}])  # fmt: skip
    assert reweighted.digest() != content.digest()


def test_a_model_entry_with_a_foreign_code_is_matched_by_its_library_name() -> None:
    model = rules.competency_model(
        [
            {"code": "comm", "name": "沟通能力", "weight": "0.5"},
            {"code": "团队协作", "weight": "0.5"},
        ],
        KNOWN,
    )
    assert [i["code"] for i in model] == ["communication", "teamwork"]
