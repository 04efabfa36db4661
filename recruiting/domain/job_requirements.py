"""What an opening asks of a résumé: must-have and nice-to-have requirements.

Kinds: years of experience (a minimum), degree (a minimum level), skill, certificate,
industry and location. They come from HR (the opening's ``requirements``, a chat or web
form) or from a job file for the command line, in one shape::

    must: [{years: 3}, {degree: 本科}, {skill: SQL}]
    nice: [{certificate: PMP}, {industry: 互联网}, {location: 上海}]

(``{kind: skill, value: SQL}`` and the Chinese kind names 工作年限/学历/技能/证书/行业/地点
work too). A requirement on gender is refused with the law's reason; one on age, marital
or childbearing status, ethnicity, home town, looks or ID number is flagged to HR and left
out of matching (``recruiting.domain.protected``). Every error is Chinese, for HR.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from recruiting.domain.protected import Attribute, ProtectedRequirement, protected_in
from recruiting.domain.shorten import shorten
from recruiting.domain.skill_synonyms import compact
from recruiting.errors import InvalidInput

MAX_ITEMS = 30  # per list
VALUE_CHARS = 50
MAX_YEARS = 50


class Kind(StrEnum):
    YEARS = "years"
    DEGREE = "degree"
    SKILL = "skill"
    CERTIFICATE = "certificate"
    INDUSTRY = "industry"
    LOCATION = "location"


KIND_NAMES = {
    Kind.YEARS: "工作年限",
    Kind.DEGREE: "学历",
    Kind.SKILL: "技能",
    Kind.CERTIFICATE: "证书",
    Kind.INDUSTRY: "行业",
    Kind.LOCATION: "地点",
}
_KIND_WORDS: dict[str, Kind] = {
    **{k.value: k for k in Kind},
    **{v: k for k, v in KIND_NAMES.items()},
    "经验": Kind.YEARS,
    "工作经验": Kind.YEARS,
    "years_experience": Kind.YEARS,
    "education": Kind.DEGREE,
    "城市": Kind.LOCATION,
    "工作地点": Kind.LOCATION,
    "city": Kind.LOCATION,
}
# Protected attributes HR may name as a kind (``{gender: 男}``, ``{年龄: 35岁以下}``).
_PROTECTED_KINDS: dict[str, Attribute] = {
    "gender": Attribute.GENDER,
    "sex": Attribute.GENDER,
    "性别": Attribute.GENDER,
    "age": Attribute.AGE,
    "年龄": Attribute.AGE,
    "birth_date": Attribute.AGE,
    "出生日期": Attribute.AGE,
    "marital_status": Attribute.MARITAL,
    "婚育": Attribute.MARITAL,
    "婚姻状况": Attribute.MARITAL,
    "ethnicity": Attribute.ETHNICITY,
    "民族": Attribute.ETHNICITY,
    "hometown": Attribute.HOMETOWN,
    "hukou": Attribute.HOMETOWN,
    "籍贯": Attribute.HOMETOWN,
    "户口": Attribute.HOMETOWN,
    "photo": Attribute.PHOTO,
    "照片": Attribute.PHOTO,
    "id_number": Attribute.ID_NUMBER,
    "身份证": Attribute.ID_NUMBER,
}

# Degree levels, highest first; what résumés write mapped onto them.
DEGREE_LEVELS: dict[str, int] = {"博士": 5, "硕士": 4, "本科": 3, "大专": 2, "高中/中专": 1}
_DEGREE_WORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"博士|phd|doctor", re.IGNORECASE), "博士"),
    (re.compile(r"硕士|研究生|mba|emba|mpa|master", re.IGNORECASE), "硕士"),
    (re.compile(r"本科|学士|bachelor|大学本科", re.IGNORECASE), "本科"),
    (re.compile(r"大专|专科|高职|associate", re.IGNORECASE), "大专"),
    (re.compile(r"高中|中专|中技|职高|技校|中职"), "高中/中专"),
)


def degree_level(text: str | None) -> str | None:
    """The level a degree as written stands for (硕士研究生 → 硕士), or None."""
    if not text:
        return None
    for pattern, level in _DEGREE_WORDS:
        if pattern.search(text):
            return level
    return None


@dataclass(frozen=True)
class Requirement:
    kind: Kind
    value: str  # years: a number of years ("3", "1.5"); degree: a level of DEGREE_LEVELS
    must: bool

    @property
    def label(self) -> str:
        """What HR reads: 「3 年以上工作经验」, 「本科及以上学历」, 「技能：SQL」."""
        if self.kind is Kind.YEARS:
            return f"{self.value} 年以上工作经验"
        if self.kind is Kind.DEGREE:
            return f"{self.value}及以上学历"
        return f"{KIND_NAMES[self.kind]}：{self.value}"

    @property
    def months(self) -> int:
        """Years as whole months (years requirements only)."""
        return int((Decimal(self.value) * 12).to_integral_value())

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind.value, "value": self.value}


@dataclass(frozen=True)
class JobRequirements:
    items: tuple[Requirement, ...]
    flagged: tuple[ProtectedRequirement, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.items

    def to_json(self) -> dict[str, Any]:
        """The opening's stored form (``JobOpening.requirements``)."""
        return {
            "must": [r.to_json() for r in self.items if r.must],
            "nice": [r.to_json() for r in self.items if not r.must],
            "flagged": [
                {"text": f.text, "attribute": f.attribute.value, "reason": f.reason}
                for f in self.flagged
            ],
        }

    @classmethod
    def from_json(cls, data: Any) -> JobRequirements:
        """Read (and validate) a stored or submitted form; ``{}`` is no requirements."""
        if data is None or data == {} or data == []:
            return cls(())
        if not isinstance(data, Mapping):
            raise InvalidInput("招聘要求应分为「必须」(must) 和「加分」(nice) 两组")
        unknown = set(data) - {"must", "nice", "flagged"}
        if unknown:
            names = "、".join(sorted(str(k) for k in unknown))
            raise InvalidInput(f"招聘要求中有无法识别的分组：{names}；只能是 must 或 nice")
        items: list[Requirement] = []
        flagged: list[ProtectedRequirement] = []
        for group, must in (("must", True), ("nice", False)):
            entries = data.get(group) or []
            if not isinstance(entries, list):
                raise InvalidInput(f"招聘要求的「{_group(must)}」应是一个列表")
            if len(entries) > MAX_ITEMS:
                raise InvalidInput(
                    f"「{_group(must)}」最多 {MAX_ITEMS} 条，现在有 {len(entries)} 条"
                )
            for entry in entries:
                read = _requirement(entry, must)
                if isinstance(read, ProtectedRequirement):
                    flagged.append(read)
                else:
                    items.append(read)
        for old in data.get("flagged") or []:  # kept from an earlier save: still flagged
            if isinstance(old, Mapping) and isinstance(old.get("text"), str):
                again = protected_in(old["text"])
                if again is not None and again is not Attribute.GENDER:
                    flagged.append(ProtectedRequirement(old["text"], again))
        refused = [f for f in flagged if f.refused]
        if refused:
            raise InvalidInput(refused[0].reason + "。请删除该条件后再保存")
        _no_duplicates(items)
        return cls(tuple(items), tuple(_unique_flags(flagged)))


def _group(must: bool) -> str:
    return "必须满足" if must else "加分项"


def _requirement(entry: Any, must: bool) -> Requirement | ProtectedRequirement:
    if isinstance(entry, str):  # free words: only acceptable if we can tell what they are
        text = _value_text(entry)
        attribute = protected_in(text)
        if attribute is not None:
            return ProtectedRequirement(text, attribute)
        raise InvalidInput(
            f"无法识别的要求「{text}」。请写明类型，如 {{技能: SQL}}、{{学历: 本科}}、"
            "{工作年限: 3}、{证书: PMP}、{行业: 互联网}、{地点: 上海}"
        )
    if not isinstance(entry, Mapping):
        raise InvalidInput("每条要求应写成「类型: 内容」，如 {技能: SQL}")
    if "kind" in entry:
        if set(entry) - {"kind", "value"}:
            raise InvalidInput("写成 {kind: …, value: …} 的要求只能有 kind 和 value 两项")
        word, raw = str(entry["kind"]).strip(), entry.get("value")
    elif len(entry) == 1:
        [(word, raw)] = [(str(k).strip(), v) for k, v in entry.items()]
    else:
        raise InvalidInput("每条要求只写一项，如 {技能: SQL}；多项请分成多条")
    value = _value_text(raw)
    attribute = _PROTECTED_KINDS.get(word.lower()) or protected_in(value)
    if attribute is not None:
        shown = value if word.lower() in _KIND_WORDS else f"{word}：{value}"
        return ProtectedRequirement(shown, attribute)
    kind = _KIND_WORDS.get(word.lower())
    if kind is None:
        names = "、".join(f"{v}({k.value})" for k, v in KIND_NAMES.items())
        shown = shorten(word, max_chars=20, inline=True)
        raise InvalidInput(f"无法识别的要求类型「{shown}」；可用的类型：{names}")
    return Requirement(kind, _normalised(kind, value), must)


def _value_text(raw: Any) -> str:
    if isinstance(raw, bool) or not isinstance(raw, str | int | float | Decimal):
        raise InvalidInput("要求的内容应是文字或数字")
    text = str(raw).strip()
    if not text:
        raise InvalidInput("要求的内容不能为空")
    if len(text) > VALUE_CHARS or not text.isprintable():
        raise InvalidInput(f"要求的内容最多 {VALUE_CHARS} 个字，且不能含控制字符")
    return text


def _normalised(kind: Kind, value: str) -> str:
    if kind is Kind.YEARS:
        digits = value.removesuffix("年以上").removesuffix("年").removesuffix("+").strip()
        try:
            years = Decimal(digits)
        except InvalidOperation:
            years = Decimal("NaN")
        if not years.is_finite() or not 0 <= years <= MAX_YEARS:
            raise InvalidInput(f"工作年限应是 0 到 {MAX_YEARS} 之间的数字，收到「{value}」")
        if years * 2 != (years * 2).to_integral_value():
            raise InvalidInput(f"工作年限最多精确到半年，收到「{value}」")
        return str(years.normalize()) if years else "0"
    if kind is Kind.DEGREE:
        level = degree_level(value)
        if level is None:
            levels = "、".join(DEGREE_LEVELS)
            raise InvalidInput(f"无法识别的学历「{value}」；可选：{levels}")
        return level
    return value


def _no_duplicates(items: list[Requirement]) -> None:
    seen: dict[tuple[Kind, str], Requirement] = {}
    single = {Kind.YEARS, Kind.DEGREE}
    for item in items:
        key = (item.kind, "" if item.kind in single else compact(item.value))
        if key in seen:
            raise InvalidInput(f"要求重复：「{item.label}」与「{seen[key].label}」，请只保留一条")
        seen[key] = item


def _unique_flags(flags: list[ProtectedRequirement]) -> list[ProtectedRequirement]:
    return list({(f.text, f.attribute): f for f in flags}.values())
