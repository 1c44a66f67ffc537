"""Paging of the maintenance lists: records, schedules and the upcoming view, by keyset."""

from datetime import timedelta

from shared.edge_cache import EDGE_CACHE_HEADER
from shared.testing.paging import assert_bad_paging_refused, assert_refused, cursor_in, read_page, tampered, walk

from .test_schedules_api import ALICE, create, oil_record, oil_schedule, today

SUBTYPES = ["Engine Oil", "Air Filter Element", "Cabin Air Filter / Purifier", "Drive Belt", "Coolant"]


async def records(client, identity, car, days_ago) -> list[dict]:
    return [await create(client, "/api/maintenance/records", oil_record(
        car, date=(today() - timedelta(days=days)).isoformat(), odometerReading=40000 - days, subtypes=["Wiper Blade"]),
        identity=identity) for days in days_ago]


async def test_records_walked_two_at_a_time_are_the_whole_list(maintenance, identity, vehicle):
    car = await vehicle(ALICE, odometer=41000)
    alice = identity(ALICE)
    await records(maintenance, identity, car, [30, 20, 20, 10, 40])  # two on one day: created_at, then id
    for base in (f"/api/maintenance/records?vehicleId={car}&units=metric", f"/api/maintenance/records/vehicle/{car}"):
        whole = await maintenance.get(base, headers=alice)
        assert "Link" not in whole.headers and EDGE_CACHE_HEADER in whole.headers
        whole = await whole.json()
        joiner = "&" if "?" in base else "?"
        pages = await walk(maintenance, f"{base}{joiner}limit=2", alice)
        assert [len(page) for page in pages] == [2, 2, 1]
        assert [r for page in pages for r in page] == whole
    assert EDGE_CACHE_HEADER not in (await maintenance.get(f"{base}?limit=2", headers=alice)).headers


async def test_records_added_while_paging_repeat_and_skip_nothing(maintenance, identity, vehicle):
    car = await vehicle(ALICE, odometer=41000)
    alice = identity(ALICE)
    await records(maintenance, identity, car, [10, 11, 12, 13, 14])
    base = f"/api/maintenance/records/vehicle/{car}"
    before = [r["id"] for r in await (await maintenance.get(base, headers=alice)).json()]
    older = []

    async def add(page: int) -> None:
        await records(maintenance, identity, car, [page])  # newest first: before the position reached
        if page == 1:
            older.extend(r["id"] for r in await records(maintenance, identity, car, [100]))  # after every row

    pages = await walk(maintenance, f"{base}?limit=2", alice, between=add)
    assert [r["id"] for page in pages for r in page] == before + older


async def test_schedules_and_the_upcoming_view_walked_page_by_page(maintenance, identity, vehicle):
    car = await vehicle(ALICE, odometer=41000)
    alice = identity(ALICE)
    for i, subtype in enumerate(SUBTYPES[:4]):
        await create(maintenance, "/api/maintenance/schedules", oil_schedule(
            car, subtypes=[subtype], lastServiceDate=(today() - timedelta(days=60 * i)).isoformat()), identity=identity)
    for base in (f"/api/maintenance/schedules/vehicle/{car}", f"/api/maintenance/upcoming/{car}"):
        whole = await (await maintenance.get(base, headers=alice)).json()
        added = []

        async def add(page: int) -> None:
            if base.startswith("/api/maintenance/schedules") and page == 1:
                # Oldest first: a new schedule comes at the end, once.
                added.append((await create(maintenance, "/api/maintenance/schedules", oil_schedule(
                    car, subtypes=[SUBTYPES[4]]), identity=identity))["id"])

        pages = await walk(maintenance, f"{base}?limit=2", alice, between=add)
        assert [len(page) for page in pages][:2] == [2, 2]
        assert [s["id"] for page in pages for s in page] == [s["id"] for s in whole] + added
        if not added:
            assert [s for page in pages for s in page] == whole  # the upcoming view, unchanged


async def test_bad_limits_and_cursors_are_400s_naming_the_parameter(maintenance, identity, vehicle):
    car = await vehicle(ALICE, odometer=41000)
    alice = identity(ALICE)
    await records(maintenance, identity, car, [1, 2])
    await create(maintenance, "/api/maintenance/schedules", oil_schedule(car), identity=identity)
    _, following = await read_page(maintenance, f"/api/maintenance/records/vehicle/{car}?limit=1", alice)
    await assert_refused(maintenance, tampered(following), alice, "cursor")
    await assert_bad_paging_refused(maintenance, f"/api/maintenance/records?vehicleId={car}", alice,
                                    cursor_of_another_list=cursor_in(following))
    for path in (f"/api/maintenance/records/vehicle/{car}", f"/api/maintenance/schedules/vehicle/{car}",
                 f"/api/maintenance/upcoming/{car}"):
        await assert_bad_paging_refused(maintenance, path, alice)
