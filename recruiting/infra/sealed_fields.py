"""ORM fields that keep personal data in the database only as ciphertext.

Every write goes through ``to_db_value`` (save, create, bulk, ``update()``, filters), so no
code path can store these fields in the clear; loads decrypt in ``to_python_value``. The
cipher is the process's one ``FieldCipher`` (``install_cipher`` at start, before the
migrations, which seal rows written before these fields existed). The context bound to each
value is ``<table>.<column>``: a token copied into another column does not decrypt.

- ``SealedTextField``: free text (notes, comments, names), random nonce per write.
- ``SealedJSONField``: a JSON document (payloads, analysis with transcripts) sealed whole and
  stored as a JSON string, so the column keeps its JSON type.
- ``SealedDecimalField``: an amount (an offer's pay) sealed as its exact decimal text and
  read back as a ``Decimal``; the database cannot compare or sum it.
- ``SearchableField``: identifiers looked up by value (openids, external_userids), sealed
  deterministically so equality filters and unique keys keep working.

Empty strings and None are stored as they are: they hold nothing, and code tests for them.
"""

from __future__ import annotations

import contextlib
import json
import logging
from decimal import Decimal
from typing import Any

from tortoise.fields import Field, JSONField

from recruiting.errors import ConfigError
from recruiting.infra.pii import FieldCipher, UndecryptableData
from recruiting.settings import Settings

log = logging.getLogger(__name__)

_installed: list[FieldCipher] = []


def install_cipher(cipher: FieldCipher) -> None:
    """Make ``cipher`` the one the sealed fields of this process use."""
    _installed[:] = [cipher]


def install_cipher_for(settings: Settings) -> FieldCipher:
    """Install the cipher made from the configured ``PII_KEYS`` (what every entry point
    that opens the database does first); returns it."""
    cipher = FieldCipher(settings.pii_keys, settings.active_pii_key_id)
    install_cipher(cipher)
    return cipher


def installed_cipher() -> FieldCipher:
    if not _installed:
        raise ConfigError("personal data cannot be stored: no field cipher (security.pii_keys)")
    return _installed[0]


def _context(field: Field[Any]) -> str:
    return f"{field.model._meta.db_table}.{field.model_field_name}"


def _open(field: Field[Any], value: str) -> str:
    """Decrypt a token; a value that is no token is legacy plaintext (or a new value being
    assigned) and is returned as it is, to be sealed on the next write."""
    if not _installed or not _installed[0].is_token(value):
        return value
    try:
        return _installed[0].decrypt(value, _context(field))
    except UndecryptableData:
        log.warning("a sealed value of %s does not decrypt; shown as stored", _context(field))
        return value


class SealedTextField(Field[str], str):  # type: ignore[misc]
    """Free text sealed with a fresh nonce per write (not searchable)."""

    SQL_TYPE = "TEXT"
    indexable = False

    def to_db_value(self, value: Any, instance: Any) -> str | None:
        if value is None or value == "":
            return value  # type: ignore[no-any-return]
        text = str(value)
        return installed_cipher().encrypt(text, _context(self))

    def to_python_value(self, value: Any) -> str | None:
        if value is None:
            return None
        return _open(self, str(value))


class SearchableField(Field[str], str):  # type: ignore[misc]
    """An identifier sealed deterministically: ``filter(field=value)`` finds it."""

    SQL_TYPE = "TEXT"

    def to_db_value(self, value: Any, instance: Any) -> str | None:
        if value is None or value == "":
            return value  # type: ignore[no-any-return]
        return installed_cipher().encrypt_searchable(str(value), _context(self))

    def to_python_value(self, value: Any) -> str | None:
        if value is None:
            return None
        return _open(self, str(value))


class SealedJSONField(JSONField[Any]):
    """A JSON document sealed whole; the column holds the token as a JSON string."""

    def to_db_value(self, value: Any, instance: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, (str, bytes)):  # already JSON text (Tortoise accepts that too)
            value = json.loads(value)
        plain = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return json.dumps(installed_cipher().encrypt(plain, _context(self)))

    def to_python_value(self, value: Any) -> Any:
        if isinstance(value, bytes):
            value = value.decode("utf-8")
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        if isinstance(value, str) and _installed and _installed[0].is_token(value):
            opened = _open(self, value)
            return value if opened is value else json.loads(opened)
        return value


class SealedDecimalField(Field[Decimal], Decimal):  # type: ignore[misc]
    """An amount sealed with a fresh nonce per write, as its text with ``decimal_places``
    (what a ``DecimalField`` would hold); read back as a quantized ``Decimal``."""

    SQL_TYPE = "TEXT"
    indexable = False

    def __init__(self, max_digits: int, decimal_places: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_digits = max_digits
        self.decimal_places = decimal_places
        self.quant = Decimal(1).scaleb(-decimal_places)

    def to_db_value(self, value: Any, instance: Any) -> str | None:
        if value is None:
            return None
        amount = self._amount(value)
        # the check NUMERIC(max_digits, decimal_places) made before the column was sealed
        if not amount.is_finite() or len(amount.as_tuple().digits) > self.max_digits:
            raise ValueError(f"{_context(self)}: {self.max_digits} digits at most")
        return installed_cipher().encrypt(str(amount), _context(self))

    def to_python_value(self, value: Any) -> Decimal | None:
        if value is None:
            return None
        if not isinstance(value, (str, bytes)):
            return self._amount(value)
        text = _open(self, value.decode("utf-8") if isinstance(value, bytes) else value)
        return self._amount(text)

    def _amount(self, value: Any) -> Decimal:
        # floats by their shortest text, as 1.1 and not 1.100000000000000088…
        exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        return exact.quantize(self.quant)


# --- sealing rows written before a column was sealed (used by data migrations) -----------

TEXT, SEARCHABLE, JSON = "text", "searchable", "json"


async def seal_plaintext_rows(
    client: Any, columns: list[tuple[str, str, str]], *, batch: int = 500
) -> int:
    """Seal every value of ``columns`` ((table, column, kind)) that is still plaintext;
    sealed values are left alone, so running it again changes nothing. Returns the count.
    Rows are read ``batch`` at a time in id order, so a large table is never held whole in
    memory (the migration runs at start, in the service's own process)."""
    postgres = client.capabilities.dialect == "postgres"
    mark = ("$1", "$2") if postgres else ("?", "?")
    sealed = 0
    for table, column, kind in columns:
        cast = "::text" if postgres and kind == JSON else ""
        after: Any = None
        while True:
            since = "" if after is None else f' AND "id" > {mark[0]}'
            rows = await client.execute_query_dict(
                f'SELECT "id", "{column}"{cast} AS v FROM "{table}" '  # noqa: S608 - identifiers from the migration
                f'WHERE "{column}" IS NOT NULL{since} ORDER BY "id" LIMIT {int(batch)}',
                [] if after is None else [after],
            )
            for row in rows:
                value = _sealed_value(str(row["v"]), f"{table}.{column}", kind)
                if value is not None:
                    await client.execute_query_dict(
                        f'UPDATE "{table}" SET "{column}" = {mark[0]} WHERE "id" = {mark[1]}',  # noqa: S608
                        [value, row["id"]],
                    )
                    sealed += 1
            if len(rows) < batch:
                break
            after = rows[-1]["id"]
    return sealed


def _sealed_value(stored: str, context: str, kind: str) -> str | None:
    """The value to store instead of ``stored``, or None when nothing is to change."""
    if stored == "":
        return None
    if kind == JSON:
        document = json.loads(stored)
        if isinstance(document, str) and _looks_sealed(document):
            return None
        plain = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
        return json.dumps(installed_cipher().encrypt(plain, context))
    if _looks_sealed(stored):
        return None
    if kind == SEARCHABLE:
        return installed_cipher().encrypt_searchable(stored, context)
    return installed_cipher().encrypt(stored, context)


def _looks_sealed(value: str) -> bool:
    if _installed:
        return _installed[0].is_token(value)
    parts = value.split(".", 2)  # no cipher: judge by shape (and fail on the first plaintext)
    return len(parts) == 3 and parts[0] in ("v1", "s1")
