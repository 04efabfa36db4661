"""A seeded corpus of Chinese résumés with the ground truth of every field, plus hostile files.

    python -m tests.resumes.generate OUT [--count 220] [--seed 7] [--heldout heldout|heldout2]
                                         [--no-hostile]

Each résumé ``X.pdf|docx|txt|html`` has ``X.pdf.truth.json`` beside it (what
``python -m recruiting resumes evaluate OUT`` compares against). Layouts follow the
exports of 智联招聘, 前程无忧, BOSS直聘 and 猎聘, hand-made one- and two-column résumés and
table templates; vocabulary (headings, labels, date and phone spellings, separators,
section order) varies per file so the extractor is tested on the formats in general.
Protected attributes (gender, age, birth date, marital status, ethnicity, political status,
home town, ID number, photo) are written into the documents and listed in the truth as
``protected``: none of them may come out of the reader.

``--heldout NAME`` draws from a layout and vocabulary the extractor was not developed
against: ``heldout`` (an applicant-tracking export with its own labels and date spelling) and
``heldout2`` (a bilingual designer template with icons instead of labels): evaluate them only
at the end. Deterministic: the same seed gives the same bytes (PDF timestamps are fixed).
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

AS_OF = "2025-06"

SURNAMES = [*list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严"), "欧阳", "司马", "上官", "诸葛"]  # fmt: skip
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏辉建国云飞宇浩然子涵梓萱一诺欣怡思远晨曦嘉怡雨桐俊杰志强晓东")  # fmt: skip
PINYIN = ["zhang", "wang", "li", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma", "zhu", "hu", "guo", "lin", "he", "gao", "luo", "wei", "fang", "jing", "hao", "yu", "xiao", "ming", "tian", "ning", "jun"]  # fmt: skip
DOMAINS = ["qq.com", "163.com", "126.com", "gmail.com", "outlook.com", "foxmail.com", "sina.com", "hotmail.com", "yeah.net", "139.com"]  # fmt: skip
CITIES = ["北京", "上海", "广州", "深圳", "杭州", "南京", "苏州", "成都", "武汉", "西安", "长沙", "郑州", "青岛", "厦门", "合肥", "天津", "重庆", "宁波", "大连", "济南", "福州", "昆明"]  # fmt: skip
SCHOOLS = ["北京大学", "清华大学", "复旦大学", "浙江大学", "南京大学", "武汉大学", "中山大学", "华中科技大学", "西安交通大学", "四川大学", "北京邮电大学", "电子科技大学", "上海财经大学", "中南大学", "厦门大学", "山东大学", "吉林大学", "东北财经大学", "华南理工大学", "郑州大学", "深圳职业技术学院", "北京联合大学", "上海商学院", "湖南师范大学", "西南财经大学", "中国人民大学", "北京师范大学", "天津职业技术师范大学", "广东外语外贸大学", "江西财经大学", "重庆邮电大学", "浙江工商大学", "南京信息工程大学", "哈尔滨工业大学", "长沙民政职业技术学院"]  # fmt: skip
MAJORS = ["计算机科学与技术", "软件工程", "金融学", "会计学", "市场营销", "人力资源管理", "汉语言文学", "英语", "电子信息工程", "机械设计制造及其自动化", "数学与应用数学", "统计学", "工商管理", "法学", "新闻学", "护理学", "临床医学", "物流管理", "视觉传达设计", "国际经济与贸易", "通信工程", "自动化", "财务管理", "数据科学与大数据技术"]  # fmt: skip
DEGREES = [("本科", "本科"), ("本科", "本科"), ("统招本科", "本科"), ("学士", "本科"), ("硕士", "硕士"), ("硕士研究生", "硕士"), ("研究生", "硕士"), ("博士", "博士"), ("大专", "大专"), ("专科", "大专")]  # fmt: skip
COMPANIES = ["北京字节跳动科技有限公司", "腾讯科技（深圳）有限公司", "阿里巴巴（中国）有限公司", "华为技术有限公司", "美团", "京东", "小米", "网易", "拼多多", "百度在线网络技术（北京）有限公司", "招商银行股份有限公司", "中国平安保险（集团）股份有限公司", "德勤华永会计师事务所", "上海市第一人民医院", "顺丰速运有限公司", "万科企业股份有限公司", "海尔集团", "比亚迪股份有限公司", "蔚来汽车", "杭州海康威视数字技术股份有限公司", "深圳市大疆创新科技有限公司", "携程旅行网", "中信证券股份有限公司", "新东方教育科技集团", "中国移动通信集团广东有限公司", "宁德时代新能源科技股份有限公司", "贝壳找房", "用友网络科技股份有限公司", "四川长虹电器股份有限公司", "链家", "广州酷狗计算机科技有限公司", "苏州科达科技股份有限公司", "上海汉得信息技术股份有限公司", "金蝶软件（中国）有限公司", "滴滴出行"]  # fmt: skip
TITLES = ["Java开发工程师", "高级Java工程师", "产品经理", "运营专员", "高级会计", "销售代表", "人力资源主管", "数据分析师", "UI设计师", "测试工程师", "前端开发工程师", "市场经理", "行政助理", "财务经理", "算法工程师", "客户经理", "HRBP", "项目经理", "运维工程师", "新媒体运营", "采购专员", "法务专员", "护士", "审计员", "招聘专员", "内容编辑", "大客户销售", "技术总监"]  # fmt: skip
SKILLS = ["Java", "Python", "SQL", "MySQL", "Redis", "Spring Boot", "Vue", "React", "Excel", "PPT", "Photoshop", "Figma", "Axure", "Linux", "Docker", "Kubernetes", "Go", "Tableau", "SPSS", "用友U8", "金蝶K3", "数据分析", "财务报表分析", "招聘", "薪酬绩效", "新媒体运营", "短视频剪辑", "英语口语", "商务谈判", "项目管理", "Hadoop", "Spark", "TensorFlow", "JavaScript", "TypeScript", "C++", "Kafka", "SAP", "Visio", "CAD"]  # fmt: skip
CERTS = ["英语六级（CET-6）", "英语四级", "PMP", "注册会计师（CPA）", "计算机二级", "普通话二级甲等", "教师资格证", "初级会计职称", "软考中级", "ACCA", "CFA一级", "人力资源管理师二级", "法律职业资格证", "护士执业资格证", "证券从业资格", "基金从业资格"]  # fmt: skip
ETHNIC = ["汉族", "回族", "满族", "壮族", "苗族"]
POLITICAL = ["中共党员", "共青团员", "群众"]
MARITAL = ["已婚", "未婚", "已婚已育"]
DUTIES = ["负责核心业务系统的设计与开发，保障系统稳定运行。", "带领团队完成年度目标，业绩提升30%。", "参与需求分析、方案设计与上线推广。", "负责日常数据整理与报表输出，支持管理层决策。", "对接客户需求，维护重点客户关系。", "主导流程优化，节省成本约20万元。"]  # fmt: skip


# --- the person (ground truth) ------------------------------------------------------------


@dataclass
class Edu:
    school: str
    degree_written: str
    degree: str
    major: str
    start: str
    end: str


@dataclass
class Job:
    company: str
    title: str
    start: str
    end: str | None  # None = 至今


@dataclass
class Person:
    name: str
    phone: str
    email: str
    city: str
    education: list[Edu]
    work: list[Job]
    skills: list[str]
    certificates: list[str]
    salary: str
    gender: str
    age: int
    birth: str
    marital: str
    ethnic: str
    political: str
    hometown: str
    id_number: str
    extras: dict[str, Any] = field(default_factory=dict)


def _m(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _idx(month: str) -> int:
    y, m = month.split("-")
    return int(y) * 12 + int(m) - 1


def make_person(rng: random.Random) -> Person:
    surname = rng.choice(SURNAMES)
    name = surname + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2, 2])))
    phone = (
        rng.choice(["13", "15", "18", "17", "19"])
        + str(rng.randint(0, 9))
        + "".join(str(rng.randint(0, 9)) for _ in range(8))
    )
    local = rng.choice(PINYIN) + rng.choice(["", ".", "_"]) + rng.choice(PINYIN)
    email = (
        (local + (str(rng.randint(1, 999)) if rng.random() < 0.5 else ""))
        + "@"
        + rng.choice(DOMAINS)
    )
    birth_year = rng.randint(1975, 2001)
    age = 2025 - birth_year
    birth = f"{birth_year}.{rng.randint(1, 12):02d}"
    # education: 本科 (+ maybe 硕士) or 大专
    grad_year = birth_year + 22 + rng.choice([0, 0, 1])
    education: list[Edu] = []
    written, degree = rng.choice(DEGREES[:4] + DEGREES[8:])
    years = 3 if degree == "大专" else 4
    education.append(Edu(rng.choice(SCHOOLS), written, degree, rng.choice(MAJORS),
                         _m(grad_year - years, 9), _m(grad_year, rng.choice([6, 7]))))  # fmt: skip
    if degree == "本科" and rng.random() < 0.35 and grad_year + 3 < 2025:
        written, degree = rng.choice(DEGREES[4:8])
        years = 3 if degree == "硕士" else 4
        education.append(Edu(rng.choice(SCHOOLS), written, degree, rng.choice(MAJORS),
                             _m(grad_year, 9), _m(grad_year + years, 6)))  # fmt: skip
        grad_year += years
    education.reverse() if rng.random() < 0.6 else None  # newest first, mostly
    # work: consecutive jobs from graduation, with gaps and sometimes an overlap
    work: list[Job] = []
    cursor = _idx(_m(grad_year, 7))
    limit = _idx(AS_OF)
    for n in range(rng.randint(1, 4)):
        if cursor >= limit - 2:
            break
        length = rng.randint(6, 48)
        start = cursor + rng.choice([0, 0, 1, 2, 5])
        end = start + length
        current = end >= limit or (n >= 1 and rng.random() < 0.25)
        if start >= limit:
            break
        job = Job(rng.choice(COMPANIES), rng.choice(TITLES), _text_month(start),
                  None if current else _text_month(end))  # fmt: skip
        if work and job.company == work[-1].company:
            job.company = rng.choice(COMPANIES)
        work.append(job)
        if current:
            break
        cursor = end + 1 - (rng.randint(1, 3) if rng.random() < 0.1 else 0)  # overlap
    work.reverse()
    skills = rng.sample(SKILLS, rng.randint(3, 7))
    certificates = rng.sample(CERTS, rng.randint(0, 3))
    low = rng.choice([6, 8, 10, 12, 15, 20, 25])
    salary = rng.choice(
        [f"{low}-{low + 5}K", f"{low}K-{low + 5}K", f"{low * 1000}-{(low + 5) * 1000}元/月", "面议"]
    )
    id_number = f"{rng.randint(110000, 650000)}{birth_year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(100, 999)}{rng.choice('0123456789X')}"
    return Person(
        name=name, phone=phone, email=email.lower(), city=rng.choice(CITIES), education=education,
        work=work, skills=skills, certificates=certificates, salary=salary,
        gender=rng.choice(["男", "女"]), age=age, birth=birth, marital=rng.choice(MARITAL),
        ethnic=rng.choice(ETHNIC), political=rng.choice(POLITICAL),
        hometown=rng.choice(["河南周口", "湖北黄冈", "四川南充", "山东菏泽", "安徽阜阳"]),
        id_number=id_number,
    )  # fmt: skip


def _text_month(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_truth(work: list[Job]) -> int | None:
    covered: set[int] = set()
    for job in work:
        last = _idx(job.end) if job.end else _idx(AS_OF)
        covered.update(range(_idx(job.start), min(last, _idx(AS_OF)) + 1))
    return len(covered) if work else None


def truth_of(p: Person) -> dict[str, Any]:
    return {
        "name": p.name, "phone": p.phone, "email": p.email, "city": p.city,
        "education": [{"school": e.school, "degree": e.degree, "major": e.major, "start": e.start, "end": e.end} for e in p.education],
        "work": [{"company": j.company, "title": j.title, "start": j.start, "end": j.end} for j in p.work],
        "months_experience": months_truth(p.work), "skills": p.skills, "certificates": p.certificates,
        "protected": [p.id_number, p.birth, f"{p.age}岁", p.ethnic, p.political, p.marital, p.hometown, f"性别：{p.gender}"],
    }  # fmt: skip


# --- spelling variety ----------------------------------------------------------------------


@dataclass
class Style:
    rng: random.Random
    date_fmt: Callable[[str], str]
    dash: str
    present: str
    phone_fmt: Callable[[str], str]
    headings: dict[str, str]
    decorate: Callable[[str], str]
    sep: str


DATE_STYLES: list[Callable[[str], str]] = [
    lambda m: m.replace("-", "."),
    lambda m: f"{m[:4]}.{int(m[5:])}",
    lambda m: f"{m[:4]}年{int(m[5:])}月",
    lambda m: f"{m[:4]}年{m[5:]}月",
    lambda m: f"{m[:4]}/{int(m[5:])}",
    lambda m: f"{m[:4]}/{m[5:]}",
    lambda m: m,
]
PHONE_STYLES: list[Callable[[str], str]] = [
    lambda p: p,
    lambda p: f"{p[:3]}-{p[3:7]}-{p[7:]}",
    lambda p: f"{p[:3]} {p[3:7]} {p[7:]}",
    lambda p: f"+86 {p[:3]} {p[3:7]} {p[7:]}",
    lambda p: f"+86-{p}",
    lambda p: f"(+86) {p}",
    lambda p: f"+86 {p}",
]
HEADINGS = {
    "education": ["教育经历", "教育背景", "学习经历", "教育情况"],
    "work": ["工作经历", "工作经验", "职业经历", "工作履历"],
    "skills": ["专业技能", "技能特长", "个人技能", "技能"],
    "certificates": ["证书", "资格证书", "获得证书", "证书与奖项"],
    "basic": ["基本信息", "个人信息", "联系方式"],
    "intent": ["求职意向", "期望工作"],
    "self": ["自我评价", "个人总结", "自我介绍"],
}
ENGLISH = {"education": "Education", "work": "Work Experience", "skills": "Skills",
           "certificates": "Certificates", "basic": "Profile", "intent": "Objective", "self": "About Me"}  # fmt: skip
DECORATIONS: list[Callable[[str], str]] = [
    lambda h: h,
    lambda h: f"■ {h}",
    lambda h: f"【{h}】",
    lambda h: f"{h}：",
    lambda h: f"— {h} —",
]
DASHES = [" - ", "-", " ~ ", " 至 ", " — ", "--", "～"]
PRESENTS = ["至今", "至今", "今", "现在", "Present"]


def make_style(rng: random.Random) -> Style:
    headings = {k: rng.choice(v) for k, v in HEADINGS.items()}
    english = rng.random() < 0.2
    numbered = rng.random() < 0.2
    deco = rng.choice(DECORATIONS)
    counter = itertools.cycle(
        ["一、", "二、", "三、", "四、", "五、", "六、", "七、", "八、", "九、"]
    )

    def decorate(key: str) -> str:
        text = headings[key] + (f" {ENGLISH[key]}" if english else "")
        text = deco(text)
        return next(counter) + text if numbered else text

    return Style(
        rng=rng, date_fmt=rng.choice(DATE_STYLES), dash=rng.choice(DASHES),
        present=rng.choice(PRESENTS), phone_fmt=rng.choice(PHONE_STYLES), headings=headings,
        decorate=decorate, sep=rng.choice(["  ", " | ", "   ", " ｜ "]),
    )  # fmt: skip


def span(s: Style, start: str, end: str | None) -> str:
    return f"{s.date_fmt(start)}{s.dash}{s.date_fmt(end) if end else s.present}"


# --- documents as blocks ------------------------------------------------------------------
# ("title", text) | ("heading", text) | ("line", text) | ("cells", [texts]) | ("row", [texts])
# "cells": one printed line whose parts sit at column positions (PDF) / are separated (text);
# "row": a table row (grid in PDF and Word).

Block = tuple[str, Any]


def _duration(job: Job) -> str:
    months = (_idx(job.end or AS_OF) - _idx(job.start)) + 1
    years, rest = divmod(months, 12)
    return (f"{years}年" if years else "") + (f"{rest}个月" if rest else "")


def _skills_lines(p: Person, s: Style) -> list[Block]:
    rng = s.rng
    mode = rng.randint(0, 2)
    if mode == 0:
        return [("line", "、".join(p.skills))]
    if mode == 1:
        half = len(p.skills) // 2 or 1
        return (
            [
                ("line", f"熟练掌握 {'、'.join(p.skills[:half])}"),
                ("line", f"熟悉 {', '.join(p.skills[half:])}"),
            ]
            if p.skills[half:]
            else [("line", f"熟练掌握 {'、'.join(p.skills)}")]
        )
    return [("line", f"• {skill}") for skill in p.skills]


def _cert_lines(p: Person, s: Style) -> list[Block]:
    if not p.certificates:
        return []
    if s.rng.random() < 0.5:
        return [("line", "、".join(p.certificates))]
    return [
        ("line", f"{2010 + s.rng.randint(0, 14)}.{s.rng.randint(1, 12):02d} {c}")
        for c in p.certificates
    ]


def _self_lines(p: Person, s: Style) -> list[Block]:
    return [
        ("heading", s.decorate("self")),
        ("line", "性格开朗，责任心强，具备良好的沟通能力与团队合作精神。"),
    ]


def layout_zhilian(p: Person, s: Style) -> list[Block]:
    b: list[Block] = [("title", p.name)]
    b.append(
        (
            "line",
            f"{p.gender} | {p.age}岁 | {p.education[0].degree_written} | {len(p.work) * 2}年工作经验 | 现居住地：{p.city}",
        )
    )
    b.append(("line", f"手机：{s.phone_fmt(p.phone)}{s.sep}邮箱：{p.email}"))
    b += [
        ("heading", s.decorate("intent")),
        ("line", f"期望工作地区：{s.rng.choice(CITIES)}{s.sep}期望月薪：{p.salary}"),
    ]
    b.append(("heading", s.decorate("work")))
    for j in p.work:
        b.append(("cells", [span(s, j.start, j.end), j.company, f"（{_duration(j)}）"]))
        b.append(
            ("line", f"{j.title} | {s.rng.choice(['技术部', '市场部', '财务部', '运营中心'])}")
        )
        b.append(("line", f"工作描述：{s.rng.choice(DUTIES)}"))
    b.append(("heading", s.decorate("education")))
    for e in p.education:
        b.append(("cells", [span(s, e.start, e.end), e.school, e.major, e.degree_written]))
    b += [("heading", s.decorate("skills")), *_skills_lines(p, s)]
    if p.certificates:
        b += [("heading", s.decorate("certificates")), *_cert_lines(p, s)]
    return b + _self_lines(p, s)


def layout_51job(p: Person, s: Style) -> list[Block]:
    b: list[Block] = [("title", p.name)]
    b.append(
        (
            "line",
            f"现居住 {p.city} | {len(p.work) * 2}年工作经验 | {p.gender} | {p.age}岁（{p.birth.replace('.', '年')}月）",
        )
    )
    b.append(("line", f"电话：{s.phone_fmt(p.phone)}（手机）"))
    b.append(("line", f"E-mail：{p.email}"))
    b.append(("line", f"户口：{p.hometown} | 婚姻状况：{p.marital} | 政治面貌：{p.political}"))
    order = ["work", "education"] if s.rng.random() < 0.7 else ["education", "work"]
    for key in order:
        b.append(("heading", s.decorate(key)))
        if key == "work":
            for j in p.work:
                b.append(
                    (
                        "line",
                        f"{span(s, j.start, j.end)}：{j.company}（{s.rng.choice(['1000-9999人', '150-500人', '10000人以上'])}） [ {_duration(j)} ]",
                    )
                )
                b.append(
                    ("line", f"所属行业：{s.rng.choice(['互联网/电子商务', '金融/银行', '医疗'])}")
                )
                b.append(("line", f"{s.rng.choice(['技术部', '销售部', '人事部'])} | {j.title}"))
                b.append(("line", s.rng.choice(DUTIES)))
        else:
            for e in p.education:
                b.append(
                    (
                        "line",
                        f"{span(s, e.start, e.end)}：{e.school} | {e.major} | {e.degree_written}",
                    )
                )
    b += [("heading", s.decorate("skills")), *_skills_lines(p, s)]
    if p.certificates:
        b += [("heading", s.decorate("certificates")), *_cert_lines(p, s)]
    b += [("heading", s.decorate("intent")), ("line", f"期望薪资：{p.salary}{s.sep}地点：{p.city}")]
    return b


def layout_boss(p: Person, s: Style) -> list[Block]:
    b: list[Block] = [("title", p.name)]
    b.append(
        (
            "line",
            f"{len(p.work) * 2}年经验 · {p.education[0].degree_written} · {p.age}岁 · {p.city}",
        )
    )
    b.append(("line", f"{s.phone_fmt(p.phone)}{s.sep}{p.email}"))
    b += [
        ("heading", s.decorate("intent")),
        ("line", f"{p.work[0].title if p.work else '实习生'} · {p.salary} · {p.city}"),
    ]
    b.append(("heading", s.decorate("work")))
    for j in p.work:
        b.append(("cells", [j.company, j.title, span(s, j.start, j.end)]))
        b.append(("line", f"内容：{s.rng.choice(DUTIES)}"))
    b.append(("heading", s.decorate("education")))
    for e in p.education:
        b.append(("cells", [e.school, e.major, e.degree_written, span(s, e.start, e.end)]))
    b += [("heading", s.decorate("skills")), *_skills_lines(p, s)]
    if p.certificates:
        b += [("heading", s.decorate("certificates")), *_cert_lines(p, s)]
    return b


def layout_liepin(p: Person, s: Style) -> list[Block]:
    b: list[Block] = [("title", "个人简历"), ("heading", s.decorate("basic"))]
    b.append(("line", f"姓名：{p.name}{s.sep}性别：{p.gender}"))
    b.append(("line", f"手机号码：{s.phone_fmt(p.phone)}{s.sep}电子邮箱：{p.email}"))
    b.append(("line", f"所在城市：{p.city}{s.sep}年龄：{p.age}"))
    b.append(("line", f"婚姻状况：{p.marital}{s.sep}民族：{p.ethnic}"))
    b += [("heading", s.decorate("intent")), ("line", f"期望年薪：{p.salary}")]
    b.append(("heading", s.decorate("work")))
    for j in p.work:
        b.append(("line", f"{j.company}（{span(s, j.start, j.end)}，{_duration(j)}）"))
        b.append(("line", f"职位名称：{j.title}"))
        b.append(("line", f"所在部门：{s.rng.choice(['研发中心', '华东大区', '财务部'])}"))
        b.append(("line", f"职责业绩：{s.rng.choice(DUTIES)}"))
    b.append(("heading", s.decorate("education")))
    for e in p.education:
        b.append(("line", f"{e.school}（{span(s, e.start, e.end)}）"))
        b.append(("line", f"{e.major} | {e.degree_written} | 统招"))
    if p.certificates:
        b += [("heading", s.decorate("certificates")), *_cert_lines(p, s)]
    b += [("heading", s.decorate("skills")), *_skills_lines(p, s)]
    return b


def _contact_lines(p: Person, s: Style) -> list[Block]:
    rng = s.rng
    phone_label = rng.choice(["电话", "手机", "联系电话", "Tel", "手机号"])
    mail_label = rng.choice(["邮箱", "E-mail", "Email", "电子邮件"])
    city_label = rng.choice(["现居", "所在城市", "居住地", "城市", "现居城市"])
    colon = rng.choice(["：", ":", "： "])
    lines = [f"{phone_label}{colon}{s.phone_fmt(p.phone)}", f"{mail_label}{colon}{p.email}",
             f"{city_label}{colon}{p.city}", f"出生年月{colon}{p.birth}", f"籍贯{colon}{p.hometown}"]  # fmt: skip
    rng.shuffle(lines)
    if rng.random() < 0.4:
        return [("line", s.sep.join(lines[:3])), ("line", s.sep.join(lines[3:]))]
    return [("line", line) for line in lines]


def _work_blocks(p: Person, s: Style) -> list[Block]:
    b: list[Block] = [("heading", s.decorate("work"))]
    mode = s.rng.randint(0, 2)
    for j in p.work:
        if mode == 0:
            b.append(("line", f"{span(s, j.start, j.end)}{s.sep}{j.company}{s.sep}{j.title}"))
        elif mode == 1:
            b.append(("line", f"{j.company}{s.sep}{span(s, j.start, j.end)}"))
            b.append(("line", j.title))
        else:
            b.append(("line", f"公司：{j.company}"))
            b.append(("line", f"职位：{j.title}"))
            b.append(("line", f"时间：{span(s, j.start, j.end)}"))
        b.append(("line", f"{s.rng.randint(1, 3)}. {s.rng.choice(DUTIES)}"))
    return b


def _edu_blocks(p: Person, s: Style) -> list[Block]:
    b: list[Block] = [("heading", s.decorate("education"))]
    mode = s.rng.randint(0, 1)
    for e in p.education:
        if mode == 0:
            b.append(
                (
                    "line",
                    f"{span(s, e.start, e.end)}{s.sep}{e.school}{s.sep}{e.major}{s.sep}{e.degree_written}",
                )
            )
        else:
            b.append(
                ("line", f"{e.school}{s.sep}{e.degree_written}{s.sep}{span(s, e.start, e.end)}")
            )
            b.append(("line", f"专业：{e.major}"))
    return b


def layout_handmade(p: Person, s: Style) -> list[Block]:
    b: list[Block] = [("title", s.rng.choice([p.name, f"{p.name}的简历", f"{p.name}  个人简历"]))]
    b += _contact_lines(p, s)
    b.append(("line", f"[照片]{s.sep}民族：{p.ethnic}{s.sep}{p.gender}"))
    sections = [
        _work_blocks(p, s),
        _edu_blocks(p, s),
        [("heading", s.decorate("skills")), *_skills_lines(p, s)],
    ]
    if p.certificates:
        sections.append([("heading", s.decorate("certificates")), *_cert_lines(p, s)])
    s.rng.shuffle(sections)
    for section in sections:
        b += section
    b += [("heading", s.decorate("intent")), ("line", f"期望薪资：{p.salary}")]
    return b + _self_lines(p, s)


def layout_twocol(p: Person, s: Style) -> list[Block]:
    side: list[Block] = [("title", p.name), *_contact_lines(p, s)]
    side += [("heading", s.decorate("skills")), *_skills_lines(p, s)]
    if p.certificates:
        side += [("heading", s.decorate("certificates")), *_cert_lines(p, s)]
    main: list[Block] = [("heading", s.decorate("intent")), ("line", f"期望薪资：{p.salary}")]
    main += _work_blocks(p, s) + _edu_blocks(p, s) + _self_lines(p, s)
    return [("columns", (side, main))]


def layout_table(p: Person, s: Style) -> list[Block]:
    b: list[Block] = [("title", "个人简历")]
    b.append(("row", ["姓名", p.name, "性别", p.gender]))
    b.append(
        (
            "row",
            [
                s.rng.choice(["手机", "联系电话"]),
                s.phone_fmt(p.phone),
                s.rng.choice(["邮箱", "电子邮箱"]),
                p.email,
            ],
        )
    )
    b.append(("row", [s.rng.choice(["现居城市", "所在地"]), p.city, "出生年月", p.birth]))
    b.append(("row", ["政治面貌", p.political, "身份证号", p.id_number]))
    b.append(("row", [s.headings["work"]]))
    b.append(("row", ["起止时间", "公司", "职位"]))
    for j in p.work:
        b.append(("row", [span(s, j.start, j.end), j.company, j.title]))
    b.append(("row", [s.headings["education"]]))
    b.append(("row", ["时间", "学校", "专业", "学历"]))
    for e in p.education:
        b.append(("row", [span(s, e.start, e.end), e.school, e.major, e.degree_written]))
    b.append(("row", [s.headings["skills"], "、".join(p.skills)]))
    if p.certificates:
        b.append(("row", [s.headings["certificates"], "、".join(p.certificates)]))
    b.append(("row", ["期望薪资", p.salary]))
    return b


def layout_heldout(p: Person, s: Style) -> list[Block]:
    """An applicant-tracking export with its own labels and spelling (evaluated at the end)."""
    dash = "—"

    def d(m: str | None) -> str:
        return f"{m[:4]}年{m[5:]}月" if m else "今"

    b: list[Block] = [("title", f"应聘者：{p.name}")]
    b.append(
        (
            "line",
            f"联系手机：{s.phone_fmt(p.phone)}；电子信箱：{p.email}；常住城市：{p.city}；出生日期：{p.birth}",
        )
    )
    b.append(("heading", "◆ 工作背景"))
    for j in p.work:
        b.append(("line", f"任职单位：{j.company}"))
        b.append(("line", f"担任岗位：{j.title}"))
        b.append(("line", f"任职时间：{d(j.start)}{dash}{d(j.end)}"))
    b.append(("heading", "◆ 学历背景"))
    for e in p.education:
        b.append(
            (
                "line",
                f"就读院校：{e.school}，{e.degree_written}，{e.major}，{d(e.start)}{dash}{d(e.end)}",
            )
        )
    b.append(("heading", "◆ 技能专长"))
    b.append(("line", "；".join(p.skills)))
    if p.certificates:
        b += [("heading", "◆ 资质证书"), ("line", "；".join(p.certificates))]
    return b


def layout_heldout2(p: Person, s: Style) -> list[Block]:
    """A bilingual designer template: icons instead of labels, English headings first,
    en dashes and "起" ranges (second held-out variant, evaluated once at the end)."""

    def d(m: str) -> str:
        return f"{m[:4]}.{m[5:]}"

    b: list[Block] = [("title", f"{p.name} | 求职意向：{p.work[0].title if p.work else '实习生'}")]
    b.append(("line", f"☎ {s.phone_fmt(p.phone)}   ✉ {p.email}   ⌂ {p.city}"))
    b.append(
        ("line", f"{p.gender} / {p.birth.replace('.', '年')}月生 / {p.ethnic} / {p.political}")
    )
    b.append(("heading", "EXPERIENCE 工作经历"))
    for j in p.work:
        b.append(("line", f"{j.title} @ {j.company}"))
        b.append(("line", f"{d(j.start)} – {d(j.end) if j.end else '至今'}"))
        b.append(("line", f"· {s.rng.choice(DUTIES)}"))
    b.append(("heading", "EDUCATION 教育经历"))
    for e in p.education:
        b.append(("line", f"{e.school} · {e.degree_written} · {e.major}"))
        b.append(("line", f"{d(e.start)} – {d(e.end)}"))
    b.append(("heading", "SKILLS 技能"))
    b.append(("line", " / ".join(p.skills)))
    if p.certificates:
        b += [("heading", "CERTIFICATES 证书"), ("line", " / ".join(p.certificates))]
    return b


LAYOUTS: dict[str, Callable[[Person, Style], list[Block]]] = {
    "zhilian": layout_zhilian, "51job": layout_51job, "boss": layout_boss, "liepin": layout_liepin,
    "handmade": layout_handmade, "twocol": layout_twocol, "table": layout_table,
}  # fmt: skip


# --- renderers ----------------------------------------------------------------------------


def _flatten(blocks: list[Block]) -> list[Block]:
    out: list[Block] = []
    for kind, value in blocks:
        if kind == "columns":
            side, main = value
            out += side + main
        else:
            out.append((kind, value))
    return out


def render_text(blocks: list[Block], s: Style) -> bytes:
    lines: list[str] = []
    for kind, value in _flatten(blocks):
        if kind in ("cells", "row"):
            lines.append(s.sep.join(value) if kind == "cells" else " | ".join(value))
        else:
            lines.append(value)
            if kind == "heading" and s.rng.random() < 0.3:
                lines.append("-" * 20)
    text = "\n".join(lines) + "\n"
    return text.encode("gb18030") if s.rng.random() < 0.2 else text.encode("utf-8")


def render_html(blocks: list[Block], s: Style) -> bytes:
    from html import escape

    def part(bl: list[Block]) -> str:
        out: list[str] = []
        in_table = False
        for kind, value in bl:
            if kind == "row":
                if not in_table:
                    out.append("<table border='1'>")
                    in_table = True
                out.append("<tr>" + "".join(f"<td>{escape(v)}</td>" for v in value) + "</tr>")
                continue
            if in_table:
                out.append("</table>")
                in_table = False
            if kind == "title":
                out.append(f"<h1>{escape(value)}</h1>")
            elif kind == "heading":
                out.append(f"<h3 class='section'>{escape(value)}</h3>")
            elif kind == "cells":
                out.append(
                    "<div class='row'>"
                    + "".join(f"<span>{escape(v)}</span>&nbsp;&nbsp;" for v in value)
                    + "</div>"
                )
            elif kind == "columns":
                side, main = value
                out.append(
                    f"<div class='left'>{part(side)}</div><div class='right'>{part(main)}</div>"
                )
            else:
                out.append(f"<p>{escape(value)}</p>")
        if in_table:
            out.append("</table>")
        return "\n".join(out)

    body = part(blocks)
    charset = "gbk" if s.rng.random() < 0.2 else "utf-8"
    html = f"<!DOCTYPE html><html><head><meta charset='{charset}'><title>简历</title><style>.x{{}}</style></head><body>{body}</body></html>"
    return html.encode("gb18030" if charset == "gbk" else "utf-8")


def render_docx(blocks: list[Block], s: Style) -> bytes:
    import docx
    from docx.shared import Pt

    document = docx.Document()

    def add(container: Any, bl: list[Block]) -> None:
        table = None
        for kind, value in bl:
            if kind == "row":
                if table is None:
                    table = container.add_table(rows=0, cols=4)
                    table.style = "Table Grid"
                cells = table.add_row().cells
                for i in range(4):
                    cells[i].text = value[i] if i < len(value) else ""
                if len(value) < 4:  # merge the rest, as templates do
                    cells[len(value) - 1].merge(cells[3])
                    cells[len(value) - 1].text = value[-1]
                continue
            table = None
            if kind == "title":
                run = container.add_paragraph().add_run(value)
                run.bold = True
                run.font.size = Pt(18)
            elif kind == "heading":
                if container is document and s.rng.random() < 0.5:
                    document.add_heading(value, level=2)
                else:
                    container.add_paragraph().add_run(value).bold = True
            elif kind == "cells":
                container.add_paragraph(
                    "\t".join(value) if s.rng.random() < 0.5 else s.sep.join(value)
                )
            elif kind == "columns":
                side, main = value
                grid = container.add_table(rows=1, cols=2)
                left, right = grid.rows[0].cells
                add(left, side)
                add(right, main)
            else:
                container.add_paragraph(value)

    add(document, blocks)
    document.core_properties.author = ""
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_zip_times(buffer.getvalue())


def _fixed_zip_times(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps so the same seed gives the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2025, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            payload = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                import re

                payload = re.sub(
                    rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\w+>", b"", payload
                )
            target.writestr(fixed, payload)
    return out.getvalue()


_FONT = "STSong-Light"


def _pdf_canvas(buffer: io.BytesIO) -> Any:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if _FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(_FONT))
    c = canvas.Canvas(buffer, pagesize=(595, 842), invariant=1, pageCompression=1)
    return c


def _wrap(text: str, size: float, width: float) -> list[str]:
    """Break a line to fit, as word processors do: between CJK characters anywhere, but a
    run of letters, digits and address punctuation only as a whole (unless it alone is
    wider than the line)."""
    import re

    from reportlab.pdfbase import pdfmetrics

    lines: list[str] = []
    current = ""
    for unit in re.findall(r"[A-Za-z0-9@._+\-]+|.", text):
        if pdfmetrics.stringWidth(current + unit, _FONT, size) <= width or not current:
            current += unit
        else:
            lines.append(current.rstrip())
            current = unit.lstrip()
        while pdfmetrics.stringWidth(current, _FONT, size) > width and len(current) > 1:
            cut = len(current)
            while cut > 1 and pdfmetrics.stringWidth(current[:cut], _FONT, size) > width:
                cut -= 1
            lines.append(current[:cut])
            current = current[cut:]
    return [*lines, current] if current else lines


class _Column:
    """Draws blocks top-down in one column of a PDF, turning the page when it is full."""

    def __init__(
        self, c: Any, x: float, width: float, size: float, leading: float, top: float = 800
    ) -> None:
        self.c, self.x, self.width, self.size, self.leading, self.y, self.top = (
            c,
            x,
            width,
            size,
            leading,
            top,
            top,
        )

    def need(self, height: float) -> None:
        if self.y - height < 50:
            self.c.showPage()
            self.y = self.top

    def text(self, text: str, size: float | None = None, x: float | None = None) -> None:
        size = size or self.size
        for line in _wrap(text, size, self.width):
            self.need(self.leading)
            self.c.setFont(_FONT, size)
            self.c.drawString(x if x is not None else self.x, self.y, line)
            self.y -= max(self.leading, size * 1.4)

    def cells(self, parts: list[str]) -> None:
        """Parts at column positions on one baseline, as exporters place them."""
        from reportlab.pdfbase import pdfmetrics

        size = self.size
        widths = [pdfmetrics.stringWidth(p, _FONT, size) for p in parts]
        while sum(widths) + 24 * (len(parts) - 1) > self.width and size > 6:
            size -= 0.5
            widths = [pdfmetrics.stringWidth(p, _FONT, size) for p in parts]
        gap = (self.width - sum(widths)) / max(len(parts) - 1, 1) if len(parts) > 1 else 0
        gap = min(gap, 60)
        self.need(self.leading)
        self.c.setFont(_FONT, size)
        x = self.x
        for part, w in zip(parts, widths, strict=True):
            self.c.drawString(x, self.y, part)
            x += w + gap
        self.y -= self.leading

    def row(self, parts: list[str]) -> None:
        """A ruled table row; cell widths follow the text, the font shrinks to fit."""
        from reportlab.pdfbase import pdfmetrics

        size = self.size
        widths = [pdfmetrics.stringWidth(p, _FONT, size) + 10 for p in parts]
        while sum(widths) > self.width and size > 6:
            size -= 0.5
            widths = [pdfmetrics.stringWidth(p, _FONT, size) + 10 for p in parts]
        spare = (self.width - sum(widths)) / len(parts)
        widths = [w + spare for w in widths]
        height = self.leading + 6
        self.need(height)
        x = self.x
        self.c.setFont(_FONT, size)
        for part, w in zip(parts, widths, strict=True):
            self.c.rect(x, self.y - 6, w, height, stroke=1, fill=0)
            self.c.drawString(x + 5, self.y, part)
            x += w
        self.y -= height


def render_pdf(blocks: list[Block], s: Style) -> bytes:
    buffer = io.BytesIO()
    c = _pdf_canvas(buffer)
    size = s.rng.choice([9.5, 10, 10.5, 11])

    def draw(col: _Column, bl: list[Block]) -> None:
        for kind, value in bl:
            if kind == "title":
                col.text(value, size=col.size * 1.8)
            elif kind == "heading":
                col.y -= 4
                col.text(value, size=col.size * 1.2)
                if s.rng.random() < 0.5:
                    col.c.line(
                        col.x, col.y + col.leading - 4, col.x + col.width, col.y + col.leading - 4
                    )
            elif kind == "cells":
                col.cells(value)
            elif kind == "row":
                col.row(value)
            else:
                col.text(value)

    if blocks and blocks[0][0] == "columns":
        side, main = blocks[0][1]
        left_first = s.rng.random() < 0.5
        left = _Column(c, 36, 150, size - 1, (size - 1) * 1.6)
        right = _Column(c, 215, 345, size, size * 1.5, top=790)
        # Exporters write columns in either order; the reader must not depend on it. A main
        # column that turns the page is drawn after the sidebar (one canvas, one page at a time).
        if left_first or len(main) >= 28:
            draw(left, side)
            draw(right, main)
        else:
            draw(right, main)
            draw(left, side)
    else:
        draw(_Column(c, 50, 495, size, size * 1.55), blocks)
    c.showPage()
    c.save()
    return buffer.getvalue()


RENDERERS: dict[str, Callable[[list[Block], Style], bytes]] = {
    "pdf": render_pdf, "docx": render_docx, "txt": render_text, "html": render_html,
}  # fmt: skip
EXTENSIONS = {"pdf": "pdf", "docx": "docx", "txt": "txt", "html": "html"}


# --- hostile files ------------------------------------------------------------------------


def hostile_files(rng: random.Random) -> list[tuple[str, bytes, dict[str, Any]]]:
    """Scans, images, encrypted, corrupt, zip bomb, 200 pages, macros: with expected status."""
    out: list[tuple[str, bytes, dict[str, Any]]] = []
    person = make_person(rng)
    style = make_style(rng)
    pdf = render_pdf(layout_handmade(person, style), style)
    docx_bytes = render_docx(layout_handmade(person, style), style)
    for i in range(4):
        out.append(
            (
                f"hostile_scan_{i}.pdf",
                _scanned_pdf(rng, pages=1 + i % 2),
                {"expect_status": "needs_ocr"},
            )
        )
    out.append(("hostile_photo.png", _image_bytes("PNG"), {"expect_status": "needs_ocr"}))
    out.append(("hostile_photo.jpg", _image_bytes("JPEG"), {"expect_status": "needs_ocr"}))
    out.append(("hostile_encrypted.pdf", _encrypted(pdf), {"expect_status": "refused"}))
    out.append(("hostile_truncated.pdf", pdf[: len(pdf) // 3], {"expect_status": "refused"}))
    out.append(
        (
            "hostile_garbage.pdf",
            b"%PDF-1.7\n" + bytes(rng.getrandbits(8) for _ in range(4000)),
            {"expect_status": "refused"},
        )
    )
    out.append(
        ("hostile_truncated.docx", docx_bytes[: len(docx_bytes) // 2], {"expect_status": "refused"})
    )
    out.append(("hostile_zipbomb.docx", _zip_bomb(docx_bytes), {"expect_status": "refused"}))
    out.append(("hostile_200pages.pdf", _many_pages(200), {"expect_status": "refused"}))
    out.append(("hostile_macros.docm", _with_macros(docx_bytes), {"expect_status": "refused"}))
    out.append(
        ("hostile_macros_renamed.docx", _with_macros(docx_bytes), {"expect_status": "refused"})
    )
    out.append(("hostile_legacy_macros.doc", _ole_with_macros(), {"expect_status": "refused"}))
    return out


def _image_bytes(fmt: str, text: str = "张三 简历 电话 13800138000") -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 800), "white")
    draw = ImageDraw.Draw(image)
    for i in range(20):
        draw.rectangle([40, 40 + i * 35, 40 + (i * 37) % 500, 60 + i * 35], fill="black")
    del text
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def _scanned_pdf(rng: random.Random, pages: int) -> bytes:
    from reportlab.lib.utils import ImageReader

    buffer = io.BytesIO()
    c = _pdf_canvas(buffer)
    for _ in range(pages):
        c.drawImage(ImageReader(io.BytesIO(_image_bytes("PNG"))), 0, 0, 595, 842)
        c.showPage()
    c.save()
    del rng
    return buffer.getvalue()


def _encrypted(pdf: bytes) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _zinfo(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, (2025, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _zip_bomb(docx_bytes: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(docx_bytes))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            target.writestr(_zinfo(info.filename), source.read(info.filename))
        with target.open(_zinfo("word/media/image1.png"), "w") as bomb:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(300):  # 300 MB of zeros in ~300 KB
                bomb.write(chunk)
    return out.getvalue()


def _many_pages(pages: int) -> bytes:
    buffer = io.BytesIO()
    c = _pdf_canvas(buffer)
    for n in range(pages):
        c.setFont(_FONT, 10)
        c.drawString(50, 800, f"第 {n + 1} 页 附件材料")
        c.showPage()
    c.save()
    return buffer.getvalue()


def _with_macros(docx_bytes: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(docx_bytes))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            payload = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                payload = payload.replace(
                    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                    b"application/vnd.ms-word.document.macroEnabled.main+xml",
                )
            target.writestr(_zinfo(info.filename), payload)
        target.writestr(
            _zinfo("word/vbaProject.bin"), b"\xd0\xcf\x11\xe0" + b"Attribute VB_Name" * 20
        )
    return out.getvalue()


def _ole_with_macros() -> bytes:
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    directory = (
        "Root Entry".encode("utf-16-le")
        + b"\0" * 54
        + "Macros".encode("utf-16-le")
        + b"\0" * 52
        + "_VBA_PROJECT".encode("utf-16-le")
    )
    return header + directory + b"\0" * 1024


# --- the corpus ---------------------------------------------------------------------------


def layout_heldout3(p: Person, s: Style) -> list[Block]:
    """A recruiting-site export before the contact is unlocked: masked mobile number (the
    truth is then no phone), one-line ``label：value label：value`` pairs separated by single
    spaces, a work table with its own column names (third held-out variant)."""
    masked = s.rng.random() < 0.5
    phone = f"{p.phone[:3]}****{p.phone[7:]}" if masked else s.phone_fmt(p.phone)
    if masked:
        p.extras["phone"] = None
    b: list[Block] = [("title", f"{p.name}（ID：{s.rng.randint(10**7, 10**8)}）")]
    b.append(
        (
            "line",
            f"性别：{p.gender} 年龄：{p.age}岁 所在地：{p.city} 学历：{p.education[0].degree_written}",
        )
    )
    b.append(("line", f"手机：{phone} 邮箱：{p.email}"))
    b.append(("heading", f"工作经历（共{len(p.work)}段）"))
    b.append(("row", ["公司名称", "职位名称", "在职时间"]))
    for j in p.work:
        b.append(("row", [j.company, j.title, f"{j.start} ~ {j.end or '至今'}"]))
    b.append(("heading", "教育经历"))
    for e in p.education:
        b.append(("line", f"学校名称：{e.school} 学历：{e.degree_written} 专业：{e.major}"))
        b.append(("line", f"就读时间：{e.start} ~ {e.end}"))
    b.append(("heading", "技能标签"))
    b.append(("line", " ".join(f"#{x}" for x in p.skills)))
    if p.certificates:
        b += [("heading", "所获证书"), ("line", "，".join(p.certificates))]
    return b


HELDOUT = {"heldout": layout_heldout, "heldout2": layout_heldout2, "heldout3": layout_heldout3}


def generate(
    out: Path, *, count: int = 220, seed: int = 7, heldout: str | None = None, hostile: bool = True
) -> list[Path]:
    """Write ``count`` résumés (and the hostile files) with their truth; returns the files."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    layouts = [heldout] if heldout else list(LAYOUTS)
    formats = ["pdf", "pdf", "pdf", "docx", "docx", "docx", "txt", "html"]
    for n in range(count):
        person = make_person(rng)
        style = make_style(rng)
        layout = layouts[n % len(layouts)]
        fmt = (
            formats[(n // len(layouts)) % len(formats)]
            if not heldout
            else ["pdf", "docx", "txt", "html"][n % 4]
        )
        builder = HELDOUT[heldout] if heldout else LAYOUTS[layout]
        blocks = builder(person, style)
        data = RENDERERS[fmt](blocks, style)
        path = out / f"r{seed}_{n:04d}_{layout}.{EXTENSIONS[fmt]}"
        path.write_bytes(data)
        truth = {
            "expect_status": "parsed",
            "as_of": AS_OF,
            "layout": layout,
            "format": fmt,
            **truth_of(person),
            **person.extras,  # what a layout changed about the truth (a masked phone)
        }
        path.with_name(path.name + ".truth.json").write_text(
            json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        written.append(path)
    if hostile:
        for name, data, truth in hostile_files(rng):
            path = out / name
            path.write_bytes(data)
            path.with_name(name + ".truth.json").write_text(
                json.dumps(
                    {"layout": "hostile", "format": name.rsplit(".", 1)[1], **truth},
                    ensure_ascii=False,
                ),
                encoding="utf-8",
            )
            written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out", type=Path)
    parser.add_argument("--count", type=int, default=220)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--heldout", choices=sorted(HELDOUT), help="a held-out layout variant only")
    parser.add_argument("--no-hostile", action="store_true")
    args = parser.parse_args()
    files = generate(
        args.out,
        count=args.count,
        seed=args.seed,
        heldout=args.heldout,
        hostile=not args.no_hostile,
    )
    print(f"wrote {len(files)} files to {args.out}")


if __name__ == "__main__":
    main()
