"""Which text a person reads for an error (``recruiting.web.user_message``, and
``domain.error_text.for_people`` for use cases that report per item): the use case's own
when it is written for people, never a developer's sentence or internals."""

from __future__ import annotations

import pytest

from recruiting.domain.byte_range import RangeNotSatisfiable
from recruiting.domain.error_text import USER_TEXT, for_people, written_for_people
from recruiting.domain.roles import ROLE_NAMES, Role
from recruiting.errors import (
    AccessDenied,
    ConfigError,
    Conflict,
    ExternalServiceError,
    Forbidden,
    InvalidInput,
    InvalidTransition,
    NotFound,
    PayloadTooLarge,
    RecruitingError,
    RequestTimeout,
    RetryLater,
    TooManyRequests,
    Unauthenticated,
    Untrusted,
)
from recruiting.web import STATUS_TEXT, status_for, user_message
from tests.people_text import problems


def test_chinese_messages_for_people_are_kept() -> None:
    text = "「销售」对应多个岗位：销售代表（sales）、销售经理（sales-m），请写完整名称或编号。"
    assert user_message("invalid_input", text, 400) == text


def test_developer_sentences_and_internals_become_the_codes_text() -> None:
    assert (
        user_message("session_expired", "the session has expired", 401)
        == USER_TEXT["session_expired"]
    )
    leaky = "upload-3f2a.media is corrupt or not audio/video ([Errno 1094995529] 数据无效)"
    assert user_message("media_rejected", leaky, 400) == USER_TEXT["media_rejected"]
    # English around what a user typed in Chinese is still a developer's sentence.
    assert (
        user_message("not_found", "job sales has no round '终面'", 404) == "没有找到要访问的内容。"
    )
    assert user_message("never_seen", "boom", 503) == "服务暂时不可用，请稍后再试。"
    assert user_message("never_seen", "boom", 418) == "请求内容有误，请检查后重试。"


def test_a_media_type_or_a_date_is_not_taken_for_a_file_path() -> None:
    """Only a path is internals: a message naming video/mp4 or 2026/05/01 stays as written."""
    for text in ("文件格式与声明的 video/mp4 不一致，请重新录制。", "请在 2026/05/01 前完成。"):
        assert user_message("media_rejected", text, 400) == text
    for leaky in (
        "找不到 /var/lib/recruiting/x",
        "模型不在 var/models/speech 中",
        r"C:\tmp 不可写",
    ):
        assert user_message("media_rejected", leaky, 400) == USER_TEXT["media_rejected"]


def _made(kind: type[RecruitingError], message: str) -> RecruitingError:
    if kind is RangeNotSatisfiable:
        error: RecruitingError = RangeNotSatisfiable(10)
        error.message = message
        return error
    if kind is TooManyRequests:
        return TooManyRequests(message, retry_after=1.0)
    return kind(message)


KINDS = [RecruitingError, ConfigError, NotFound, Conflict, InvalidTransition, InvalidInput,
         PayloadTooLarge, RangeNotSatisfiable, Unauthenticated, TooManyRequests, RequestTimeout,
         Forbidden, AccessDenied, Untrusted, ExternalServiceError, RetryLater]  # fmt: skip


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "message", ["the session has expired", "请选择要保留的记录", "/tmp/x 坏了"]
)
def test_a_use_case_words_an_error_as_the_web_layer_does(
    kind: type[RecruitingError], message: str
) -> None:
    """A bulk action's line reads what the page or the JSON body would say for the error."""
    error = _made(kind, message)
    assert for_people(error) == user_message(error.code, error.message, status_for(error))


def test_chat_replies_choose_the_same_text_as_http_answers() -> None:
    """``for_people`` (a WeCom reply, a card) falls back by the error's status as HTTP does;
    a use case's Chinese is kept, a developer's English never shown."""
    assert for_people(NotFound("round 7 not found")) == "没有找到要访问的内容。"
    assert for_people(Conflict("the interview changed meanwhile")) == STATUS_TEXT[409]
    assert (
        for_people(InvalidTransition("cannot finish an interview that is invited"))
        == (USER_TEXT["invalid_transition"])
    )
    said = "这一轮需要 2 位面试官，可安排的面试官只有 1 位；请先给更多员工分配面试官角色，或减少这一轮的面试官人数。"
    assert for_people(InvalidInput(said)) == said
    assert written_for_people(said) and not written_for_people("upload-3f.media 无法解码")


def test_every_role_has_a_chinese_name() -> None:
    """The workbench shows a person's roles: never the English key of one."""
    assert set(ROLE_NAMES) == set(Role)
    for name in ROLE_NAMES.values():
        assert problems(name) == [] and (name == "HR" or not name.isascii()), name
