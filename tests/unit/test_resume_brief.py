"""The résumé as HR sees it outside the ranking: the intake card's match lines (knock-outs
first, must-haves before nice-to-haves) and the candidate page's facts (contacts masked,
protected attributes stripped from the quoted sentences)."""

from __future__ import annotations

from recruiting.domain.job_requirements import JobRequirements
from recruiting.domain.resume import Education, ParsedResume, ParseStatus, Work
from recruiting.domain.resume_match import match_resume
from recruiting.domain.skill_synonyms import SynonymTable
from recruiting.services.intake.files import chat_name
from recruiting.services.screening.brief import fit_lines, score_line, verdict_lines
from recruiting.services.screening.candidate import MASK, facts

RESUME = ParsedResume(
    ParseStatus.PARSED,
    name="韦一笑",
    phone="13600136000",
    email="wyx@example.cn",
    city="北京",
    education=(
        Education(
            "北京大学",
            "本科",
            "市场营销",
            "2015-09",
            "2019-06",
            "2015.09-2019.06 北京大学 市场营销 本科",
        ),
    ),
    work=(
        Work(
            "明教科技",
            "销售经理",
            "2019-07",
            None,
            True,
            "明教科技 销售经理 男 28岁 电话 136-0013-6000 wyx@example.cn",
        ),
    ),
    months_experience=20,
    skills=("Excel",),
    evidence={"name": "韦一笑 手机：13600136000", "skills:Excel": "熟练使用 Excel"},
)


def test_card_lines_put_knockouts_first_then_must_haves() -> None:
    requirements = JobRequirements.from_json(
        {"must": [{"工作年限": 3}, {"学历": "本科"}], "nice": [{"技能": "SQL"}, {"技能": "Excel"}]}
    )
    result = match_resume(RESUME, requirements, SynonymTable.load())
    assert result.knocked_out and score_line(result).endswith("不满足必须条件")
    lines = verdict_lines(result)
    assert lines[0].startswith("不满足必须条件") and "工作经验" in lines[0]
    assert lines[1].startswith("✓ 必须·") and lines[2].startswith("✗ 加分·")
    assert lines[3].startswith("✓ 加分·") and len(lines) == 4  # the knocked-out must once
    fitted = fit_lines(lines * 10, 120)
    assert len(fitted) <= 120 and fitted.endswith("项请在工作台查看")


def test_page_facts_quote_sentences_without_contacts_or_protected_attributes() -> None:
    shown = facts(RESUME)
    labels = [f.label for f in shown]
    assert labels == ["姓名", "城市", "工作年限", "教育经历", "工作经历", "技能"]
    text = " ".join(f"{f.value} {f.evidence}" for f in shown)
    for secret in ("13600136000", "136-0013-6000", "wyx@example.cn", "28岁", "男"):
        assert secret not in text
    assert MASK in shown[0].evidence and shown[2].value == "约 1 年 8 个月"
    assert shown[4].value == "明教科技 销售经理（2019-07 – 至今）"
    assert shown[5].evidence == "熟练使用 Excel"


def test_chat_names_carry_no_file_extension() -> None:
    assert chat_name("郭嘉.txt") == "郭嘉（文本）"
    assert chat_name("简历.ZIP") == "简历（压缩包）"
    assert chat_name("a.exe") == "a.exe" and chat_name(".txt") == ".txt"
