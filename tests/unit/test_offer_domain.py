"""Offer rules: every WeCom SpStatus from every offer status, and reading 发offer commands."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from recruiting.domain import offer_terms
from recruiting.domain.offer_state import OfferStatus as S
from recruiting.domain.offer_state import SpStatus, describe, on_approval
from recruiting.domain.offer_terms import Figures
from recruiting.errors import InvalidInput

OPEN = (S.SUBMITTING, S.PENDING_APPROVAL)
NOT_SUBMITTED = (S.DRAFT, S.CANCELLED)

# (SpStatus, the offer statuses it moves, where to); every other status ignores it.
MOVES = [
    (1, {S.SUBMITTING}, S.PENDING_APPROVAL),
    (2, set(OPEN), S.APPROVED),
    (10, set(OPEN), S.APPROVED),
    (3, set(OPEN), S.REJECTED),
    (4, set(OPEN), S.WITHDRAWN),
    (6, {*OPEN, S.APPROVED}, S.WITHDRAWN_AFTER_APPROVAL),
    (7, {*OPEN, S.APPROVED, S.REJECTED, S.WITHDRAWN, S.WITHDRAWN_AFTER_APPROVAL}, S.DELETED),
]


@pytest.mark.parametrize(("sp_status", "movers", "target"), MOVES)
def test_every_status_moves_only_forward(sp_status: int, movers: set[S], target: S) -> None:
    for current in S:
        move = on_approval(current, sp_status)
        if current in movers:
            assert move.to is target, (current, sp_status)
        else:
            assert move.to is None and move.why, (current, sp_status)


def test_every_documented_status_is_mapped() -> None:
    assert {m[0] for m in MOVES} == {s.value for s in SpStatus}


def test_duplicates_and_late_deliveries_change_nothing() -> None:
    assert on_approval(S.APPROVED, 2).why == "duplicate"
    assert on_approval(S.WITHDRAWN_AFTER_APPROVAL, 2).to is None  # 2 after 6
    assert on_approval(S.PENDING_APPROVAL, 1).why == "duplicate"  # an intermediate step
    assert on_approval(S.APPROVED, 1).to is None  # 审批中 arriving late
    assert on_approval(S.DELETED, 3).to is None
    assert on_approval(S.DRAFT, 2).to is None  # never submitted: nothing to approve


def test_unknown_status_is_ignored_with_a_reason() -> None:
    move = on_approval(S.PENDING_APPROVAL, 5)
    assert move.to is None and "unknown SpStatus 5" in move.why


def test_describe_names_status_and_event() -> None:
    assert describe(2, 2) == "已通过（同意）"
    assert describe(1, 10) == "审批中（添加备注）"
    assert describe(6, 8) == "通过后撤销（通过后撤销）"
    assert describe(10, 0) == "已支付"
    assert describe(9, 4) == "状态 9（转审）"


TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("text", "name", "hint"),
    [
        ("发offer 张三", "张三", ""),
        ("发 offer：张三", "张三", ""),
        ("offer 张三", "张三", ""),
        ("Offer 张三 销售代表", "张三", "销售代表"),
        ("请发offer给张三", "张三", ""),
        ("给张三发offer", "张三", ""),
        ("send offer to 张三", "张三", ""),
        ("发offer", "", ""),
        ("发offer 张三。", "张三", ""),
    ],
)
def test_command_is_read_tolerantly(text: str, name: str, hint: str) -> None:
    command = offer_terms.parse(text, TODAY)
    assert command is not None
    assert (command.name, command.job_hint) == (name, hint)


@pytest.mark.parametrize(
    "text", ["帮助", "我的面试", "候选人 张三", "offering 张三 很多", "offers"]
)
def test_other_texts_are_not_offer_commands(text: str) -> None:
    assert offer_terms.parse(text, TODAY) is None


def test_figures_anywhere_after_the_name() -> None:
    command = offer_terms.parse(
        "发offer 张三 月薪2.5万 年终2个月 补贴1,500 入职2026-12-15 城市北京", TODAY
    )
    assert command is not None and command.name == "张三" and command.job_hint == ""
    assert command.figures == Figures(
        base=Decimal("25000.00"),
        bonus_months=Decimal(2),
        allowances=Decimal("1500.00"),
        start_date=date(2026, 12, 15),
        city="北京",
    )


def test_figure_spellings() -> None:
    parse = offer_terms.parse
    assert parse("发offer 张三 base 25k", TODAY).figures.base == Decimal("25000.00")  # type: ignore[union-attr]
    assert parse("发offer 张三 14薪", TODAY).figures.bonus_months == Decimal(2)  # type: ignore[union-attr]
    # A day without a year is the next such day.
    assert parse("发offer 张三 入职3月1日", TODAY).figures.start_date == date(2027, 3, 1)  # type: ignore[union-attr]
    assert parse("发offer 张三 入职12月1日", TODAY).figures.start_date == date(2026, 12, 1)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("发offer 张三 入职2026-02-30", "不是有效日期"),
        ("发offer 张三 年终30个月", "超出合理范围"),
        ("发offer 张三 月薪0", "月薪必须大于 0"),
        ("发offer 张三 月薪" + "9" * 40, "超出合理范围"),  # no decimal overflow
        ("发offer 张三 月薪200万", "超出合理范围"),
        ("发offer 张三 补贴1" + "0" * 30, "超出合理范围"),
    ],
)
def test_unreadable_figures_are_refused_clearly(text: str, says: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        offer_terms.parse(text, TODAY)
    assert says in exc.value.message


def test_given_figures_override_the_proposal() -> None:
    proposal = Figures(Decimal(12000), Decimal(2), Decimal(800), city="shanghai")
    typed = Figures(base=Decimal(15000), start_date=date(2027, 1, 4))
    merged = typed.over(proposal)
    assert merged == Figures(Decimal(15000), Decimal(2), Decimal(800), date(2027, 1, 4), "shanghai")
    assert typed.pay_given and not Figures(start_date=date(2027, 1, 4)).pay_given


def test_example_start_is_the_first_of_a_month_at_least_two_weeks_ahead() -> None:
    from datetime import date

    from recruiting.domain.offer_terms import example_start

    assert example_start(date(2026, 12, 6)) == date(2027, 1, 1)  # the old hint said 12-01
    assert example_start(date(2026, 12, 18)) == date(2027, 1, 1)
    assert example_start(date(2026, 12, 19)) == date(2027, 2, 1)
    assert example_start(date(2027, 1, 18)) == date(2027, 2, 1)
    for day in range(1, 29):
        today = date(2027, 2, day)
        assert (example_start(today) - today).days >= 14
