"""Résumé text (lines, as a format reader laid them out) → ``ParsedResume`` facts.

Written against how Chinese résumés are built in general, not against one template: section
headings (教育经历 / 教育背景 / 学习经历 …), ``label：value`` pairs, date ranges in any usual
spelling, and entries whose head lines hold company / school, title / degree and major in
any order. Protected attributes are dropped from every line first, so neither a fact nor an
evidence sentence can carry them. A value not found is ``None``, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from recruiting.domain.resume import (
    Education,
    ParsedResume,
    ParseStatus,
    Project,
    Work,
)
from recruiting.domain.resume_facts import (
    DATE_RANGE,
    PROTECTED_LABELS,
    find_date_range,
    find_email,
    find_phone,
    is_protected,
    months_of_experience,
    normalise,
    scrub_protected_text,
)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# --- vocabulary (general knowledge of Chinese résumés, not of one template) ---------------

_HEADINGS: dict[str, tuple[str, ...]] = {
    "education": (
        "教育经历",
        "教育背景",
        "教育情况",
        "学习经历",
        "教育培训",
        "学历背景",
        "学历",
        "教育",
        "education",
    ),
    "work": (
        "工作经历",
        "工作经验",
        "职业经历",
        "工作履历",
        "任职经历",
        "从业经历",
        "实习经历",
        "工作背景",
        "职业履历",
        "工作",
        "work experience",
        "experience",
        "employment",
    ),
    "project": ("项目经历", "项目经验", "主要项目", "项目背景", "参与项目", "项目", "projects"),
    "skills": (
        "专业技能",
        "技能特长",
        "个人技能",
        "技能专长",
        "掌握技能",
        "职业技能",
        "技术栈",
        "技能",
        "特长",
        "it技能",
        "skills",
    ),
    "certificates": (
        "资格证书",
        "获得证书",
        "证书与奖项",
        "荣誉证书",
        "资质证书",
        "职业证书",
        "证书",
        "资格认证",
        "认证",
        "certificates",
    ),
    "basic": (
        "基本信息",
        "个人信息",
        "联系方式",
        "个人资料",
        "基本资料",
        "联系信息",
        "personal information",
        "contact",
    ),
    "intent": ("求职意向", "期望工作", "职业意向", "求职期望", "期望职位", "应聘岗位"),
    "other": (
        "自我评价",
        "个人评价",
        "个人总结",
        "自我介绍",
        "培训经历",
        "语言能力",
        "兴趣爱好",
        "获奖情况",
        "荣誉奖项",
        "社会实践",
        "校园经历",
        "附加信息",
        "其他信息",
        "个人优势",
        "summary",
        "about me",
    ),
}
_HEADING_DECOR = re.compile(
    r"^[\s#*>■□●○◆◇▶▷►★☆▪▫•·【\[(（<《〖「『\-—_=|]+|[\s】\])）>》〗」』:：\-—_=|]+$"
)
_HEADING_NUMBER = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|\d+[、.．]\s*)")
_ENGLISH_TAIL = re.compile(r"\s*[/|]?\s*[A-Za-z][A-Za-z &]*$")
_HEADING_COUNT = re.compile(r"\s*[(（\[【][^)）\]】]{0,12}[)）\]】]?\s*$")
_HEADING_AFFIXES = re.compile(
    r"^(?:所获|获得|主要|个人|我的|相关)(?=[\u4e00-\u9fff]{2})|"
    r"(?<=[\u4e00-\u9fff]{2})(?:标签|情况|信息|列表|清单|概况|一览|简介)$"
)
_ENGLISH_HEAD = re.compile(r"^[A-Za-z][A-Za-z &]*?\s*[/|]?\s*(?=[\u4e00-\u9fff])")

_SEPARATORS = re.compile(r"\s*[|｜丨¦;]\s*|\s{2,}|\t| [·•@] ")
_LABEL = re.compile(r"^\s*([\u4e00-\u9fffA-Za-z\-]{1,10})\s*[:：]\s*(.*)$")
_LABEL_SPLIT = re.compile(
    r"\s+(?!(?:至今|迄今|今|现在|目前|present|now)\s*[:：])(?=[\u4e00-\u9fffA-Za-z\-]{1,8}\s*[:：])",
    re.IGNORECASE,
)

_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞"
    "左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕"
    "屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧"
    "闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥"
    "南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支"
    "卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯"
    "隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
)
_COMPOUND_SURNAMES = _words(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 令狐 宇文 长孙 夏侯 轩辕 端木"
    " 独孤 南宫 西门 百里 呼延 拓跋 司徒 司空 澹台"
)
_NOT_NAMES = {
    "个人简历",
    "简历",
    "求职简历",
    "个人信息",
    "基本信息",
    "联系方式",
    "求职意向",
    "应聘",
    "本科",
    "硕士",
    "博士",
    "大专",
}

CITIES = _words(
    "北京 上海 天津 重庆 广州 深圳 杭州 南京 苏州 成都 武汉 西安 长沙 郑州 青岛"
    " 济南 合肥 福州 厦门 宁波 无锡 东莞 佛山 珠海 大连 沈阳 长春 哈尔滨 石家庄"
    " 太原 呼和浩特 南昌 南宁 昆明 贵阳 海口 三亚 兰州 西宁 银川 乌鲁木齐 拉萨"
    " 温州 常州 徐州 烟台 惠州 中山 嘉兴 绍兴 金华 台州 泉州 南通 扬州 镇江 潍坊"
    " 洛阳 唐山 保定 廊坊 芜湖 赣州 柳州 桂林 绵阳 宜昌 襄阳 株洲 湘潭 香港 澳门"
    " 台北 昆山 江阴 义乌 佛山"
)
_CITY_LABELS = _words(
    "现居住地 现居地 现居住 现居 居住地 所在地 所在城市 现居城市 目前所在地"
    " 目前城市 当前城市 现所在地 城市 现住址 现在住址 所在地区 居住城市 地址"
    " 现居住城市 location city"
)

_DEGREES: tuple[tuple[str, str], ...] = (
    ("博士研究生", "博士"),
    ("博士后", "博士"),
    ("博士", "博士"),
    ("phd", "博士"),
    ("硕士研究生", "硕士"),
    ("学术硕士", "硕士"),
    ("专业硕士", "硕士"),
    ("硕士", "硕士"),
    ("研究生", "硕士"),
    ("emba", "硕士"),
    ("mba", "硕士"),
    ("mpa", "硕士"),
    ("master", "硕士"),
    ("统招本科", "本科"),
    ("大学本科", "本科"),
    ("本科", "本科"),
    ("学士", "本科"),
    ("bachelor", "本科"),
    ("大专", "大专"),
    ("专科", "大专"),
    ("高职", "大专"),
    ("中专", "中专"),
    ("中技", "中专"),
    ("技校", "中专"),
    ("职高", "中专"),
    ("高中", "高中"),
    ("初中", "初中"),
)
_SCHOOL_WORDS = _words(
    "大学 学院 学校 中学 高中 党校 研究生院 科学院 学府 university college institute school"
)
_COMPANY_WORDS = _words(
    "公司 集团 有限 股份 科技 银行 医院 研究院 研究所 事务所 工作室 控股 实业"
    " 网络 信息 技术 证券 基金 保险 传媒 咨询 电子 商贸 贸易 物流 制造 汽车 地产"
    " 置业 酒店 餐饮 教育 中心 学校 大学 局 厂 店 院 ltd inc corp co. group llc"
    " gmbh"
)
_TITLE_WORDS = _words(
    "工程师 经理 主管 专员 总监 助理 设计师 开发 分析师 运营 顾问 会计 出纳 销售"
    " 产品 架构师 实习生 负责人 主任 组长 教师 老师 讲师 护士 医生 医师 文员 编辑"
    " 策划 代表 总裁 总经理 cto ceo cfo coo hrbp hr 行政 前台 客服 测试 运维"
    " 程序员 研究员 主播 记者 律师 法务 审计 秘书 司机 厨师 店长 督导 采购 招聘"
    " 培训师 翻译 专家 技术员 技师 职员 科员 科长 处长 合伙人 董事 leader manager"
    " engineer developer designer analyst specialist assistant director intern"
    " consultant"
)
_COMPANY_LABELS = _words(
    "公司名称 公司 单位名称 工作单位 单位 企业名称 企业 雇主 任职公司 就职公司 company"
)
_TITLE_LABELS = _words(
    "职位名称 职位 岗位名称 岗位 职务 担任职位 担任职务 职称 头衔 title position role"
)
_SCHOOL_LABELS = _words("学校名称 毕业院校 毕业学校 院校 学校 school university")
_DEGREE_LABELS = ("学历", "学位", "学历学位", "degree")
_MAJOR_LABELS = ("所学专业", "专业名称", "专业", "major")
_TIME_LABELS = _words(
    "时间 在职时间 就读时间 任职时间 起止时间 工作时间 在校时间 时间段 日期 period date"
)
_DESCRIPTION_LABELS = _words(
    "工作描述 工作内容 职责 主要职责 工作职责 岗位职责 职责描述 业绩 工作业绩"
    " 主要业绩 描述 内容 项目描述 项目职责 责任描述 主修课程 主要课程 在校经历"
    " 荣誉 离职原因 职责业绩 工作业绩 业绩描述"
)
_METADATA_LABELS = _words(
    "下属人数 汇报对象 所属行业 行业 部门 所在部门 企业性质 公司性质 公司规模"
    " 规模 薪资 月薪 薪酬 工作地点 地点 工作性质 类型"
)
_SALARY_LABELS = (
    "期望薪资",
    "期望月薪",
    "期望薪酬",
    "薪资要求",
    "期望工资",
    "期望年薪",
    "期望待遇",
    "薪资期望",
    "目标薪资",
    "expected salary",
)
_SKILL_LABELS = _words("专业技能 技能 个人技能 掌握技能 技能特长 技术栈 skills")
_CERT_LABELS = ("证书", "资格证书", "获得证书", "职业证书", "证书资质", "certificates")
_NAME_LABELS = ("姓名", "名字", "name")
_EMAIL_LABELS = ("邮箱", "电子邮箱", "电子邮件", "e-mail", "email", "邮件")
_PHONE_LABELS = _words("手机 电话 手机号 手机号码 联系电话 mobile phone tel")
_IGNORED_TOKENS = {
    "统招",
    "全日制",
    "非全日制",
    "非统招",
    "自考",
    "成人教育",
    "在读",
    "应届",
    "实习",
    "全职",
    "兼职",
    "至今",
}
_DURATION = re.compile(
    r"[\[(（【]\s*[^()（）\[\]【】]*?(?:年|个月|月|人|years?|months?)[^()（）\[\]【】]*[\])）】]"
    r"|\d+\s*年\s*(?:\d+\s*个?月)?(?![\u4e00-\u9fff])|\d+\s*个月"
)
_SALARY_TOKEN = re.compile(
    r"\d+(?:\.\d+)?\s*[kK万千]?\s*[-~至]\s*\d+(?:\.\d+)?\s*[kK万千]?|元|/月|面议"
)
_BULLET = re.compile(r"^\s*(?:[-*•·●○▪◆]|\d{1,2}[.、)）](?!\d)|[(（]\d{1,2}[)）])\s*")
_PROFICIENCY = re.compile(
    r"^(?:精通|熟练掌握|熟练使用|熟练运用|熟练|熟悉|掌握|了解|能够|会使用|会|具备|擅长|善于|良好的|"
    r"较强的|深入理解|理解|使用)\s*"
)
_GENERIC_ITEMS = _words(
    "框架 工具 技术 开发 语言 数据库 软件 系统 平台 办公软件 编程语言 前端 后端 等 以及 和 与"
    " 及 相关 常用 基本 基础 能力 经验 知识"
)
_ITEM_SPLIT = re.compile(
    r"[、，,;；|/／]|\s{2,}|\s+(?=#)| (?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff]) "
)


@dataclass
class _Section:
    kind: str
    lines: list[str] = field(default_factory=list)


def _lower(text: str) -> str:
    return text.casefold()


def heading_kind(line: str) -> tuple[str, str] | None:
    """(section kind, rest of the line) when a line is a section heading, else None."""
    text = normalise(line)
    text = _HEADING_NUMBER.sub("", _HEADING_DECOR.sub("", text)).strip()
    if not text:
        return None
    rest = ""
    label = _LABEL.match(text)
    if label:
        text, rest = label.group(1), label.group(2).strip()
    else:
        first = _SEPARATORS.split(text, maxsplit=1)
        if len(first) == 2:
            text, rest = first[0], first[1]
    text = _HEADING_DECOR.sub("", text).strip()
    core = text
    if re.search(r"[\u4e00-\u9fff]", text):  # "工作经历 Work Experience", "EDUCATION 教育经历"
        core = _ENGLISH_HEAD.sub("", _ENGLISH_TAIL.sub("", text)).strip()
    core = _HEADING_COUNT.sub("", core).strip()  # 工作经历（共3段）
    if not core or len(core) > 14:
        return None
    found = _heading_word(core, rest)
    if found is None and _HEADING_AFFIXES.search(core):  # 所获证书, 技能标签
        found = _heading_word(_HEADING_AFFIXES.sub("", core), rest)
    return found


def _heading_word(core: str, rest: str) -> tuple[str, str] | None:
    core_l = _lower(core)
    for kind, words in _HEADINGS.items():
        for word in words:
            # short words ("项目", "工作") only alone: "项目经理" is a title, not a heading
            if core_l == word or (
                len(word) >= 4 and core_l.startswith(word) and len(core_l) - len(word) <= 2
            ):
                # "工作经验：5年" is a fact in the header, not a heading
                if (
                    rest
                    and kind in ("education", "work", "project")
                    and not DATE_RANGE.search(normalise(rest))
                    and re.match(r"^\d+\s*年|^[一二三四五六七八九十]+年|^应届|^无", rest)
                ):
                    return None
                return kind, rest
    return None


# --- lines --------------------------------------------------------------------------------


def _pieces(line: str) -> list[str]:
    """A line cut at separators and before each ``label：``."""
    out: list[str] = []
    for part in _SEPARATORS.split(line):
        out.extend(p for p in _LABEL_SPLIT.split(part) if p.strip())
    return [p.strip() for p in out if p.strip()]


_DANGLING_LABEL = re.compile(
    "(?:^|[|｜\\s])(?:"
    + "|".join(sorted(map(re.escape, PROTECTED_LABELS), key=len, reverse=True))
    + ")[^|｜:：\\s]{0,4}\\s*[:：]?\\s*$"
)
_PROTECTED_PAIR = re.compile(
    "(?:" + "|".join(sorted(map(re.escape, PROTECTED_LABELS), key=len, reverse=True)) + ")"
    r"[^:：|;,\s]{0,4}\s*[:：]\s*[^|;,，；\s]*"
)
_PROTECTED_TOKEN_LABEL = re.compile(
    "^(?:" + "|".join(sorted(map(re.escape, PROTECTED_LABELS), key=len, reverse=True)) + ")[:：]?$"
)


# "姓    名：" / "现 住 址：" — labels spaced out to align with longer ones — and spaced
# headings ("基 本 资 料") are one word.
_SPACED_LABEL = re.compile(
    r"(?<![\u4e00-\u9fff])[\u4e00-\u9fff](?:\s+[\u4e00-\u9fff]){1,3}(?=\s*[:：])"
    r"|^(?:[\u4e00-\u9fff]\s+){1,7}[\u4e00-\u9fff]$"
)


def clean_lines(lines: Iterable[str]) -> list[str]:
    """Every line with protected attributes removed; a protected label that ends one line
    (a wrapped ``籍贯：`` / ``河南周口``) takes the first piece of the next line with it."""
    out: list[str] = []
    dangling = False
    for raw in lines:
        text = _SPACED_LABEL.sub(lambda m: re.sub(r"\s+", "", m.group(0)), normalise(raw))
        if dangling and text:
            first = _SEPARATORS.split(text, maxsplit=1)[0]
            text = text[len(first) :]
        dangling = bool(_DANGLING_LABEL.search(text))
        cleaned = clean_line(text)
        if cleaned:
            out.append(cleaned)
    return out


def clean_line(line: str) -> str:
    """One line with protected attributes removed (pieces and tokens), or "" if nothing is left."""
    kept: list[str] = []
    drop_value = False
    for piece in _pieces(normalise(line)):
        if drop_value and not _LABEL.match(piece):
            drop_value = False
            continue  # the value cell after a bare protected label ("出生年月 | 1990.03")
        drop_value = False
        if is_protected(piece):
            drop_value = bool(_PROTECTED_TOKEN_LABEL.match(piece.replace(" ", "")))
            continue
        tokens = piece.split(" ")
        out: list[str] = []
        skip_next = False
        for token in tokens:
            if skip_next:
                skip_next = False
                continue
            if _PROTECTED_TOKEN_LABEL.match(token):
                skip_next = True
                continue
            if is_protected(token):
                continue
            out.append(token)
        text = _PROTECTED_PAIR.sub("", " ".join(out))  # "…，出生日期：1990.03" inside a piece
        text = scrub_protected_text(text).strip(" ,，;；")
        if text and not re.fullmatch(r"[()（）\[\]\s]*", text):
            kept.append(text)
    return " | ".join(kept)


# Labels vary without end (任职单位, 就职公司, 常住城市 …): besides the known ones, a label
# means a concept when it holds one of its words and none of the words of a neighbour concept.
_CONCEPTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "name": (("姓名", "应聘者", "求职者", "候选人", "名字"), ("公司", "学校", "项目", "证书")),
    "city": (
        ("城市", "居住", "所在地", "现居", "住址"),
        ("期望", "意向", "目标", "户", "籍", "出生", "工作地", "意愿"),
    ),
    "company": (("单位", "公司", "企业", "雇主", "机构"), ("规模", "性质", "行业", "地址", "简介")),
    "title": (("职位", "岗位", "职务", "职称", "头衔"), ("期望", "意向", "描述", "职责", "目标")),
    "school": (("院校", "学校", "毕业于"), ("地址", "类型")),
    "major": (("专业",), ("技能", "证书", "资格")),
    "degree": (("学历", "学位"), ("背景", "经历")),
}


def _concept(label: str, concept: str | None) -> bool:
    if concept is None:
        return False
    words, excluded = _CONCEPTS[concept]
    return any(w in label for w in words) and not any(x in label for x in excluded)


def _label_value(piece: str, labels: Iterable[str], concept: str | None = None) -> str | None:
    found = _LABEL.match(piece)
    if found:
        key = _lower(found.group(1))
        if any(key == _lower(label) for label in labels) or _concept(key, concept):
            return found.group(2).strip()
    return None


def _find_labelled(
    lines: Sequence[str], labels: Sequence[str], concept: str | None = None
) -> tuple[str, str] | None:
    for line in lines:
        for piece in _pieces(line):
            value = _label_value(piece, labels, concept)
            if value:
                return value, line
    # a table row "姓名 | 张三": label and value in neighbouring cells
    wanted = {_lower(label) for label in labels}
    for line in lines:
        cells = _pieces(line)
        for i, cell in enumerate(cells[:-1]):
            key = _lower(cell.rstrip(":："))
            if (key in wanted or (len(key) <= 6 and _concept(key, concept))) and not _LABEL.match(
                cells[i + 1]
            ):
                return cells[i + 1], line
    return None


# --- the extractor ------------------------------------------------------------------------


def extract(lines: Iterable[str], *, as_of: str) -> ParsedResume:
    """Facts from résumé lines; ``as_of`` (``YYYY-MM``) is the month 至今 runs to."""
    cleaned = clean_lines(_split_lines(lines))
    sections = _sections(cleaned)
    header = [ln for s in sections if s.kind in ("header", "basic", "intent") for ln in s.lines]
    everything = [ln for s in sections for ln in s.lines]
    evidence: dict[str, str] = {}

    name = _name(header or everything, evidence)
    phone = _phone(everything, evidence)
    email = _email(everything, evidence)
    city = _city(header, everything, evidence)
    salary_hit = _find_labelled(everything, _SALARY_LABELS)
    expected_salary = None
    if salary_hit:
        expected_salary = salary_hit[0].split(" ")[0] or None
        evidence["expected_salary"] = salary_hit[1]

    education: list[Education] = []
    work: list[Work] = []
    projects: list[Project] = []
    skills: list[str] = []
    certificates: list[str] = []
    for section in sections:
        if section.kind == "education":
            education.extend(_education(section.lines))
        elif section.kind == "work":
            work.extend(_work(section.lines))
        elif section.kind == "project":
            projects.extend(_projects(section.lines))
        elif section.kind == "skills":
            skills.extend(_items(section.lines, evidence, "skills", _SKILL_LABELS))
        elif section.kind == "certificates":
            certificates.extend(_items(section.lines, evidence, "certificates", _CERT_LABELS))
        else:
            hit = _find_labelled(section.lines, _SKILL_LABELS)
            if hit:
                skills.extend(_items([hit[0]], evidence, "skills", (), source=hit[1]))
            hit = _find_labelled(section.lines, _CERT_LABELS)
            if hit:
                certificates.extend(_items([hit[0]], evidence, "certificates", (), source=hit[1]))

    for i, entry in enumerate(education):
        evidence[f"education:{i}"] = entry.evidence
    for i, job in enumerate(work):
        evidence[f"work:{i}"] = job.evidence
    months = months_of_experience(
        ((w.start, w.end, w.current) for w in work if w.start), as_of=as_of
    )
    if months is not None:
        evidence["months_experience"] = "；".join(w.evidence for w in work if w.start)
    return ParsedResume(
        status=ParseStatus.PARSED,
        name=name,
        phone=phone,
        email=email,
        city=city,
        education=tuple(education),
        work=tuple(work),
        months_experience=months,
        skills=tuple(_dedupe(skills)),
        certificates=tuple(_dedupe(certificates)),
        projects=tuple(projects),
        expected_salary=expected_salary,
        evidence=evidence,
    )


def _split_lines(lines: Iterable[str]) -> Iterable[str]:
    for line in lines:
        yield from line.splitlines()


def _dedupe(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        if _lower(item) not in seen:
            seen.add(_lower(item))
            out.append(item)
    return out


_INTENT_ROW = re.compile(
    r"^(?:" + "|".join(map(re.escape, _SALARY_LABELS)) + r"|期望城市|期望职位|期望地点|期望行业|"
    r"工作地点|到岗时间)\s*(?:[|:：]|$)",
    re.IGNORECASE,
)


def _sections(lines: Sequence[str]) -> list[_Section]:
    sections = [_Section("header")]
    for line in lines:
        if sections[-1].kind in ("skills", "certificates", "other") and _INTENT_ROW.match(line):
            sections.append(_Section("intent"))  # a table template's next row, not an item
        found = heading_kind(line)
        if found:
            kind, rest = found
            sections.append(_Section(kind))
            if rest:
                sections[-1].lines.append(rest)
        else:
            sections[-1].lines.append(line)
    return sections


def _phone(lines: Sequence[str], evidence: dict[str, str]) -> str | None:
    """The first mobile number; one wrapped at a narrow column's edge is joined back."""
    for i, line in enumerate(lines):
        found = find_phone(line)
        if found:
            evidence["phone"] = line
            return found
        if i + 1 < len(lines) and re.search(r"\d$", line) and re.match(r"^\d", lines[i + 1]):
            head = re.search(r"[\d\s\-+()]+$", line)
            tail = re.match(r"^[\d\s\-]+", lines[i + 1])
            joined = find_phone((head.group(0) if head else "") + (tail.group(0) if tail else ""))
            if joined:
                evidence["phone"] = f"{line}{lines[i + 1]}"
                return joined
    return None


def _email(lines: Sequence[str], evidence: dict[str, str]) -> str | None:
    """The first e-mail; a narrow column may wrap one, so a line ending in letters or digits
    is tried joined with the next one when that starts with the rest of an address."""
    for i, line in enumerate(lines):
        if i + 1 < len(lines) and re.search(r"[A-Za-z0-9._\-]$", line):
            tail = lines[i + 1]
            if re.match(r"^[A-Za-z0-9._\-]*@", tail):
                joined = find_email(line + tail)
                if joined:
                    evidence["email"] = f"{line}{tail}"
                    return joined
        found = find_email(line)
        if found:
            evidence["email"] = line
            return found
    return None


def _looks_like_name(text: str) -> bool:
    text = text.strip()
    if text in _NOT_NAMES or not re.fullmatch(
        r"[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]{1,6}·[\u4e00-\u9fff]{1,8}", text
    ):
        return False
    if heading_kind(text):
        return False
    return text[0] in _SURNAMES or text[:2] in _COMPOUND_SURNAMES or "·" in text


def _name(lines: Sequence[str], evidence: dict[str, str]) -> str | None:
    hit = _find_labelled(lines, _NAME_LABELS, "name")
    if hit:
        value = hit[0].split(" ")[0]
        if _looks_like_name(value) or re.fullmatch(r"[A-Za-z][A-Za-z .\-]{1,40}", value):
            evidence["name"] = hit[1]
            return value
    for line in lines[:8]:
        for piece in _pieces(line)[:2]:
            first = piece.split(" ")[0]
            first = re.sub(r"[(（\[【].*$", "", first)  # 王芳（ID：123）
            first = re.sub(r"(?:的)?(?:个人)?(?:求职)?简历$", "", first)
            if _looks_like_name(first):
                evidence["name"] = line
                return first
    return None


def _city_of(value: str) -> str | None:
    value = normalise(value).split(" ")[0].strip(" ,，")
    for city in CITIES:
        if value.startswith(city):
            return city
    found = re.match(r"^(?:[\u4e00-\u9fff]{2,3}省)?([\u4e00-\u9fff]{2,4}?)(?:市|$|-|区)", value)
    if found and len(found.group(1)) >= 2:
        return found.group(1)
    return None


def _city(header: Sequence[str], everything: Sequence[str], evidence: dict[str, str]) -> str | None:
    hit = _find_labelled(everything, _CITY_LABELS, "city")
    if hit:
        city = _city_of(hit[0])
        if city:
            evidence["city"] = hit[1]
            return city
    for line in header:
        if _LABEL.match(line) and len(_pieces(line)) == 1:
            continue
        for piece in _pieces(line):
            if _LABEL.match(piece):
                continue
            for token in piece.split(" "):
                token = token.removesuffix("市")
                if token in CITIES:
                    evidence["city"] = line
                    return token
    return None


# --- entries ------------------------------------------------------------------------------


def _is_description(line: str) -> bool:
    if _BULLET.match(line) or len(line) > 60:
        return True
    label = _LABEL.match(line)
    if label and any(_lower(label.group(1)) == _lower(x) for x in _DESCRIPTION_LABELS):
        return True
    return bool(re.search(r"[。；;！!？?]", line)) or (len(line) > 36 and "，" in line)


def _is_column_header(line: str) -> bool:
    words = {
        *_TIME_LABELS,
        *_COMPANY_LABELS,
        *_TITLE_LABELS,
        *_SCHOOL_LABELS,
        *_DEGREE_LABELS,
        *_MAJOR_LABELS,
        "起止时间",
        "学校",
        "公司",
        "职位",
        "专业",
        "学历",
        "内容",
        "描述",
    }
    cells = [c.rstrip(":：") for c in _pieces(line)]
    return len(cells) >= 2 and all(c in words for c in cells)


def _entries(lines: Sequence[str], anchor: re.Pattern[str] | None = None) -> list[list[str]]:
    """Cut a section into entries at date ranges, keeping the head lines before each date."""
    lines = [ln for ln in lines if not _is_column_header(ln)]
    anchors = [i for i, ln in enumerate(lines) if DATE_RANGE.search(normalise(ln))]
    if not anchors and anchor is not None:
        anchors = [i for i, ln in enumerate(lines) if anchor.search(ln)]
    if not anchors:
        return []
    lead = 0
    while lead < min(anchors[0], 3) and not _is_description(lines[anchors[0] - lead - 1]):
        lead += 1
    starts = [max(a - lead, 0) for a in anchors]
    starts = sorted(set(starts))
    out: list[list[str]] = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        out.append(list(lines[start:end]))
    return out


def _head(entry: Sequence[str]) -> list[str]:
    """The lines naming an entry: up to its first description line (at most 4)."""
    head: list[str] = []
    dated = False
    for line in entry:
        if head and (_is_description(line) or len(head) >= 5):
            break
        label = _LABEL.match(line)
        if label and any(_lower(label.group(1)) == _lower(x) for x in _METADATA_LABELS):
            continue
        if dated and DATE_RANGE.search(normalise(line)):
            break
        head.append(line)
        dated = dated or bool(DATE_RANGE.search(normalise(line)))
        if dated and len(head) >= 2 and not _has_unlabelled_tokens(entry, len(head)):
            break
    return head


def _has_unlabelled_tokens(entry: Sequence[str], index: int) -> bool:
    if index >= len(entry):
        return False
    nxt = entry[index]
    return not _is_description(nxt) and len(nxt) <= 40


@dataclass
class _Tokens:
    labelled: dict[str, str]
    free: list[str]
    start: str | None
    end: str | None
    current: bool


def _tokens(head: Sequence[str]) -> _Tokens:
    labelled: dict[str, str] = {}
    free: list[str] = []
    start = end = None
    current = False
    for line in head:
        text = normalise(line)
        dates = find_date_range(text)
        if dates and start is None:
            start, end, current, (a, b) = dates
            text = text[:a] + " | " + text[b:]
        text = _DURATION.sub(" | ", text)
        for piece in (q.strip() for p in _pieces(text) for q in re.split(r"[,;]", p)):
            if not piece:
                continue
            found = _LABEL.match(piece)
            if found:
                key = _lower(found.group(1))
                value = found.group(2).strip()
                if value and key not in labelled:
                    labelled[key] = value
                continue
            for token in piece.split(" "):
                token = token.strip(" :：,，;；-—~[]【】")
                if token.count("(") != token.count(")"):
                    token = token.strip("()")
                if (
                    token
                    and token not in _IGNORED_TOKENS
                    and not _SALARY_TOKEN.search(token)
                    and not re.fullmatch(r"[\d.\-/年月~]+", token)
                ):
                    free.append(token)
    return _Tokens(labelled, free, start, end, current)


def _labelled(tokens: _Tokens, labels: Iterable[str], concept: str | None = None) -> str | None:
    for label in labels:
        value = tokens.labelled.get(_lower(label))
        if value:
            return value
    for key, value in tokens.labelled.items():
        if _concept(key, concept):
            return value
    return None


def _degree_of(text: str) -> str | None:
    low = _lower(text)
    for word, canonical in _DEGREES:
        if word in low:
            return canonical
    return None


def _is_school(token: str) -> bool:
    low = _lower(token)
    return any(w in low for w in _SCHOOL_WORDS)


def _is_title(token: str) -> bool:
    low = _lower(token)
    return any(w in low for w in _TITLE_WORDS)


def _is_company(token: str) -> bool:
    low = _lower(token)
    return any(w in low for w in _COMPANY_WORDS) and not low.endswith(("部", "组"))


_SCHOOL_ANCHOR = re.compile("|".join(_SCHOOL_WORDS), re.IGNORECASE)


def _education(lines: Sequence[str]) -> list[Education]:
    out: list[Education] = []
    for entry in _entries(lines, _SCHOOL_ANCHOR):
        head = _head(entry)
        tokens = _tokens(head)
        school = _labelled(tokens, _SCHOOL_LABELS, "school")
        degree_text = _labelled(tokens, _DEGREE_LABELS, "degree")
        degree = _degree_of(degree_text) if degree_text else None
        major = _labelled(tokens, _MAJOR_LABELS, "major")
        rest: list[str] = []
        free: list[str] = []
        for token in tokens.free:  # "软件工程（本科）": a major with its degree in brackets
            found = re.fullmatch(r"(.+?)\(([^()]{1,8})\)", token)
            if found and (_degree_of(found.group(2)) or found.group(2) in _IGNORED_TOKENS):
                free.extend([found.group(1), found.group(2)])
            else:
                free.append(token)
        for token in free:
            if school is None and _is_school(token) and _degree_of(token) is None:
                school = token
            elif _degree_of(token) and len(token) <= 8:
                degree = degree or _degree_of(token)
            elif _is_school(token) and school is not None and token != school:
                continue
            else:
                rest.append(token)
        if major is None:
            candidates = [t for t in rest if re.search(r"[\u4e00-\u9fffA-Za-z]", t)]
            major = candidates[0] if candidates else None
        if major:
            major = re.sub(r"专业$", "", major).strip() or None
        if school is None and tokens.start is None:
            continue
        out.append(
            Education(
                school=school,
                degree=degree,
                major=major,
                start=tokens.start,
                end=tokens.end,
                evidence=" ".join(head),
            )
        )
    return out


_COMPANY_ANCHOR = re.compile(
    r"^\s*(?:" + "|".join(map(re.escape, _COMPANY_LABELS)) + r")\s*[:：]", re.IGNORECASE
)


def _work(lines: Sequence[str]) -> list[Work]:
    out: list[Work] = []
    for entry in _entries(lines, _COMPANY_ANCHOR):
        head = _head(entry)
        tokens = _tokens(head)
        company = _labelled(tokens, _COMPANY_LABELS, "company")
        title = _labelled(tokens, _TITLE_LABELS, "title")
        unknown: list[str] = []
        for token in tokens.free:
            if token.endswith(("部", "组", "事业群", "中心", "科", "处")) and len(token) <= 6:
                continue  # a department
            if title is None and _is_title(token) and not _is_company(token):
                title = token
            elif company is None and _is_company(token) and not _is_title(token):
                company = token
            else:
                unknown.append(token)
        for token in unknown:
            if company is None:
                company = token
            elif title is None:
                title = token
        if company is None and tokens.start is None:
            continue
        out.append(
            Work(
                company=company,
                title=title,
                start=tokens.start,
                end=tokens.end,
                current=tokens.current,
                evidence=" ".join(head),
            )
        )
    return out


def _projects(lines: Sequence[str]) -> list[Project]:
    out: list[Project] = []
    for entry in _entries(lines):
        head = _head(entry)
        tokens = _tokens(head)
        name = _labelled(tokens, ("项目名称", "项目", "名称")) or next(iter(tokens.free), None)
        if not name:
            continue
        role = _labelled(tokens, ("角色", "担任角色", "项目角色", "担任职务", "职位"))
        if role is None and len(tokens.free) > 1:
            role = tokens.free[1]
        description = " ".join(entry[len(head) :])
        out.append(Project(name=name, role=role, description=description))
    return out


def _items(
    lines: Sequence[str],
    evidence: dict[str, str],
    key: str,
    labels: Sequence[str],
    *,
    source: str | None = None,
) -> list[str]:
    """Skill or certificate items: a section's lines cut at list separators, verbs dropped."""
    out: list[str] = []
    for line in lines:
        text = normalise(line)
        value = next((v for p in [text] if (v := _label_value(p, labels))), None)
        if value is not None:
            text = value
        elif _LABEL.match(text) and labels:
            label = _LABEL.match(text)
            assert label is not None
            text = label.group(2)
        text = _BULLET.sub("", text)
        text = DATE_RANGE.sub(" ", text)
        text = re.sub(r"^(?:19|20)\d\d\s*(?:[./\-年]\s*\d{1,2}\s*月?)?\s*", "", text)
        # "A/B测试", "C/C++"-style pairs of single letters are one item, not two
        text = re.sub(r"(?<![A-Za-z])([A-Za-z])/([A-Za-z])(?![A-Za-z])", "\\1\u2215\\2", text)
        for raw in _ITEM_SPLIT.split(text):
            item = _PROFICIENCY.sub("", raw.strip(" 。.:：#")).replace("\u2215", "/")
            if item.count("(") != item.count(")"):
                item = item.strip("()")
            item = re.sub(r"等(?:工具|软件|技能)$|(?<=[A-Za-z0-9+#])等$|的(?:使用|开发)$", "", item)
            item = item.strip()
            if (
                not item
                or len(item) > 24
                or re.fullmatch(r"[\d\s.\-]+", item)
                or item.startswith("等")
                or item in _GENERIC_ITEMS
            ):
                continue
            if _is_description(item):
                continue
            out.append(item)
            evidence.setdefault(f"{key}:{item}", source or line)
    return out
