"""What a person reads for a refused request: the status of an error and its Chinese text.

Framework-free, so the HTTP answers (``recruiting.web``), the workbench pages and the WeCom
chat replies choose the same words. A use case's message is shown when it is written for
people (Chinese, no English sentence, no internals); else the text of its code, else of its
status. The message itself (a developer's reason) goes to the log, never to a person.
"""

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

_STATUS: list[tuple[type[RecruitingError], int]] = [
    (PayloadTooLarge, 413),
    (RangeNotSatisfiable, 416),
    (InvalidInput, 400),
    (Unauthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (RequestTimeout, 408),
    (TooManyRequests, 429),
    (ExternalServiceError, 503),
]

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
STATUS_TEXT: dict[int, str] = {
    400: "请求内容有误，请检查后重试。",
    401: "请先登录。",
    403: "您没有权限进行此操作。",
    404: "没有找到要访问的内容。",
    405: "不支持这种请求方式。",
    408: "请求超时，请重试。",
    409: "当前状态不允许此操作，请刷新后重试。",
    413: "内容太大，请缩小后重试。",
    416: "请求的范围无效。",
    429: "操作太频繁，请稍后再试。",
    500: "服务出了点问题，请稍后再试。",
    503: "服务暂时不可用，请稍后再试。",
}
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


def status_for(exc: RecruitingError) -> int:
    for kind, status in _STATUS:
        if isinstance(exc, kind):
            return status
    return 500


def written_for_people(message: str) -> bool:
    """Chinese, no English sentence around what a user typed, no internals."""
    chinese = _HAN.search(message) and not _ENGLISH.search(message)
    return bool(chinese) and not _INTERNALS.search(message)


def user_message(code: str, message: str, status: int) -> str:
    """The Chinese text for people: the use case's own when written for them, else the
    text of its code or status."""
    if written_for_people(message):
        return message
    fallback = STATUS_TEXT[500 if status >= 500 else 400]
    return USER_TEXT.get(code) or STATUS_TEXT.get(status) or fallback


def for_people(exc: RecruitingError) -> str:
    """``user_message`` of an error outside HTTP (a chat reply, a card): its status decides
    the fallback as it would over HTTP."""
    return user_message(exc.code, exc.message, status_for(exc))
