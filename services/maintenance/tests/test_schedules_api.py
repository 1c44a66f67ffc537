"""Schedules: CRUD, validation, ownership, advancing on recorded work, the upcoming view and its cache."""

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import redis.asyncio as redis

from services.maintenance.cache_keys import upcoming_cache_key
from services.maintenance.domain.recurrence import add_months
from services.maintenance.domain.units import Units

ALICE, BOB = "auth0|alice", "auth0|bob"


def today():
    return datetime.now(UTC).date()


def oil_schedule(vehicle_id: str, **overrides) -> dict:
    return {
        "vehicleId": vehicle_id,
        "category": "routine_maintenance",
        "subtypes": ["Engine Oil"],
        "intervalMonths": 6,
        "intervalDistance": 5000,
        "lastServiceDate": today().isoformat(),
        "lastServiceOdometer": 40000,
    } | overrides


def oil_record(vehicle_id: str, **overrides) -> dict:
    return {
        "vehicleId": vehicle_id, "category": "routine_maintenance", "subtypes": ["Engine Oil", "Air Filter Element"],
        "date": today().isoformat(), "odometerReading": 43000, "cost": "59.90",
    } | overrides


async def create(client, path, body, user=ALICE, identity=None):
    response = await client.post(path, json=body, headers=identity(user))
    assert response.status == 201, await response.text()
    return await response.json()


async def test_schedule_lifecycle(maintenance, identity, vehicle):
    car = await vehicle(ALICE, odometer=41000)
    alice = identity(ALICE)
    schedule = await create(maintenance, "/api/maintenance/schedules", oil_schedule(car), identity=identity)
    assert schedule["nextDueDate"] == add_months(today(), 6).isoformat()
    assert schedule["nextDueOdometer"] == 45000
    assert schedule["fixedIntervals"] is False

    listed = await (await maintenance.get(f"/api/maintenance/schedules/vehicle/{car}", headers=alice)).json()
    assert [s["id"] for s in listed] == [schedule["id"]]

    changed = await maintenance.put(
        f"/api/maintenance/schedules/{schedule['id']}", json={"intervalDistance": 7500, "intervalMonths": None}, headers=alice
    )
    assert changed.status == 200, await changed.text()
    body = await changed.json()
    assert (body["nextDueOdometer"], body["nextDueDate"], body["intervalMonths"]) == (47500, None, None)

    assert (await maintenance.delete(f"/api/maintenance/schedules/{schedule['id']}", headers=alice)).status == 204
    assert await (await maintenance.get(f"/api/maintenance/schedules/vehicle/{car}", headers=alice)).json() == []


async def test_schedule_defaults_its_base_to_the_latest_record_that_did_the_work(maintenance, identity, vehicle):
    car = await vehicle(ALICE, odometer=50000)
    last_time = (today() - timedelta(days=20)).isoformat()
    await create(maintenance, "/api/maintenance/records", oil_record(car, date=last_time, odometerReading=48000), identity=identity)
    body = oil_schedule(car)
    del body["lastServiceDate"], body["lastServiceOdometer"]
    schedule = await create(maintenance, "/api/maintenance/schedules", body, identity=identity)
    assert (schedule["lastServiceDate"], schedule["nextDueOdometer"]) == (last_time, 53000)


async def bad_fields(response) -> set[str]:
    assert response.status == 400, await response.text()
    return {detail["field"] for detail in (await response.json())["details"]}


async def test_bad_schedules_answer_400_with_field_details(maintenance, identity, vehicle):
    car = await vehicle(ALICE)
    alice = identity(ALICE)
    post = lambda body: maintenance.post("/api/maintenance/schedules", json=body, headers=alice)  # noqa: E731
    assert await bad_fields(await post(oil_schedule(car, intervalMonths=None, intervalDistance=None))) == {"intervalMonths"}
    no_interval = {k: v for k, v in oil_schedule(car).items() if not k.startswith("interval")}
    assert await bad_fields(await post(no_interval)) == {"intervalMonths"}
    assert await bad_fields(await post(oil_schedule(car, intervalMonths=-6))) == {"intervalMonths"}
    assert await bad_fields(await post(oil_schedule(car, intervalDistance=-1))) == {"intervalDistance"}
    assert await bad_fields(await post(oil_schedule(car, intervalMonths=0))) == {"intervalMonths"}
    assert await bad_fields(await post(oil_schedule(car, category="wash"))) == {"category"}
    assert await bad_fields(await post(oil_schedule(car, category="repair"))) == {"subtypes"}
    assert await bad_fields(await post(oil_schedule(car, urgentDays=-1))) == {"urgentDays"}
    schedule = await create(maintenance, "/api/maintenance/schedules", oil_schedule(car), identity=identity)
    path = f"/api/maintenance/schedules/{schedule['id']}"
    cleared = await maintenance.put(path, json={"intervalMonths": None, "intervalDistance": None}, headers=alice)
    assert await bad_fields(cleared) == {"intervalMonths"}
    assert await bad_fields(await maintenance.put(path, json={"intervalDistance": -5}, headers=alice)) == {"intervalDistance"}
    assert await bad_fields(await maintenance.put(path, json={"category": "performance_upgrade"}, headers=alice)) == {"subtypes"}
    # Left out they stay; sent as null they are refused, not a 500 (the fuzzer found it).
    assert await bad_fields(await maintenance.put(path, json={"category": None}, headers=alice)) == {"category"}
    assert await bad_fields(await maintenance.put(path, json={"subtypes": None}, headers=alice)) == {"subtypes"}
    kept = await (await maintenance.get(path, headers=alice)).json()
    assert (kept["category"], kept["subtypes"]) == ("routine_maintenance", ["Engine Oil"])


async def test_another_users_schedules_and_vehicles_answer_404(maintenance, identity, vehicle):
    car = await vehicle(ALICE)
    schedule = await create(maintenance, "/api/maintenance/schedules", oil_schedule(car), identity=identity)
    bob = identity(BOB)
    path = f"/api/maintenance/schedules/{schedule['id']}"
    assert (await maintenance.get(path, headers=bob)).status == 404
    assert (await maintenance.put(path, json={"intervalMonths": 1}, headers=bob)).status == 404
    assert (await maintenance.delete(path, headers=bob)).status == 404
    assert (await maintenance.post("/api/maintenance/schedules", json=oil_schedule(car), headers=bob)).status == 404
    assert (await maintenance.get(f"/api/maintenance/schedules/vehicle/{car}", headers=bob)).status == 404
    assert (await maintenance.get(f"/api/maintenance/upcoming/{car}", headers=bob)).status == 404
    assert (await maintenance.get(f"/api/maintenance/upcoming/{car}?currentMileage=1", headers=bob)).status == 404
    assert (await maintenance.get(f"/api/maintenance/upcoming/{uuid.uuid4()}", headers=bob)).status == 404
    mine = await (await maintenance.get(path, headers=identity(ALICE))).json()
    assert mine["intervalMonths"] == 6


async def test_recorded_work_advances_matching_schedules_only(maintenance, identity, vehicle):
    car = await vehicle(ALICE, odometer=42000)
    alice = identity(ALICE)
    start = today() - timedelta(days=100)
    oil = await create(maintenance, "/api/maintenance/schedules",
                       oil_schedule(car, lastServiceDate=start.isoformat()), identity=identity)
    belt = await create(maintenance, "/api/maintenance/schedules",
                        oil_schedule(car, subtypes=["Drive Belt", "Engine Oil"], lastServiceDate=start.isoformat()),
                        identity=identity)
    await create(maintenance, "/api/maintenance/records", oil_record(car), identity=identity)  # oil + air filter, no belt

    after = {s["id"]: s for s in await (await maintenance.get(f"/api/maintenance/schedules/vehicle/{car}", headers=alice)).json()}
    # floating: early at 43,000 on a 5,000 interval is next due at 48,000, six months from today
    assert after[oil["id"]]["nextDueOdometer"] == 48000
    assert after[oil["id"]]["nextDueDate"] == add_months(today(), 6).isoformat()
    assert after[oil["id"]]["lastServiceOdometer"] == 43000
    assert after[belt["id"]]["nextDueOdometer"] == belt["nextDueOdometer"] == 45000  # partial work: unchanged


async def test_a_second_record_on_the_same_day_at_a_higher_reading_advances_the_schedule(maintenance, identity, vehicle):
    # Issue 14 #8: the latest service is the later date and, on the same date, the higher reading.
    car = await vehicle(ALICE, odometer=42000)
    alice = identity(ALICE)
    schedule = await create(maintenance, "/api/maintenance/schedules",
                            oil_schedule(car, lastServiceDate=(today() - timedelta(days=100)).isoformat()),
                            identity=identity)
    await create(maintenance, "/api/maintenance/records", oil_record(car, odometerReading=43000), identity=identity)
    await create(maintenance, "/api/maintenance/records", oil_record(car, odometerReading=43500),
                 identity=identity)
    after = await (await maintenance.get(f"/api/maintenance/schedules/{schedule['id']}", headers=alice)).json()
    assert (after["lastServiceOdometer"], after["nextDueOdometer"]) == (43500, 48500)
    assert after["lastServiceDate"] == today().isoformat()
    # A third one that day at a lower reading is history: it changes nothing.
    await create(maintenance, "/api/maintenance/records", oil_record(car, odometerReading=43200), identity=identity)
    again = await (await maintenance.get(f"/api/maintenance/schedules/{schedule['id']}", headers=alice)).json()
    assert again["nextDueOdometer"] == 48500


async def test_fixed_schedule_catches_up_in_one_pass(maintenance, identity, vehicle):
    car = await vehicle(ALICE, odometer=10000)
    alice = identity(ALICE)
    schedule = await create(
        maintenance, "/api/maintenance/schedules",
        oil_schedule(car, intervalMonths=None, intervalDistance=5000, fixedIntervals=True, lastServiceOdometer=10000),
        identity=identity,
    )
    assert schedule["nextDueOdometer"] == 15000
    await create(maintenance, "/api/maintenance/records",
                 oil_record(car, odometerReading=31000, date=(today() + timedelta(days=1)).isoformat()), identity=identity)
    [after] = await (await maintenance.get(f"/api/maintenance/schedules/vehicle/{car}", headers=alice)).json()
    assert after["nextDueOdometer"] == 35000  # 15,000 -> 35,000 at once, still on the 5,000 grid


async def test_upcoming_view_reports_urgency_trigger_and_distances_in_the_callers_unit(maintenance, identity, vehicle):
    car = await vehicle(ALICE, odometer=44980)
    alice = identity(ALICE)
    soon_by_distance = await create(maintenance, "/api/maintenance/schedules", oil_schedule(car), identity=identity)
    tyres = await create(
        maintenance, "/api/maintenance/schedules",
        oil_schedule(car, subtypes=["Tires"], intervalDistance=None, intervalMonths=12,
                     lastServiceDate=(today() - timedelta(days=400)).isoformat()),
        identity=identity,
    )
    upcoming = await (await maintenance.get(f"/api/maintenance/upcoming/{car}", headers=alice)).json()
    assert [item["id"] for item in upcoming] == [tyres["id"], soon_by_distance["id"]]  # most urgent first
    overdue, soon = upcoming
    assert (overdue["urgency"], overdue["trigger"]) == ("past_due", "date")
    assert overdue["daysUntilDue"] == (add_months(today() - timedelta(days=400), 12) - today()).days < 0
    assert (soon["urgency"], soon["trigger"], soon["distanceUntilDue"]) == ("very_urgent", "odometer", 20)

    metric = await (await maintenance.get(f"/api/maintenance/upcoming/{car}?units=metric", headers=alice)).json()
    # 20 miles is 32.2 km: still under the 50 (km) very-urgent threshold of a metric caller
    assert (metric[1]["distanceUntilDue"], metric[1]["nextDueOdometer"], metric[1]["urgency"]) == (32.2, 72420.5, "very_urgent")

    # the caller's current mileage overrides the known odometer for this view
    override = await (await maintenance.get(f"/api/maintenance/upcoming/{car}?currentMileage=44000", headers=alice)).json()
    assert (override[1]["urgency"], override[1]["distanceUntilDue"]) == ("not_urgent", 1000)


async def test_custom_thresholds_per_schedule(maintenance, identity, vehicle):
    car = await vehicle(ALICE, odometer=44000)
    await create(maintenance, "/api/maintenance/schedules", oil_schedule(car, veryUrgentDistance=1500), identity=identity)
    [item] = await (await maintenance.get(f"/api/maintenance/upcoming/{car}", headers=identity(ALICE))).json()
    assert (item["urgency"], item["trigger"]) == ("very_urgent", "odometer")


async def test_projected_due_date_follows_the_recent_driving_rate(maintenance, identity, vehicle):
    car = await vehicle(ALICE, odometer=40000)
    for days_ago, reading in ((40, 40000), (20, 41000)):
        await create(maintenance, "/api/maintenance/records", oil_record(
            car, category="repair", subtypes=["Interior"], odometerReading=reading,
            date=(today() - timedelta(days=days_ago)).isoformat()), identity=identity)
    await create(maintenance, "/api/maintenance/schedules",
                 oil_schedule(car, intervalMonths=24, intervalDistance=3000, lastServiceOdometer=41000), identity=identity)
    [item] = await (await maintenance.get(f"/api/maintenance/upcoming/{car}", headers=identity(ALICE))).json()
    # 1,000 miles in 20 days = 50 a day; 3,000 miles left -> 60 days, well before the 24 months
    assert item["projectedDueDate"] == (today() + timedelta(days=60)).isoformat()


async def test_upcoming_is_cached_and_invalidated_by_changes(maintenance, identity, vehicle, db):
    car = await vehicle(ALICE, odometer=40000)
    alice = identity(ALICE)
    await create(maintenance, "/api/maintenance/schedules", oil_schedule(car), identity=identity)

    async def distance_left():
        [item] = await (await maintenance.get(f"/api/maintenance/upcoming/{car}", headers=alice)).json()
        return item["distanceUntilDue"]

    assert await distance_left() == 5000
    key = maintenance.settings.redis_prefix + upcoming_cache_key(ALICE, uuid.UUID(car), Units.IMPERIAL, today())
    client = redis.from_url(maintenance.settings.redis_url)
    try:
        assert 3500 < await client.ttl(key) <= 3600  # cached for an hour
    finally:
        await client.aclose()
    # A change behind the service's back is not seen: the view comes from the cache.
    await db(lambda conn: conn.execute("UPDATE vehicle_projection SET odometer = 41000 WHERE vehicle_id = $1", uuid.UUID(car)))
    assert await distance_left() == 5000
    # A record through the API invalidates it.
    await create(maintenance, "/api/maintenance/records", oil_record(car, category="repair", subtypes=["Interior"],
                                                                      odometerReading=42000), identity=identity)
    assert await distance_left() == 3000
    # So does a schedule change.
    schedules = await (await maintenance.get(f"/api/maintenance/schedules/vehicle/{car}", headers=alice)).json()
    await maintenance.put(f"/api/maintenance/schedules/{schedules[0]['id']}", json={"intervalDistance": 6000}, headers=alice)
    assert await distance_left() == 4000


async def test_decimal_odometers_are_kept(maintenance, identity, vehicle):
    car = await vehicle(ALICE, odometer=0)
    schedule = await create(maintenance, "/api/maintenance/schedules",
                            oil_schedule(car, lastServiceOdometer=100.5, intervalDistance=999.9), identity=identity)
    assert schedule["nextDueOdometer"] == float(Decimal("100.5") + Decimal("999.9"))


async def test_back_dated_work_is_history_not_a_completion(maintenance, identity, vehicle):
    car = await vehicle(ALICE, odometer=42000)
    schedule = await create(maintenance, "/api/maintenance/schedules", oil_schedule(car), identity=identity)
    older = oil_record(car, date=(today() - timedelta(days=30)).isoformat(), odometerReading=39000)
    await create(maintenance, "/api/maintenance/records", older, identity=identity)
    after = await (await maintenance.get(f"/api/maintenance/schedules/{schedule['id']}", headers=identity(ALICE))).json()
    assert (after["nextDueOdometer"], after["lastServiceDate"]) == (45000, today().isoformat())


async def test_a_new_last_service_restarts_the_cycle(maintenance, identity, vehicle):
    car = await vehicle(ALICE, odometer=42000)
    schedule = await create(maintenance, "/api/maintenance/schedules", oil_schedule(car), identity=identity)
    moved = await maintenance.put(
        f"/api/maintenance/schedules/{schedule['id']}?units=metric",
        json={"lastServiceDate": "2026-01-31", "lastServiceOdometer": 70000, "intervalMonths": 1},
        headers=identity(ALICE),
    )
    body = await moved.json()
    assert (body["nextDueDate"], body["baseOdometer"], body["units"]) == ("2026-02-28", 70000, "metric")
    assert body["nextDueOdometer"] == 78046.7  # 70,000 km + 5,000 mi (8,046.72 km)
