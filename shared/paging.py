"""Keyset paging of list routes: `?limit=N&cursor=…`, a JSON array body, `Link: <…>; rel="next"`.

Every list route answers its whole list when the caller gives no `limit` (what the old app's
clients expect). With `limit` (1 to MAX_LIMIT) it answers at most that many rows and, when more
follow, a cursor for the next page in the Link header (shared/http/paging.py).

Pages are cut by keyset, never by offset: the cursor holds the sort key of the last row given
(e.g. (created_at, id)) and the next page starts strictly after it in the list's order. A row
inserted or deleted while a client pages therefore never makes another row appear twice or be
skipped; the new row shows up only if it sorts after the position reached. Every keyset ends in
a unique column (an id), so the order is total and the position is exact.

The cursor is opaque: URL-safe base64 of the JSON sort key, with an HMAC over it and the list it
belongs to (its binding, the request path; bound by the signature alone, so cursors stay short
and never show the path). A cursor altered by a byte, or taken from another list, is refused
(InvalidInput naming `cursor`, a 400), so a page is always one this service cut.

Pure: no HTTP, no I/O. Repositories push the keyset into SQL (`Keyset.sql`, then `Keyset.trim`);
use cases cut lists computed in memory (`Keyset.slice`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable, Generic, Mapping, Sequence, TypeVar

from .errors import InvalidInput

LIMIT = "limit"
CURSOR = "cursor"
MIN_LIMIT, MAX_LIMIT = 1, 500
# The longest key (a saved station's 512-character place id) fits; a query string stays well
# within the 8 KiB request line servers accept.
MAX_CURSOR_CHARS = 1024
CURSOR_PATTERN = r"^[A-Za-z0-9_-]+$"  # the URL-safe base64 alphabet, unpadded
_CURSOR_CHARS = re.compile(CURSOR_PATTERN)
_LIMIT_DIGITS = re.compile(r"[0-9]{1,4}")
_MAC_BYTES = 16
_KEY_LABEL = b"motovault paging cursor v1"

T = TypeVar("T")


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("not text")
    return value


def _integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("not an integer")
    return value


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("not a boolean")
    return value


# How each kind of sort-key value travels in a cursor: (to JSON, from JSON).
CODECS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "timestamp": (lambda v: v.isoformat(), lambda v: datetime.fromisoformat(_text(v))),
    "date": (lambda v: v.isoformat(), lambda v: date.fromisoformat(_text(v))),
    "uuid": (str, lambda v: uuid.UUID(_text(v))),
    "text": (_text, _text),
    "int": (_integer, _integer),
    "bool": (_boolean, _boolean),
}


@dataclass(frozen=True)
class SortKey:
    """One column of a list's order. `name` is the row's key; `column` the SQL expression
    (defaults to the name; qualify it when the query joins)."""

    name: str
    kind: str
    descending: bool = False
    column: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in CODECS:
            raise ValueError(f"unknown sort key kind {self.kind!r}")

    @property
    def sql(self) -> str:
        return self.column or self.name


@dataclass(frozen=True)
class Page:
    """What the caller asked for: at most `limit` rows, starting after the sort key `after`."""

    limit: int
    after: tuple | None = None


@dataclass(frozen=True)
class PageOf(Generic[T]):
    """The rows of a page, and the sort key of its last row when a next page follows."""

    items: list[T]
    next_after: tuple | None = None


@dataclass(frozen=True)
class KeysetSql:
    """The pieces a repository adds to its query: `where` (" AND (…)" or ""), `limit`
    (" LIMIT $n" or "") and the parameters they number, to pass after the query's own."""

    where: str
    limit: str
    parameters: tuple


@dataclass(frozen=True)
class Keyset:
    """A list's total order, the last key unique: Keyset(SortKey("created_at", "timestamp",
    descending=True), SortKey("id", "uuid", descending=True))."""

    keys: tuple[SortKey, ...]
    key_of: Callable[[Any], tuple] | None = field(default=None, compare=False)

    def __init__(self, *keys: SortKey, key_of: Callable[[Any], tuple] | None = None) -> None:
        if not keys:
            raise ValueError("a keyset needs at least one sort key")
        object.__setattr__(self, "keys", keys)
        object.__setattr__(self, "key_of", key_of)

    def key(self, row: Any) -> tuple:
        """The row's sort key: by `key_of` when given (computed views), else by the key names."""
        if self.key_of is not None:
            return tuple(self.key_of(row))
        return tuple(row[key.name] for key in self.keys)

    def follows(self, key: tuple, after: tuple) -> bool:
        """Whether a row of sort key `key` comes strictly after `after` in this order."""
        for sort_key, value, bound in zip(self.keys, key, after):
            if value == bound:
                continue
            return value < bound if sort_key.descending else value > bound
        return False

    def order_by(self) -> str:
        return ", ".join(f"{key.sql} DESC" if key.descending else key.sql for key in self.keys)

    def sql(self, page: Page | None, first_parameter: int) -> KeysetSql:
        """The keyset condition and LIMIT for `page` (nothing without a page), numbering its
        parameters from $first_parameter. It fetches one row more than the page, which tells
        `trim` whether a next page follows."""
        if page is None:
            return KeysetSql("", "", ())
        where, parameters, number = "", (), first_parameter
        if page.after is not None:
            where = f" AND ({self._after_condition(number)})"
            parameters = tuple(page.after)
            number += len(parameters)
        return KeysetSql(where, f" LIMIT ${number}", (*parameters, page.limit + 1))

    def _after_condition(self, first: int) -> str:
        placeholders = [f"${first + i}" for i in range(len(self.keys))]
        if len({key.descending for key in self.keys}) == 1:
            # One direction: a row comparison, which an index on the same columns serves.
            operator = "<" if self.keys[0].descending else ">"
            columns = ", ".join(key.sql for key in self.keys)
            return f"({columns}) {operator} ({', '.join(placeholders)})"
        # Mixed directions: (a after) OR (a equal AND b after) OR ...
        terms = []
        for i, key in enumerate(self.keys):
            equal = [f"{earlier.sql} = {placeholders[j]}" for j, earlier in enumerate(self.keys[:i])]
            step = f"{key.sql} {'<' if key.descending else '>'} {placeholders[i]}"
            terms.append("(" + " AND ".join([*equal, step]) + ")")
        return " OR ".join(terms)

    def trim(self, rows: Sequence[T], page: Page | None) -> PageOf[T]:
        """Rows fetched with `sql(page, …)` (one more than the page when a next page follows)."""
        if page is None:
            return PageOf(list(rows))
        items = list(rows[: page.limit])
        more = len(rows) > page.limit
        return PageOf(items, self.key(items[-1]) if more and items else None)

    def slice(self, rows: Sequence[T], page: Page | None) -> PageOf[T]:
        """Cut a page out of a whole list already in this order (a list computed in memory)."""
        if page is None:
            return PageOf(list(rows))
        remaining = rows if page.after is None else [row for row in rows if self.follows(self.key(row), page.after)]
        return self.trim(remaining[: page.limit + 1], page)


# --- reading the query, and the cursor ----------------------------------------------------------


def parse_limit(raw: str) -> int:
    """A page size: a plain decimal integer from MIN_LIMIT to MAX_LIMIT ("1.5", "-1", "1e2" are not)."""
    if not _LIMIT_DIGITS.fullmatch(raw) or not MIN_LIMIT <= int(raw) <= MAX_LIMIT:
        raise InvalidInput.field(LIMIT, f"must be an integer from {MIN_LIMIT} to {MAX_LIMIT}", "limit_invalid")
    return int(raw)


def read_page(query: Mapping[str, str], keyset: Keyset, *, binding: str, secret: bytes) -> Page | None:
    """The page a query string asks for; None (the whole list) without `limit`."""
    raw_limit, raw_cursor = query.get(LIMIT), query.get(CURSOR)
    if raw_limit is None:
        if raw_cursor is not None:
            raise InvalidInput.field(LIMIT, "is required with a cursor", "missing")
        return None
    limit = parse_limit(raw_limit)
    after = None if raw_cursor is None else decode_cursor(keyset, raw_cursor, binding=binding, secret=secret)
    return Page(limit, after)


def encode_cursor(keyset: Keyset, key: tuple, *, binding: str, secret: bytes) -> str:
    values = [CODECS[sort_key.kind][0](value) for sort_key, value in zip(keyset.keys, key)]
    payload = json.dumps(values, separators=(",", ":"), ensure_ascii=False).encode()
    token = _mac(secret, binding, payload) + payload
    return base64.urlsafe_b64encode(token).rstrip(b"=").decode()


def decode_cursor(keyset: Keyset, cursor: str, *, binding: str, secret: bytes) -> tuple:
    """The sort key a cursor holds; InvalidInput naming `cursor` when it is not one this list gave."""
    try:
        # The alphabet is checked first: Python's base64 decoder would skip foreign characters.
        if len(cursor) > MAX_CURSOR_CHARS or not _CURSOR_CHARS.fullmatch(cursor):
            raise ValueError("not a cursor's characters")
        token = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        mac, payload = token[:_MAC_BYTES], token[_MAC_BYTES:]
        if not hmac.compare_digest(mac, _mac(secret, binding, payload)):
            raise ValueError("altered, or another list's")
        values = json.loads(payload)
    except (ValueError, binascii.Error):
        raise InvalidInput.field(CURSOR, "is not a cursor of this list (malformed, altered or another list's)",
                                 "cursor_invalid") from None
    try:
        if not isinstance(values, list) or len(values) != len(keyset.keys):
            raise ValueError("wrong length")
        return tuple(CODECS[sort_key.kind][1](value) for sort_key, value in zip(keyset.keys, values))
    except (ValueError, TypeError):
        # Signed by us but no longer of this list's shape (its order changed since).
        raise InvalidInput.field(CURSOR, "is no longer valid for this list", "cursor_invalid") from None


def cursor_key(secret: str) -> bytes:
    """The cursor signing key, derived from a service secret (never the secret itself)."""
    return hmac.new(secret.encode(), _KEY_LABEL, hashlib.sha256).digest()


def _mac(secret: bytes, binding: str, payload: bytes) -> bytes:
    return hmac.new(secret, binding.encode() + b"\0" + payload, hashlib.sha256).digest()[:_MAC_BYTES]
