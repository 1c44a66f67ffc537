"""A fill-up whose odometer contradicts the vehicle's other fill-ups (lower than an earlier one,
higher than a later one, too far per day) is refused with the fill-up in the way, unless confirmed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from services.fuel_logs.app import create_app
from services.fuel_logs.domain.odometer_check import odometer_conflict
from services.fuel_logs.settings import FuelLogsSettings

from .conftest import new_vehicle

START = datetime(2026, 5, 1, 8, tzinfo=UTC)
USER = "auth0|odometer-check"


@pytest.fixture
async def fuel_logs_500(backed_settings, serve):
    """The service with a daily bound of 500 miles."""
    settings = FuelLogsSettings(**await backed_settings("fuel_logs", vehicle_wait_seconds=0.5,
                                                        vehicle_wait_poll_seconds=0.05, max_daily_distance=500))
    client = await serve(create_app(settings))
    client.settings = settings
    return client


def body(vehicle_id: str, odometer, day: float, **fields) -> dict:
    return {"vehicleId": vehicle_id, "dateTime": (START + timedelta(days=day)).isoformat(),
            "odometerReading": odometer, "fuelUnits": 10, "costPerUnit": 3.5, **fields}


async def post(client, headers, vehicle_id: str, odometer, day: float, query: str = "", **fields):
    return await client.post(f"/api/fuel-logs{query}", json=body(vehicle_id, odometer, day, **fields), headers=headers)


async def created(client, headers, vehicle_id: str, odometer, day: float, **fields) -> dict:
    response = await post(client, headers, vehicle_id, odometer, day, **fields)
    assert response.status == 201, await response.text()
    return await response.json()


async def count(client, headers, vehicle_id: str) -> int:
    return len(await (await client.get(f"/api/fuel-logs/vehicle/{vehicle_id}", headers=headers)).json())


@pytest.mark.parametrize("fuel_type", [{"fuelType": "gasoline"}, {}], ids=["single-statement", "vehicle-fuel"])
async def test_lower_than_an_earlier_fill_up_is_refused_unless_confirmed(fuel_logs, identity, fuel_type):
    me = identity(USER)
    car = await new_vehicle(fuel_logs, USER)
    first = await created(fuel_logs, me, car, 12_000, 0)
    await created(fuel_logs, me, car, 12_300, 2)  # an ordinary next fill-up passes
    refused = await post(fuel_logs, me, car, 1_240, 3, **fuel_type)  # a digit short
    assert refused.status == 409
    answer = await refused.json()
    assert answer["statusCode"] == 409 and "confirmOdometer" in answer["message"]
    [detail] = answer["details"]
    assert (detail["field"], detail["type"]) == ("odometerReading", "odometer_lower")
    assert detail["conflictingFillUp"]["odometerReading"] == 12_300
    assert await count(fuel_logs, me, car) == 2  # nothing stored
    confirmed = await post(fuel_logs, me, car, 1_240, 3, confirmOdometer=True, **fuel_type)
    assert confirmed.status == 201, await confirmed.text()
    assert first["id"] != (await confirmed.json())["id"] and await count(fuel_logs, me, car) == 3


async def test_higher_than_a_later_fill_up_is_refused(fuel_logs, identity):
    me = identity(USER)
    car = await new_vehicle(fuel_logs, USER)
    later = await created(fuel_logs, me, car, 5_000, 10)
    await created(fuel_logs, me, car, 4_000, 5)  # typed in late, in order: accepted
    refused = await post(fuel_logs, me, car, 8_300, 7, query="?units=metric")  # km: 5,157 mi
    assert refused.status == 409
    detail = (await refused.json())["details"][0]
    assert detail["type"] == "odometer_higher_than_later" and detail["conflictingFillUp"]["id"] == later["id"]
    assert detail["conflictingFillUp"]["odometerReading"] == pytest.approx(5_000 * 1.609344, abs=0.1)  # in km


async def test_too_far_per_day_is_refused_unless_confirmed(fuel_logs_500, identity):
    me = identity(USER)
    car = await new_vehicle(fuel_logs_500, USER)
    await created(fuel_logs_500, me, car, 1_000, 0)
    await created(fuel_logs_500, me, car, 2_000, 2)  # 500 a day
    refused = await post(fuel_logs_500, me, car, 2_501, 2.5)  # same day: a day's allowance
    assert refused.status == 409
    assert (await refused.json())["details"][0]["type"] == "odometer_too_far"
    assert (await post(fuel_logs_500, me, car, 2_501, 2.5, confirmOdometer=True)).status == 201


async def test_with_the_check_off_every_reading_is_taken_as_confirmed(backed_settings, serve, identity):
    """FUEL_LOGS_ODOMETER_CHECK=false: for clients that cannot confirm (the old app's frontend)."""
    settings = FuelLogsSettings(**await backed_settings("fuel_logs", odometer_check=False))
    client = await serve(create_app(settings))
    client.settings = settings
    me = identity(USER)
    car = await new_vehicle(client, USER)
    first = await created(client, me, car, 12_000, 0)
    await created(client, me, car, 1_240, 3)  # lower than an earlier one
    await created(client, me, car, 90_000, 3.5)  # far too far for half a day
    answer = await client.put(f"/api/fuel-logs/{first['id']}", json={"odometerReading": 95_000}, headers=me)
    assert answer.status == 200, await answer.text()  # higher than the later ones
    assert await count(client, me, car) == 3


async def test_an_update_is_checked_only_when_its_reading_or_time_changes(fuel_logs, identity):
    me = identity(USER)
    car = await new_vehicle(fuel_logs, USER)
    await created(fuel_logs, me, car, 10_000, 0)
    odd = await created(fuel_logs, me, car, 9_000, 1, confirmOdometer=True)  # confirmed lower
    assert (await fuel_logs.put(f"/api/fuel-logs/{odd['id']}", json={"notes": "new odometer"},
                                headers=me)).status == 200  # its reading is not judged again
    mine = await created(fuel_logs, me, car, 9_100, 2)
    refused = await fuel_logs.put(f"/api/fuel-logs/{mine['id']}", json={"odometerReading": 8_000}, headers=me)
    assert refused.status == 409
    assert (await refused.json())["details"][0]["conflictingFillUp"]["id"] == odd["id"]
    assert (await (await fuel_logs.get(f"/api/fuel-logs/{mine['id']}", headers=me)).json())["odometerReading"] == 9_100
    moved = await fuel_logs.put(f"/api/fuel-logs/{mine['id']}", headers=me,
                                json={"odometerReading": 8_000, "confirmOdometer": True})
    assert moved.status == 200 and (await moved.json())["odometerReading"] == 8_000


async def test_trip_distance_fill_ups_and_bad_flags(fuel_logs, identity):
    me = identity(USER)
    car = await new_vehicle(fuel_logs, USER)
    await created(fuel_logs, me, car, 10_000, 0)
    trip = await fuel_logs.post("/api/fuel-logs", headers=me, json={
        "vehicleId": car, "dateTime": (START + timedelta(days=1)).isoformat(), "tripDistance": 300,
        "fuelUnits": 10, "costPerUnit": 3.5})
    assert trip.status == 201  # no reading, nothing to check
    bad = await post(fuel_logs, me, car, 10_100, 2, confirmOdometer="yes")
    assert bad.status == 400 and (await bad.json())["details"][0]["field"] == "confirmOdometer"


@pytest.mark.pure
@pytest.mark.parametrize(("odometer", "hours", "code"), [
    (1_000, 24, None),
    (999, 24, "odometer_lower"),
    (2_500, 1, None),  # within a day's allowance
    (2_501, 1, "odometer_too_far"),
    (1_000 + 3 * 1_500, 72, None),
    (1_001 + 3 * 1_500, 72, "odometer_too_far"),
    (6_001, 96, "odometer_higher_than_later"),
])
def test_the_rule(odometer, hours, code):
    previous = {"id": 1, "date_time": START, "odometer_reading": Decimal(1_000)}
    following = {"id": 2, "date_time": START + timedelta(days=30), "odometer_reading": Decimal(6_000)}
    conflict = odometer_conflict(Decimal(odometer), START + timedelta(hours=hours), previous, following, 1_500)
    assert (conflict and conflict.code) == code
