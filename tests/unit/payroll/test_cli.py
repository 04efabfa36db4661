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
    assert "total  302,800.00  28,980.00  19,320.00" in out
    assert "taxed separately (全年一次性奖金单独计税): 3,790.00" in out
    assert "chosen: taxed separately, saving 2,860.00" in out
    assert "36,000.01 – 38,566.67" in out
    assert "Cost to company: 392,941.60" in out
    assert "effective 2024-07-01 .. 2025-06-30" in out
    assert "forvismazars.com" in out


def test_offer_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*OFFER, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["months"]) == 12
    assert data["months"][0]["tax"] == "179.25"
    assert data["year_end_bonus"]["chosen"] == "separate"
    assert data["year_end_bonus"]["dead_zones_near"][0]["last"] == "38566.67"
    assert data["totals"]["cost_to_company"] == "392941.60"
    assert data["city"]["effective_from"] == "2024-07-01"
    assert data["city"]["unverified_parts"] == ["work_injury"]


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
        "these figures cover 2024-01-01 .. 2024-12-31; the estimate applies them to all of 2025"
        in out
    )


def test_cities(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cities", "--json"]) == 0
    cities = {c["code"]: c for c in json.loads(capsys.readouterr().out)}
    assert {"beijing", "shanghai", "shenzhen", "guangzhou", "hangzhou", "chengdu"} <= set(cities)
    assert cities["chengdu"]["verified"] is False


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
    ],
)
def test_errors_are_one_line_and_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
