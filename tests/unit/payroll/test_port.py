"""The new-hire record, and the in-memory and CSV adapters."""

import asyncio
import csv
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from payroll_bridge.adapters.csv_file import CsvPayroll
from payroll_bridge.adapters.memory import InMemoryPayroll
from payroll_bridge.offer import Offer
from payroll_bridge.port import PayrollPort, new_hire
from recruiting.errors import Conflict, ExternalServiceError, InvalidInput

from .hires import hire


def test_record_is_flat_exact_strings_and_keeps_the_name_out_of_repr() -> None:
    h = hire()
    record = h.record()
    assert record["idempotency_key"] == "new-hire-E1001-2025-03-01"
    assert record["base_salary"] == "20000.00"
    assert record["probation_base_salary"] == "16000.00"
    assert record["monthly_gross"] == "23000.00"
    # a new hire's base is the first month's wage: 16,000 probation + 1,000 + 1,600
    assert record["social_insurance_base"] == "18600.00"
    assert record["housing_fund_rate"] == "0.07"
    assert record["housing_fund_base"] == "18600.00"
    assert all(isinstance(v, str) for v in record.values())
    assert "李娜" not in repr(h)


def test_new_hire_checks_the_offer_against_the_city() -> None:
    with pytest.raises(InvalidInput, match="最低工资标准"):
        new_hire("E1", "x", date(2025, 1, 1), Offer(city="beijing", base=D(2000)))
    with pytest.raises(InvalidInput, match="employee id"):
        new_hire(" ", "x", date(2025, 1, 1), Offer(city="beijing", base=D(20000)))


async def test_in_memory_payroll_is_idempotent() -> None:
    payroll: PayrollPort = InMemoryPayroll()
    first = await payroll.hand_off(hire())
    again = await payroll.hand_off(hire())
    assert (first.duplicate, again.duplicate) == (False, True)
    assert first.reference == again.reference
    with pytest.raises(Conflict):
        await payroll.hand_off(hire(base="25000"))


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


async def test_csv_appends_one_row_per_hire(tmp_path: Path) -> None:
    path = tmp_path / "hires.csv"
    payroll: PayrollPort = CsvPayroll(path)
    first = await payroll.hand_off(hire("E1"))
    second = await payroll.hand_off(hire("E2"))
    assert (first.reference, second.reference) == ("hires.csv#1", "hires.csv#2")
    assert [r["employee_id"] for r in rows(path)] == ["E1", "E2"]
    assert rows(path)[0] == hire("E1").record()


async def test_csv_repeat_returns_the_first_receipt(tmp_path: Path) -> None:
    payroll = CsvPayroll(tmp_path / "hires.csv")
    first = await payroll.hand_off(hire())
    again = await payroll.hand_off(hire())
    assert again.duplicate and again.reference == first.reference
    assert len(rows(payroll.path)) == 1
    with pytest.raises(Conflict):
        await payroll.hand_off(hire(base="25000"))


async def test_csv_concurrent_repeats_write_one_row(tmp_path: Path) -> None:
    payroll = CsvPayroll(tmp_path / "hires.csv")
    receipts = await asyncio.gather(*(payroll.hand_off(hire()) for _ in range(8)))
    assert sum(not r.duplicate for r in receipts) == 1
    assert len(rows(payroll.path)) == 1


async def test_csv_neutralises_spreadsheet_formulas(tmp_path: Path) -> None:
    payroll = CsvPayroll(tmp_path / "hires.csv")
    await payroll.hand_off(hire(name='=HYPERLINK("http://x","y")'))
    assert rows(payroll.path)[0]["name"].startswith("'=")


async def test_csv_refuses_a_foreign_file(tmp_path: Path) -> None:
    path = tmp_path / "hires.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ExternalServiceError, match="other columns"):
        await CsvPayroll(path).hand_off(hire())


async def test_csv_io_errors_are_external_service_errors(tmp_path: Path) -> None:
    with pytest.raises(ExternalServiceError, match="cannot write the payroll file"):
        await CsvPayroll(tmp_path / "missing" / "hires.csv").hand_off(hire())
