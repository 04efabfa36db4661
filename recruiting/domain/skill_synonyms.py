"""The synonym table that lets a résumé's words meet a requirement's words.

Shipped as data (``recruiting/data/skill_synonyms.yaml``); a company may add its own file
(setting ``screening.skill_synonyms``), merged entry by entry. A requirement is met by any
alias of its entry and by whatever its ``shown_by`` terms name, followed through their own
entries: 数据分析 is shown by SQL, and SQL by MySQL, so MySQL shows 数据分析 — but not the
reverse, since knowing 数据分析 says nothing about MySQL.

Comparison ignores case, full/half width, spaces and the punctuation people vary
(``-_.·``). A Latin term matches only as a whole word ("R" is not found in "React"); a term
with Chinese characters matches anywhere in the text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from recruiting.errors import ConfigError

SHIPPED = Path(__file__).resolve().parent.parent / "data" / "skill_synonyms.yaml"
SECTIONS = {"skills": "skills", "certificates": "skills", "industries": "industries"}
TERM_CHARS = 50
MAX_ENTRIES = 5000
_DROP = str.maketrans("", "", "-_.·・")
_SPACES = re.compile(r"\s+")
_LATIN = re.compile(r"^[a-z0-9+# ]+$")


def spaced(text: str) -> str:
    """Comparable form that keeps word breaks: NFKC, case-folded, ``-_.·`` dropped."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_DROP)
    return _SPACES.sub(" ", folded).strip()


def compact(text: str) -> str:
    return spaced(text).replace(" ", "")


@dataclass(frozen=True)
class Entry:
    name: str
    aliases: tuple[str, ...] = ()
    shown_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Term:
    """One way of writing something, ready to be searched for."""

    text: str  # spaced form
    pattern: re.Pattern[str] | None  # Latin terms: whole words in the spaced text

    def found_in(self, text: SearchText) -> bool:
        if self.pattern is not None:
            return self.pattern.search(text.spaced) is not None
        return self.text.replace(" ", "") in text.compact


@dataclass(frozen=True)
class SearchText:
    """A sentence prepared once for every term that is looked for in it."""

    original: str
    spaced: str
    compact: str

    @classmethod
    def of(cls, text: str) -> SearchText:
        form = spaced(text)
        return cls(text, form, form.replace(" ", ""))


@cache
def _term(text: str) -> Term:
    form = spaced(text)
    if _LATIN.match(form):
        words = r"\s?".join(re.escape(w) for w in form.split(" "))
        return Term(form, re.compile(rf"(?<![a-z0-9+#]){words}(?![a-z0-9+#])"))
    return Term(form, None)


@dataclass
class Vocabulary:
    """One namespace of entries (skills and certificates share one; industries another)."""

    entries: dict[str, Entry] = field(default_factory=dict)  # compact name → entry
    _owner: dict[str, str] = field(default_factory=dict)  # compact alias or name → name key
    _closure: dict[str, tuple[Term, ...]] = field(default_factory=dict)

    def terms_for(self, wanted: str) -> tuple[Term, ...]:
        """Every term whose presence in a résumé satisfies ``wanted``."""
        key = compact(wanted)
        if key not in self._closure:
            self._closure[key] = self._resolve(wanted)
        return self._closure[key]

    def _resolve(self, wanted: str) -> tuple[Term, ...]:
        texts: dict[str, None] = {spaced(wanted): None}
        pending, seen = [compact(wanted)], set()
        while pending:
            owner = self._owner.get(pending.pop())
            if owner is None or owner in seen:
                continue
            seen.add(owner)
            entry = self.entries[owner]
            for text in (entry.name, *entry.aliases, *entry.shown_by):
                texts.setdefault(spaced(text), None)
            pending.extend(compact(t) for t in entry.shown_by)
        return tuple(_term(t) for t in sorted(texts))

    def add(self, entry: Entry, source: str) -> None:
        key = compact(entry.name)
        known = self.entries.get(key)
        if known is not None:
            entry = Entry(
                known.name,
                _unique((*known.aliases, *entry.aliases)),
                _unique((*known.shown_by, *entry.shown_by)),
            )
        for text in (entry.name, *entry.aliases):
            owner = self._owner.get(compact(text))
            if owner is not None and owner != key:
                raise ConfigError(
                    f"{source}: '{text}' is already a name or alias of "
                    f"'{self.entries[owner].name}'; a way of writing belongs to one entry"
                )
        self.entries[key] = entry
        for text in (entry.name, *entry.aliases):
            self._owner[compact(text)] = key
        self._closure.clear()


@dataclass
class SynonymTable:
    skills: Vocabulary = field(default_factory=Vocabulary)  # skills and certificates
    industries: Vocabulary = field(default_factory=Vocabulary)

    @classmethod
    def load(cls, extra: str | Path | None = None) -> SynonymTable:
        """The shipped table, merged with a company's file when one is given."""
        table = cls()
        table.merge(_read(SHIPPED), str(SHIPPED.name))
        if extra:
            table.merge(_read(Path(extra)), str(extra))
        return table

    def merge(self, document: Any, source: str) -> None:
        """Add a document's entries (validated: a malformed file stops the start)."""
        if not isinstance(document, Mapping):
            raise ConfigError(f"{source}: must hold a mapping with skills/certificates/industries")
        unknown = set(document) - {*SECTIONS, "version"}
        if unknown:
            raise ConfigError(f"{source}: unknown keys {sorted(unknown)}")
        if document.get("version", 1) != 1:
            raise ConfigError(f"{source}: version must be 1")
        count = 0
        for section, space in SECTIONS.items():
            items = document.get(section) or []
            if not isinstance(items, list):
                raise ConfigError(f"{source}: {section} must be a list")
            vocabulary = self.skills if space == "skills" else self.industries
            for n, item in enumerate(items):
                vocabulary.add(_entry(item, f"{source}: {section}[{n}]"), source)
                count += 1
        if count > MAX_ENTRIES:
            raise ConfigError(f"{source}: more than {MAX_ENTRIES} entries")


def _entry(item: Any, where: str) -> Entry:
    if not isinstance(item, Mapping):
        raise ConfigError(f"{where} must be a mapping with name, aliases, shown_by")
    unknown = set(item) - {"name", "aliases", "shown_by"}
    if unknown:
        raise ConfigError(f"{where}: unknown keys {sorted(unknown)}")
    name = _text(item.get("name"), f"{where}.name")
    return Entry(
        name,
        _unique(_texts(item.get("aliases"), f"{where}.aliases")),
        _unique(_texts(item.get("shown_by"), f"{where}.shown_by")),
    )


def _texts(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ConfigError(f"{where} must be a list of texts")
    return [_text(v, f"{where}[{n}]") for n, v in enumerate(value)]


def _text(value: Any, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ConfigError(f"{where} must be a text")
    text = str(value).strip()
    if not compact(text) or len(text) > TERM_CHARS or not text.isprintable():
        raise ConfigError(f"{where} must be 1–{TERM_CHARS} printable characters, got {text!r}")
    return text


def _unique(texts: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for text in texts:
        seen.setdefault(compact(text), text)
    return tuple(seen.values())


def _read(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"synonym file {path} cannot be read: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"synonym file {path} is not valid YAML: {exc}") from exc


def any_found(terms: Sequence[Term], texts: Sequence[SearchText]) -> SearchText | None:
    """The first text (in order) that contains one of ``terms``."""
    for text in texts:
        if any(term.found_in(text) for term in terms):
            return text
    return None
