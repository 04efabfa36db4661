"""Protected attributes in hiring: recognising them in a job requirement, removing them from
résumé text before anything matches on it.

China's Employment Promotion Law (《就业促进法》第三、二十七条) forbids refusing or
disadvantaging a candidate for gender, ethnicity, and — with the labour rules on marriage
and childbearing questions — for marital or childbearing status; age, household
registration (户口) and looks are not filters a fair screening may use either. The policy
here: a requirement on gender is refused outright; one on any other protected attribute is
flagged to HR and never used (the facts it would need are never read). Résumé text keeps its
skills and history, minus every fragment that states such an attribute, so two résumés that
differ only there are matched identically.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Attribute(StrEnum):
    GENDER = "gender"
    AGE = "age"  # birth date included
    MARITAL = "marital"  # marital or childbearing status
    ETHNICITY = "ethnicity"
    HOMETOWN = "hometown"  # 籍贯, 户口/户籍
    PHOTO = "photo"  # looks
    ID_NUMBER = "id_number"


NAMES = {
    Attribute.GENDER: "性别",
    Attribute.AGE: "年龄",
    Attribute.MARITAL: "婚育状况",
    Attribute.ETHNICITY: "民族",
    Attribute.HOMETOWN: "籍贯或户口",
    Attribute.PHOTO: "外貌或照片",
    Attribute.ID_NUMBER: "身份证号",
}

# Why each is not a screening criterion, as HR reads it.
REASONS = {
    Attribute.GENDER: (
        "涉及性别。《就业促进法》规定用人单位招用人员不得以性别为由拒绝录用或提高录用标准，"
        "该要求不能保存"
    ),
    Attribute.AGE: "涉及年龄，有就业歧视风险，不作为筛选条件",
    Attribute.MARITAL: "涉及婚育状况，招聘中不得限制，不作为筛选条件",
    Attribute.ETHNICITY: "涉及民族，《就业促进法》禁止民族歧视，不作为筛选条件",
    Attribute.HOMETOWN: "涉及籍贯或户口，有地域歧视风险，不作为筛选条件",
    Attribute.PHOTO: "涉及外貌，与岗位能力无关，不作为筛选条件",
    Attribute.ID_NUMBER: "涉及身份证号，不作为筛选条件",
}

_ETHNIC = (
    "汉|回|满|蒙古|藏|维吾尔|苗|彝|壮|布依|朝鲜|侗|瑶|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|"
    "高山|拉祜|东乡|纳西|景颇|柯尔克孜|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|"
    "塔吉克|乌孜别克|俄罗斯|鄂温克|德昂|保安|裕固|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺"
)

# What a requirement says when it filters on an attribute. Order matters: the first wins.
_REQUIREMENT_CUES: tuple[tuple[Attribute, re.Pattern[str]], ...] = (
    (
        Attribute.GENDER,
        re.compile(
            r"性别|^\s*限?[男女](?:性|士|生)?\s*$|[男女](?:性|士|生)?(?:优先|为主|即可|者|候选人)"
            r"|(?:只|仅|限|要|招)[男女]|^(?:gender|sex|male|female)$",
            re.IGNORECASE,
        ),
    ),
    (
        Attribute.AGE,
        re.compile(
            r"年龄|\d+\s*周?岁|岁以[上下内]|[0-9〇零一二三四五六七八九]0后|出生|年轻|生日"
            r"|^(?:age|birth_?date|birthday)$",
            re.IGNORECASE,
        ),
    ),
    (
        Attribute.MARITAL,
        re.compile(
            r"已婚|未婚|已育|未育|婚育|生育|婚姻|婚否|怀孕|孕期|单身|离异|^(?:marital|marriage)",
            re.IGNORECASE,
        ),
    ),
    (
        Attribute.ETHNICITY,
        re.compile(rf"民族|(?:{_ETHNIC})族|^(?:ethnicity|nationality)$", re.IGNORECASE),
    ),
    (
        Attribute.HOMETOWN,
        re.compile(r"户口|户籍|籍贯|本地人|生源|老家|^(?:hometown|hukou)$", re.IGNORECASE),
    ),
    (
        Attribute.PHOTO,
        re.compile(r"照片|相貌|长相|颜值|五官端正|形象好|^(?:photo|looks)$", re.IGNORECASE),
    ),
    (Attribute.ID_NUMBER, re.compile(r"身份证|^id_?number$", re.IGNORECASE)),
)


@dataclass(frozen=True)
class ProtectedRequirement:
    """A requirement that filters on a protected attribute: what it said and why not."""

    text: str
    attribute: Attribute

    @property
    def refused(self) -> bool:
        """Gender: refused (not even stored); the others are flagged and left out."""
        return self.attribute is Attribute.GENDER

    @property
    def reason(self) -> str:
        return f"「{self.text}」{REASONS[self.attribute]}"


def protected_in(text: str) -> Attribute | None:
    """The protected attribute a requirement's words filter on, if any."""
    for attribute, cue in _REQUIREMENT_CUES:
        if cue.search(text):
            return attribute
    return None


# -- résumé text ---------------------------------------------------------------------------

_SEP = r"[\s|｜/／,，、;；。·)）]"
_LABEL_VALUE = r"\s*[:：]?\s*[^\s|｜/／,，、;；。]{0,20}"
_STRIP = re.compile(
    "|".join(
        [
            rf"(?:性\s*别){_LABEL_VALUE}",
            rf"(?<![^\s|｜/／,，、;；。·(（])[男女](?:性)?(?={_SEP}|$)",
            rf"(?:年\s*龄){_LABEL_VALUE}",
            r"\d{1,2}\s*周?岁",
            rf"(?:出生(?:年月|日期|年份|地)?|生\s*日){_LABEL_VALUE}",
            r"(?:19|20)\d{2}\s*(?:年|[-./])\s*\d{1,2}\s*(?:月)?(?:\s*\d{1,2}\s*日)?\s*出?生",
            rf"(?:婚姻(?:状况)?|婚育(?:状况|情况)?|婚否|生育(?:状况|情况)?){_LABEL_VALUE}",
            r"已婚已育|已婚未育|已婚|未婚|离异|丧偶|已育|未育|有子女|无子女",
            rf"(?:民\s*族){_LABEL_VALUE}",
            rf"(?:{_ETHNIC})族",
            rf"(?:籍\s*贯|户\s*籍|户口(?:所在地|性质)?|老家|生源地){_LABEL_VALUE}",
            rf"(?:身份证(?:号码?)?|证件号码?){_LABEL_VALUE}",
            r"(?<![0-9])\d{17}[0-9Xx](?![0-9])",
            r"\[?(?:照片|头像|免冠照)\]?",
            rf"(?:政治面貌){_LABEL_VALUE}",
        ]
    )
)
_EMPTY_SEPARATORS = re.compile(r"\s*([|｜/／,，、;；])(?:\s*[|｜/／,，、;；])+\s*")
_EMPTY_BRACKETS = re.compile(r"\(\s*\)|（\s*）|\[\s*\]|【\s*】")
_EDGE_SEPARATORS = re.compile(r"^[\s|｜/／,，、;；·]+|[\s|｜/／,，、;；·]+$")


def strip_protected(text: str) -> str:
    """``text`` without the fragments that state a protected attribute (labelled values such
    as 性别：女, bare ones such as ``| 男 |``, ages, birth dates, marital status, ethnicity,
    home town, ID numbers, photo markers). Political affiliation goes too: it is nothing a
    job match may weigh. Used on every sentence a match reads or quotes."""
    if not text:
        return text
    stripped = _STRIP.sub("", text)
    if stripped == text:
        return text
    stripped = _EMPTY_BRACKETS.sub("", stripped)
    stripped = _EMPTY_SEPARATORS.sub(_one_separator, stripped)
    return _EDGE_SEPARATORS.sub("", stripped).strip()


def _one_separator(found: re.Match[str]) -> str:
    mark = found.group(1)
    return f" {mark} " if mark in "|/" else mark
