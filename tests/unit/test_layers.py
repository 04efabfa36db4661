"""Arrows point inward: the use cases (``recruiting/services``) and the domain import no web
layer, so a use case's result never depends on how a page or a JSON body shows it."""

from __future__ import annotations

import ast
from pathlib import Path

import recruiting

ROOT = Path(recruiting.__file__).parent
WEB = ("recruiting.web", "recruiting.workbench", "sanic", "sanic_ext")


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def test_use_cases_and_the_domain_import_no_web_layer() -> None:
    offending = {
        f"{path.relative_to(ROOT)}: {name}"
        for folder in ("services", "domain")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for name in _imports(path)
        if any(name == web or name.startswith(f"{web}.") for web in WEB)
    }
    assert not offending, sorted(offending)
