"""Paging of the vehicles lists: limit and cursor, Link rel=next, keyset order under inserts."""

from shared.edge_cache import EDGE_CACHE_HEADER
from shared.testing.paging import assert_bad_paging_refused, assert_refused, cursor_in, read_page, tampered, walk

from .conftest import create_vehicle
from .test_files import DOCUMENT


async def make_vehicles(client, headers, count: int) -> None:
    for i in range(count):
        await create_vehicle(client, headers, licensePlate=f"PG-{i}")


async def test_vehicles_walked_two_at_a_time_are_the_whole_list(vehicles, identity):
    alice = identity("auth0|paging-walk")
    await make_vehicles(vehicles, alice, 5)
    whole = await vehicles.get("/api/vehicles", headers=alice)
    assert "Link" not in whole.headers and EDGE_CACHE_HEADER in whole.headers  # unchanged without limit
    whole = await whole.json()
    pages = await walk(vehicles, "/api/vehicles?limit=2", alice)
    assert [len(page) for page in pages] == [2, 2, 1]  # and the last page has no Link
    assert [v for page in pages for v in page] == whole
    first = await vehicles.get("/api/vehicles?limit=2", headers=alice)
    # A page is never kept by the edge's response cache, which would drop its Link.
    assert EDGE_CACHE_HEADER not in first.headers
    assert (await walk(vehicles, "/api/vehicles?limit=500", alice)) == [whole]


async def test_a_vehicle_added_while_paging_repeats_and_skips_nothing(vehicles, identity):
    alice = identity("auth0|paging-insert")
    await make_vehicles(vehicles, alice, 5)
    before = [v["id"] for v in await (await vehicles.get("/api/vehicles", headers=alice)).json()]

    async def add_one(_page: int) -> None:
        # Newest first: an offset would now shift every row down one, repeating one per page.
        await create_vehicle(vehicles, alice, licensePlate=f"NEW-{_page}")

    pages = await walk(vehicles, "/api/vehicles?limit=2", alice, between=add_one)
    assert [v["id"] for page in pages for v in page] == before


async def test_bad_limits_and_cursors_are_400s_naming_the_parameter(vehicles, identity):
    alice = identity("auth0|paging-bad")
    await make_vehicles(vehicles, alice, 3)
    _, following = await read_page(vehicles, "/api/vehicles?limit=1", alice)
    await assert_refused(vehicles, tampered(following), alice, "cursor")
    vehicle = await create_vehicle(vehicles, alice, licensePlate="DOCS")
    await assert_bad_paging_refused(vehicles, "/api/vehicles", alice)
    # A cursor of the vehicle list is refused on a document list.
    await assert_bad_paging_refused(vehicles, f"/api/vehicles/{vehicle['id']}/documents", alice,
                                    cursor_of_another_list=cursor_in(following))


async def test_documents_walked_page_by_page(vehicles, identity):
    alice = identity("auth0|paging-docs")
    vehicle = await create_vehicle(vehicles, alice)
    base = f"/api/vehicles/{vehicle['id']}/documents"
    for i in range(3):
        assert (await vehicles.post(base, json=DOCUMENT | {"title": f"Doc {i}"}, headers=alice)).status == 201
    whole = await (await vehicles.get(base, headers=alice)).json()

    async def add_one(page: int) -> None:
        # Oldest first: a new document sorts last, so the walk ends with it, once.
        await vehicles.post(base, json=DOCUMENT | {"title": f"Late {page}"}, headers=alice)

    pages = await walk(vehicles, f"{base}?limit=2", alice, between=add_one)
    titles = [d["title"] for page in pages for d in page]
    # Page 2 held Doc 2 and Late 1 and nothing followed, so the walk ended there.
    assert titles == [d["title"] for d in whole] + ["Late 1"]
    assert len(set(d["id"] for page in pages for d in page)) == len(titles)
    # Someone else's vehicle is still a 404, paged or not.
    assert (await vehicles.get(f"{base}?limit=2", headers=identity("auth0|other"))).status == 404


async def test_the_odometer_log_walked_page_by_page(vehicles, identity):
    from .odometer_helpers import day

    alice = identity("auth0|paging-odometer")
    vehicle = await create_vehicle(vehicles, alice, licensePlate="ODO-PG", odometerReading=1000)
    base = f"/api/vehicles/{vehicle['id']}/odometer"
    for i, reading in enumerate((900, 950)):
        response = await vehicles.post(base, json={"reading": reading, "date": day(-20 + i).isoformat()}, headers=alice)
        assert response.status == 201, await response.text()
    whole = await (await vehicles.get(base, headers=alice)).json()
    assert [entry["reading"] for entry in whole] == [1000, 950, 900]

    pages = await walk(vehicles, base + "?limit=2", alice)
    assert [len(page) for page in pages] == [2, 1]
    assert [entry for page in pages for entry in page] == whole
    await assert_bad_paging_refused(vehicles, base, alice)
