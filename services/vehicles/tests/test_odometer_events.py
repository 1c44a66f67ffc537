"""The current odometer follows fuel_log.created and maintenance.record_created: raised, never lowered."""

import itertools
import uuid

from services.vehicles.consumers import consumers
from shared.events import new_event
from shared.testing.database import in_transaction
from shared.testing.waiting import eventually, until_ready

from .conftest import create_vehicle


def fuel_log_created(vehicle_id: str, user_id: str, odometer) -> object:
    data = {"fuelLogId": str(uuid.uuid4()), "vehicleId": vehicle_id, "dateTime": "2026-05-01T08:00:00+00:00",
            "odometerReading": odometer, "tripDistance": None, "fuelType": "gasoline", "fuelGrade": "87",
            "fuelUnits": "12.500", "costPerUnit": "3.299", "totalCost": "41.24", "isFullFill": True,
            "stationPlaceId": None}
    return new_event("fuel_log.created", data, producer="fuel_logs", user_id=user_id)


def maintenance_record_created(vehicle_id: str, user_id: str, odometer) -> object:
    data = {"recordId": str(uuid.uuid4()), "vehicleId": vehicle_id, "date": "2026-05-02",
            "odometerReading": odometer, "category": "routine_maintenance", "subtypes": ["Engine Oil"],
            "cost": "89.90"}
    return new_event("maintenance.record_created", data, producer="maintenance", user_id=user_id)


async def apply(vehicles, event) -> None:
    handler = consumers(vehicles.app)[event.routing_key]
    await in_transaction(vehicles.settings.database_url, lambda conn: handler(conn, event))


async def odometer_of(vehicles, headers, vehicle_id: str) -> int:
    return (await (await vehicles.get(f"/api/vehicles/{vehicle_id}", headers=headers)).json())["odometerReading"]


async def outbox_updates(vehicles) -> list:
    async def read(conn):
        return await conn.fetch("SELECT body FROM outbox WHERE routing_key = 'vehicle.updated.v1' ORDER BY id")

    return await in_transaction(vehicles.settings.database_url, read)


async def test_readings_in_any_order_and_repeated_end_at_the_maximum(start_vehicles, identity):
    # No broker in these tests (see conftest): the outbox keeps what the handlers emit, for inspection.
    vehicles = await start_vehicles()
    alice = identity("auth0|odo")
    final_odometers = {}
    for order in itertools.permutations(range(3)):
        vehicle = await create_vehicle(vehicles, alice, licensePlate=f"P-{''.join(map(str, order))}", odometerReading=100)
        readings = [
            fuel_log_created(vehicle["id"], "auth0|odo", 1500),
            maintenance_record_created(vehicle["id"], "auth0|odo", 2500.7),
            fuel_log_created(vehicle["id"], "auth0|odo", 2000),
        ]
        for index in order:
            await apply(vehicles, readings[index])
        for index in reversed(order):  # redelivered, in yet another order
            await apply(vehicles, readings[index])
        final_odometers[vehicle["id"]] = await odometer_of(vehicles, alice, vehicle["id"])
    assert set(final_odometers.values()) == {2500}  # the integer part of the highest reading, whatever the order


async def test_a_raise_emits_vehicle_updated_and_nothing_else_does(start_vehicles, identity):
    vehicles = await start_vehicles()
    alice = identity("auth0|odo-events")
    vehicle = await create_vehicle(vehicles, alice, vin="1HGCM82633A004352", odometerReading=1000)
    await apply(vehicles, fuel_log_created(vehicle["id"], "auth0|odo-events", 1200.5))
    await apply(vehicles, fuel_log_created(vehicle["id"], "auth0|odo-events", 1100))  # older: no change
    await apply(vehicles, fuel_log_created(vehicle["id"], "auth0|odo-events", None))  # trip-distance fill-up
    await apply(vehicles, maintenance_record_created(vehicle["id"], "auth0|odo-events", 1200))  # same: no change
    bodies = [row["body"] for row in await outbox_updates(vehicles)]
    assert len(bodies) == 1
    assert b'"odometerReading":1200' in bodies[0] and vehicle["id"].encode() in bodies[0]
    assert await odometer_of(vehicles, alice, vehicle["id"]) == 1200


async def test_events_touch_only_the_named_users_live_vehicle(start_vehicles, identity):
    vehicles = await start_vehicles()
    alice = identity("auth0|odo-owner")
    vehicle = await create_vehicle(vehicles, alice, licensePlate="O-1", odometerReading=10)
    await apply(vehicles, fuel_log_created(vehicle["id"], "auth0|someone-else", 99_999))
    await apply(vehicles, fuel_log_created("not-a-uuid", "auth0|odo-owner", 99_999))
    await apply(vehicles, fuel_log_created(vehicle["id"], "auth0|odo-owner", "garbage"))
    assert await odometer_of(vehicles, alice, vehicle["id"]) == 10
    await vehicles.delete(f"/api/vehicles/{vehicle['id']}", headers=alice)
    await apply(vehicles, fuel_log_created(vehicle["id"], "auth0|odo-owner", 500))
    assert await outbox_updates(vehicles) == []


async def test_a_manual_edit_can_lower_it_and_later_events_raise_it_again(start_vehicles, identity):
    vehicles = await start_vehicles()
    alice = identity("auth0|odo-manual")
    vehicle = await create_vehicle(vehicles, alice, licensePlate="M-2", odometerReading=50_000)
    await vehicles.put(f"/api/vehicles/{vehicle['id']}", json={"odometerReading": 5_000}, headers=alice)
    assert await odometer_of(vehicles, alice, vehicle["id"]) == 5_000
    await apply(vehicles, maintenance_record_created(vehicle["id"], "auth0|odo-manual", 5_100))
    assert await odometer_of(vehicles, alice, vehicle["id"]) == 5_100


async def test_through_the_broker_a_reading_reaches_the_cached_list(start_vehicles, identity, event_tap, infra):
    exchange = infra.new_exchange()
    updates = await event_tap(exchange, "vehicle.updated.v1")
    vehicles = await start_vehicles(events_exchange=exchange)
    await until_ready(vehicles)
    alice = identity("auth0|odo-broker")
    vehicle = await create_vehicle(vehicles, alice, licensePlate="B-1", odometerReading=100)
    assert [v["odometerReading"] for v in await (await vehicles.get("/api/vehicles", headers=alice)).json()] == [100]

    event = fuel_log_created(vehicle["id"], "auth0|odo-broker", 777.9)
    await event_tap.publish(exchange, event)
    await event_tap.publish(exchange, event)  # a redelivery: the inbox makes it a no-op

    async def list_shows_the_reading():
        listed = await (await vehicles.get("/api/vehicles", headers=alice)).json()
        return listed[0]["odometerReading"] == 777

    await eventually(list_shows_the_reading)

    async def update_published():
        return len(updates) >= 1

    await eventually(update_published)
    assert updates[0].data["odometerReading"] == 777 and updates[0].data["vehicleId"] == vehicle["id"]
    assert len(updates) == 1


async def test_many_readings_of_a_vehicle_in_one_batch_raise_it_once(start_vehicles, identity):
    """A batch of fill-ups of one vehicle (one consumer transaction): one raise, one vehicle.updated."""
    vehicles = await start_vehicles()
    alice = identity("auth0|batch")
    vehicle = await create_vehicle(vehicles, alice, licensePlate="BATCH-1", odometerReading=100)
    other = await create_vehicle(vehicles, alice, licensePlate="BATCH-2", odometerReading=100)
    batch = [fuel_log_created(vehicle["id"], "auth0|batch", reading) for reading in (1200, 1500, 1300)]
    batch.append(fuel_log_created(other["id"], "auth0|batch", 700))
    updates_before = len(await outbox_updates(vehicles))
    handlers = consumers(vehicles.app)

    async def apply_all(conn):
        for event in batch:
            await handlers[event.routing_key](conn, event)

    await in_transaction(vehicles.settings.database_url, apply_all)
    assert await odometer_of(vehicles, alice, vehicle["id"]) == 1500
    assert await odometer_of(vehicles, alice, other["id"]) == 700
    assert len(await outbox_updates(vehicles)) - updates_before == 2  # one per vehicle, not one per reading
