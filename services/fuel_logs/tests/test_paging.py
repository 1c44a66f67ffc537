"""Paging of the fill-up lists: limit and cursor, Link rel=next, economy intact across pages."""

from __future__ import annotations

from shared.edge_cache import EDGE_CACHE_HEADER
from shared.testing.paging import assert_bad_paging_refused, assert_refused, cursor_in, read_page, tampered, walk

from .conftest import new_vehicle
from .test_fuel_logs_api import post


async def fill_ups(client, headers, vehicle_id, days) -> None:
    for day, odometer in days:
        response = await post(client, headers, vehicle_id, dateTime=f"2026-05-{day:02d}T08:00:00+00:00",
                              odometerReading=odometer)
        assert response.status == 201, await response.text()


async def test_a_vehicles_fill_ups_walked_two_at_a_time_keep_their_economy(fuel_logs, identity):
    alice = identity("auth0|paging-fuel")
    vehicle_id = await new_vehicle(fuel_logs, "auth0|paging-fuel")
    # Two fills on the same day and time: the id orders them.
    await fill_ups(fuel_logs, alice, vehicle_id, [(1, 1000), (2, 1300), (3, 1600), (3, 1601), (5, 1900)])
    base = f"/api/fuel-logs/vehicle/{vehicle_id}?units=metric"
    whole = await fuel_logs.get(base, headers=alice)
    assert "Link" not in whole.headers and EDGE_CACHE_HEADER in whole.headers
    whole = await whole.json()
    assert sum(1 for log in whole if log["efficiency"] is not None) >= 3
    pages = await walk(fuel_logs, f"{base}&limit=2", alice)
    assert [len(page) for page in pages] == [2, 2, 1]
    # Every page's figures are those of the whole list, in kilometres (units kept in the Link).
    assert [log for page in pages for log in page] == whole

    user_pages = await walk(fuel_logs, "/api/fuel-logs?limit=2", alice)
    assert [log for page in user_pages for log in page] == await (await fuel_logs.get(
        "/api/fuel-logs", headers=alice)).json()
    assert EDGE_CACHE_HEADER not in (await fuel_logs.get("/api/fuel-logs?limit=2", headers=alice)).headers


async def test_fill_ups_recorded_while_paging_repeat_and_skip_nothing(fuel_logs, identity):
    alice = identity("auth0|paging-fuel-insert")
    vehicle_id = await new_vehicle(fuel_logs, "auth0|paging-fuel-insert")
    await fill_ups(fuel_logs, alice, vehicle_id, [(10, 1000), (11, 1100), (12, 1200), (13, 1300), (14, 1400)])
    before = [log["id"] for log in await (await fuel_logs.get("/api/fuel-logs", headers=alice)).json()]
    added = []

    async def record_two(page: int) -> None:
        # One newer than every page each time (an offset would repeat a row), and after the first
        # page one older than any (it comes at the end, once). The user list is cached: each
        # write invalidates it.
        for day, odometer in ((20 + page, 2000 + page), *(((1, 500),) if page == 1 else ())):
            response = await post(fuel_logs, alice, vehicle_id, dateTime=f"2026-05-{day:02d}T08:00:00+00:00",
                                  odometerReading=odometer)
            added.append((day, (await response.json())["id"]))

    pages = await walk(fuel_logs, "/api/fuel-logs?limit=2", alice, between=record_two)
    seen = [log["id"] for page in pages for log in page]
    assert len(seen) == len(set(seen))
    older = [fill_id for day, fill_id in added if day < 10]
    assert seen == before + older


async def test_bad_limits_and_cursors_are_400s_naming_the_parameter(fuel_logs, identity):
    alice = identity("auth0|paging-fuel-bad")
    vehicle_id = await new_vehicle(fuel_logs, "auth0|paging-fuel-bad")
    await fill_ups(fuel_logs, alice, vehicle_id, [(1, 1000), (2, 1100)])
    _, following = await read_page(fuel_logs, "/api/fuel-logs?limit=1", alice)
    await assert_refused(fuel_logs, tampered(following), alice, "cursor")
    await assert_bad_paging_refused(fuel_logs, "/api/fuel-logs", alice)
    await assert_bad_paging_refused(fuel_logs, f"/api/fuel-logs/vehicle/{vehicle_id}", alice,
                                    cursor_of_another_list=cursor_in(following))
