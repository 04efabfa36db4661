"""What a person reads for a refusal: the use case's own message when it is written for
people (Chinese, no developer's sentence around it, no internals), else the text of its
code, else of its kind. One rule for every place a refusal is shown: the web layer's pages
and JSON bodies (``recruiting.web``) and the lines of a bulk action's result, which a use
case writes without knowing about HTTP."""

from __future__ import annotations

import re

from recruiting.domain.byte_range import RangeNotSatisfiable
from recruiting.errors import (
    Conflict,
    ExternalServiceError,
    Forbidden,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    RecruitingError,
    RequestTimeout,
    TooManyRequests,
    Unauthenticated,
)

# What a person reads when the use case's own message is a developer's reason.
USER_TEXT: dict[str, str] = {
    "missing_token": "请先登录。",
    "invalid_session": "登录已失效，请重新登录。",
    "session_expired": "登录已过期，请重新登录。",
    "invalid_login_code": "登录码无效或已使用，请重新进入小程序。",
    "unknown_member": "您还不是本服务登记的员工，请联系 HR。",
    "access_denied": "您没有权限进行此操作。",
    "not_your_interview": "您无权查看这场面试。",
    "consent_required": "需要您先同意相关授权。",
    "invitation_invalid": "邀请无效或已过期，请联系 HR 重新发送。",
    "interview_closed": "这场面试已经结束。",
    "deadline_passed": "已超过截止时间。",
    "answer_window_closed": "这道题的作答时间已过。",
    "retake_limit": "这道题已没有重录机会。",
    "question_out_of_order": "请按顺序作答当前题目。",
    "stale_consent_version": "授权内容已更新，请重新阅读后确认。",
    "checksum_mismatch": "文件校验失败，请重新上传。",
    "offset_mismatch": "上传进度不一致，请从服务器记录的位置继续上传。",
    "chunk_out_of_range": "上传的分片超出了文件大小。",
    "upload_closed": "这次上传已经结束，请重新开始上传。",
    "upload_busy": "上传正在处理中，请稍后再试。",
    "upload_in_progress": "上传正在进行，请稍后再试。",
    "upload_incomplete": "文件还没有传完，请继续上传。",
    "upload_rejected": "文件无法使用，请确认是完整的录像后重新录制。",
    "answer_too_long": "录像超过了这道题允许的时长，请重新录制。",
    "media_rejected": "文件无法识别为音视频，请重新录制。",
    "media_too_long": "文件太大或太长，请重新录制。",
    "media_missing": "没有找到这段录像。",
    "payload_too_large": "内容太大，请缩小后重试。",
    "survey_not_open": "面试完成后才能填写问卷。",
    "survey_closed": "问卷已过修改期限。",
    "survey_busy": "问卷正在提交，请稍后再试。",
    "slot_taken": "这个时间刚被占用，请选择其他时间。",
    "empty_summary": "请填写总结内容。",
    "invalid_choice": "这个选项已失效，请刷新后重试。",
    "invalid_transition": "当前状态不允许此操作，请刷新后重试。",
    "undecryptable": "数据无法读取，请联系 HR。",
    "retry_later": "服务繁忙，请稍后再试。",
    "invalid_id": "编号无效。",
    "time_out_of_range": "时间超出了允许的范围。",
    "invalid_text": "内容含有无法识别的字符。",
    "too_long": "内容太长了。",
}
# By kind, most specific first; ``recruiting.web`` maps these kinds, in this order, to statuses.
KIND_TEXT: tuple[tuple[type[RecruitingError], str], ...] = (
    (PayloadTooLarge, "内容太大，请缩小后重试。"),
    (RangeNotSatisfiable, "请求的范围无效。"),
    (InvalidInput, "请求内容有误，请检查后重试。"),
    (Unauthenticated, "请先登录。"),
    (Forbidden, "您没有权限进行此操作。"),
    (NotFound, "没有找到要访问的内容。"),
    (Conflict, "当前状态不允许此操作，请刷新后重试。"),
    (RequestTimeout, "请求超时，请重试。"),
    (TooManyRequests, "操作太频繁，请稍后再试。"),
    (ExternalServiceError, "服务暂时不可用，请稍后再试。"),
)
SERVER_TEXT = "服务出了点问题，请稍后再试。"  # a kind of its own: a fault of ours
_HAN = re.compile(r"[\u4e00-\u9fff]")
_ENGLISH = re.compile(r"[A-Za-z]{2,} [A-Za-z]{2,} [A-Za-z]{2,}")  # a developer's sentence
# Signs that a message carries internals (paths, scratch names, error numbers, code).
# A file path is a slash before a name (/tmp/…) or two slashes between names (var/models/…);
# a media type (video/mp4) or a date (2026/05/01) is not.
_INTERNALS = re.compile(
    r"(?<![\w/:])/[A-Za-z_.~-]|[A-Za-z_.-][\w.-]*/[\w.-]+/|\\|\.media\b|errno|Traceback"
    r"|\.py\b|upload-|device-check-",
    re.I,
)


def written_for_people(message: str) -> bool:
    """Chinese, no English sentence around what a user typed, no internals."""
    chinese = _HAN.search(message) and not _ENGLISH.search(message)
    return bool(chinese) and not _INTERNALS.search(message)


def code_text(code: str, message: str) -> str | None:
    """The use case's message when it is written for people, else the text of its code;
    None when there is neither."""
    return message if written_for_people(message) else USER_TEXT.get(code)


def kind_text(kind: type[RecruitingError]) -> str:
    return next((text for k, text in KIND_TEXT if issubclass(kind, k)), SERVER_TEXT)


def for_people(exc: RecruitingError) -> str:
    """What the person reads for ``exc``."""
    return code_text(exc.code, exc.message) or kind_text(type(exc))
