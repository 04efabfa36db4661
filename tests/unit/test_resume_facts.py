"""Dates, phones, e-mails, months of experience and protected attributes in résumé text."""

from __future__ import annotations

import pytest

from recruiting.domain.resume_facts import (
    employment_gaps,
    find_date_range,
    find_email,
    find_phone,
    is_protected,
    months_of_experience,
    parse_month,
    scrub_protected_text,
)


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("2019.07", "2019-07"), ("2019.7", "2019-07"), ("2019年7月", "2019-07"),
        ("2019年07月", "2019-07"), ("2019/7", "2019-07"), ("2019-07", "2019-07"),
        ("201907", "2019-07"), ("２０１９．０７", "2019-07"), ("2019.12", "2019-12"),
        ("2019", None), ("2019.13", None), ("七月", None), ("", None), ("1899.01", None),
    ],
)  # fmt: skip
def test_months_in_every_usual_spelling_and_none_when_not_a_month(
    text: str, month: str | None
) -> None:
    assert parse_month(text) == month


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019.07 - 2021.03 字节跳动", ("2019-07", "2021-03", False)),
        ("2019年7月～至今", ("2019-07", None, True)),
        ("2019/7--2021/6：某公司", ("2019-07", "2021-06", False)),
        ("2022年5月 — Present：中国移动", ("2022-05", None, True)),
        ("2006年2月 至 至今：上海", ("2006-02", None, True)),
        ("2018.09 到 2019.01", ("2018-09", "2019-01", False)),
        ("2016-2019", None),  # years only: the months are unknown, not guessed
    ],
)
def test_date_ranges(text: str, expected: tuple[str, str | None, bool] | None) -> None:
    found = find_date_range(text)
    assert (found[:3] if found else None) == expected


@pytest.mark.parametrize(
    "text",
    ["13812345678", "138-1234-5678", "138 1234 5678", "+86 138 1234 5678", "+86-13812345678",
     "(+86) 13812345678", "0086 13812345678", "电话：１３８１２３４５６７８", "手机:138 1234 5678（手机）"],
)  # fmt: skip
def test_phones_normalise_to_eleven_digits(text: str) -> None:
    assert find_phone(text) == "13812345678"


def test_not_phones() -> None:
    assert find_phone("身份证 110101199003071234") is None
    assert find_phone("12812345678") is None
    assert find_phone("订单 2138123456789") is None


def test_email() -> None:
    assert (
        find_email("E-mail：Zhang.Wei_88@Example.com.cn （常用）") == "zhang.wei_88@example.com.cn"
    )
    assert find_email("邮箱：无") is None


def test_months_count_both_ends_and_overlaps_once() -> None:
    # 2019-07..2021-06 = 24 months; 2021-01..2021-12 overlaps 6 of them → 30 in all
    spans = [("2019-07", "2021-06", False), ("2021-01", "2021-12", False)]
    assert months_of_experience(spans, as_of="2025-06") == 30


def test_months_run_to_as_of_for_ongoing_and_skip_gaps() -> None:
    spans = [("2024-01", None, True), ("2020-01", "2020-12", False)]
    assert months_of_experience(spans, as_of="2024-06") == 6 + 12
    assert employment_gaps(spans, as_of="2024-06") == [("2021-01", "2023-12")]


def test_months_unknown_when_nothing_can_be_measured() -> None:
    assert months_of_experience([("2020-01", None, False)], as_of="2024-06") is None
    assert months_of_experience([], as_of="2024-06") is None
    # a start after as_of (a typo or the future) counts nothing
    assert months_of_experience([("2030-01", None, True)], as_of="2024-06") is None


@pytest.mark.parametrize(
    "piece",
    ["性别：男", "男", "女", "年龄：28", "28岁", "出生年月：1990.03", "1990年3月12日出生", "婚姻状况：已婚",
     "已婚已育", "民族：汉族", "汉族", "政治面貌：中共党员", "共青团员", "籍贯：河南周口", "户口：上海",
     "身份证号：110101199003071234", "照片", "生日: 3月12日"],
)  # fmt: skip
def test_protected_pieces(piece: str) -> None:
    assert is_protected(piece)


@pytest.mark.parametrize(
    "piece", ["本科", "北京大学", "手机：13812345678", "Java开发工程师", "5年工作经验", "上海"]
)
def test_not_protected(piece: str) -> None:
    assert not is_protected(piece)


def test_id_numbers_and_ages_are_scrubbed_from_free_text() -> None:
    assert scrub_protected_text("张三 110101199003071234 28岁（1996年）").strip() == "张三"
