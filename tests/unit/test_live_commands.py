"""Reading chat texts as live-interview commands: tolerant of phrasing, never of notes."""

from __future__ import annotations

import pytest

from recruiting.domain.live_commands import LiveCommand, Parsed, fold, parse

C = LiveCommand


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("开始面试", C.START), ("开始面试吧", C.START), ("好的，开始面试！", C.START),
        ("我们开始吧", C.START), ("Start the interview", C.START), ("let's start", C.START),
        ("结束面试", C.FINISH), ("面试结束了", C.FINISH), ("面试完了。", C.FINISH),
        ("End interview", C.FINISH), ("finish", C.FINISH),
        ("今天的面试", C.TODAY), ("今天有什么面试？", C.TODAY), ("今日面试安排", C.TODAY),
        ("today", C.TODAY), ("Today's interviews", C.TODAY),
    ],
)  # fmt: skip
def test_commands_in_natural_phrasing(text: str, command: LiveCommand) -> None:
    assert parse(text) == Parsed(command)


@pytest.mark.parametrize(
    "text",
    [
        "我开始面试前做了很多准备", "面试开始时有点紧张", "面试", "今天天气不错",
        "他说结束之后复盘了一次", "started a new shop", "我的面试",
    ],
)  # fmt: skip
def test_notes_that_mention_command_words_are_not_commands(text: str) -> None:
    assert parse(text) is None


def test_candidate_lookups_say_whether_the_name_was_set_apart() -> None:
    assert parse("候选人 张三") == Parsed(C.CANDIDATE, "张三", explicit=True)
    assert parse("候选人：李四") == Parsed(C.CANDIDATE, "李四", explicit=True)
    assert parse("candidate Zhang San") == Parsed(C.CANDIDATE, "Zhang San", explicit=True)
    # Without a separator it may be a note (候选人表现不错): the use case decides by the name.
    assert parse("候选人张三") == Parsed(C.CANDIDATE, "张三", explicit=False)
    long_note = "候选人" + "讲得很具体" * 5
    assert parse(long_note) is None  # too long to be a name: a note


def test_fold() -> None:
    assert fold(" 好的，开始面试吧！ ") == "开始面试"
    assert fold("Let's START the interview, please") == "starttheinterview"
