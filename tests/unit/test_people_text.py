"""The guard over people's text says what is forbidden and lets legitimate text through."""

from __future__ import annotations

import pytest

from tests.people_text import display_strings, problems


@pytest.mark.parametrize(
    "text",
    [
        "未能转写：no speech model installed in var/models/speech; run `python -m x`",
        "not assessed: no answer gave evidence",
        "Traceback (most recent call last)",
        "面试官：None",
        "状态：awaiting_confirmation",
        "请查看 answer_analysis.py",
        "时间：2026-12-08（周二）10:00–11:00（北京时间",  # cut inside the parenthesis
        "候选人说：“我负责培训新…",  # quote left open
        "评语：The candidate communicat…",
        "你好 {name}",
        "analysis failed: RuntimeError",
        "小程序页面：pages/messages/index",
    ],
)
def test_developer_text_and_cuts_are_found(text: str) -> None:
    assert problems(text), text


@pytest.mark.parametrize(
    "text",
    [
        "您已接受 offer，HR 会尽快与您联系。",
        "AI 参考 3.5（仅供参考）",
        "面试时间：2026-12-08（周二）10:00–11:00（北京时间）",
        "评分 2/2：周芳",
        "详情：https://hr.example.com/reports/7?x=a_b",
        "面试官：王强、陈静…",
        "发offer 赵敏 月薪 20000 年终 2 个月",
    ],
)
def test_legitimate_text_passes(text: str) -> None:
    assert problems(text) == []


def test_only_display_fields_are_read() -> None:
    card = {
        "task_id": "invite_card_7",
        "main_title": {"title": "面试邀请", "desc": "一面"},
        "card_action": {"type": 1, "url": "https://x/y_z"},
        "button_list": [{"text": "刷新", "key": "invite-card:7"}],
        "horizontal_content_list": [{"keyname": "状态", "value": "待回复"}],
    }
    assert sorted(display_strings(card)) == sorted(["面试邀请", "一面", "刷新", "状态", "待回复"])
