"""Request and response shapes of the mini-app API, for its OpenAPI document (sanic-ext
turns these dataclasses into component schemas) and for parsing request bodies."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from recruiting import validation
from recruiting.errors import InvalidInput


@dataclass
class Error:
    error: str
    message: str


@dataclass
class LoginBody:
    code: str


@dataclass
class Session:
    token: str
    expires_at: str
    kind: str
    candidate_id: int | None = None


@dataclass
class RedeemBody:
    invitation: str


@dataclass
class Redeemed:
    interview_id: int
    candidate_id: int


@dataclass
class ConsentTextOut:
    purpose: str
    version: str
    required: bool
    title: str
    text: str


@dataclass
class ConsentDecisionIn:
    purpose: str
    version: str
    granted: bool


@dataclass
class ConsentBody:
    decisions: list[ConsentDecisionIn]


@dataclass
class ConsentStateOut:
    granted: list[str]
    missing_required: list[str]


@dataclass
class DeviceCheckOut:
    ready: bool
    audible: bool
    face_visible: bool | None
    lighting_ok: bool | None
    duration: float
    advice: list[str]


@dataclass
class Question:
    index: int
    total: int
    text: str
    prep_seconds: int
    answer_seconds: int
    retakes_left: int
    revealed_at: str
    upload_by: str


@dataclass
class NextQuestion:
    done: bool
    question: Question | None = None


@dataclass
class EventBody:
    kind: str
    question_index: int | None = None
    client_at: str | None = None
    detail: str = ""


@dataclass
class UploadStartBody:
    interview_id: int
    question_index: int
    size: int
    sha256: str
    media_type: str


@dataclass
class UploadStateOut:
    upload_id: str
    size: int
    received: int
    status: str
    error: str = ""
    answer_id: int | None = None
    analysis: str | None = None


@dataclass
class InvitationBody:
    application_id: int
    round_id: int
    deadline: str


@dataclass
class InvitationOut:
    interview_id: int
    token: str
    expires_at: str
    path: str


@dataclass
class WindowIn:
    start: str
    end: str


@dataclass
class ProposalsBody:
    round_id: int
    windows: list[WindowIn]
    interviewers: list[int] | None = None


@dataclass
class ProposalOut:
    start: str
    end: str
    interviewers: list[int]


@dataclass
class BookBody:
    application_id: int
    round_id: int
    start: str
    interviewers: list[int]
    mode: str = "onsite"
    location: str = ""


@dataclass
class RescheduleBody:
    start: str
    interviewers: list[int]


@dataclass
class CancelBody:
    reason: str = ""


@dataclass
class Booked:
    interview_id: int
    status: str
    start: str
    end: str


@dataclass
class SummaryBody:
    strengths: str
    next_step: str
    improvements: str = ""


@dataclass
class SurveyOption:
    key: str
    label: str


@dataclass
class SurveyQuestion:
    key: str
    title: str
    options: list[SurveyOption]


@dataclass
class SurveyForm:
    """The candidate's survey: questions, answers so far, whether it may still be changed."""

    interview_id: int
    open: bool
    questions: list[SurveyQuestion]
    comment_limit: int
    answers: dict[str, str]
    comment: str
    answered_at: str | None = None
    editable_until: str | None = None


@dataclass
class SurveyBody:
    """``answers``: satisfaction 1–5, relevance 1–5, difficulty easy/right/hard."""

    answers: dict[str, Any]
    comment: str = ""


@dataclass
class Ok:
    ok: bool = True
    detail: dict[str, Any] = field(default_factory=dict)


def parse(cls: type[Any], data: Any) -> Any:
    """Build ``cls`` from a JSON body, refusing missing fields and wrong types clearly.

    Every value passes the shared edge checks (``recruiting.validation``): ``*_id`` fields
    and interviewer lists are database ids, ``*_index`` fields small ordinals, strings
    valid Unicode of bounded length."""
    if not isinstance(data, dict):
        raise InvalidInput("请求内容必须是 JSON 对象。")
    hints = cls.__annotations__
    values: dict[str, Any] = {}
    for name, hint in hints.items():
        if name not in data:
            if name in getattr(cls, "__dataclass_fields__", {}) and _has_default(cls, name):
                continue
            raise InvalidInput(f"缺少字段 {name}。")
        values[name] = _check(name, str(hint), data[name])
    return cls(**values)


MAX_ITEMS = 100  # entries in a list field

_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "bool": (bool,),
    "float": (int, float),
}
# what a field should be, said for the person reading the error (not a Python type name)
_KIND_NAMES = {"str": "文字", "int": "整数", "float": "数字", "bool": "是或否（true/false）"}


def _check(name: str, hint: str, value: Any) -> Any:
    optional = hint.endswith("| None")
    base = hint.removesuffix(" | None")
    if value is None:
        if optional:
            return None
        raise InvalidInput(f"{name} 不能为空。")
    if base.startswith("list["):
        if not isinstance(value, list):
            raise InvalidInput(f"{name} 必须是列表。")
        if len(value) > MAX_ITEMS:
            raise InvalidInput(f"{name} 最多 {MAX_ITEMS} 项。")
        if base == "list[int]":
            return [validation.record_id(name, v) for v in value]
        return value
    if base.startswith("dict["):
        return _mapping(name, value)
    types = _TYPES.get(base)
    bad_bool = isinstance(value, bool) and base in ("int", "float")
    if types is not None and (not isinstance(value, types) or bad_bool):
        kind = _KIND_NAMES.get(base, "正确的格式")
        raise InvalidInput(f"字段 {name} 的格式不对，应为{kind}。")
    if base == "str":
        return validation.text(name, value)
    if base == "int":
        if name.endswith("_id"):
            return validation.record_id(name, value)
        if name.endswith("_index"):
            return validation.ordinal(name, value)
        if not -(2**53) < value < 2**53:
            raise InvalidInput(f"{name} 超出了允许的范围。")
    if base == "float" and not abs(value) < float("inf"):  # NaN and infinities
        raise InvalidInput(f"{name} 超出了允许的范围。")
    return value


def _mapping(name: str, value: Any) -> dict[str, Any]:
    """A small JSON object whose keys and string values are valid, bounded text."""
    if not isinstance(value, dict):
        raise InvalidInput(f"{name} 必须是 JSON 对象。")
    if len(value) > MAX_ITEMS:
        raise InvalidInput(f"{name} 最多 {MAX_ITEMS} 项。")
    for key, item in value.items():
        validation.text(name, key, 64)
        if isinstance(item, str):
            validation.text(name, item)
    return value


def _has_default(cls: type[Any], name: str) -> bool:
    from dataclasses import MISSING

    f = cls.__dataclass_fields__[name]
    return f.default is not MISSING or f.default_factory is not MISSING
