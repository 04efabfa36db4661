"""Edge validation of request input, shared by every HTTP route.

Values are checked where they enter, before any lookup, so that odd input is a clear 400 and
never reaches the database or a library that would fail on it: Unicode digits such as
``²`` or ``٣`` (``str.isdigit`` accepts them), ids beyond PostgreSQL's ``bigint``, times in
year 1 or 9999 (arithmetic on them overflows), lone surrogates (they cannot be encoded to
UTF-8 for the database, a log or an outgoing call) and unbounded strings. Messages are
Chinese: the mini-app shows them to the person using it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from recruiting.errors import InvalidInput, NotFound

MAX_ID = 2**63 - 1  # PostgreSQL bigint; SQLite integers are the same width
MAX_ROW_ID = 2**31 - 1  # the tables a route names rows of use 32-bit keys
MAX_INDEX = 1_000  # question indexes and similar small ordinals
MAX_TEXT = 4_000  # characters in a free-text field unless a route says otherwise
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_AHEAD = timedelta(days=3 * 366)  # nothing is scheduled or due further out
_ASCII_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_KEY = re.compile(r"[A-Za-z0-9_-]+", re.ASCII)


def record_id(name: str, value: object) -> int:
    """A database id: an integer 1..2^63-1 (a string must be ASCII digits only). One above
    the tables' 32-bit keys names nothing: it is not found without asking the database
    (PostgreSQL would refuse to compare it with an ``integer`` column)."""
    number = _integer(name, value)
    if not 1 <= number <= MAX_ID:
        raise InvalidInput(f"{name} 必须是有效的编号。", code="invalid_id")
    if number > MAX_ROW_ID:
        raise NotFound("没有找到要访问的内容。")
    return number


def names_a_row(row_id: int) -> bool:
    """Whether a row of the 32-bit-keyed tables can have ``row_id`` (1..``MAX_ROW_ID``): a
    larger number names nothing, and PostgreSQL would refuse to compare it with the column
    (a 500 instead of "not found"). For ids a use case is handed unchecked."""
    return 0 < row_id <= MAX_ROW_ID


def ordinal(name: str, value: object, limit: int = MAX_INDEX) -> int:
    """A small non-negative number (a question index, an offset bounded by ``limit``)."""
    number = _integer(name, value)
    if not 0 <= number <= limit:
        raise InvalidInput(f"{name} 必须是 0 到 {limit} 之间的整数。")
    return number


def digits(name: str, value: str | None, limit: int = MAX_ID) -> int:
    """A non-negative integer written in ASCII digits (a query argument or header)."""
    if value is None or not is_digits(value):
        raise InvalidInput(f"{name} 必须是非负整数。")
    return ordinal(name, int(value), limit)


def is_digits(value: str, limit: int = 19) -> bool:
    """ASCII digits only, at most ``limit`` of them: what ``str.isdigit`` should have meant."""
    return len(value) <= limit and _ASCII_DIGITS.fullmatch(value) is not None


def key(name: str, value: object, length: int = 32) -> str:
    """An opaque key the service handed out (an upload id): ``[A-Za-z0-9_-]``, at most
    ``length`` long (the column's width; longer would fail inside the ORM)."""
    if not isinstance(value, str) or not _KEY.fullmatch(value) or len(value) > length:
        raise InvalidInput(f"{name} 无效。", code="invalid_id")
    return value


def text(name: str, value: object, limit: int = MAX_TEXT) -> str:
    """A string that is valid Unicode (no lone surrogates, no NUL) and at most ``limit``
    characters."""
    if not isinstance(value, str):
        raise InvalidInput(f"{name} 必须是文字。")
    if len(value) > limit:
        raise InvalidInput(f"{name} 太长了（最多 {limit} 个字）。", code="too_long")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidInput(f"{name} 含有无法识别的字符。", code="invalid_text") from exc
    if "\x00" in value:
        raise InvalidInput(f"{name} 含有无法识别的字符。", code="invalid_text")
    return value


def moment(name: str, value: object, *, now: datetime | None = None) -> datetime:
    """An ISO 8601 time with a zone offset, between 2000 and three years from now."""
    raw = text(name, value, 64)
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise InvalidInput(f"{name} 不是有效的时间（示例：2026-05-01T09:00:00+08:00）。") from exc
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise InvalidInput(f"{name} 需要带时区，例如 +08:00。")
    try:
        in_utc = parsed.astimezone(UTC)
    except OverflowError as exc:
        raise InvalidInput(f"{name} 超出了允许的时间范围。") from exc
    latest = (now or datetime.now(UTC)) + LATEST_AHEAD
    if not EARLIEST <= in_utc <= latest:
        raise InvalidInput(f"{name} 超出了允许的时间范围。", code="time_out_of_range")
    return parsed


def _integer(name: str, value: object) -> int:
    if isinstance(value, bool):
        raise InvalidInput(f"{name} 必须是整数。")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and is_digits(value):
        return int(value)
    raise InvalidInput(f"{name} 必须是整数。")
