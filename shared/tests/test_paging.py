"""Keyset paging (shared/paging.py): limits, cursors, keyset conditions and in-memory slicing."""

from __future__ import annotations

import base64
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest

from shared.errors import InvalidInput
from shared.paging import (
    CODECS, MAX_CURSOR_CHARS, Keyset, Page, PageOf, SortKey, cursor_key, decode_cursor, encode_cursor, parse_limit,
    read_page,
)

pytestmark = pytest.mark.pure

SECRET = cursor_key("s" * 40)
NEWEST_FIRST = Keyset(SortKey("created_at", "timestamp", descending=True), SortKey("id", "uuid", descending=True))
MIXED = Keyset(SortKey("date_time", "timestamp", descending=True), SortKey("id", "uuid"))
START = datetime(2026, 12, 3, 10, 0, 0, 123456, tzinfo=timezone.utc)


def problem_field(exc_info) -> str:
    return exc_info.value.problems[0].field


@pytest.mark.parametrize("raw", ["0", "501", "-1", "abc", "1.5", "", " 5", "1e2", "+5", "10000", "٣"])
def test_a_limit_outside_1_to_500_or_not_a_plain_integer_is_refused_naming_limit(raw):
    with pytest.raises(InvalidInput) as caught:
        parse_limit(raw)
    assert problem_field(caught) == "limit"


@pytest.mark.parametrize("raw, expected", [("1", 1), ("500", 500), ("007", 7)])
def test_limits_within_bounds_are_read(raw, expected):
    assert parse_limit(raw) == expected


def test_no_limit_is_the_whole_list_and_a_cursor_needs_a_limit():
    assert read_page({}, NEWEST_FIRST, binding="/l", secret=SECRET) is None
    assert read_page({"units": "metric"}, NEWEST_FIRST, binding="/l", secret=SECRET) is None
    with pytest.raises(InvalidInput) as caught:
        read_page({"cursor": "abc"}, NEWEST_FIRST, binding="/l", secret=SECRET)
    assert problem_field(caught) == "limit"


def test_a_cursor_round_trips_its_sort_key_exactly():
    key = (START, uuid.uuid4())
    cursor = encode_cursor(NEWEST_FIRST, key, binding="/api/things", secret=SECRET)
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert decode_cursor(NEWEST_FIRST, cursor, binding="/api/things", secret=SECRET) == key
    page = read_page({"limit": "2", "cursor": cursor}, NEWEST_FIRST, binding="/api/things", secret=SECRET)
    assert page == Page(2, key)


@pytest.mark.parametrize("kind, value", [
    ("date", date(2026, 1, 31)), ("text", "ChIJ ü"), ("int", 3), ("bool", True), ("bool", False),
])
def test_every_kind_of_sort_key_round_trips(kind, value):
    keyset = Keyset(SortKey("v", kind), SortKey("id", "uuid"))
    key = (value, uuid.uuid4())
    assert decode_cursor(keyset, encode_cursor(keyset, key, binding="/x", secret=SECRET), binding="/x",
                         secret=SECRET) == key


def test_every_altered_byte_of_a_cursor_is_refused_naming_cursor():
    cursor = encode_cursor(NEWEST_FIRST, (START, uuid.uuid4()), binding="/api/things", secret=SECRET)
    raw = bytearray(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    for position in range(len(raw)):
        altered = bytearray(raw)
        altered[position] ^= 0x01
        token = base64.urlsafe_b64encode(bytes(altered)).rstrip(b"=").decode()
        with pytest.raises(InvalidInput) as caught:
            decode_cursor(NEWEST_FIRST, token, binding="/api/things", secret=SECRET)
        assert problem_field(caught) == "cursor"


@pytest.mark.parametrize("cursor", ["", "abc", "!!!!", "a" * 2000, "eyJiIjoiL3giLCJrIjpbXX0", "é" * 10])
def test_garbage_is_refused_naming_cursor(cursor):
    with pytest.raises(InvalidInput) as caught:
        decode_cursor(NEWEST_FIRST, cursor, binding="/x", secret=SECRET)
    assert problem_field(caught) == "cursor"


def test_a_cursor_of_another_list_or_signed_with_another_key_is_refused():
    cursor = encode_cursor(NEWEST_FIRST, (START, uuid.uuid4()), binding="/api/vehicles/a/documents", secret=SECRET)
    with pytest.raises(InvalidInput, match="Invalid input") as caught:
        decode_cursor(NEWEST_FIRST, cursor, binding="/api/vehicles/b/documents", secret=SECRET)
    assert "another list's" in caught.value.problems[0].message
    with pytest.raises(InvalidInput) as caught:
        decode_cursor(NEWEST_FIRST, cursor, binding="/api/vehicles/a/documents", secret=cursor_key("t" * 40))
    assert problem_field(caught) == "cursor"


def test_a_character_outside_the_alphabet_is_refused_though_base64_would_skip_it():
    cursor = encode_cursor(NEWEST_FIRST, (START, uuid.uuid4()), binding="/x", secret=SECRET)
    for inserted in ("!", "=", ".", "+", "/", " "):
        with pytest.raises(InvalidInput) as caught:
            decode_cursor(NEWEST_FIRST, cursor[:5] + inserted + cursor[5:], binding="/x", secret=SECRET)
        assert problem_field(caught) == "cursor"


def test_the_longest_key_a_list_has_makes_a_cursor_within_the_documented_length():
    keyset = Keyset(SortKey("fav", "bool", descending=True), SortKey("at", "timestamp", descending=True),
                    SortKey("place_id", "text"))
    cursor = encode_cursor(keyset, (True, START, "x" * 512), binding="/api/stations/saved", secret=SECRET)
    assert len(cursor) <= MAX_CURSOR_CHARS


def test_a_signed_cursor_of_another_shape_is_refused():
    cursor = encode_cursor(Keyset(SortKey("n", "int")), (3,), binding="/x", secret=SECRET)
    with pytest.raises(InvalidInput) as caught:
        decode_cursor(NEWEST_FIRST, cursor, binding="/x", secret=SECRET)
    assert problem_field(caught) == "cursor"


def test_codecs_refuse_values_of_the_wrong_type():
    for kind, value in [("int", True), ("int", "3"), ("bool", 1), ("text", 3), ("uuid", "nope"), ("date", 5)]:
        with pytest.raises((ValueError, TypeError)):
            CODECS[kind][1](value)


def rows(count: int) -> list[dict]:
    # Pairs share a timestamp, so the id decides between them.
    made = [{"created_at": START - timedelta(minutes=i // 2), "id": uuid.uuid4()} for i in range(count)]
    return sorted(made, key=lambda r: (r["created_at"], r["id"]), reverse=True)


def walk(keyset: Keyset, whole: list[dict], limit: int) -> list[list[dict]]:
    pages, page = [], Page(limit)
    while True:
        cut = keyset.slice(whole, page)
        pages.append(cut.items)
        if cut.next_after is None:
            return pages
        page = Page(limit, cut.next_after)


def test_slicing_page_by_page_gives_the_whole_list_once_and_the_last_page_has_no_next():
    whole = rows(7)
    pages = walk(NEWEST_FIRST, whole, 2)
    assert [len(p) for p in pages] == [2, 2, 2, 1]
    assert [r for p in pages for r in p] == whole
    assert walk(NEWEST_FIRST, whole, 7) == [whole]
    assert NEWEST_FIRST.slice(whole, None) == PageOf(whole)


def test_an_exact_multiple_ends_without_an_empty_page():
    assert [len(p) for p in walk(NEWEST_FIRST, rows(4), 2)] == [2, 2]


def test_rows_inserted_between_pages_neither_repeat_nor_skip_others():
    whole = rows(6)
    first = NEWEST_FIRST.slice(whole, Page(2))
    newer = {"created_at": START + timedelta(hours=1), "id": uuid.uuid4()}
    older = {"created_at": START - timedelta(hours=1), "id": uuid.uuid4()}
    now = sorted([*whole, newer, older], key=lambda r: (r["created_at"], r["id"]), reverse=True)
    rest = walk_from(NEWEST_FIRST, now, first.next_after, 2)
    assert first.items + [r for r in rest if r is not older] == whole
    assert older in rest and newer not in rest


def walk_from(keyset, whole, after, limit):
    seen, page = [], Page(limit, after)
    while True:
        cut = keyset.slice(whole, page)
        seen += cut.items
        if cut.next_after is None:
            return seen
        page = Page(limit, cut.next_after)


def test_mixed_directions_follow_each_column_its_own_way():
    a, b = uuid.UUID(int=1), uuid.UUID(int=2)
    assert MIXED.follows((START, b), (START, a))
    assert not MIXED.follows((START, a), (START, b))
    assert MIXED.follows((START - timedelta(seconds=1), a), (START, b))
    assert not MIXED.follows((START, a), (START, a))


def test_sql_pieces_number_their_parameters_after_the_query_own():
    assert NEWEST_FIRST.sql(None, 3).where == "" and NEWEST_FIRST.sql(None, 3).parameters == ()
    first = NEWEST_FIRST.sql(Page(5), 3)
    assert (first.where, first.limit, first.parameters) == ("", " LIMIT $3", (6,))
    key = (START, uuid.UUID(int=9))
    after = NEWEST_FIRST.sql(Page(5, key), 2)
    assert after.where == " AND ((created_at, id) < ($2, $3))"
    assert after.limit == " LIMIT $4" and after.parameters == (*key, 6)
    mixed = MIXED.sql(Page(5, key), 2).where
    assert mixed == " AND ((date_time < $2) OR (date_time = $2 AND id > $3))"
    assert NEWEST_FIRST.order_by() == "created_at DESC, id DESC"


def test_trim_keeps_the_page_and_tells_whether_more_follow():
    fetched = rows(3)
    assert NEWEST_FIRST.trim(fetched, Page(2)) == PageOf(fetched[:2], NEWEST_FIRST.key(fetched[1]))
    assert NEWEST_FIRST.trim(fetched[:2], Page(2)) == PageOf(fetched[:2])
    assert NEWEST_FIRST.trim([], Page(2)) == PageOf([])
