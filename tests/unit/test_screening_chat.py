"""The 筛选简历 command's words and its ranked card within WeCom's limits."""

from __future__ import annotations

import pytest

from recruiting.domain.job_requirements import JobRequirements
from recruiting.domain.resume import Education, ParsedResume, ParseStatus
from recruiting.domain.resume_match import match_resume
from recruiting.domain.routing import parse_key
from recruiting.domain.shorten import utf8_len
from recruiting.domain.skill_synonyms import SynonymTable
from recruiting.services.screening.chat import (
    INVITE,
    ScreenRequest,
    invite_summary,
    ranked_card,
    read_screen,
)
from recruiting.services.screening.ranking import InviteResult, Outcome, Ranked, Shortlist
from recruiting.services.screening.sources import Applicant


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("筛选简历 数据分析师 前10名", ScreenRequest("数据分析师", 10)),
        ("筛选简历：数据分析师，前 3 名", ScreenRequest("数据分析师", 3)),
        ("筛选简历 数据分析师 5", ScreenRequest("数据分析师", 5)),
        ("筛选简历 数据分析师", ScreenRequest("数据分析师", None)),
        ("筛选简历 Java 工程师 前2位", ScreenRequest("Java 工程师", 2)),
        ("筛选简历", ScreenRequest("", None)),
        ("筛选简历 客服 前99999名", ScreenRequest("客服", 99999)),
        ("帮我筛选简历", None),
        ("安排面试 刘洋 销售代表", None),
    ],
)
def test_reading_the_command(text: str, expected: ScreenRequest | None) -> None:
    assert read_screen(text) == expected


def _listed(count: int, name: str = "欧阳娜娜娜娜娜娜娜") -> Shortlist:
    requirements = JobRequirements.from_json(
        {"must": [{"degree": "本科"}], "nice": [{"skill": "SQL"}, "35岁以下"]}
    )
    table = SynonymTable.load()
    ranked = []
    for n in range(count):
        degree = "大专" if n % 3 == 2 else "本科"
        resume = ParsedResume(ParseStatus.PARSED, education=(Education("某大学", degree),),
                              skills=("SQL",) if n % 2 else ())  # fmt: skip
        result = match_resume(resume, requirements, table)
        ranked.append(Ranked(n + 1, Applicant(1000 + n, n, f"{name}{n}", resume), result))
    ranked.sort(key=lambda r: (r.result.knocked_out, -r.result.score))
    ranked = [Ranked(n + 1, r.applicant, r.result) for n, r in enumerate(ranked)]
    return Shortlist(
        7, "高级数据分析师（上海总部，商业智能方向）", requirements, count, tuple(ranked)
    )


def test_the_ranked_card_stays_within_wecom_limits() -> None:
    card = ranked_card(_listed(60), 20)
    assert card["card_type"] == "button_interaction"
    assert len(card["main_title"]["title"]) <= 36
    assert len(card["sub_title_text"]) <= 300 and "工作台查看" in card["sub_title_text"]
    assert len(card["horizontal_content_list"]) <= 6
    assert all(len(r["keyname"]) <= 5 and len(r["value"]) <= 30
               for r in card["horizontal_content_list"])  # fmt: skip
    [button] = card["button_list"]
    assert len(button["text"]) <= 10 and utf8_len(button["key"]) <= 1024
    key = parse_key(button["key"])
    assert key is not None and key.prefix == INVITE and key.args[0] == "7"
    ids = [int(i) for i in key.args[1].split("-")]
    assert len(ids) <= 20  # only those listed and not knocked out
    assert utf8_len(card["task_id"]) <= 128


def test_a_card_where_everyone_is_knocked_out_offers_no_invitation() -> None:
    listed = _listed(3)
    out = tuple(r for r in listed.ranked if r.result.knocked_out)
    card = ranked_card(Shortlist(7, "x", listed.requirements, 1, out), 5)
    assert card["button_list"][0]["text"] == "无人满足必须条件"
    assert card["button_list"][0]["key"].startswith("screening.invited:")


def test_the_summary_names_each_outcome() -> None:
    text = invite_summary([
        InviteResult(1, "孙磊", Outcome.INVITED, ""),
        InviteResult(2, "李娜", Outcome.ALREADY_INVITED, ""),
        InviteResult(3, "周杰", Outcome.FAILED, ""),
    ])  # fmt: skip
    assert "已向 1 人发出 AI 面试邀请：孙磊" in text
    assert "1 人已邀请过，跳过：李娜" in text and "1 人邀请失败：周杰" in text
