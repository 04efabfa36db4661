"""Arrows point inward: the use cases (``recruiting/services``) and the domain import no web
layer, so a use case's result never depends on how a page or a JSON body shows it; and the
web layer's routes (workbench pages, mini-app API) query no model themselves: each asks a use
case, which checks the role first."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from types import ModuleType

from tortoise.models import Model

import miniapp_api
import recruiting

ROOT = Path(recruiting.__file__).parent
WEB = ("recruiting.web", "recruiting.workbench", "sanic", "sanic_ext")
ROUTES = (ROOT / "workbench" / "pages", Path(miniapp_api.__file__).parent)
# what a model class starts a query or a write with (``Model.<name>``)
QUERIES = frozenset({
    "all", "annotate", "bulk_create", "bulk_update", "create", "exclude", "exists",
    "fetch_for_list", "filter", "first", "get", "get_or_create", "get_or_none", "in_bulk",
    "last", "raw", "select_for_update", "update_or_create",
})  # fmt: skip


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


def test_the_domain_imports_no_adapter_nor_use_case() -> None:
    """The rules (``recruiting/domain``) hold no storage, no I/O adapter and no use case:
    an enum a model stores (``ConsentPurpose``, ``InterviewMode``) is the domain's."""
    outer = ("recruiting.models", "recruiting.infra", "recruiting.services", "tortoise")
    offending = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ROOT / "domain").rglob("*.py"))
        for name in _imports(path)
        if any(name == layer or name.startswith(f"{layer}.") for layer in outer)
    }
    assert not offending, sorted(offending)


def _bound(tree: ast.AST) -> dict[str, object]:
    """What each name imported from ``recruiting`` is bound to (classes and modules)."""
    bound: dict[str, object] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if node.module.split(".")[0] != "recruiting":
                continue
            module = importlib.import_module(node.module)
            for alias in node.names:
                found = getattr(module, alias.name, None)
                if found is None:  # a submodule not yet imported
                    found = importlib.import_module(f"{node.module}.{alias.name}")
                bound[alias.asname or alias.name] = found
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "recruiting":
                    module = importlib.import_module(alias.name)
                    top = alias.name.split(".")[0]
                    bound[alias.asname or top] = module if alias.asname else recruiting
    return bound


def _resolved(node: ast.expr, bound: dict[str, object]) -> object:
    """The object a ``name`` or ``name.attr.attr`` expression names, if imported here."""
    if isinstance(node, ast.Name):
        return bound.get(node.id)
    if isinstance(node, ast.Attribute):
        owner = _resolved(node.value, bound)
        return getattr(owner, node.attr, None) if isinstance(owner, ModuleType) else None
    return None


def orm_queries(source: str) -> list[str]:
    """Each ``<Model>.<query>`` in ``source`` on a model class imported from ``recruiting``
    (by name or through its module), as ``line: Model.query``."""
    tree = ast.parse(source)
    bound = _bound(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in QUERIES:
            owner = _resolved(node.value, bound)
            if isinstance(owner, type) and issubclass(owner, Model):
                found.append((node.lineno, f"{owner.__name__}.{node.attr}"))
    return [f"{line}: {what}" for line, what in sorted(found)]


def test_the_query_names_are_the_models_own() -> None:
    assert all(callable(getattr(Model, name, None)) for name in QUERIES)


def test_the_scan_finds_queries_by_name_and_through_the_module() -> None:
    source = """
from recruiting import models
from recruiting.models import JobOpening, JobStatus as Status
import recruiting.models.staff as staff_models

async def f():
    jobs = await JobOpening.all().order_by("-id")
    staff = await models.Staff.filter(active=True)
    first = await staff_models.Staff.get_or_none(id=1)
    query = JobOpening.exclude
    return Status("open"), JobOpening.__name__, jobs, staff, first, query
"""
    assert orm_queries(source) == [
        "7: JobOpening.all",
        "8: Staff.filter",
        "9: Staff.get_or_none",
        "10: JobOpening.exclude",
    ]


def test_routes_query_no_model_themselves() -> None:
    """Workbench pages and mini-app routes authenticate, read the request, call a use case
    and render: a query of their own would skip the use case's role check."""
    offending = [
        f"{path.relative_to(folder.parent)}:{where}"
        for folder in ROUTES
        for path in sorted(folder.rglob("*.py"))
        for where in orm_queries(path.read_text(encoding="utf-8"))
    ]
    assert not offending, offending


def test_workbench_pages_import_no_model_module() -> None:
    """The pages' enums come from the domain (``domain.interview_state``,
    ``domain.data_requests``…), their rows from use cases."""
    offending = {
        f"{path.name}: {name}"
        for path in sorted(ROUTES[0].rglob("*.py"))
        for name in _imports(path)
        if name == "recruiting.models" or name.startswith("recruiting.models.")
    }
    assert not offending, sorted(offending)
