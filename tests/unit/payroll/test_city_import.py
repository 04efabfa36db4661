"""``cities import`` (all or nothing, every error reported) and ``cities check``."""

import json
import shutil
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
import yaml

from payroll_bridge.cities import CITIES_DIR, clear_cache, load_city
from payroll_bridge.cli import main

HEADER = (
    "city,effective_from,effective_to,source,verified,part,label,employer_rate,employee_rate,"
    "floor,cap,employee_fixed,min_rate,max_rate,default_rate,amount,note\n"
)
SOURCE = "广州市人力资源和社会保障局 2025年度社会保险缴费基数通知（test）"


def guangzhou_2025(pension_floor: str = "5500", pension_rate: str = "0.08") -> str:
    rows = [
        f"guangzhou,2025-07-01,2026-06-30,{SOURCE},true,pension,养老保险,0.15,{pension_rate},"
        f"{pension_floor},27000,,,,,,",
        "guangzhou,2025-07-01,,,,medical,医疗保险（含生育）,0.0535,0.02,6100,30500,,,,,,",
        "guangzhou,2025-07-01,,,,unemployment,失业保险,0.008,0.002,2300,39000,,,,,,",
        "guangzhou,2025-07-01,,,,work_injury,工伤保险,0.002,0,2300,,,,,,,lowest class",
        "guangzhou,2025-07-01,,,,housing_fund,住房公积金,,,2300,40000,,0.05,0.12,0.05,,",
        "guangzhou,2025-07-01,,,,minimum_wage,,,,,,,,,,2300,",
    ]
    return HEADER + "\n".join(rows) + "\n"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    target = tmp_path / "cities"
    shutil.copytree(CITIES_DIR, target)
    clear_cache()
    return target


def run(data_dir: Path, *args: str) -> int:
    clear_cache()
    return main(["cities", "--data-dir", str(data_dir), *args])


def test_a_valid_notice_is_appended_and_the_file_keeps_its_comments(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notice = tmp_path / "gz.csv"
    notice.write_text(guangzhou_2025(), encoding="utf-8")
    before = (data_dir / "guangzhou.yaml").read_text(encoding="utf-8")
    assert run(data_dir, "import", str(notice)) == 0
    assert "imported guangzhou from 2025-07-01" in capsys.readouterr().out
    after = (data_dir / "guangzhou.yaml").read_text(encoding="utf-8")
    assert after.startswith(before.rstrip("\n"))  # appended; comments and sources kept
    city = load_city("guangzhou", data_dir)
    new = city.periods[-1]
    assert (new.effective_from.isoformat(), new.verified, new.source) == (
        "2025-07-01",
        True,
        SOURCE,
    )
    pension = new.social_insurance[0]
    assert (pension.floor, pension.cap, pension.employer_rate) == (5500, 27000, D("0.15"))
    assert new.housing_fund.cap == 40000 and new.minimum_wage.amount == 2300
    assert city.period_for(date(2025, 8, 1)).status == "verified"
    # importing the same notice again overlaps: refused, nothing written
    assert run(data_dir, "import", str(notice)) == 2
    assert "overlap" in capsys.readouterr().err
    assert (data_dir / "guangzhou.yaml").read_text(encoding="utf-8") == after


def test_every_error_is_reported_and_nothing_is_applied(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notice = tmp_path / "gz.csv"
    notice.write_text(guangzhou_2025(pension_floor="28000", pension_rate="0.8"), "utf-8")
    before = (data_dir / "guangzhou.yaml").read_text(encoding="utf-8")
    assert run(data_dir, "import", str(notice)) == 2
    err = capsys.readouterr().err
    assert "employee_rate: 0.8 is outside the legal range 0.08-0.08" in err
    assert "cap 27000 is below floor 28000" in err
    assert "nothing imported: 2 error(s)" in err
    assert "Traceback" not in err
    assert (data_dir / "guangzhou.yaml").read_text(encoding="utf-8") == before


def test_overlapping_periods_in_the_notice_are_refused(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notice = tmp_path / "sh.yaml"
    text = (CITIES_DIR / "shanghai.yaml").read_text(encoding="utf-8")
    period = yaml.safe_load(text)["periods"][1]
    period["effective_from"] = date(2026, 1, 1)  # inside 2025-07 .. 2026-06
    period["effective_to"] = date(2026, 12, 31)
    notice.write_text(yaml.safe_dump({"code": "shanghai", **period}, allow_unicode=True), "utf-8")
    assert run(data_dir, "import", str(notice)) == 2
    assert "periods 2025-07-01 .. 2026-06-30 and 2026-01-01 .. 2026-12-31 overlap" in (
        capsys.readouterr().err
    )


def test_a_yaml_period_for_a_new_city_and_a_dry_run(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    period = yaml.safe_load((CITIES_DIR / "beijing.yaml").read_text(encoding="utf-8"))["periods"][0]
    notice = tmp_path / "tj.yaml"
    entry = {"code": "tianjin", "name": "天津", "periods": [period]}
    notice.write_text(yaml.safe_dump(entry, allow_unicode=True), "utf-8")
    assert run(data_dir, "import", str(notice), "--dry-run") == 0
    assert not (data_dir / "tianjin.yaml").exists()
    assert run(data_dir, "import", str(notice)) == 0
    capsys.readouterr()
    assert load_city("天津", data_dir).code == "tianjin"
    nameless = tmp_path / "xa.yaml"
    nameless.write_text(yaml.safe_dump({"code": "xian", **period}), "utf-8")
    assert run(data_dir, "import", str(nameless)) == 2
    assert "a new city needs its Chinese name" in capsys.readouterr().err


def test_unreadable_notices_are_one_line(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, text in (("a.txt", "x"), ("b.yaml", "[: bad"), ("c.csv", "city,part\n")):
        (tmp_path / name).write_text(text, "utf-8")
        assert run(data_dir, "import", str(tmp_path / name)) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err
    assert run(data_dir, "import", str(tmp_path / "missing.csv")) == 2


def test_binary_and_empty_notices_are_one_line(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bin.yaml").write_bytes(b"code: \xa6\xff\x00\x81")
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "blank.yaml").write_bytes(b"\n  \n")
    for name, said in (("bin.yaml", "not UTF-8"), ("empty.csv", "empty"), ("blank.yaml", "empty")):
        assert run(data_dir, "import", str(tmp_path / name)) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and said in err and "Traceback" not in err


def test_a_city_code_cannot_name_a_path_outside_the_data_folder(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    period = yaml.safe_load((CITIES_DIR / "beijing.yaml").read_text(encoding="utf-8"))["periods"][0]
    for code in ("../escaped", "sub/dir", "Tian Jin"):
        notice = tmp_path / "n.yaml"
        entry = {"code": code, "name": "天津", "periods": [period]}
        notice.write_text(yaml.safe_dump(entry, allow_unicode=True), "utf-8")
        assert run(data_dir, "import", str(notice)) == 2
        assert "a city code is lowercase pinyin" in capsys.readouterr().err
    assert not (tmp_path / "escaped.yaml").exists()
    assert sorted(p.name for p in data_dir.iterdir()) == sorted(
        p.name for p in CITIES_DIR.iterdir()
    )


def test_a_write_cut_short_leaves_the_city_file_whole_and_public(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notice = tmp_path / "gz.csv"
    notice.write_text(guangzhou_2025(), encoding="utf-8")
    target = data_dir / "guangzhou.yaml"
    before = target.read_text(encoding="utf-8")

    def crash(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("payroll_bridge.city_import.os.replace", crash)
    with pytest.raises(OSError):
        run(data_dir, "import", str(notice))
    assert target.read_text(encoding="utf-8") == before
    assert sorted(p.name for p in data_dir.iterdir()) == sorted(
        p.name for p in CITIES_DIR.iterdir()
    )
    monkeypatch.undo()
    clear_cache()
    assert run(data_dir, "import", str(notice)) == 0
    assert target.stat().st_mode & 0o777 == 0o644
    assert load_city("guangzhou", data_dir).periods[-1].effective_from == date(2025, 7, 1)


def test_check_lists_stale_and_unverified_cities(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(data_dir, "check", "--date", "2026-12-06") == 1
    out = capsys.readouterr().out
    assert "shanghai   2026-12-06  2025-07-01 .. 2026-06-30  STALE" in out
    assert run(data_dir, "check", "--date", "2025-03-01", "--json") == 1
    report = json.loads(capsys.readouterr().out)
    status = {c["code"]: c["status"] for c in report["cities"]}
    assert status["beijing"] == "verified" and status["chengdu"] == "unverified"
    assert status["hangzhou"] == "stale"
    soon = {c["code"]: c["ends_soon"] for c in report["cities"]}
    assert not soon["beijing"]  # a later period (2025-07) exists
