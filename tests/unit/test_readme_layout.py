"""The README's Layout section is the newcomer's map: it must match the tree.

Every capability folder under ``recruiting/services/`` has a row, every row a folder, and
every module of a folder is named in its row; every top-level package and every folder of
``recruiting/`` is named in the package table."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
LAYOUT = README[README.index("## Layout") : README.index("One name per concept")]
SERVICES = ROOT / "recruiting" / "services"


def _rows(text: str) -> dict[str, str]:
    rows = {}
    for line in text.splitlines():
        found = re.match(r"\| `([\w/]+?)/?` \| (.*) \|$", line)
        if found:
            rows[found[1]] = found[2]
    return rows


def _packages(folder: Path) -> list[Path]:
    """Folders holding Python modules (a folder without ``__init__.py`` counts too)."""
    return sorted(
        p for p in folder.iterdir()
        if p.is_dir() and not p.name.startswith("__") and any(p.glob("*.py"))
    )  # fmt: skip


def test_every_capability_folder_has_a_row_naming_its_modules() -> None:
    rows = _rows(LAYOUT[LAYOUT.index("The use cases in `recruiting/services/`") :])
    folders = {p.name for p in _packages(SERVICES)}
    assert folders == {name for name in rows if not name.endswith(".py")}
    for folder in folders:
        named = set(re.findall(r"`([^`]+)`", rows[folder]))
        modules = {p.stem for p in (SERVICES / folder).glob("*.py") if p.stem != "__init__"}
        assert modules <= named, f"{folder}/: not in the README's Layout: {modules - named}"


def test_every_package_and_recruiting_folder_is_named() -> None:
    packages = _rows(LAYOUT)
    for top in ("recruiting", "wecom_bot", "interview_core", "miniapp_api", "ehr_adapter",
                "payroll_bridge", "scheduler"):  # fmt: skip
        assert top in packages, top
    described = packages["recruiting"]
    for folder in _packages(ROOT / "recruiting"):
        if folder.name in ("services", "workbench"):
            continue  # their own rows
        assert f"`{folder.name}/" in described, f"recruiting/{folder.name}/ not in the Layout"
