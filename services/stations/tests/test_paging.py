"""Paging of the saved stations: limit and cursor, Link rel=next, keyset order under inserts."""

import asyncpg

from shared.testing.paging import assert_bad_paging_refused, assert_refused, read_page, tampered, walk

from .test_saved_stations import save


async def known(stations, user: str, *place_ids: str) -> None:
    """Stations the user has seen in a search (what saving one requires), straight into the table."""
    conn = await asyncpg.connect(stations.settings.database_url)
    try:
        await conn.executemany(
            "INSERT INTO known_stations (user_id, place_id, name, latitude, longitude) VALUES ($1, $2, $3, 51.5, -0.12)",
            [(user, place_id, f"Station {place_id}") for place_id in place_ids])
    finally:
        await conn.close()


async def test_saved_stations_walked_two_at_a_time_are_the_whole_list(stations, identity):
    alice = identity("paging-alice")
    places = [f"pg-{letter}" for letter in "abcde"]
    await known(stations, "paging-alice", *places, "pg-late")
    for place_id in places:
        assert (await save(stations, alice, placeId=place_id, isFavorite=place_id in ("pg-b", "pg-d"))).status == 201
    whole = await stations.get("/api/stations/saved", headers=alice)
    assert "Link" not in whole.headers
    whole = await whole.json()
    assert [s["placeId"] for s in whole][:2] == ["pg-d", "pg-b"]  # favourites first, latest change first

    async def save_one(page: int) -> None:
        # Not a favourite and the latest change: it sorts right after the favourites, before the
        # position reached on page 2 (pg-c), so it is not shown and shifts nothing (an offset
        # would repeat pg-c).
        if page == 2:
            assert (await save(stations, alice, placeId="pg-late")).status == 201

    pages = await walk(stations, "/api/stations/saved?limit=2", alice, between=save_one)
    assert [len(page) for page in pages] == [2, 2, 1]
    assert [s["placeId"] for page in pages for s in page] == [s["placeId"] for s in whole]


async def test_bad_limits_and_cursors_are_400s_naming_the_parameter(stations, identity):
    alice = identity("paging-bad")
    await known(stations, "paging-bad", "pg-1", "pg-2")
    for place_id in ("pg-1", "pg-2"):
        await save(stations, alice, placeId=place_id)
    _, following = await read_page(stations, "/api/stations/saved?limit=1", alice)
    await assert_refused(stations, tampered(following), alice, "cursor")
    await assert_bad_paging_refused(stations, "/api/stations/saved", alice)
