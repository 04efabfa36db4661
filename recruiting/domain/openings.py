"""Rules for what HR enters about openings, rounds and bank questions: every field bounded,
every refusal a Chinese sentence HR can act on (the workbench shows it as it is).

Pure: no database. The use cases in ``recruiting.services.openings`` call these before
writing, so a malformed opening, round or question never reaches the tables.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from recruiting.domain.competency import CompetencyModel
from recruiting.domain.recorded_round import MAX_ANSWER_SECONDS, MAX_PREP_SECONDS, MAX_RETAKES
from recruiting.domain.shorten import shorten
from recruiting.errors import InvalidInput

MAX_CODE = 32
MAX_TITLE = 128
MAX_DEPARTMENT = 128
MAX_CITY = 64
MAX_PLACE = 256
MAX_MEETING = 512
MAX_ROUND_NAME = 64
MAX_PREPARATION = 1000
MAX_ROUNDS = 10
MAX_QUESTIONS = 20
MAX_QUESTION_TEXT = 500
MAX_MODEL_SIZE = 12
MAX_QUESTION_COMPETENCIES = 5
MAX_TAGS = 8
MAX_TAG = 16
MIN_DURATION, MAX_DURATION = 10, 480
MAX_PANEL = 10
MIN_DEADLINE_DAYS, MAX_DEADLINE_DAYS = 1, 60
MIN_ANSWER_SECONDS = 10
WEIGHT_STEP = Decimal("0.0001")

CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")
MEETING_RE = re.compile(r"https://[^\s<>\"']+")
STATUSES = ("draft", "open", "on_hold", "closed")
STATUS_NAMES = {"draft": "草稿", "open": "招聘中", "on_hold": "暂停", "closed": "已关闭"}
KINDS = ("recorded", "live")


@dataclass(frozen=True)
class OpeningFields:
    code: str
    title: str
    department: str
    city: str
    status: str
    interview_location: str


@dataclass(frozen=True)
class LiveSettings:
    duration_minutes: int
    panel_size: int
    location: str
    meeting_link: str


@dataclass(frozen=True)
class QuestionDraft:
    text: str
    competencies: tuple[str, ...]  # library codes
    prep_seconds: int
    answer_seconds: int
    retakes: int


def text(value: Any, label: str, limit: int, *, required: bool = False) -> str:
    """A trimmed single field; refused when too long or (if required) empty."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(f"{label}须为文字")
    cleaned = value.strip()
    if required and not cleaned:
        raise InvalidInput(f"请填写{label}")
    if len(cleaned) > limit:
        raise InvalidInput(f"{label}最多 {limit} 个字，现有 {len(cleaned)} 个字")
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in cleaned):
        raise InvalidInput(f"{label}含有不可见的控制字符，请删除后重试")
    return cleaned


def number(value: Any, label: str, low: int, high: int) -> int:
    """An integer within [low, high]; strings of digits (from forms) are accepted."""
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,9}\s*", value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{label}须为整数")
    if not low <= value <= high:
        raise InvalidInput(f"{label}须在 {low} 到 {high} 之间，现为 {value}")
    return value


def opening_fields(data: Mapping[str, Any]) -> OpeningFields:
    code = text(data.get("code"), "岗位编号", MAX_CODE, required=True)
    if not CODE_RE.fullmatch(code):
        raise InvalidInput("岗位编号只能用字母、数字、下划线、点和连字符，且以字母或数字开头")
    status = str(data.get("status") or "draft")
    if status not in STATUSES:
        raise InvalidInput("岗位状态须为：草稿、招聘中、暂停或已关闭")
    return OpeningFields(
        code=code,
        title=text(data.get("title"), "岗位名称", MAX_TITLE, required=True),
        department=text(data.get("department"), "部门", MAX_DEPARTMENT),
        city=text(data.get("city"), "城市", MAX_CITY),
        status=status,
        interview_location=text(data.get("interview_location"), "面试地点", MAX_PLACE),
    )


def round_name(value: Any) -> str:
    return text(value, "轮次名称", MAX_ROUND_NAME, required=True)


def live_settings(data: Mapping[str, Any]) -> LiveSettings:
    link = text(data.get("meeting_link"), "会议链接", MAX_MEETING)
    if link and not MEETING_RE.fullmatch(link):
        raise InvalidInput("会议链接须为以 https:// 开头的完整网址")
    return LiveSettings(
        duration_minutes=number(
            data.get("duration_minutes", 60), "面试时长（分钟）", MIN_DURATION, MAX_DURATION
        ),
        panel_size=number(data.get("panel_size", 1), "面试官人数", 1, MAX_PANEL),
        location=text(data.get("location"), "面试地点", MAX_PLACE),
        meeting_link=link,
    )


def deadline_days(value: Any) -> int:
    return number(value, "作答期限（邀请后天数）", MIN_DEADLINE_DAYS, MAX_DEADLINE_DAYS)


def question_draft(data: Mapping[str, Any], known: Mapping[str, str], where: str) -> QuestionDraft:
    """One question (of a round or of the bank); ``known`` maps library codes to names."""
    codes = competency_codes(data.get("competencies"), known, where)
    if not codes:
        raise InvalidInput(f"{where}：请至少选择一项考察的能力")
    answer_limit = f"{where}的作答时间（秒）"
    return QuestionDraft(
        text=text(data.get("text"), f"{where}的题目", MAX_QUESTION_TEXT, required=True),
        competencies=codes,
        prep_seconds=number(
            data.get("prep_seconds", 30), f"{where}的准备时间（秒）", 0, MAX_PREP_SECONDS
        ),
        answer_seconds=number(
            data.get("answer_seconds", 180), answer_limit, MIN_ANSWER_SECONDS, MAX_ANSWER_SECONDS
        ),
        retakes=number(data.get("retakes", 1), f"{where}的可重录次数", 0, MAX_RETAKES),
    )


def competency_codes(value: Any, known: Mapping[str, str], where: str) -> tuple[str, ...]:
    """Library codes (or names), unique, known, at most a handful."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = [v for v in re.split(r"[,，、\s]+", value) if v]
    if not isinstance(value, Sequence) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(f"{where}：考察能力须为能力列表")
    by_name = {name: code for code, name in known.items()}
    codes: list[str] = []
    for raw in value:
        code = raw.strip() if raw.strip() in known else by_name.get(raw.strip(), "")
        if not code:
            raise InvalidInput(f"{where}：能力库中没有“{shorten(raw, max_chars=20, inline=True)}”")
        if code not in codes:
            codes.append(code)
    if len(codes) > MAX_QUESTION_COMPETENCIES:
        raise InvalidInput(f"{where}：一道题最多考察 {MAX_QUESTION_COMPETENCIES} 项能力")
    return tuple(codes)


def tags(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        value = [v for v in re.split(r"[,，、\s]+", value) if v]
    if not isinstance(value, Sequence) or not all(isinstance(v, str) for v in value):
        raise InvalidInput("标签须为文字列表")
    cleaned = list(dict.fromkeys(text(v, "标签", MAX_TAG) for v in value if v.strip()))
    if len(cleaned) > MAX_TAGS:
        raise InvalidInput(f"最多 {MAX_TAGS} 个标签")
    return tuple(cleaned)


def competency_model(
    entries: Sequence[Mapping[str, Any]], known: Mapping[str, str]
) -> list[dict[str, str]]:
    """The stored model from (code, weight) pairs: codes from the library, weights positive
    decimals of at most 4 places adding up to exactly 1."""
    if not isinstance(entries, Sequence) or not entries:
        raise InvalidInput("能力模型至少要有一项能力")
    if len(entries) > MAX_MODEL_SIZE:
        raise InvalidInput(f"能力模型最多 {MAX_MODEL_SIZE} 项能力")
    items: list[dict[str, str]] = []
    for entry in entries:
        if not isinstance(entry, Mapping):
            raise InvalidInput("能力模型的每一项须包含能力和权重")
        code = _library_code(entry, known)
        if code not in known:
            raise InvalidInput(f"能力库中没有“{shorten(code, max_chars=20, inline=True)}”")
        if any(i["code"] == code for i in items):
            raise InvalidInput(f"“{known[code]}”重复出现，请合并为一项")
        weight = _weight(entry.get("weight"), known[code])
        items.append({"code": code, "name": known[code], "weight": str(weight)})
    total = sum((Decimal(i["weight"]) for i in items), Decimal(0))
    if total != 1:
        raise InvalidInput(f"各项能力的权重合计须为 1（即 100%），现为 {total.normalize():f}")
    return CompetencyModel.from_json(list(items)).to_json()


def _library_code(entry: Mapping[str, Any], known: Mapping[str, str]) -> str:
    """The library code of a model entry: its code, else its name (models imported from an
    EHR or seeded by hand may carry their own codes for library competencies)."""
    code = str(entry.get("code") or "").strip()
    if code in known:
        return code
    by_name = {name: c for c, name in known.items()}
    for key in (code, str(entry.get("name") or "").strip()):
        if key in by_name:
            return by_name[key]
    return code


def _weight(value: Any, name: str) -> Decimal:
    try:
        weight = Decimal(str(value).strip().rstrip("%"))
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"“{name}”的权重须为数字，如 0.25 或 25%") from None
    if isinstance(value, str) and value.strip().endswith("%"):
        weight = weight / 100
    if not weight.is_finite() or not 0 < weight <= 1:
        raise InvalidInput(f"“{name}”的权重须大于 0 且不超过 1（即 100%）")
    if weight != weight.quantize(WEIGHT_STEP):
        raise InvalidInput(f"“{name}”的权重最多精确到 0.0001（即 0.01%）")
    return weight.quantize(WEIGHT_STEP).normalize()
