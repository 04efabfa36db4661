"""Mapping files: how our records become an EHR's JSON (or a file's columns), and back.

A mapping is YAML with four sections. Outgoing ones (``archive``, ``employee``) name the
EHR's field on the left and ours on the right; incoming ones (``job_opening``,
``performance``) name ours on the left and the EHR's on the right. Paths are dotted. A
field is either a path, ``{value: constant}``, or ``{from: path, each: {...}}`` for a list;
``enums`` translate values per field and must be complete (an unmapped value is refused
rather than sent as is). ``endpoints`` give method and path per operation, for REST.
See ``ehr_adapter/data/generic.yaml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from recruiting.errors import ConfigError, InvalidInput

OPERATIONS = ("archive", "employee", "job_openings", "performance")
SECTIONS = ("archive", "employee", "job_opening", "performance")


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    items: str = ""  # where the list is in a GET answer ("" = the answer itself)
    since_param: str = ""


@dataclass(frozen=True)
class Section:
    fields: dict[str, Any]
    enums: dict[str, dict[str, str]] = field(default_factory=dict)

    def render(self, source: Mapping[str, Any]) -> dict[str, Any]:
        """Outgoing: build the EHR's nested object from our flat-or-nested ``source``."""
        return _render(self.fields, self.enums, source)

    def parse(self, item: Mapping[str, Any]) -> dict[str, Any]:
        """Incoming: our field → value, read from the EHR's ``item``."""
        out: dict[str, Any] = {}
        for ours, spec in self.fields.items():
            out[ours] = _value(spec, item, self.enums.get(ours), ours, incoming=True)
        return out

    def columns(self) -> list[str]:
        """Targets that are single values (list fields do not fit a spreadsheet cell)."""
        return [k for k, v in self.fields.items() if not (isinstance(v, dict) and "each" in v)]


@dataclass(frozen=True)
class EhrMapping:
    path: Path
    endpoints: dict[str, Endpoint]
    sections: dict[str, Section]
    response_id: str = "id"

    def section(self, name: str) -> Section:
        if name not in self.sections:
            raise InvalidInput(f"mapping {self.path.name} has no {name!r} section")
        return self.sections[name]

    def endpoint(self, operation: str) -> Endpoint:
        if operation not in self.endpoints:
            raise InvalidInput(f"mapping {self.path.name} has no endpoint for {operation!r}")
        return self.endpoints[operation]


def load_mapping(path: Path) -> EhrMapping:
    """Read and check a mapping file; ConfigError names the file and the bad key."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"mapping {path}: cannot be read: {exc}") from exc
    where = f"mapping {path}"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: must be a mapping at the top")
    unknown = set(raw) - {*SECTIONS, "endpoints", "response"}
    if unknown:
        raise ConfigError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
    endpoints = {
        name: _endpoint(spec, f"{where}: endpoints.{name}")
        for name, spec in _dict(raw.get("endpoints") or {}, f"{where}: endpoints").items()
    }
    bad = set(endpoints) - set(OPERATIONS)
    if bad:
        raise ConfigError(f"{where}: endpoints: unknown operations {', '.join(sorted(bad))}")
    sections = {name: _section(raw[name], f"{where}: {name}") for name in SECTIONS if name in raw}
    response = _dict(raw.get("response") or {}, f"{where}: response")
    return EhrMapping(path, endpoints, sections, str(response.get("id", "id")))


def _endpoint(spec: Any, where: str) -> Endpoint:
    spec = _dict(spec, where)
    method = str(spec.get("method", "POST")).upper()
    path = str(spec.get("path", ""))
    if method not in ("GET", "POST", "PUT") or not path.startswith("/"):
        raise ConfigError(f"{where}: needs method GET/POST/PUT and a path starting with /")
    return Endpoint(method, path, str(spec.get("items", "")), str(spec.get("since_param", "")))


def _section(spec: Any, where: str) -> Section:
    spec = _dict(spec, where)
    fields = _dict(spec.get("fields"), f"{where}.fields")
    for name, value in fields.items():
        _check_field(value, f"{where}.fields.{name}")
    enums = _enums(spec.get("enums") or {}, f"{where}.enums")
    return Section(fields, enums)


def _check_field(value: Any, where: str) -> None:
    if isinstance(value, str) and value:
        return
    if isinstance(value, dict) and set(value) == {"value"}:
        return
    if isinstance(value, dict) and isinstance(value.get("from"), str) and "each" in value:
        for name, inner in _dict(value["each"], f"{where}.each").items():
            _check_field(inner, f"{where}.each.{name}")
        _enums(value.get("enums") or {}, f"{where}.enums")
        return
    raise ConfigError(f"{where}: must be a path, {{value: …}} or {{from: path, each: {{…}}}}")


def _enums(spec: Any, where: str) -> dict[str, dict[str, str]]:
    result: dict[str, dict[str, str]] = {}
    for name, table in _dict(spec, where).items():
        table = _dict(table, f"{where}.{name}")
        result[str(name)] = {str(k): str(v) for k, v in table.items()}
    return result


def _dict(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: must be a mapping")
    return value


def _render(
    fields: Mapping[str, Any], enums: Mapping[str, Mapping[str, str]], source: Mapping[str, Any]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for target, spec in fields.items():
        put(out, target, _value(spec, source, enums.get(target), target, incoming=False))
    return out


def _value(
    spec: Any,
    source: Mapping[str, Any],
    enum: Mapping[str, str] | None,
    name: str,
    *,
    incoming: bool,
) -> Any:
    if isinstance(spec, str):
        value = get(source, spec)
    elif "value" in spec:
        return spec["value"]
    else:
        items = get(source, spec["from"])
        if items is None:
            return []
        if not isinstance(items, list | tuple):
            raise InvalidInput(f"{name}: expected a list at {spec['from']!r}")
        inner_enums = spec.get("enums") or {}
        if incoming:
            return [Section(spec["each"], inner_enums).parse(i) for i in items]
        return [_render(spec["each"], inner_enums, i) for i in items]
    if enum is None or value is None or value == "":
        return value
    if str(value) not in enum:
        raise InvalidInput(f"{name}: {value!r} has no entry in the mapping's enums")
    return enum[str(value)]


def get(source: Mapping[str, Any], path: str) -> Any:
    """``a.b.c`` in nested mappings; a flat key containing dots is found first."""
    if path in source:
        return source[path]
    node: Any = source
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def put(target: dict[str, Any], path: str, value: Any) -> None:
    node = target
    *parents, leaf = path.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = value
