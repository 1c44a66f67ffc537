"""fuel_logs keeps a projection of vehicles from events, and removes a deleted vehicle's fill-ups."""

import uuid

import asyncpg

from .conftest import apply, vehicle_event

FILL_UP = {"dateTime": "2026-05-01T08:00:00+00:00", "odometerReading": 1200, "fuelUnits": 12.5, "costPerUnit": 3.299}


async def test_fill_up_needs_a_known_vehicle_of_the_caller(fuel_logs, identity):
    vehicle_id = uuid.uuid4()
    unknown = await fuel_logs.post("/api/fuel-logs", json={**FILL_UP, "vehicleId": str(vehicle_id)}, headers=identity("u1"))
    assert unknown.status == 404
    await apply(fuel_logs, vehicle_event("created", vehicle_id, "u1"))
    created = await fuel_logs.post("/api/fuel-logs", json={**FILL_UP, "vehicleId": str(vehicle_id)}, headers=identity("u1"))
    assert created.status == 201
    assert (await created.json())["totalCost"] == 41.24  # 12.5 x 3.299 = 41.2375, to the cent
    not_yours = await fuel_logs.post("/api/fuel-logs", json={**FILL_UP, "vehicleId": str(vehicle_id)}, headers=identity("u2"))
    assert not_yours.status == 404


async def test_vehicle_deleted_removes_fill_ups_and_a_late_created_does_not_resurrect(fuel_logs, identity):
    vehicle_id = uuid.uuid4()
    await apply(fuel_logs, vehicle_event("created", vehicle_id, "u1"))
    for _ in range(3):
        await fuel_logs.post("/api/fuel-logs", json={**FILL_UP, "vehicleId": str(vehicle_id)}, headers=identity("u1"))
    await apply(fuel_logs, vehicle_event("deleted", vehicle_id, "u1"))
    await apply(fuel_logs, vehicle_event("created", vehicle_id, "u1"))
    listed = await fuel_logs.get(f"/api/fuel-logs/vehicle/{vehicle_id}", headers=identity("u1"))
    assert listed.status == 404
    conn = await asyncpg.connect(fuel_logs.settings.database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM fuel_logs WHERE vehicle_id = $1", vehicle_id) == 0
    finally:
        await conn.close()


async def test_fill_up_without_odometer_or_trip_is_400(fuel_logs, identity):
    body = {k: v for k, v in FILL_UP.items() if k != "odometerReading"} | {"vehicleId": str(uuid.uuid4())}
    response = await fuel_logs.post("/api/fuel-logs", json=body, headers=identity("u1"))
    assert response.status == 400


async def test_a_deleted_vehicle_leaves_the_users_cached_list(fuel_logs, identity):
    vehicle_id, kept = uuid.uuid4(), uuid.uuid4()
    for vehicle in (vehicle_id, kept):
        await apply(fuel_logs, vehicle_event("created", vehicle, "u1"))
        await fuel_logs.post("/api/fuel-logs", json={**FILL_UP, "vehicleId": str(vehicle)}, headers=identity("u1"))
    assert len(await (await fuel_logs.get("/api/fuel-logs", headers=identity("u1"))).json()) == 2  # cached now
    await apply(fuel_logs, vehicle_event("deleted", vehicle_id, "u1"))
    listed = await (await fuel_logs.get("/api/fuel-logs", headers=identity("u1"))).json()
    assert [log["vehicleId"] for log in listed] == [str(kept)]
