"""Paging of GET /api/auth/tokens: limit and cursor, Link rel=next, keyset order under inserts."""

from __future__ import annotations

from shared.testing.paging import assert_bad_paging_refused, assert_refused, read_page, tampered, walk

from .test_access_tokens import create


async def test_tokens_walked_two_at_a_time_while_more_are_made(pat_edge, login):
    client, _ = await pat_edge(rate_limit_login="1000/minute", rate_limit_default="1000/minute")
    for i in range(5):
        await create(client, login(), name=f"script {i}")
    whole = await client.get("/api/auth/tokens", headers=login())
    assert "Link" not in whole.headers
    whole = await whole.json()

    async def make_one(page: int) -> None:
        # Newest first: a token made while paging sorts before the position reached (an offset
        # would repeat a row on every later page).
        await create(client, login(), name=f"late {page}")

    pages = await walk(client, "/api/auth/tokens?limit=2", login(), between=make_one)
    assert [len(page) for page in pages] == [2, 2, 1]
    assert [t["id"] for page in pages for t in page] == [t["id"] for t in whole]


async def test_bad_limits_and_cursors_are_400s_naming_the_parameter(pat_edge, login):
    client, _ = await pat_edge(rate_limit_login="1000/minute", rate_limit_default="1000/minute")
    for i in range(2):
        await create(client, login(), name=f"bad {i}")
    _, following = await read_page(client, "/api/auth/tokens?limit=1", login())
    await assert_refused(client, tampered(following), login(), "cursor")
    await assert_bad_paging_refused(client, "/api/auth/tokens", login())


