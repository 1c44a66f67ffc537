"""What every service's paging tests do with a list route: walk it page by page by its Link
headers, and check that bad `limit` and `cursor` values are 400s naming the parameter."""

from __future__ import annotations

import re
from typing import Any, Awaitable, Callable
from urllib.parse import parse_qs, urlsplit

_NEXT = re.compile(r'^<([^>]+)>; rel="next"$')
BAD_LIMITS = ("0", "501", "-1", "abc", "1.5")


def next_page(link: str | None) -> str | None:
    """The relative reference of a Link rel=next header, or None without one."""
    if link is None:
        return None
    found = _NEXT.match(link)
    assert found, f"not a Link rel=next: {link!r}"
    target = found.group(1)
    assert target.startswith("/api/") and not urlsplit(target).netloc, "a relative reference to the same API"
    return target


async def read_page(client, url: str, headers: dict) -> tuple[list[Any], str | None]:
    response = await client.get(url, headers=headers)
    assert response.status == 200, await response.text()
    body = await response.json()
    assert isinstance(body, list)
    return body, next_page(response.headers.get("Link"))


async def walk(client, url: str, headers: dict, *, between: Callable[[int], Awaitable[None]] | None = None,
               max_pages: int = 100) -> list[list[Any]]:
    """Every page from `url` on, following Link; `between(n)` runs after page n is read."""
    pages: list[list[Any]] = []
    while url is not None:
        items, following = await read_page(client, url, headers)
        pages.append(items)
        assert len(pages) <= max_pages, "the pages never end"
        if following is not None:
            query = parse_qs(urlsplit(following).query)
            assert query.get("cursor"), "the next page names a cursor"
            if between is not None:
                await between(len(pages))
        url = following
    return pages


async def assert_refused(client, url: str, headers: dict, parameter: str) -> None:
    response = await client.get(url, headers=headers)
    assert response.status == 400, (url, response.status, await response.text())
    body = await response.json()
    assert body["statusCode"] == 400 and [d["field"] for d in body["details"]] == [parameter], body


async def assert_bad_paging_refused(client, path: str, headers: dict, *, cursor_of_another_list: str | None = None) -> None:
    """Each bad limit is a 400 naming `limit`; a garbled or altered cursor one naming `cursor`."""
    joiner = "&" if "?" in path else "?"
    for limit in BAD_LIMITS:
        await assert_refused(client, f"{path}{joiner}limit={limit}", headers, "limit")
    await assert_refused(client, f"{path}{joiner}limit=2&cursor=not-a-cursor", headers, "cursor")
    await assert_refused(client, f"{path}{joiner}cursor=abc", headers, "limit")
    if cursor_of_another_list is not None:
        await assert_refused(client, f"{path}{joiner}limit=2&cursor={cursor_of_another_list}", headers, "cursor")


def cursor_in(url: str) -> str:
    return parse_qs(urlsplit(url).query)["cursor"][0]


def tampered(url: str) -> str:
    """The next-page URL with one character of its cursor changed."""
    cursor = cursor_in(url)
    middle = len(cursor) // 2
    swapped = "A" if cursor[middle] != "A" else "B"
    return url.replace(cursor, cursor[:middle] + swapped + cursor[middle + 1:])
