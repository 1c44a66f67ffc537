"""account.deletion_requested: the vehicles service removes every vehicle and document of the user
(soft-deleted vehicles too) and their stored files, confirms with one account.purged, and leaves
other users alone."""

import asyncpg
import pytest

from shared.events import new_event
from shared.testing.waiting import eventually, until_ready

from .conftest import VIN, create_vehicle
from .test_files import DOCUMENT, PDF, PNG, post_form, store_of

pytestmark = pytest.mark.timeout(60)
ALICE, BOB = "auth0|leaving", "auth0|staying"


async def vehicle_with_files(vehicles, headers) -> tuple[dict, list[str]]:
    vehicle = await create_vehicle(vehicles, headers, vin=VIN, nickname="with files")
    image = await (await vehicles.post(f"/api/vehicles/{vehicle['id']}/image", json={"contentType": "image/png"},
                                       headers=headers)).json()
    document = await (await vehicles.post(f"/api/vehicles/{vehicle['id']}/documents", json=DOCUMENT,
                                          headers=headers)).json()
    assert await post_form(image, PNG) in (200, 201, 204)
    assert await post_form(document["upload"], PDF) in (200, 201, 204)
    return vehicle, [image["fields"]["key"], document["upload"]["fields"]["key"]]


async def rows_of(vehicles, user_id: str) -> dict[str, int]:
    conn = await asyncpg.connect(vehicles.settings.database_url)
    try:
        return {table: await conn.fetchval(f"SELECT count(*) FROM {table} WHERE user_id = $1", user_id)
                for table in ("vehicles", "vehicle_documents")}
    finally:
        await conn.close()


async def test_purge_removes_the_users_vehicles_documents_and_files_only(start_vehicles, identity, event_tap, infra):
    exchange = infra.new_exchange()
    vehicles = await start_vehicles(events_exchange=exchange)
    await until_ready(vehicles)
    confirmations = await event_tap(exchange, "account.purged.v1", "vehicle.#")
    alice, bob = identity(ALICE), identity(BOB)
    _, alice_keys = await vehicle_with_files(vehicles, alice)
    deleted_earlier = await create_vehicle(vehicles, alice, license_plate="GONE 1")
    assert (await vehicles.delete(f"/api/vehicles/{deleted_earlier['id']}", headers=alice)).status == 204
    bob_vehicle, bob_keys = await vehicle_with_files(vehicles, bob)
    assert await rows_of(vehicles, ALICE) == {"vehicles": 2, "vehicle_documents": 1}
    store = store_of(vehicles)

    request = new_event("account.deletion_requested", {"userId": ALICE, "deletionId": "d-1"},
                        producer="accounts", user_id=ALICE)
    await event_tap.publish(exchange, request)

    async def confirmed() -> bool:
        return any(event.routing_key == "account.purged.v1" for event in confirmations)

    await eventually(confirmed)
    [purged] = [event for event in confirmations if event.routing_key == "account.purged.v1"]
    assert purged.data == {"userId": ALICE, "service": "vehicles", "deletionId": "d-1"}
    assert await rows_of(vehicles, ALICE) == {"vehicles": 0, "vehicle_documents": 0}
    assert await (await vehicles.get("/api/vehicles", headers=alice)).json() == []  # the cache forgot too

    async def files_removed() -> bool:
        return all([await store.head(key) is None for key in alice_keys])

    await eventually(files_removed)
    # No per-vehicle events: the other services purge the user themselves.
    assert not [e for e in confirmations if e.routing_key == "vehicle.deleted.v1" and e.user_id == ALICE
                and e.data["vehicleId"] != deleted_earlier["id"]]
    # Bob keeps everything.
    assert await rows_of(vehicles, BOB) == {"vehicles": 1, "vehicle_documents": 1}
    assert all([await store.head(key) for key in bob_keys])
    assert (await vehicles.get(f"/api/vehicles/{bob_vehicle['id']}", headers=bob)).status == 200
