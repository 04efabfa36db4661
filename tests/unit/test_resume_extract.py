"""Résumé text → facts: sections, entries, labels, and protected attributes never coming out."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from recruiting.domain.resume import ParseStatus
from recruiting.domain.resume_extract import extract, heading_kind

RESUME = """\
{name}的简历
{gender} | {age}岁 | 本科 | 5年工作经验 | 现居住地：北京市朝阳区
手机：+86 138 1234 5678    邮箱：zhang.wei@example.com
婚姻状况：{marital} ｜ 民族：{ethnic} ｜ 政治面貌：{political}
籍贯：{hometown}   身份证：{id_number}
出生年月：{birth}
【求职意向】
期望职位：Java开发工程师   期望月薪：15-20K
【工作经历】
2019.07 - 至今  字节跳动  (5年)
高级Java工程师 | 技术部
工作描述：负责推荐系统后端开发，日均调用量千万级。
2016年7月 ~ 2019年12月  北京百度网讯科技有限公司
后端工程师
1. 参与搜索广告系统开发。
【教育背景】
2012/9-2016/6 北京邮电大学 计算机科学与技术 本科
【项目经历】
2020.03-2020.12 推荐系统重构 | 负责人
【专业技能】
熟练掌握 Java、Spring Boot、MySQL；熟悉 Redis、Kafka
【证书】
英语六级（CET-6）、PMP
"""

BASE = {"name": "张伟", "gender": "男", "age": 31, "marital": "已婚", "ethnic": "汉族",
        "political": "中共党员", "hometown": "河南周口", "id_number": "110101199307071234",
        "birth": "1993.07"}  # fmt: skip


def _parse(**changes: object) -> dict[str, object]:
    values = {**BASE, **changes}
    parsed = extract(RESUME.format(**values).splitlines(), as_of="2024-06")
    return asdict(parsed)


def test_facts() -> None:
    out = _parse()
    assert out["status"] == ParseStatus.PARSED
    assert (out["name"], out["phone"], out["email"], out["city"]) == (
        "张伟", "13812345678", "zhang.wei@example.com", "北京")  # fmt: skip
    assert [
        (w["company"], w["title"], w["start"], w["end"], w["current"]) for w in out["work"]
    ] == [
        ("字节跳动", "高级Java工程师", "2019-07", None, True),
        ("北京百度网讯科技有限公司", "后端工程师", "2016-07", "2019-12", False),
    ]
    # 2016-07..2019-12 (42) then 2019-07..2024-06 (60) overlapping 6 months: 96
    assert out["months_experience"] == 96
    assert [
        (e["school"], e["degree"], e["major"], e["start"], e["end"]) for e in out["education"]
    ] == [("北京邮电大学", "本科", "计算机科学与技术", "2012-09", "2016-06")]
    assert out["skills"] == ("Java", "Spring Boot", "MySQL", "Redis", "Kafka")
    assert out["certificates"] == ("英语六级(CET-6)", "PMP")
    assert out["expected_salary"] == "15-20K"
    assert out["projects"][0]["name"] == "推荐系统重构"
    assert "字节跳动" in out["evidence"]["work:0"]
    assert out["evidence"]["phone"].startswith("手机")


@pytest.mark.parametrize(
    "changes",
    [{"gender": "女"}, {"age": 52, "birth": "1972.01"}, {"marital": "未婚"},
     {"ethnic": "回族"}, {"political": "群众"}, {"hometown": "四川南充"},
     {"id_number": "51130219720101123X"}],
)  # fmt: skip
def test_protected_attributes_change_nothing_and_never_come_out(changes: dict[str, object]) -> None:
    base, varied = _parse(), _parse(**changes)
    assert varied == base
    dumped = json.dumps(varied, ensure_ascii=False, default=str)
    for value in (*changes.values(), *BASE.values()):
        if value in ("张伟",):
            continue
        assert str(value) not in dumped, value
    for label in ("性别", "年龄", "婚姻", "民族", "政治面貌", "籍贯", "身份证", "出生"):
        assert label not in dumped


def test_absent_values_are_none_not_guessed() -> None:
    parsed = extract(["工作经历", "某某项目组 负责数据整理"], as_of="2024-06")
    assert parsed.name is None and parsed.phone is None and parsed.email is None
    assert parsed.city is None and parsed.months_experience is None and parsed.education == ()


@pytest.mark.parametrize(
    ("line", "kind"),
    [("■ 教育背景", "education"), ("【工作经历】", "work"), ("一、工作经验 Work Experience", "work"),
     ("工作经历（共3段）", "work"), ("所获证书", "certificates"), ("技能标签", "skills"),
     ("个人总结", "other"), ("EDUCATION 教育经历", "education"),
     ("— 证书与奖项 —", "certificates"), ("专业技能：", "skills"), ("项目经历", "project"),
     ("项目经理", None), ("工作经验：5年", None), ("技术总监", None), ("北京大学", None)],
)  # fmt: skip
def test_headings(line: str, kind: str | None) -> None:
    found = heading_kind(line)
    assert (found[0] if found else None) == kind


def test_table_rows_and_label_variants() -> None:
    lines = [
        "个人简历",
        "姓名 | 李娜 | 性别 | 女",
        "联系电话 | 159 0000 1111 | 电子邮箱 | lina@qq.com",
        "所在地 | 深圳 | 出生年月 | 1990.01",
        "工作经历",
        "起止时间 | 公司 | 职位",
        "2018年3月 — 现在 | 腾讯 | 产品经理",
        "教育经历",
        "时间 | 学校 | 专业 | 学历",
        "2014年9月 — 2018年6月 | 中山大学 | 统计学 | 学士",
        "技能 | Excel、SQL",
        "期望薪资 | 20-25K",
    ]
    parsed = extract(lines, as_of="2024-06")
    assert (parsed.name, parsed.phone, parsed.email, parsed.city) == (
        "李娜",
        "15900001111",
        "lina@qq.com",
        "深圳",
    )
    assert [(w.company, w.title, w.start, w.current) for w in parsed.work] == [
        ("腾讯", "产品经理", "2018-03", True)
    ]
    assert [(e.school, e.degree, e.major) for e in parsed.education] == [
        ("中山大学", "本科", "统计学")
    ]
    assert parsed.skills == ("Excel", "SQL")
    assert "1990" not in json.dumps(asdict(parsed), ensure_ascii=False)


def test_51job_style_entries_with_metadata_lines() -> None:
    lines = [
        "王芳", "现居住 上海 | 6年工作经验", "电话：13900001111（手机）", "E-mail：wf@163.com",
        "工作经验",
        "2022/9-至今：上海某某信息技术有限公司（150-500人） [ 2年9个月 ]",
        "所属行业：互联网/电子商务",
        "销售部 | 大客户销售",
        "负责华东区重点客户。",
        "教育经历",
        "2014/9--2018/6：复旦大学 | 金融学 | 本科",
    ]  # fmt: skip
    parsed = extract(lines, as_of="2025-06")
    assert [(w.company, w.title, w.start) for w in parsed.work] == [
        ("上海某某信息技术有限公司", "大客户销售", "2022-09")
    ]
    assert parsed.city == "上海" and parsed.months_experience == 34


def test_wrapped_email_in_a_narrow_column() -> None:
    parsed = extract(
        ["赵丽", "Email：wuyang32", "0@outlook.com   手机：19649208312"], as_of="2024-06"
    )
    assert parsed.email == "wuyang320@outlook.com"


def test_labels_are_read_by_concept_not_only_by_known_spelling() -> None:
    lines = [
        "应聘者：周敏",
        "联系手机：13600001111；电子信箱：zm@126.com；常住城市：杭州；出生日期：1991.02",
        "◆ 工作背景",
        "任职单位：杭州某某网络科技有限公司",
        "担任岗位：运营专员",
        "任职时间：2019年07月—2021年03月",
        "EDUCATION 教育经历",
        "就读院校：浙江大学，硕士研究生，统计学，2016年09月—2019年06月",
    ]
    parsed = extract(lines, as_of="2024-06")
    assert (parsed.name, parsed.city, parsed.email) == ("周敏", "杭州", "zm@126.com")
    assert [(w.company, w.title, w.start, w.end) for w in parsed.work] == [
        ("杭州某某网络科技有限公司", "运营专员", "2019-07", "2021-03")
    ]
    assert [(e.school, e.degree, e.major) for e in parsed.education] == [
        ("浙江大学", "硕士", "统计学")
    ]
    # a protected pair inside a ';'-joined line is gone from facts and evidence alike
    assert "1991" not in json.dumps(asdict(parsed), ensure_ascii=False)


def test_title_at_company_and_wrapped_mobile() -> None:
    lines = [
        "吴昊",
        "手机号：+86 1566049945",
        "9   E-mail：wh@qq.com",
        "工作经历",
        "数据分析师 @ 拼多多",
        "2020.04 – 至今",
    ]
    parsed = extract(lines, as_of="2024-06")
    assert parsed.phone == "15660499459"
    assert [(w.company, w.title, w.current) for w in parsed.work] == [
        ("拼多多", "数据分析师", True)
    ]


def test_site_export_before_unlock_masked_phone_counts_and_tags() -> None:
    lines = [
        "陈静（ID：48213377）",
        "性别：女 年龄：29岁 所在地：成都 学历：本科",
        "手机：139****5678 邮箱：cj@163.com",
        "工作经历（共1段）",
        "公司名称 | 职位名称 | 在职时间",
        "四川某某科技有限公司 | 测试工程师 | 2020-03 ~ 至今",
        "技能标签",
        "#Python #Spring Boot #SQL",
        "所获证书",
        "软考中级，英语四级",
    ]
    parsed = extract(lines, as_of="2024-06")
    assert (parsed.name, parsed.phone, parsed.city) == ("陈静", None, "成都")  # masked: no phone
    assert [(w.company, w.title, w.start, w.current) for w in parsed.work] == [
        ("四川某某科技有限公司", "测试工程师", "2020-03", True)
    ]
    assert parsed.skills == ("Python", "Spring Boot", "SQL")
    assert parsed.certificates == ("软考中级", "英语四级")
    assert "29" not in json.dumps(asdict(parsed), ensure_ascii=False)


FREEFORM_1 = """\
个 人 简 历

基本资料
姓    名：李明轩                    性    别：男
出生年月：1995年8月                 民    族：汉
联系方式：186 0123 4567             电子邮件：mingxuan.li@foxmail.com
现 住 址：广东省深圳市南山区         政治面貌：团员

求职意向：前端开发工程师  |  期望薪资：18k-25k  |  到岗时间：一个月内

教育背景
2013.09—2017.06    华南理工大学    软件工程（本科）

工作经历
2020.05—至今    深圳市腾讯计算机系统有限公司    高级前端工程师
· 负责微信支付商户平台前端架构升级，首屏时间降低40%；
· 带领3人小组完成组件库建设。

2017.07—2020.04    金蝶软件（中国）有限公司    前端开发工程师
· 参与云星空ERP前端开发。

专业技能
1. 精通 JavaScript/TypeScript，熟悉 React、Vue 框架；
2. 熟悉 Node.js、Webpack、Vite 等前端工程化工具；

证书
全国计算机等级考试二级、英语六级
"""

FREEFORM_2 = """\
王雨桐
产品经理 | 7年经验 | 硕士 | 上海
📱 15900001234 · ✉ yutong.wang@outlook.com

个人优势
7年互联网产品经验，主导过千万级用户产品从0到1。

工作经历
携程集团 · 高级产品经理
2021年3月 - 至今
- 负责酒店预订主流程，转化率提升12%
- 管理5人产品团队

小红书 · 产品经理
2018年7月 - 2021年2月
- 负责社区内容推荐策略

项目经历
智能客服机器人 · 项目负责人
2022年1月 - 2022年12月
- 上线后人工客服量下降30%

教育经历
同济大学 · 硕士 · 管理科学与工程
2015年9月 - 2018年6月
上海大学 · 本科 · 信息管理与信息系统
2011年9月 - 2015年6月

技能
Axure、Figma、SQL、数据分析、A/B测试
"""


def test_hand_written_resume_with_spaced_labels() -> None:
    parsed = extract(FREEFORM_1.splitlines(), as_of="2025-06")
    assert (parsed.name, parsed.phone, parsed.city) == ("李明轩", "18601234567", "深圳")
    assert [(e.school, e.degree, e.major) for e in parsed.education] == [
        ("华南理工大学", "本科", "软件工程")
    ]
    assert [(w.company, w.title) for w in parsed.work] == [
        ("深圳市腾讯计算机系统有限公司", "高级前端工程师"),
        ("金蝶软件(中国)有限公司", "前端开发工程师"),
    ]
    assert parsed.months_experience == 96
    assert parsed.skills == (
        "JavaScript",
        "TypeScript",
        "React",
        "Vue",
        "Node.js",
        "Webpack",
        "Vite",
    )
    assert parsed.expected_salary == "18k-25k"
    dumped = json.dumps(asdict(parsed), ensure_ascii=False)
    assert "1995" not in dumped and "团员" not in dumped and "汉" not in dumped


def test_online_resume_with_dotted_heads_and_projects() -> None:
    parsed = extract(FREEFORM_2.splitlines(), as_of="2025-06")
    assert (parsed.name, parsed.city, parsed.email) == ("王雨桐", "上海", "yutong.wang@outlook.com")
    assert [(w.company, w.title, w.start, w.end) for w in parsed.work] == [
        ("携程集团", "高级产品经理", "2021-03", None),
        ("小红书", "产品经理", "2018-07", "2021-02"),
    ]
    assert [e.degree for e in parsed.education] == ["硕士", "本科"]
    assert parsed.projects[0].name == "智能客服机器人"
    assert "A/B测试" in parsed.skills
