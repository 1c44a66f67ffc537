"""The use cases called directly: domain errors with the API's words, one transaction each (or the
consumer's), and invalidation only once a change has committed."""

import uuid
from datetime import UTC, datetime

import pytest
import redis.asyncio as redis

from services.maintenance import use_cases
from services.maintenance.cache_keys import upcoming_cache_key
from services.maintenance.domain.inputs import ScheduleUpdate
from services.maintenance.domain.units import Units
from shared.cache import CACHE
from shared.db import POOL
from shared.errors import InvalidInput, NotFoundError
from shared.transactions import transaction

ALICE, BOB = "auth0|alice", "auth0|bob"


def today():
    return datetime.now(UTC).date()


async def cached(maintenance, key: str) -> bool:
    client = redis.from_url(maintenance.settings.redis_url)
    try:
        return bool(await client.exists(maintenance.settings.redis_prefix + key))
    finally:
        await client.aclose()


async def oil_schedule(maintenance, identity, car: str) -> dict:
    body = {"vehicleId": car, "category": "routine_maintenance", "subtypes": ["Engine Oil"], "intervalMonths": 6,
            "lastServiceDate": today().isoformat(), "lastServiceOdometer": 40000}
    response = await maintenance.post("/api/maintenance/schedules", json=body, headers=identity(ALICE))
    assert response.status == 201, await response.text()
    return await response.json()


async def test_missing_and_foreign_things_are_not_found_errors(maintenance, vehicle):
    pool = maintenance.server.app[POOL]
    car = uuid.UUID(await vehicle(ALICE))
    with pytest.raises(NotFoundError, match="^Record not found$"):
        await use_cases.get_record(pool, ALICE, uuid.uuid4())
    with pytest.raises(NotFoundError, match="^Schedule not found$"):
        await use_cases.delete_schedule(pool, maintenance.server.app[CACHE], ALICE, uuid.uuid4())
    with pytest.raises(NotFoundError, match="^Vehicle not found$"):
        await use_cases.list_vehicle_schedules(pool, BOB, car)
    assert (await use_cases.list_vehicle_schedules(pool, ALICE, car)).items == []


async def test_the_api_answers_those_errors_in_the_same_words(maintenance, identity, vehicle):
    car = await vehicle(ALICE)
    alice = identity(ALICE)
    missing = await maintenance.get(f"/api/maintenance/records/{uuid.uuid4()}", headers=alice)
    assert (missing.status, (await missing.json())["message"]) == (404, "Record not found")
    foreign = await maintenance.get(f"/api/maintenance/upcoming/{car}", headers=identity(BOB))
    assert (foreign.status, (await foreign.json())["message"]) == (404, "Vehicle not found")
    unknown = await maintenance.get("/api/maintenance/subtypes/detailing", headers=alice)
    assert (await unknown.json())["details"] == [{
        "field": "category", "message": "must be one of routine_maintenance, repair, performance_upgrade", "type": "enum",
    }]
    schedule = await oil_schedule(maintenance, identity, car)
    cleared = await maintenance.put(f"/api/maintenance/schedules/{schedule['id']}", json={"intervalMonths": None},
                                    headers=alice)
    assert (await cleared.json())["details"] == [{
        "field": "intervalMonths", "message": "a schedule needs intervalMonths, intervalDistance or both",
        "type": "missing_interval",
    }]


async def test_a_rejected_change_keeps_the_row_and_the_cached_view(maintenance, identity, vehicle):
    app = maintenance.server.app
    car = await vehicle(ALICE)
    schedule = await oil_schedule(maintenance, identity, car)
    assert (await maintenance.get(f"/api/maintenance/upcoming/{car}", headers=identity(ALICE))).status == 200
    key = upcoming_cache_key(ALICE, uuid.UUID(car), Units.IMPERIAL, today())
    assert await cached(maintenance, key)

    update = ScheduleUpdate.model_validate({"category": "repair"})  # Engine Oil is no repair
    with pytest.raises(InvalidInput):
        await use_cases.update_schedule(app[POOL], app[CACHE], ALICE, uuid.UUID(schedule["id"]), update, Units.IMPERIAL)
    assert await cached(maintenance, key)
    kept = await use_cases.get_schedule(app[POOL], ALICE, uuid.UUID(schedule["id"]))
    assert kept["category"] == "routine_maintenance"


async def test_a_consumers_use_case_joins_its_transaction(maintenance, identity, vehicle):
    app = maintenance.server.app
    car = await vehicle(ALICE)
    await oil_schedule(maintenance, identity, car)
    assert (await maintenance.get(f"/api/maintenance/upcoming/{car}", headers=identity(ALICE))).status == 200
    key = upcoming_cache_key(ALICE, uuid.UUID(car), Units.IMPERIAL, today())

    class InboxFailed(Exception):
        pass

    with pytest.raises(InboxFailed):
        async with transaction(app[POOL]) as conn:
            assert await use_cases.forget_vehicle(conn, app[CACHE], ALICE, uuid.UUID(car)) == (0, 1)
            raise InboxFailed  # the consumer's transaction rolls back after the use case returned
    assert len((await use_cases.list_vehicle_schedules(app[POOL], ALICE, uuid.UUID(car))).items) == 1
    assert await cached(maintenance, key)  # nothing committed, nothing invalidated

    async with transaction(app[POOL]) as conn:
        await use_cases.forget_vehicle(conn, app[CACHE], ALICE, uuid.UUID(car))
    assert not await cached(maintenance, key)
    with pytest.raises(NotFoundError):
        await use_cases.list_vehicle_schedules(app[POOL], ALICE, uuid.UUID(car))
