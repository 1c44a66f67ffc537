"""maintenance.schedule_due.v1: once per crossing into due, whatever causes it and however often.

Also the vehicle projection fed by vehicle events: odometer never lowered, tombstones on delete.
"""

import asyncio
import dataclasses
import uuid
from datetime import UTC, datetime, timedelta

from services.maintenance.sweeper import SWEEPER
from shared.events import new_event
from shared.testing.waiting import eventually

from .conftest import settle

ALICE = "auth0|alice"
DUE = "maintenance.schedule_due"


def today():
    return datetime.now(UTC).date()


def vehicle_event(kind: str, vehicle_id: str, odometer: int | float = 0, user: str = ALICE):
    data = {"vehicleId": vehicle_id, "vin": None, "year": 2020, "make": "Honda", "model": "Civic",
            "fuelType": "gasoline", "nickname": None, "odometerReading": odometer}
    return new_event(f"vehicle.{kind}", data, producer="vehicles", user_id=user)


async def known_vehicle(maintenance, publish, identity, odometer: int) -> str:
    """A vehicle announced by vehicle.created, once the service can see it."""
    vehicle_id = str(uuid.uuid4())
    await publish(vehicle_event("created", vehicle_id, odometer))

    async def visible():
        response = await maintenance.get(f"/api/maintenance/schedules/vehicle/{vehicle_id}", headers=identity(ALICE))
        return response.status == 200

    await eventually(visible)
    return vehicle_id


def schedule_body(vehicle_id: str, **overrides) -> dict:
    return {"vehicleId": vehicle_id, "category": "routine_maintenance", "subtypes": ["Engine Oil"],
            "intervalDistance": 5000, "lastServiceOdometer": 40000, "lastServiceDate": today().isoformat()} | overrides


async def create_schedule(maintenance, identity, body) -> dict:
    response = await maintenance.post("/api/maintenance/schedules", json=body, headers=identity(ALICE))
    assert response.status == 201, await response.text()
    return await response.json()


async def odometer_of(db, vehicle_id: str):
    return await db(lambda conn: conn.fetchval(
        "SELECT odometer FROM vehicle_projection WHERE vehicle_id = $1", uuid.UUID(vehicle_id)))


async def test_odometer_crossing_is_announced_once_even_when_the_event_comes_twice(maintenance, identity, publish, spy, db):
    car = await known_vehicle(maintenance, publish, identity, odometer=44000)
    schedule = await create_schedule(maintenance, identity, schedule_body(car))
    [before] = await (await maintenance.get(f"/api/maintenance/upcoming/{car}", headers=identity(ALICE))).json()
    assert before["urgency"] == "not_urgent"

    crossing = vehicle_event("updated", car, odometer=45000)  # exactly at the due odometer: due
    await publish(crossing)
    await publish(crossing)  # redelivered
    [event] = await spy.wait_for(DUE)
    assert event["userId"] == ALICE
    assert event["data"] == {
        "scheduleId": schedule["id"], "vehicleId": car, "category": "routine_maintenance", "subtypes": ["Engine Oil"],
        "dueDate": None, "dueOdometer": 45000, "dueCycle": 1, "trigger": "odometer", "urgency": "past_due",
    }
    # A later, different odometer event and reads of the view do not announce it again.
    await publish(vehicle_event("updated", car, odometer=45500))
    await eventually(lambda: _equals(odometer_of(db, car), 45500))
    for _ in range(3):
        [after] = await (await maintenance.get(f"/api/maintenance/upcoming/{car}", headers=identity(ALICE))).json()
    assert (after["urgency"], after["distanceUntilDue"]) == ("past_due", -500)
    await settle()
    assert len(spy.of(DUE)) == 1


async def _equals(value_coroutine, expected) -> bool:
    return await value_coroutine == expected


async def test_odometer_event_invalidates_the_cached_view_after_the_commit(maintenance, identity, publish):
    car = await known_vehicle(maintenance, publish, identity, odometer=40000)
    await create_schedule(maintenance, identity, schedule_body(car))

    async def distance_left():
        [item] = await (await maintenance.get(f"/api/maintenance/upcoming/{car}", headers=identity(ALICE))).json()
        return item["distanceUntilDue"]

    assert await distance_left() == 5000
    await publish(vehicle_event("updated", car, odometer=43210))

    async def refreshed():
        return await distance_left() == 1790

    await eventually(refreshed)


async def test_an_older_event_never_lowers_the_odometer(maintenance, identity, publish, db):
    car = await known_vehicle(maintenance, publish, identity, odometer=30000)
    await publish(vehicle_event("updated", car, odometer=32000.5))
    await eventually(lambda: _equals(odometer_of(db, car), 32000.5))
    late = vehicle_event("updated", car, odometer=31000)  # delivered late: it occurred before the last
    await publish(dataclasses.replace(late, occurred_at=late.occurred_at - timedelta(minutes=5)))
    marker = str(uuid.uuid4())
    await publish(vehicle_event("created", marker, odometer=1))

    async def marker_seen():
        return await odometer_of(db, marker) is not None

    await eventually(marker_seen)  # the queue got past the older event
    assert await odometer_of(db, car) == 32000.5


async def test_concurrent_reads_announce_a_time_crossing_once(maintenance, identity, vehicle, spy, db):
    car = await vehicle(ALICE, odometer=1000)
    schedule = await create_schedule(maintenance, identity, schedule_body(car, intervalMonths=6, intervalDistance=None))
    # Time passes: the due date arrives (set behind the service's back, as a clock would).
    await db(lambda conn: conn.execute(
        "UPDATE maintenance_schedules SET next_due_date = $2 WHERE id = $1", uuid.UUID(schedule["id"]), today()))
    reads = [maintenance.get(f"/api/maintenance/upcoming/{car}?currentMileage={1000 + i}", headers=identity(ALICE))
             for i in range(8)]
    answers = await asyncio.gather(*reads)
    assert {response.status for response in answers} == {200}
    [event] = await spy.wait_for(DUE)
    assert (event["data"]["trigger"], event["data"]["dueDate"]) == ("date", today().isoformat())
    await settle()
    assert len(spy.of(DUE)) == 1


async def test_the_sweep_announces_quiet_vehicles_once(maintenance, identity, vehicle, spy, db):
    car = await vehicle(ALICE, odometer=1000)
    schedule = await create_schedule(maintenance, identity, schedule_body(car, intervalMonths=3, intervalDistance=None))
    await db(lambda conn: conn.execute(
        "UPDATE maintenance_schedules SET next_due_date = $2 WHERE id = $1",
        uuid.UUID(schedule["id"]), today() - timedelta(days=2)))
    sweeper = maintenance.server.app[SWEEPER]
    assert await sweeper.sweep_once() == 1
    assert await sweeper.sweep_once() == 0
    [event] = await spy.wait_for(DUE)
    assert event["data"]["scheduleId"] == schedule["id"]
    await settle()
    assert len(spy.of(DUE)) == 1


async def test_each_new_due_cycle_is_a_new_crossing(maintenance, identity, vehicle, spy):
    car = await vehicle(ALICE, odometer=46000)
    alice = identity(ALICE)
    # Already overdue when created: announced once, at creation.
    await create_schedule(maintenance, identity, schedule_body(car))
    await spy.wait_for(DUE)
    # The work is done: the next cycle is due at 51,000, not yet due, nothing announced.
    record = {"vehicleId": car, "category": "routine_maintenance", "subtypes": ["Engine Oil"],
              "date": (today() + timedelta(days=1)).isoformat(), "odometerReading": 46000}
    assert (await maintenance.post("/api/maintenance/records", json=record, headers=alice)).status == 201
    [item] = await (await maintenance.get(f"/api/maintenance/upcoming/{car}", headers=alice)).json()
    assert (item["urgency"], item["nextDueOdometer"]) == ("not_urgent", 51000)
    await settle()
    assert len(spy.of(DUE)) == 1
    # Work recorded with a reading past the next due point crosses again: a second announcement.
    later = record | {"category": "repair", "subtypes": ["Interior"], "odometerReading": 51200}
    assert (await maintenance.post("/api/maintenance/records", json=later, headers=alice)).status == 201
    events = await spy.wait_for(DUE, count=2)
    assert [e["data"]["dueOdometer"] for e in events] == [45000, 51000]


async def test_vehicle_deleted_removes_its_maintenance_and_a_late_created_does_not_resurrect(maintenance, identity, publish, db):
    car = await known_vehicle(maintenance, publish, identity, odometer=40000)
    alice = identity(ALICE)
    await create_schedule(maintenance, identity, schedule_body(car))
    record = {"vehicleId": car, "category": "repair", "subtypes": ["Engine"], "date": today().isoformat()}
    assert (await maintenance.post("/api/maintenance/records", json=record, headers=alice)).status == 201

    await publish(vehicle_event("deleted", car))
    await publish(vehicle_event("created", car, odometer=40000))  # late

    async def gone():
        response = await maintenance.get(f"/api/maintenance/records/vehicle/{car}", headers=alice)
        return response.status == 404

    await eventually(gone)
    marker = str(uuid.uuid4())
    await publish(vehicle_event("created", marker, odometer=1))
    await eventually(lambda: _not_none(odometer_of(db, marker)))
    assert (await maintenance.get(f"/api/maintenance/upcoming/{car}", headers=alice)).status == 404
    counts = await db(lambda conn: conn.fetchrow(
        """SELECT (SELECT count(*) FROM maintenance_records WHERE vehicle_id = $1) AS records,
                  (SELECT count(*) FROM maintenance_schedules WHERE vehicle_id = $1) AS schedules,
                  (SELECT deleted FROM vehicle_projection WHERE vehicle_id = $1) AS deleted""", uuid.UUID(car)))
    assert dict(counts) == {"records": 0, "schedules": 0, "deleted": True}


async def _not_none(value_coroutine) -> bool:
    return await value_coroutine is not None


CHANGED = "maintenance.schedule_changed"


async def test_every_move_of_a_due_point_is_announced_with_a_growing_cycle(maintenance, identity, vehicle, spy):
    """Set up, moved on by recorded work, corrected, deleted: what the calendar feed follows."""
    car = await vehicle(ALICE, odometer=41000)
    alice = identity(ALICE)
    schedule = await create_schedule(maintenance, identity, schedule_body(car, intervalMonths=6))
    [created] = await spy.wait_for(CHANGED)
    assert (created["data"]["scheduleId"], created["data"]["dueOdometer"], created["data"]["dueCycle"]) == (
        schedule["id"], 45000, 1)
    assert created["data"]["dueDate"] == schedule["nextDueDate"]

    record = {"vehicleId": car, "category": "routine_maintenance", "subtypes": ["Engine Oil"],
              "date": today().isoformat(), "odometerReading": 42000}
    assert (await maintenance.post("/api/maintenance/records", json=record, headers=alice)).status == 201
    moved = (await spy.wait_for(CHANGED, count=2))[1]
    assert (moved["data"]["dueOdometer"], moved["data"]["dueCycle"]) == (47000, 2)

    # A record that does other work moves nothing.
    other = record | {"category": "repair", "subtypes": ["Interior"]}
    assert (await maintenance.post("/api/maintenance/records", json=other, headers=alice)).status == 201
    response = await maintenance.put(f"/api/maintenance/schedules/{schedule['id']}", json={"intervalDistance": 3000},
                                     headers=alice)
    assert response.status == 200, await response.text()
    corrected = (await spy.wait_for(CHANGED, count=3))[2]
    assert (corrected["data"]["dueOdometer"], corrected["data"]["dueCycle"]) == (45000, 3)

    assert (await maintenance.delete(f"/api/maintenance/schedules/{schedule['id']}", headers=alice)).status == 204
    [deleted] = await spy.wait_for("maintenance.schedule_deleted")
    assert deleted["data"] == {"scheduleId": schedule["id"], "vehicleId": car}
    await settle()
    assert len(spy.of(CHANGED)) == 3


async def test_a_newer_lower_odometer_is_taken_and_forgets_the_readings_it_shows_wrong(maintenance, identity, publish, db):
    """vehicles derives the odometer from its log: deleting a mistyped fill-up lowers it, and the
    reminders follow (the driving rate no longer counts the distance never driven)."""
    car = await known_vehicle(maintenance, publish, identity, odometer=30000)
    await create_schedule(maintenance, identity, schedule_body(car))  # due at 45,000

    async def urgency():
        response = await maintenance.get(f"/api/maintenance/upcoming/{car}", headers=identity(ALICE))
        [item] = await response.json()
        return item["urgency"]

    await publish(vehicle_event("updated", car, odometer=93000))  # a typo (93,000 for 39,000) in the log
    await eventually(lambda: _equals(urgency(), "past_due"))
    await publish(vehicle_event("updated", car, odometer=30100))  # the typo removed: the log's value now
    await eventually(lambda: _equals(urgency(), "not_urgent"))
    assert await odometer_of(db, car) == 30100
    readings = await db(lambda conn: conn.fetch(
        "SELECT odometer FROM vehicle_odometer_readings WHERE vehicle_id = $1", uuid.UUID(car)))
    assert sorted(row["odometer"] for row in readings) == [30000, 30100]
