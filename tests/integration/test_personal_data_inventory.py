"""The inventory cannot drift: every column of every model is classified, the document is
what the code generates, and the retention settings are documented with their reasons."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import yaml
from tortoise import Tortoise

from recruiting.domain.retention import DataClass, RetentionPolicy
from recruiting.services.personal_data import holdings, inventory
from recruiting.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]


def _model_columns() -> dict[str, set[str]]:
    Tortoise.init_models(["recruiting.models"], "recruiting", _init_relations=True)
    return {
        model._meta.db_table: set(model._meta.fields_db_projection.values())
        for model in Tortoise.apps["recruiting"].values()
    }


def test_every_model_column_is_classified() -> None:
    columns = _model_columns()
    unlisted = {
        f"{table}.{column}"
        for table, names in columns.items()
        for column in names
        if column not in inventory.MODELS.get(table, {})
    }
    assert not unlisted, (
        f"classify these in recruiting/services/personal_data/inventory.py: {unlisted}"
    )
    stale = {
        f"{table}.{column}"
        for table, entries in inventory.MODELS.items()
        for column in entries
        if column not in columns.get(table, set())
    }
    assert not stale, f"the inventory lists columns no model has: {stale}"


def test_personal_entries_name_a_known_retention_and_basis() -> None:
    known = {c.value for c in DataClass} | set(inventory.OTHER_RETENTION)
    for table, entries in inventory.MODELS.items():
        for column, entry in entries.items():
            if isinstance(entry, inventory.Personal):
                assert entry.retention in known, (table, column)
                assert entry.basis and entry.purpose and entry.what, (table, column)
    for store in inventory.STORES:
        assert store.retention in known | {"per column"}, store.name
    # every data class of a candidate holds something, or is a store (résumés)
    classes = {e.retention for t in inventory.MODELS.values() for e in t.values()
               if isinstance(e, inventory.Personal)} | {s.retention for s in inventory.STORES}  # fmt: skip
    assert {c.value for c in DataClass} <= classes


def test_every_clear_column_of_a_candidate_says_why_it_is_not_sealed() -> None:
    """Free text about a candidate is sealed; a column left in clear says why (a code, a
    count, a path of ids, a figure without a name)."""
    classes = {c.value for c in DataClass}
    unexplained = [
        f"{table}.{column}"
        for table, entries in inventory.MODELS.items()
        for column, entry in entries.items()
        if isinstance(entry, inventory.Personal)
        and entry.retention in classes
        and not entry.sealed
        and len(entry.unsealed_because) < 20
    ]
    assert unexplained == []
    notes = inventory.MODELS["application"]
    assert (
        isinstance(notes["rejection_note"], inventory.Personal) and notes["rejection_note"].sealed
    )


def test_the_document_is_generated_from_the_code() -> None:
    text = (ROOT / "docs" / "personal-data.md").read_text(encoding="utf-8")
    assert inventory.updated_document(text) == text, (
        "docs/personal-data.md is stale: python -m recruiting inventory --write"
    )
    assert "docs/personal-data.md" in (ROOT / "README.md").read_text(encoding="utf-8")
    for table, entries in inventory.MODELS.items():
        for column, entry in entries.items():
            if isinstance(entry, inventory.Personal):
                assert f"`{table}.{column}`" in text


def test_retention_settings_have_defaults_and_reasons_everywhere() -> None:
    fields = {f.name for f in dataclasses.fields(RetentionPolicy)}
    assert set(inventory.RETENTION_REASONS) == fields
    config = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))["retention"]
    assert set(config) == fields
    defaults = RetentionPolicy()
    assert {k: getattr(defaults, k) for k in fields} == config
    raw = (ROOT / "config.yaml").read_text(encoding="utf-8")
    for key in fields:  # each line says why
        line = next(x for x in raw.splitlines() if x.strip().startswith(f"{key}:"))
        assert "#" in line and len(line.split("#", 1)[1].strip()) > 20, line
    assert load_settings(ROOT / "config.yaml", env={}).retention == defaults
    changed = load_settings(ROOT / "config.yaml",
                            env={"RECRUITING__RETENTION__RECORDINGS_DAYS": "7"})  # fmt: skip
    assert changed.retention.recordings_days == 7


def test_every_table_with_a_candidates_data_says_how_it_leads_to_them() -> None:
    tables = {t for t in inventory.MODELS if holdings.candidate_columns(t)}
    assert tables - set(holdings.LINKS) == set(), "add them to holdings.LINKS"


def _layout_row(folder: str) -> set[str]:
    """The module names README's use-case table gives for ``recruiting/services/<folder>``."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    row = next(x for x in readme.splitlines() if x.startswith(f"| `{folder}/` |"))
    return set(re.findall(r"`([a-z_]+)`", row.split("|")[2]))


def test_personal_data_has_one_home_and_the_readme_names_its_modules() -> None:
    """One concept, one name: every module about a candidate's personal data lives in
    ``services/personal_data/``, and the README's Layout table lists exactly its modules."""
    services = ROOT / "recruiting" / "services"
    strays = [p.relative_to(ROOT).as_posix() for p in services.rglob("personal_data*.py")]
    assert not strays, f"move into recruiting/services/personal_data/: {strays}"
    for folder in ("personal_data", "shared"):
        modules = {p.stem for p in (services / folder).glob("*.py") if p.stem != "__init__"}
        listed = _layout_row(folder)
        assert modules <= listed, (folder, modules - listed)
        assert not (listed - modules - {"PersonalDataService"}), (folder, listed - modules)
