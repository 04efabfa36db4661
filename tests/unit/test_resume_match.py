"""Matching a parsed résumé to an opening's requirements: each kind, synonyms, unknown vs
missed, knock-outs, determinism, protected attributes (invariance and refused/flagged
requirements), the company's synonym file, and the CLI's output shape."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from recruiting.domain.job_requirements import JobRequirements
from recruiting.domain.protected import Attribute, strip_protected
from recruiting.domain.resume import Education, ParsedResume, ParseStatus, Project, Work
from recruiting.domain.resume_match import match_input, match_resume
from recruiting.domain.skill_synonyms import SynonymTable
from recruiting.errors import ConfigError, InvalidInput
from recruiting.infra.resumes.reader import FileResumeReader

ROOT = Path(__file__).resolve().parents[2]
TABLE = SynonymTable.load()


def resume(**changes: object) -> ParsedResume:
    base: dict[str, object] = {
        "status": ParseStatus.PARSED,
        "name": "陈晓",
        "city": "上海市",
        "education": (
            Education(
                "华东师范大学",
                "本科",
                "统计学",
                "2012-09",
                "2016-06",
                "2012.09-2016.06 华东师范大学 统计学 本科",
            ),
        ),
        "work": (
            Work(
                "上海某网络科技有限公司",
                "数据分析师",
                "2016-07",
                None,
                True,
                "2016.07-至今 上海某网络科技有限公司 数据分析师，负责用户增长分析",
            ),
        ),
        "months_experience": 50,
        "skills": ("MySQL", "Excel"),
        "certificates": ("CET-6",),
        "evidence": {"skills:MySQL": "熟练使用 MySQL 编写复杂查询", "city": "现居：上海"},
    }
    base.update(changes)
    return ParsedResume(**base)  # type: ignore[arg-type]


def reqs(must: list[object] | None = None, nice: list[object] | None = None) -> JobRequirements:
    return JobRequirements.from_json({"must": must or [], "nice": nice or []})


def verdict(resume_: ParsedResume, requirements: JobRequirements, n: int = 0) -> dict[str, object]:
    result: dict[str, object] = match_resume(resume_, requirements, TABLE).to_json()
    return result["requirements"][n]  # type: ignore[index,no-any-return]


# -- each kind -----------------------------------------------------------------------------


def test_years_met_missed_and_unknown() -> None:
    assert verdict(resume(), reqs([{"years": 4}]))["met"] is True  # 50 months ≥ 48
    missed = verdict(resume(), reqs([{"工作年限": "5年"}]))
    assert missed["met"] is False and "4 年 2 个月" in str(missed["note"])
    assert verdict(resume(months_experience=None, work=()), reqs([{"years": 1}]))["met"] is None


def test_degree_levels_compare_and_unknown_is_not_missed() -> None:
    phd = resume(education=(Education("复旦大学", "博士研究生", evidence="复旦大学 博士"),))
    assert verdict(phd, reqs([{"学历": "硕士"}]))["met"] is True
    college = resume(education=(Education("某职业学院", "大专", evidence="某职业学院 大专"),))
    missed = verdict(college, reqs([{"degree": "本科"}]))
    assert missed["met"] is False and missed["evidence"] == "某职业学院 大专"
    assert verdict(resume(education=()), reqs([{"degree": "本科"}]))["met"] is None


def test_skill_through_synonyms_one_way() -> None:
    # MySQL shows SQL, and SQL shows 数据分析: MySQL meets 数据分析, quoting its sentence.
    found = verdict(resume(), reqs([{"skill": "数据分析"}]))
    assert found["met"] is True and found["evidence"] == "熟练使用 MySQL 编写复杂查询"
    # Python ~ python3 (an alias), found in the work history
    work = (Work("某公司", "分析师", evidence="用 python3 清洗数据"),)
    assert verdict(resume(work=work), reqs([{"skill": "Python"}]))["met"] is True
    # Excel 透视表 shows 数据分析 …
    pivot = resume(skills=("数据透视表",), evidence={})
    assert verdict(pivot, reqs([{"skill": "数据分析"}]))["met"] is True
    # … but knowing 数据分析 does not show SQL
    general = resume(skills=("数据分析",), evidence={}, work=())
    assert verdict(general, reqs([{"skill": "SQL"}]))["met"] is False


def test_latin_terms_match_whole_words_only() -> None:
    react = resume(skills=("React", "Rust"), work=(), evidence={})
    assert verdict(react, reqs([{"skill": "R"}]))["met"] is False
    assert verdict(react, reqs([{"skill": "react.js"}]))["met"] is True


def test_certificate_via_alias_and_project_management_via_pmp() -> None:
    pmp = resume(certificates=("项目管理专业人士资格认证",))
    assert verdict(pmp, reqs(nice=[{"certificate": "PMP"}]))["met"] is True
    assert verdict(pmp, reqs(nice=[{"skill": "项目管理"}]))["met"] is True
    no_certs = resume(certificates=())
    assert verdict(no_certs, reqs(nice=[{"certificate": "PMP"}]))["met"] is None
    other = resume(certificates=("CET-6",))
    assert verdict(other, reqs(nice=[{"certificate": "PMP"}]))["met"] is False


def test_industry_found_or_unknown_never_missed() -> None:
    assert verdict(resume(), reqs(nice=[{"industry": "互联网"}]))["met"] is True
    plain = resume(work=(Work("某某有限公司", "会计", evidence="2016.07-至今 某某有限公司 会计"),))
    assert verdict(plain, reqs(nice=[{"行业": "金融"}]))["met"] is None
    bank = resume(work=(Work("招商银行", "柜员", evidence="招商银行上海分行 柜员"),))
    assert verdict(bank, reqs(nice=[{"industry": "金融"}]))["met"] is True


def test_location_compares_cities_without_suffixes() -> None:
    assert verdict(resume(), reqs(nice=[{"location": "上海"}]))["met"] is True
    away = verdict(resume(city="杭州"), reqs(nice=[{"地点": "上海市"}]))
    assert away["met"] is False and "杭州" in str(away["note"])
    assert verdict(resume(city=None), reqs(nice=[{"location": "上海"}]))["met"] is None


def test_project_text_counts_as_evidence() -> None:
    projects = (Project("用户画像", "负责人", "基于 Hive 和 Tableau 搭建用户画像看板"),)
    found = verdict(resume(skills=(), projects=projects, work=()), reqs([{"skill": "数据可视化"}]))
    assert found["met"] is True and "Tableau" in str(found["evidence"])


# -- score, knock-outs, determinism --------------------------------------------------------


def test_score_weights_must_twice_and_unknown_half() -> None:
    requirements = reqs(
        [{"years": 3}, {"degree": "硕士"}], [{"certificate": "PMP"}, {"location": "上海"}]
    )
    result = match_resume(resume(certificates=()), requirements, TABLE)
    # must: met 2 + missed 0 of 2; must degree missed (本科 < 硕士); nice: unknown 0.5, met 1
    # points = 2 + 0 + 0.5 + 1 = 3.5 of 6 → 58.33 → 58
    assert result.score == 58
    assert result.knocked_out is True
    assert result.knockouts == ("不满足必须条件「硕士及以上学历」：最高学历为本科，要求硕士及以上",)
    data = result.to_json()
    assert data["unknown_weight"] == 0.5 and data["knocked_out"] is True


def test_unknown_must_have_never_knocks_out() -> None:
    result = match_resume(resume(education=()), reqs([{"degree": "本科"}]), TABLE)
    assert result.knocked_out is False and result.score == 50


def test_deterministic() -> None:
    requirements = reqs([{"skill": "数据分析"}, {"years": 2}], [{"industry": "互联网"}])
    first = match_resume(resume(), requirements, TABLE).to_json()
    again = [match_resume(resume(), requirements, SynonymTable.load()).to_json() for _ in range(5)]
    assert all(json.dumps(a, sort_keys=True) == json.dumps(first, sort_keys=True) for a in again)


def test_only_parsed_resumes_are_matched() -> None:
    with pytest.raises(ValueError):
        match_resume(ParsedResume(ParseStatus.NEEDS_OCR, "扫描件"), reqs([{"years": 1}]), TABLE)


# -- protected attributes ------------------------------------------------------------------

RESUME_TEXT = """陈晓
{personal}
电话：13800138000  邮箱：chenxiao@example.com
现居：上海
教育经历
2012.09-2016.06 华东师范大学 统计学 本科
工作经历
2016.07-至今 上海某网络科技有限公司 数据分析师
负责用户增长分析，使用 MySQL 和 python3
专业技能
SQL、Excel 数据透视表、Tableau
证书
CET-6
"""
PERSONAL = [
    "性别：女 | 年龄：29岁 | 民族：汉族 | 婚姻状况：未婚 | 籍贯：河南周口",
    "性别：男 | 年龄：45岁 | 民族：回族 | 婚姻状况：已婚已育 | 籍贯：上海",
    "男，1979年5月出生，已婚，户籍：四川成都，身份证号：510104197905123456",
    "[照片] 女 / 24岁 / 未婚 / 壮族",
    "",
]


def test_varying_protected_attributes_gives_identical_matches() -> None:
    """Through the real reader: the same résumé with different (or no) age, gender, marital
    status, ethnicity, home town, ID number and photo marker matches identically."""
    reader = FileResumeReader()
    requirements = reqs(
        [{"years": 3}, {"degree": "本科"}, {"skill": "数据分析"}],
        [{"certificate": "PMP"}, {"industry": "互联网"}, {"location": "上海"}, {"skill": "Python"}],
    )
    outputs = set()
    for personal in PERSONAL:
        parsed = reader.read(RESUME_TEXT.format(personal=personal).encode(), "cv.txt")
        assert parsed.status is ParseStatus.PARSED
        facts = match_input(parsed)
        for word in ("女", "男", "岁", "汉族", "回族", "壮族", "已婚", "未婚", "籍贯", "户籍",
                     "510104", "照片", "出生"):  # fmt: skip
            assert word not in repr(facts), (personal, word)
        outputs.add(json.dumps(match_resume(parsed, requirements, TABLE).to_json(), sort_keys=True))
    assert len(outputs) == 1, outputs


def test_strip_protected_keeps_the_rest() -> None:
    assert strip_protected("张三 | 男 | 28岁 | 本科 | 3年经验") == "张三 | 本科 | 3年经验"
    assert strip_protected("李四，女，汉族，1992年5月出生，硕士") == "李四，硕士"
    assert strip_protected("男装销售经验五年") == "男装销售经验五年"  # not a gender
    assert strip_protected("熟练 SQL") == "熟练 SQL"


@pytest.mark.parametrize(
    "words", ["男", "女性优先", "限男性", {"性别": "男"}, {"gender": "female"}]
)
def test_gender_requirements_are_refused(words: object) -> None:
    with pytest.raises(InvalidInput, match="就业促进法"):
        reqs([words])


@pytest.mark.parametrize(
    ("words", "attribute"),
    [
        ("35岁以下", Attribute.AGE),
        ({"年龄": "25-35"}, Attribute.AGE),
        ("90后", Attribute.AGE),
        ("已婚已育", Attribute.MARITAL),
        ({"location": "本地户口"}, Attribute.HOMETOWN),
        ("汉族", Attribute.ETHNICITY),
        ("形象好", Attribute.PHOTO),
    ],
)
def test_other_protected_requirements_are_flagged_and_left_out(
    words: object, attribute: Attribute
) -> None:
    requirements = reqs([{"skill": "SQL"}], [words])
    assert [r.label for r in requirements.items] == ["技能：SQL"]
    [flag] = requirements.flagged
    assert flag.attribute is attribute and not flag.refused and "不作为筛选条件" in flag.reason
    stored = requirements.to_json()
    assert JobRequirements.from_json(stored).flagged == requirements.flagged


def test_industry_words_that_only_look_gendered_are_fine() -> None:
    assert reqs(nice=[{"industry": "女装"}]).items[0].value == "女装"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"must": [{"years": -1}]}, "工作年限"),
        ({"must": [{"years": 999}]}, "工作年限"),
        ({"must": [{"degree": "幼儿园"}]}, "无法识别的学历"),
        ({"must": [{"colour": "蓝"}]}, "无法识别的要求类型"),
        ({"must": [{"skill": "x" * 51}]}, "最多 50 个字"),
        ({"must": [{"skill": "SQL"}, {"技能": "sql"}]}, "要求重复"),
        ({"must": [{"skill": ""}]}, "不能为空"),
        ({"must": "SQL"}, "应是一个列表"),
        ({"must": [{"skill": "SQL", "years": 3}]}, "只写一项"),
        ({"must": [{"skill": "SQL"}] * 31}, "最多 30 条"),
        ({"wanted": []}, "无法识别的分组"),
        ("SQL", "两组"),
        ({"must": ["会做饭"]}, "无法识别的要求"),
    ],
)
def test_bad_requirements_are_refused_in_chinese(raw: object, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        JobRequirements.from_json(raw)


# -- the company's synonym file ------------------------------------------------------------


def test_company_synonyms_extend_and_merge(tmp_path: Path) -> None:
    extra = tmp_path / "ours.yaml"
    extra.write_text(
        "skills:\n  - name: 数据分析\n    shown_by: [神策]\n  - name: 神策\n    aliases: [神策分析]\n",
        encoding="utf-8",
    )
    table = SynonymTable.load(extra)
    sensors = resume(skills=("神策分析",), evidence={}, work=())
    verdicts = match_resume(sensors, reqs([{"skill": "数据分析"}]), table).verdicts
    assert verdicts[0].met is True
    assert match_resume(sensors, reqs([{"skill": "数据分析"}]), TABLE).verdicts[0].met is False
    # the shipped entry keeps its own terms after the merge
    assert match_resume(resume(), reqs([{"skill": "数据分析"}]), table).verdicts[0].met is True


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("skills:\n  - name: 数据挖掘\n    aliases: [SQL]\n", "already a name or alias"),
        ("skills:\n  - aliases: [x]\n", "name must be"),
        ("skills: {a: 1}\n", "must be a list"),
        ("tools: []\n", "unknown keys"),
        ("skills:\n  - name: A\n    synonyms: [b]\n", "unknown keys"),
        ("version: 2\n", "version"),
        ("skills: [\n", "not valid YAML"),
    ],
)
def test_bad_company_synonym_files_stop_the_start(tmp_path: Path, text: str, message: str) -> None:
    extra = tmp_path / "ours.yaml"
    extra.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        SynonymTable.load(extra)


# -- the command line ----------------------------------------------------------------------


def test_cli_match_prints_the_stable_shape(tmp_path: Path) -> None:
    job = tmp_path / "job.yaml"
    job.write_text(
        "title: 数据分析师\nrequirements:\n  must:\n    - 工作年限: 3\n    - 学历: 硕士\n"
        "  nice:\n    - 技能: 数据分析\n    - 35岁以下\n",
        encoding="utf-8",
    )
    cv = tmp_path / "cv.txt"
    cv.write_text(RESUME_TEXT.format(personal=PERSONAL[0]), encoding="utf-8")
    env = {"DATA_DIR": str(tmp_path / "var"), "PATH": "/usr/bin:/bin"}
    run = subprocess.run(
        [sys.executable, "-m", "recruiting", "resumes", "match", str(cv), "--job", str(job)],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert isinstance(out["score"], int) and 0 <= out["score"] <= 100
    assert out["knocked_out"] is True  # 本科 < 硕士
    assert [r["met"] for r in out["requirements"]] == [True, False, True]
    for item in out["requirements"]:
        assert set(item) >= {"requirement", "met", "evidence"}
    assert out["requirements"][1]["evidence"] == "2012.09-2016.06 华东师范大学 统计学 本科"
    assert out["flagged"][0]["attribute"] == "age"
    # a scan (an image) is not guessed at: null score, the reader's reason, exit 3 as parse
    scan = tmp_path / "scan.png"
    scan.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    ocr = subprocess.run(
        [sys.executable, "-m", "recruiting", "resumes", "match", str(scan), "--job", str(job)],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=120, check=False,
    )  # fmt: skip
    needs = json.loads(ocr.stdout)
    assert ocr.returncode == 3 and needs["status"] == "needs_ocr" and needs["score"] is None
    assert needs["requirements"] == [] and "OCR" in needs["reason"]
    # a gender filter in the job file is refused with the reason, exit 2
    job.write_text("requirements:\n  must:\n    - 男性优先\n", encoding="utf-8")
    refused = subprocess.run(
        [sys.executable, "-m", "recruiting", "resumes", "match", str(cv), "--job", str(job)],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert refused.returncode == 2 and "就业促进法" in refused.stderr and not refused.stdout
