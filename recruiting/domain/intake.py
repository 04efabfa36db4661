"""Rules for a candidate coming in: what a valid entry is, and how the columns recruiting
sites export are read.

Pure: no database, no files. The same rules serve the form (one candidate), the spreadsheet
(many rows, every problem reported with its row and column) and the EHR. Reasons are
Chinese, written for HR. Phones and e-mails are compared in their normalised form, so
``138-0013-8000`` and ``+86 13800138000`` are the same person.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from recruiting.domain.shorten import shorten

NAME_CHARS = 40
EMAIL_CHARS = 100
SOURCE_CHARS = 32
JOB_CHARS = 128
CELL_CHARS = 500  # a spreadsheet cell longer than this is refused, not cut
MAX_YEARS = 60

# Chinese mobile numbers: 11 digits from 13x to 19x (MIIT numbering plan).
_MOBILE = re.compile(r"1[3-9]\d{9}")
_PHONE_NOISE = re.compile(r"[\s\-()（）]")
# Practical e-mail syntax: one @, a dotted domain, no spaces (RFC 5322 allows more; sites don't).
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@" + _LABEL + r"(?:\." + _LABEL + r")+")
_YEARS = re.compile(r"(\d{1,3}(?:\.\d+)?)")

# The levels HR filters by; what sites write maps onto them (longest phrase first).
EDUCATION_LEVELS = ("博士", "硕士", "本科", "大专", "中专", "高中", "初中及以下")
_EDUCATION_WORDS: tuple[tuple[str, str], ...] = (
    ("博士后", "博士"),
    ("博士", "博士"),
    ("硕士", "硕士"),
    ("研究生", "硕士"),
    ("mba", "硕士"),
    ("学士", "本科"),
    ("本科", "本科"),
    ("大学", "本科"),
    ("大专", "大专"),
    ("专科", "大专"),
    ("高职", "大专"),
    ("中专", "中专"),
    ("中技", "中专"),
    ("职高", "中专"),
    ("技校", "中专"),
    ("高中", "高中"),
    ("初中", "初中及以下"),
    ("小学", "初中及以下"),
)
_FRESH = ("应届", "在校", "无经验", "无工作经验", "暂无")


# How an application came in: the codes the service writes, in the words HR uses. Anything
# else is a source HR or a spreadsheet named (e.g. BOSS直聘) and is shown as written.
CHANNEL_NAMES = {
    "direct": "直接投递",
    "manual": "HR 录入",
    "import": "表格导入",
    "resume": "简历上传",
}


# Sources that name a channel, never a person: kept when a candidate's data is erased (the
# channel statistics need them). Anything else HR or a spreadsheet typed (朋友推荐（李雷）)
# may name someone and becomes OTHER_SOURCE.
KNOWN_SOURCES = frozenset({
    "BOSS直聘", "智联招聘", "智联", "前程无忧", "51job", "猎聘", "拉勾", "拉勾网", "脉脉",
    "领英", "LinkedIn", "58同城", "赶集网", "实习僧", "牛客", "内推", "员工推荐", "校园招聘",
    "校招", "社会招聘", "社招", "官网", "公司官网", "招聘会", "猎头", "公众号", "小程序",
    "人才库", "直接投递", "其他",
})  # fmt: skip
OTHER_SOURCE = "其他"


def source_after_erasure(source: str) -> str:
    """What stays of a source or channel once the candidate's data is erased: a code or a
    known channel as it was, anything else ``OTHER_SOURCE``."""
    if not source or source in CHANNEL_NAMES or source in KNOWN_SOURCES:
        return source
    return OTHER_SOURCE


def channel_name(channel: str) -> str:
    """The channel as HR reads it: a known code in Chinese, a named source as written."""
    return CHANNEL_NAMES.get(channel, channel) or "未注明"


def normalise_phone(raw: str) -> str | None:
    """The 11-digit mobile number, or None when ``raw`` is not a Chinese mobile number."""
    text = _PHONE_NOISE.sub("", unicodedata.normalize("NFKC", raw))
    for prefix in ("+86", "0086", "86"):
        if text.startswith(prefix) and len(text) == len(prefix) + 11:
            text = text[len(prefix) :]
            break
    return text if _MOBILE.fullmatch(text) else None


def normalise_email(raw: str) -> str | None:
    """The address trimmed and lower-cased, or None when it is not an e-mail address."""
    text = unicodedata.normalize("NFKC", raw).strip().lower()
    if len(text) > EMAIL_CHARS or not _EMAIL.fullmatch(text):
        return None
    return text


def education_level(raw: str) -> str | None:
    """One of ``EDUCATION_LEVELS`` for what a site wrote (统招本科 → 本科), or None."""
    text = unicodedata.normalize("NFKC", raw).strip().lower()
    for word, level in _EDUCATION_WORDS:
        if word in text:
            return level
    return None


def years_of_experience(raw: str) -> int | None:
    """Whole years from 3 / 3年 / 3-5年 (the lower bound) / 10年以上 / 应届生 (0); None when
    no number of years can be read. Fractions are rounded down."""
    text = unicodedata.normalize("NFKC", raw).strip()
    if any(word in text for word in _FRESH):
        return 0
    match = _YEARS.search(text)
    if match is None or not re.fullmatch(r"[\d.\s年以上下内左右多余+~\-至到]*", text):
        return None
    return int(float(match.group(1)))


@dataclass(frozen=True)
class CandidateEntry:
    """One candidate as HR entered or a row said it, already validated and normalised."""

    name: str
    phone: str | None = None
    email: str | None = None
    job: str = ""  # an opening's code or title as written ("" when none was given)
    source: str = ""
    education: str = ""  # one of EDUCATION_LEVELS or ""
    years_experience: int | None = None


@dataclass(frozen=True)
class Problem:
    """What is wrong with one value: the column (as HR named it) and why, in Chinese."""

    column: str
    reason: str


# field → the column name HR sees in error reports
LABELS = {
    "name": "姓名",
    "phone": "手机",
    "email": "邮箱",
    "job": "应聘岗位",
    "source": "来源",
    "education": "学历",
    "years": "工作年限",
}


def check_entry(
    values: dict[str, str], *, job_required: bool = True
) -> CandidateEntry | list[Problem]:
    """Validate raw text values keyed by field (``LABELS``); the entry, or every problem."""
    problems: list[Problem] = []
    get = {key: unicodedata.normalize("NFKC", values.get(key) or "").strip() for key in LABELS}
    for key, text in get.items():
        if len(text) > CELL_CHARS:
            problems.append(
                Problem(LABELS[key], f"内容过长（{len(text)} 字，最多 {CELL_CHARS} 字）")
            )
            get[key] = ""
    name = get["name"]
    if not name:
        problems.append(Problem("姓名", "未填写姓名"))
    elif len(name) > NAME_CHARS:
        problems.append(Problem("姓名", f"姓名过长（最多 {NAME_CHARS} 个字）"))
    elif any(unicodedata.category(ch).startswith("C") for ch in name):
        problems.append(Problem("姓名", "姓名含有不可见字符"))
    phone = normalise_phone(get["phone"]) if get["phone"] else None
    if get["phone"] and phone is None:
        problems.append(
            Problem("手机", f"「{_quoted(get['phone'], 20)}」不是有效的手机号（11 位，1 开头）")
        )
    email = normalise_email(get["email"]) if get["email"] else None
    if get["email"] and email is None:
        problems.append(Problem("邮箱", f"「{_quoted(get['email'], 40)}」不是有效的邮箱地址"))
    if not get["phone"] and not get["email"]:
        problems.append(Problem("手机", "手机和邮箱至少填写一项"))
    if job_required and not get["job"]:
        problems.append(Problem("应聘岗位", "未填写应聘岗位"))
    elif len(get["job"]) > JOB_CHARS:
        problems.append(Problem("应聘岗位", f"岗位名称过长（最多 {JOB_CHARS} 个字）"))
    if len(get["source"]) > SOURCE_CHARS:
        problems.append(Problem("来源", f"来源过长（最多 {SOURCE_CHARS} 个字）"))
    education = ""
    if get["education"]:
        education = education_level(get["education"]) or ""
        if not education:
            levels = "、".join(EDUCATION_LEVELS)
            problems.append(
                Problem("学历", f"无法识别学历「{_quoted(get['education'], 20)}」，可填：{levels}")
            )
    years = None
    if get["years"]:
        years = years_of_experience(get["years"])
        if years is None:
            problems.append(
                Problem(
                    "工作年限",
                    f"无法识别工作年限「{_quoted(get['years'], 20)}」，请填写数字，如 3",
                )
            )
        elif years > MAX_YEARS:
            problems.append(Problem("工作年限", f"工作年限 {years} 年超出范围（0 到 {MAX_YEARS}）"))
    if problems:
        return problems
    return CandidateEntry(
        name=name,
        phone=phone,
        email=email,
        job=get["job"],
        source=get["source"],
        education=education,
        years_experience=years,
    )


# The column names recruiting sites (智联, 51job, BOSS直聘, 猎聘) and HR's own sheets use.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "候选人", "候选人姓名", "应聘者", "应聘人", "name"),
    "phone": (
        "手机",
        "手机号",
        "手机号码",
        "联系电话",
        "电话",
        "联系方式",
        "移动电话",
        "phone",
        "mobile",
    ),
    "email": ("邮箱", "电子邮件", "电子邮箱", "邮件", "email", "e-mail", "邮箱地址"),
    "job": (
        "应聘岗位",
        "应聘职位",
        "职位",
        "岗位",
        "职位名称",
        "岗位名称",
        "投递职位",
        "申请职位",
        "岗位编号",
        "职位编号",
    ),
    "source": ("来源", "渠道", "简历来源", "招聘渠道", "来源渠道"),
    "education": ("学历", "最高学历", "教育程度", "文化程度"),
    "years": ("工作年限", "工作经验", "工龄", "经验", "工作年数"),
}
_ALIAS_OF = {alias: key for key, aliases in HEADER_ALIASES.items() for alias in aliases}
_DECORATION = re.compile(r"[\s*＊:：]|[（(][^）)]*[）)]")


def header_key(cell: str) -> str | None:
    """The field a header cell names (``手机号码（必填）`` → phone), or None."""
    text = _DECORATION.sub("", unicodedata.normalize("NFKC", cell)).lower()
    return _ALIAS_OF.get(text)


def read_header(cells: list[str]) -> dict[int, str] | list[Problem]:
    """Column index → field; problems when a required column is missing or named twice."""
    columns: dict[int, str] = {}
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for index, cell in enumerate(cells):
        key = header_key(cell or "")
        if key is None:
            continue  # other columns (年龄, 性别, …) are not read: we do not keep them
        if key in seen:
            problems.append(Problem(cell, f"与「{seen[key]}」表示同一项，请只保留一列"))
            continue
        seen[key] = cell
        columns[index] = key
    if "name" not in seen:
        problems.append(Problem("姓名", "缺少「姓名」列"))
    if "phone" not in seen and "email" not in seen:
        problems.append(Problem("手机", "缺少「手机」或「邮箱」列，至少需要一列"))
    return problems or columns


def _quoted(value: str, chars: int) -> str:
    """What a person typed, quoted back in a refusal: on one line, shortened at a word."""
    return shorten(value, max_chars=chars, inline=True)
