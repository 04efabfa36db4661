"""Rules of the candidate's data requests (PIPL Art. 45-47, 50), free of storage.

Contact data a candidate may correct (phone, e-mail) is checked here before anything is
stored; masking decides what a readable summary shows of it (the export has it whole).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from recruiting.domain.intake import normalise_email, normalise_phone
from recruiting.errors import InvalidInput


class DataRequestKind(StrEnum):
    ACCESS = "access"
    CORRECTION = "correction"
    DELETION = "deletion"


class DataRequestStatus(StrEnum):
    RECEIVED = "received"  # waiting for HR or for its due date
    ON_HOLD = "on_hold"  # a deletion a legal hold stops; executed once the hold is lifted
    FINISHING = "finishing"  # erased but the channel, kept until the notice is delivered
    COMPLETED = "completed"
    REFUSED = "refused"  # a correction HR could not confirm (the outcome says why)


CORRECTABLE = ("phone", "email")
FIELD_NAMES = {"phone": "手机号", "email": "电子邮箱"}
KIND_NAMES = {
    DataRequestKind.ACCESS: "查阅、复制个人信息",
    DataRequestKind.CORRECTION: "更正联系方式",
    DataRequestKind.DELETION: "删除个人信息",
}
STATUS_NAMES = {
    DataRequestStatus.RECEIVED: "处理中",
    DataRequestStatus.ON_HOLD: "暂缓删除",
    DataRequestStatus.FINISHING: "已删除，正在发送通知",
    DataRequestStatus.COMPLETED: "已完成",
    DataRequestStatus.REFUSED: "未更正",
}
# How HR may have received a request by other means (``via``) and what to call it.
VIA_NAMES = {
    "miniapp": "小程序",
    "phone": "电话",
    "email": "电子邮件",
    "letter": "书面信函",
    "in_person": "当面",
    "wecom": "企业微信",
}


def contact_value(field: str, value: object) -> str:
    """The corrected value in its stored form, or ``InvalidInput`` saying what is wrong.
    Normalised as intake does (``domain.intake``), so a corrected phone or e-mail is stored,
    hashed and matched exactly like one HR entered."""
    if field not in CORRECTABLE:
        raise InvalidInput("只能更正手机号或电子邮箱。", code="not_correctable")
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"请填写新的{FIELD_NAMES[field]}。", code="invalid_contact")
    if field == "phone":
        phone = normalise_phone(value)
        if phone is None:
            raise InvalidInput(
                "手机号格式不正确，请填写 11 位中国大陆手机号，例如 13812345678。",
                code="invalid_contact",
            )
        return phone
    email = normalise_email(value)
    if email is None:
        raise InvalidInput("电子邮箱格式不正确，例如 name@example.com。", code="invalid_contact")
    return email


def mask(field: str, value: str | None) -> str | None:
    """What a readable page shows of a contact value: enough to recognise it, not to use it."""
    if not value:
        return None
    if field == "phone":
        return f"{value[:3]}****{value[-4:]}" if len(value) >= 8 else "****"
    if field == "email":
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain}" if domain else "***"
    return f"{value[:1]}**"


def due(received: datetime, days: int) -> datetime:
    return received + timedelta(days=days)


def via(value: object) -> str:
    if not isinstance(value, str) or value not in VIA_NAMES:
        names = "、".join(v for k, v in VIA_NAMES.items() if k != "miniapp")
        raise InvalidInput(f"请说明收到申请的方式（{names}）。", code="invalid_via")
    return value
