"""``python -m payroll_bridge``: the offer report, JSON, the city list, errors."""

import json

import pytest

from payroll_bridge.cli import main

OFFER = [
    "offer", "--city", "shanghai", "--base", "20000", "--bonus-months", "2",
    "--performance-pct", "10", "--allowance", "1000", "--probation-months", "3",
    "--probation-pct", "80", "--deductions", "2000", "--housing-fund-rate", "0.07",
    "--year", "2025",
]  # fmt: skip


def test_offer_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(OFFER) == 0
    out = capsys.readouterr().out
    assert "total  302,800.00  23,436.00  15,624.00" in out
    assert "taxed separately (全年一次性奖金单独计税): 3,790.00" in out
    assert "chosen: taxed separately, saving 3,784.00" in out
    assert "36,000.01 – 38,566.67" in out
    assert "Cost to company: 375,697.12" in out
    assert "effective 2024-07-01 .. 2025-06-30" in out
    assert "effective 2025-07-01 .. 2026-06-30" in out  # the year crosses July
    assert "forvismazars.com" in out
    assert out.startswith("WARNING: 上海's figures for 2025-07..2025-12 are not verified")


def test_offer_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*OFFER, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["months"]) == 12
    assert data["months"][0]["tax"] == "202.35"
    assert data["months"][0]["housing_fund"] == "1302.00"
    assert data["year_end_bonus"]["chosen"] == "separate"
    assert data["year_end_bonus"]["dead_zones_near"][0]["last"] == "38566.67"
    assert data["totals"]["cost_to_company"] == "375697.12"
    assert data["city"]["periods"][0]["effective_from"] == "2024-07-01"
    assert data["city"]["periods"][0]["unverified_parts"] == ["work_injury"]
    assert data["city"]["periods"][0]["rounding"]["housing_fund"] == "yuan half_up"
    periods = data["contribution_periods"]
    assert [(p["months"], p["status"]) for p in periods] == [
        ([1, 6], "verified"),
        ([7, 12], "unverified"),
    ]
    assert data["data_status"] == "unverified"
    assert "not verified" in data["data_warning"]


def test_stale_data_is_flagged_in_the_json(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["offer", "--city", "广州", "--base", "15000", "--year", "2026", "--json"]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["data_status"] == "stale"
    assert data["contribution_periods"][0]["status"] == "stale"
    assert "does not cover 2026-01..2026-12" in data["data_warning"]
    assert data["offer"]["city"] == "guangzhou"


def test_verified_data_carries_no_warning(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["offer", "--city", "beijing", "--base", "15000", "--year", "2025", "--start-month"]
    assert main([*args, "3", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["data_warning"] != ""  # July is unverified
    assert main(["offer", "--city", "beijing", "--base", "15000", "--year", "2024"]) == 0
    out = capsys.readouterr().out
    assert "WARNING" in out and "2024-01..2024-06" in out  # before the first period
    assert main(["cities", "check", "--date", "2025-03-01"]) == 1  # others are not verified


def test_a_bonus_in_a_dead_zone_is_pointed_out(capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "offer",
        "--city",
        "beijing",
        "--base",
        "30000",
        "--bonus-months",
        "1.25",
        "--year",
        "2025",
    ]
    assert main(args) == 0
    assert "in a dead zone: 36,000.00 would net at least as much" in capsys.readouterr().out


def test_unverified_city_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["offer", "--city", "hangzhou", "--base", "15000", "--year", "2025"]) == 0
    out = capsys.readouterr().out
    assert "NOT VERIFIED" in out
    assert (
        "杭州's data does not cover 2025-01..2025-12: those months use the figures of "
        "2024-01-01 .. 2024-12-31, which may have changed" in out
    )


def test_cities(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cities", "--json"]) == 0
    cities = {c["code"]: c for c in json.loads(capsys.readouterr().out)}
    assert {"beijing", "shanghai", "shenzhen", "guangzhou", "hangzhou", "chengdu"} <= set(cities)
    assert cities["chengdu"]["verified"] is False
    assert len(cities["shanghai"]["periods"]) == 2
    assert cities["guangzhou"]["verified_until"] == "2025-06-30"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["offer", "--city", "atlantis", "--base", "1"], "unknown city"),
        (["offer", "--city", "beijing", "--base", "ten"], "--base: not a number"),
        (
            [
                "offer",
                "--city",
                "beijing",
                "--base",
                "9000",
                "--probation-months",
                "2",
                "--probation-pct",
                "70",
            ],
            "80%",
        ),
        (["offer", "--city", "shanghai", "--base", "9000", "--housing-fund-rate", "0.12"], "range"),
        # the review's findings: each is one line and exit code 2, never a traceback
        (["offer", "--city", "beijing", "--base", "1e30"], "at most 1,000,000"),
        (["offer", "--city", "beijing", "--base", "9000", "--allowance", "1e999"], "at most"),
        (["offer", "--city", "beijing", "--base", "9000", "--bonus-months", "1e999"], "0..24"),
        (["offer", "--city", "beijing", "--base", "9000", "--deductions", "1e999"], "0..16,900"),
        (["offer", "--city", "beijing", "--base", "9000", "--deductions", "-1"], "0..16,900"),
        (["offer", "--city", "beijing", "--base", "9000", "--year", "0"], "tax year 0"),
        (["offer", "--city", "beijing", "--base", "9000", "--year", "99999"], "tax year 99999"),
        (["offer", "--city", "beijing", "--base", "nan"], "must be finite"),
        (["offer", "--city", "beijing", "--base=-1e999"], "at most"),
        (["offer", "--city", "beijing", "--base", "9000", "--performance-pct", "1e999"], "1000"),
        (
            ["offer", "--city", "beijing", "--base", "9000", "--housing-fund-rate", "1e9"],
            "fraction",
        ),
        (
            ["offer", "--city", "beijing", "--base", "9000", "--deduction", "housing_rent=1501"],
            "at most 1,500",
        ),
        (
            ["offer", "--city", "beijing", "--base", "9000", "--deduction", "子女教育=0.3"],
            "in halves",
        ),
        (
            [
                "offer",
                "--city",
                "beijing",
                "--base",
                "9000",
                "--deduction",
                "housing_rent=1500",
                "--deduction",
                "housing_loan_interest=1000",
            ],
            "cannot both",
        ),
        (
            ["offer", "--city", "beijing", "--base", "9000", "--deduction", "lottery=1"],
            "unknown deduction",
        ),
        (
            [
                "offer",
                "--city",
                "beijing",
                "--base",
                "9000",
                "--deductions",
                "1",
                "--deduction",
                "housing_rent=1",
            ],
            "not both",
        ),
        (["offer", "--city", "beijing", "--base", "9000", "--year", "x"], "invalid int"),
        (["cities", "check", "--date", "yesterday"], "a date such as"),
    ],
)
def test_errors_are_one_line_and_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        code = main(args)
    except SystemExit as exc:  # argparse's own usage errors, already one line
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_city_names_in_chinese_or_pinyin(capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("上海", "上海市", "Shanghai"):
        assert main(["offer", "--city", name, "--base", "20000", "--year", "2025", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["offer"]["city"] == "shanghai"


def test_named_deductions_add_up(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["offer", "--city", "beijing", "--base", "20000", "--year", "2025", "--json"]
    named = ["--deduction", "children_education=1.5", "--deduction", "赡养老人=3000"]
    assert main([*args, *named]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["special_additional_deductions_monthly"] == "6000.0"  # 2,000 × 1.5 + 3,000


def test_a_closed_pipe_is_no_traceback() -> None:
    """``--json | head -1`` must not print a BrokenPipe traceback."""
    import subprocess
    import sys

    command = (
        f"{sys.executable} -m payroll_bridge offer --city beijing --base 20000 --year 2025 "
        "--json | head -c 10"
    )
    result = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {command}"], capture_output=True, text=True, timeout=60
    )
    assert result.stdout == '{\n  "year"'
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr
