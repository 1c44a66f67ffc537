"""The odometer log API: the log, manual readings (refused when they contradict it unless
confirmed), deleting manual readings only."""

import json
import uuid

import pytest

from .conftest import create_vehicle
from .odometer_helpers import apply, day, fill_up_event, log_of, odometer_of, outbox_updates


async def post_reading(vehicles, headers, vehicle_id: str, **body):
    return await vehicles.post(f"/api/vehicles/{vehicle_id}/odometer", json=body, headers=headers)


async def test_a_manual_reading_joins_the_log_and_becomes_current(vehicles, identity):
    alice = identity("auth0|log-manual")
    vid = (await create_vehicle(vehicles, alice, licensePlate="LOG-1", odometerReading=1000))["id"]
    [initial] = await log_of(vehicles, alice, vid)
    assert (initial["reading"], initial["source"], initial["sourceId"], initial["date"]) == (
        1000, "initial", None, day(0).isoformat())
    response = await post_reading(vehicles, alice, vid, reading=1250, note="dashboard photo")
    assert response.status == 201, await response.text()
    entry = await response.json()
    assert (entry["reading"], entry["source"], entry["note"], entry["date"]) == (
        1250, "manual", "dashboard photo", day(0).isoformat())
    assert await odometer_of(vehicles, alice, vid) == 1250
    assert [e["id"] for e in await log_of(vehicles, alice, vid)] == [entry["id"], initial["id"]]
    assert json.loads((await outbox_updates(vehicles))[-1])["data"]["odometerReading"] == 1250
    # A dated reading from the past sits in its place and leaves the current odometer alone.
    older = await post_reading(vehicles, alice, vid, reading=900, date=day(-10).isoformat())
    assert older.status == 201, await older.text()
    assert (await older.json())["dateTime"] is None
    assert await odometer_of(vehicles, alice, vid) == 1250
    assert [e["reading"] for e in await log_of(vehicles, alice, vid)] == [1250, 1000, 900]


async def test_a_lower_reading_is_refused_with_the_conflicting_one_unless_confirmed(vehicles, identity):
    alice = identity("auth0|log-lower")
    vid = (await create_vehicle(vehicles, alice, licensePlate="LOG-2"))["id"]
    fid = str(uuid.uuid4())
    await apply(vehicles, fill_up_event("created", vid, "auth0|log-lower", 48_000, day(-2), fuel_log_id=fid))
    refused = await post_reading(vehicles, alice, vid, reading=4_900)
    assert refused.status == 409
    body = await refused.json()
    assert body["statusCode"] == 409 and "lower than 48000" in body["message"]
    [detail] = body["details"]
    assert detail["field"] == "reading" and detail["type"] == "odometer_lower"
    conflicting = detail["conflictingReading"]
    assert (conflicting["reading"], conflicting["date"], conflicting["source"], conflicting["sourceId"]) == (
        48_000, day(-2).isoformat(), "fill_up", fid)
    assert conflicting["id"] == (await log_of(vehicles, alice, vid))[0]["id"]
    assert await odometer_of(vehicles, alice, vid) == 48_000 and len(await log_of(vehicles, alice, vid)) == 1
    # Confirmed (the odometer was replaced): recorded, and current although lower.
    confirmed = await post_reading(vehicles, alice, vid, reading=4_900, confirm=True)
    assert confirmed.status == 201
    assert await odometer_of(vehicles, alice, vid) == 4_900
    # After the replacement, readings are checked against the new one, not the old odometer's.
    assert (await post_reading(vehicles, alice, vid, reading=5_000, date=day(1).isoformat())).status == 201


async def test_too_far_per_day_is_refused_unless_confirmed(start_vehicles, identity):
    vehicles = await start_vehicles(max_daily_distance=500)
    alice = identity("auth0|log-far")
    vid = (await create_vehicle(vehicles, alice, licensePlate="LOG-3"))["id"]
    assert (await post_reading(vehicles, alice, vid, reading=10_000, date=day(-4).isoformat())).status == 201
    assert (await post_reading(vehicles, alice, vid, reading=12_000)).status == 201  # 500 a day over 4 days
    refused = await post_reading(vehicles, alice, vid, reading=12_501)  # same day as 12,000: a day's allowance
    assert refused.status == 409
    detail = (await refused.json())["details"][0]
    assert detail["type"] == "odometer_too_far" and detail["conflictingReading"]["reading"] == 12_000
    assert (await post_reading(vehicles, alice, vid, reading=120_000, confirm=True)).status == 201
    assert await odometer_of(vehicles, alice, vid) == 120_000


async def test_a_reading_higher_than_a_later_one_is_refused(vehicles, identity):
    alice = identity("auth0|log-higher")
    vid = (await create_vehicle(vehicles, alice, licensePlate="LOG-4"))["id"]
    rid = (await (await post_reading(vehicles, alice, vid, reading=2_000)).json())["id"]
    refused = await post_reading(vehicles, alice, vid, reading=2_500, date=day(-3).isoformat())
    assert refused.status == 409
    detail = (await refused.json())["details"][0]
    assert detail["type"] == "odometer_higher_than_later"
    assert (detail["conflictingReading"]["id"], detail["conflictingReading"]["source"]) == (rid, "manual")


async def test_deleting_a_manual_reading_lowers_the_odometer_and_others_are_refused(vehicles, identity):
    alice = identity("auth0|log-delete")
    vid = (await create_vehicle(vehicles, alice, licensePlate="LOG-5", odometerReading=300))["id"]
    await apply(vehicles, fill_up_event("created", vid, "auth0|log-delete", 700, day(-1)))
    manual = await (await post_reading(vehicles, alice, vid, reading=900)).json()
    assert await odometer_of(vehicles, alice, vid) == 900
    deleted = await vehicles.delete(f"/api/vehicles/{vid}/odometer/{manual['id']}", headers=alice)
    assert deleted.status == 204
    # Back to yesterday's fill-up: today's initial 300 was superseded by that higher, earlier reading.
    assert await odometer_of(vehicles, alice, vid) == 700
    assert json.loads((await outbox_updates(vehicles))[-1])["data"]["odometerReading"] == 700
    fill_up = next(e for e in await log_of(vehicles, alice, vid) if e["source"] == "fill_up")
    refused = await vehicles.delete(f"/api/vehicles/{vid}/odometer/{fill_up['id']}", headers=alice)
    assert refused.status == 409
    assert "delete the fill-up" in (await refused.json())["message"]
    assert len(await log_of(vehicles, alice, vid)) == 2
    again = await vehicles.delete(f"/api/vehicles/{vid}/odometer/{manual['id']}", headers=alice)
    assert again.status == 404


async def test_another_users_vehicle_or_reading_is_not_found(vehicles, identity):
    alice, mallory = identity("auth0|log-owner"), identity("auth0|log-other")
    vid = (await create_vehicle(vehicles, alice, licensePlate="LOG-6", odometerReading=10))["id"]
    [entry] = await log_of(vehicles, alice, vid)
    assert (await vehicles.get(f"/api/vehicles/{vid}/odometer", headers=mallory)).status == 404
    assert (await post_reading(vehicles, mallory, vid, reading=20)).status == 404
    assert (await vehicles.delete(f"/api/vehicles/{vid}/odometer/{entry['id']}", headers=mallory)).status == 404
    assert (await vehicles.delete(f"/api/vehicles/{vid}/odometer/not-a-uuid", headers=alice)).status == 404
    assert (await log_of(vehicles, alice, vid)) == [entry]


@pytest.mark.parametrize(("body", "field"), [
    ({}, "reading"),
    ({"reading": -1}, "reading"),
    ({"reading": "1200"}, "reading"),
    ({"reading": 10_000_000}, "reading"),
    ({"reading": 1200, "date": "soon"}, "date"),
    ({"reading": 1200, "date": day(30).isoformat()}, "date"),
    ({"reading": 1200, "confirm": "yes"}, "confirm"),
    ({"reading": 1200, "note": "x" * 501}, "note"),
])
async def test_bad_input_is_a_400_naming_the_field(vehicles, identity, body, field):
    alice = identity("auth0|log-bad")
    vid = (await create_vehicle(vehicles, alice, licensePlate="LOG-7"))["id"]
    response = await post_reading(vehicles, alice, vid, **body)
    assert response.status == 400, await response.text()
    assert (await response.json())["details"][0]["field"] == field
    assert await log_of(vehicles, alice, vid) == []
