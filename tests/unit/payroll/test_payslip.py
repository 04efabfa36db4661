"""The payslip CLI: wages that change during the year, hand-checked month by month."""

import json
from decimal import Decimal as D

import pytest

from payroll_bridge.cli import main


def slips(capsys: pytest.CaptureFixture[str], *args: str) -> dict:  # type: ignore[type-arg]
    assert main([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_fixed_special_deductions_and_named_items(capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "payslip", "--year", "2025", "--wage", "1-3=16000", "--wage", "4-12=20000",
        "--wage", "8=15000", "--special", "2000",  # a later --wage overrides: unpaid leave
        "--deduction", "children_education=1", "--deduction", "住房租金=1500",
    ]  # fmt: skip
    data = slips(capsys, *args)
    months = {m["month"]: m for m in data["months"]}
    assert data["special_additional_deductions"] == {
        "children_education": "2000",
        "housing_rent": "1500",
    }
    # month 1: 16,000 − 5,000 − 2,000 − 3,500 = 5,500 × 3% = 165
    assert (months[1]["cumulative_taxable"], months[1]["tax"]) == ("5500.00", "165.00")
    assert months[1]["net"] == "13835.00"  # 16,000 − 2,000 − 165
    # month 4: 3 × 5,500 + 9,500 = 26,000 → 780 cumulative, 495 withheld before: 285
    assert (months[4]["cumulative_taxable"], months[4]["tax"]) == ("26000.00", "285.00")
    # month 6: 45,000 → 45,000 × 10% − 2,520 = 1,980; 1,065 withheld before: 915
    assert (months[6]["cumulative_taxable"], months[6]["tax"]) == ("45000.00", "915.00")
    # month 8 (unpaid leave, 15,000): 54,500 + 4,500 = 59,000 → 3,380; 2,930 before: 450
    assert (months[8]["cumulative_taxable"], months[8]["tax"]) == ("59000.00", "450.00")
    assert data["totals"]["wage"] == "223000.00"  # 3 × 16,000 + 8 × 20,000 + 15,000
    assert data["totals"]["social_insurance"] == "24000.00"  # 12 × 2,000 (fixed)
    total_tax = sum(D(m["tax"]) for m in data["months"])
    assert data["totals"]["tax"] == str(total_tax)
    assert D(data["totals"]["net"]) == D("223000") - D("24000") - total_tax
    assert data["data_warning"] == ""


def test_city_periods_give_each_months_contributions(capsys: pytest.CaptureFixture[str]) -> None:
    data = slips(capsys, "payslip", "--year", "2025", "--city", "北京", "--wage", "1-8=40000",
                 "--wage", "9=10000", "--wage", "10-12=40000")  # fmt: skip
    months = {m["month"]: m for m in data["months"]}
    assert data["contribution_wage"] == "40000"  # the first month's, kept through leave
    assert months[6]["social_insurance"] == "3707.72"  # 2024-07 cap 35,283
    assert months[7]["social_insurance"] == "3763.16"  # 2025-07 cap 35,811
    assert months[9]["social_insurance"] == "3763.16"  # unpaid leave does not lower the base
    assert (months[6]["data_status"], months[7]["data_status"]) == ("verified", "unverified")
    assert "2025-07..2025-12 are not verified" in data["data_warning"]
    assert main(["payslip", "--year", "2025", "--city", "beijing", "--wage", "1-12=40000"]) == 0
    out = capsys.readouterr().out
    assert "Payslips in 北京 (beijing), tax year 2025" in out
    assert "WARNING: 北京's figures for 2025-07..2025-12 are not verified" in out


def test_a_separately_taxed_bonus(capsys: pytest.CaptureFixture[str]) -> None:
    data = slips(capsys, "payslip", "--year", "2025", "--special", "0", "--wage", "1-12=5000",
                 "--bonus", "12=36000")  # fmt: skip
    december = data["months"][-1]
    assert (december["bonus"], december["bonus_tax"]) == ("36000.00", "1080.00")  # 3%
    assert december["tax"] == "1080.00"  # wages alone are under the basic deduction


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--wage", "1-3=16000", "--wage", "5-12=20000", "--special", "0"], "consecutive"),
        (["--wage", "13=1000", "--special", "0"], "months are 1..12"),
        (["--wage", "jan=1000", "--special", "0"], "MONTHS=AMOUNT"),
        (["--wage", "1-12=1e30", "--special", "0"], "0..1,000,000"),
        (["--wage", "1-12=-5", "--special", "0"], "0..1,000,000"),
        (["--wage", "1-12=9000"], "give a city or the fixed special deductions"),
        (["--wage", "1-12=9000", "--special", "1e999"], "special deductions must be"),
        (["--wage", "1-6=9000", "--special", "0", "--bonus", "9=1000"], "needs a wage"),
        (["--wage", "1-12=9000", "--special", "0", "--year", "2031"], "tax year 2031"),
        (["--wage", "1-12=9000", "--special", "0", "--deduction", "赡养老人=3001"], "at most"),
        (["--wage", "1-12=9000", "--city", "火星"], "unknown city"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    full = ["payslip", *args] if "--year" in args else ["payslip", "--year", "2025", *args]
    assert main(full) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
