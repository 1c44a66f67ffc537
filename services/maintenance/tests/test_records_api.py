"""Maintenance records: create, read, list, filter, update, delete; validation; ownership; units."""

import uuid

from .conftest import settle

ALICE, BOB = "auth0|alice", "auth0|bob"


def oil_change(vehicle_id: str, **overrides) -> dict:
    return {
        "vehicleId": vehicle_id,
        "category": "routine_maintenance",
        "subtypes": ["Engine Oil", "Air Filter Element"],
        "date": "2026-04-02",
        "odometerReading": 45000,
        "cost": "89.99",
        "shopName": "Corner Garage",
        "notes": "5W-30",
    } | overrides


async def test_record_lifecycle(maintenance, identity, vehicle):
    car = await vehicle(ALICE)
    created = await maintenance.post("/api/maintenance/records", json=oil_change(car), headers=identity(ALICE))
    assert created.status == 201, await created.text()
    record = await created.json()
    assert record["subtypes"] == ["Engine Oil", "Air Filter Element"]
    assert record["cost"] == 89.99 and record["odometerReading"] == 45000
    record_id = record["id"]

    fetched = await maintenance.get(f"/api/maintenance/records/{record_id}", headers=identity(ALICE))
    assert (await fetched.json())["shopName"] == "Corner Garage"

    updated = await maintenance.put(
        f"/api/maintenance/records/{record_id}", json={"cost": 95.5, "notes": None}, headers=identity(ALICE)
    )
    assert updated.status == 200, await updated.text()
    body = await updated.json()
    assert (body["cost"], body["notes"], body["odometerReading"]) == (95.5, None, 45000)

    deleted = await maintenance.delete(f"/api/maintenance/records/{record_id}", headers=identity(ALICE))
    assert deleted.status == 204
    gone = await maintenance.get(f"/api/maintenance/records/{record_id}", headers=identity(ALICE))
    assert gone.status == 404


async def test_cost_is_exact(maintenance, identity, vehicle, db):
    car = await vehicle(ALICE)
    created = await maintenance.post("/api/maintenance/records", json=oil_change(car, cost="0.10"), headers=identity(ALICE))
    record_id = uuid.UUID((await created.json())["id"])
    stored = await db(lambda conn: conn.fetchval("SELECT cost::text FROM maintenance_records WHERE id = $1", record_id))
    assert stored == "0.10"


async def test_lists_filter_by_vehicle_and_category(maintenance, identity, vehicle):
    car, van = await vehicle(ALICE), await vehicle(ALICE)
    alice = identity(ALICE)
    await maintenance.post("/api/maintenance/records", json=oil_change(car), headers=alice)
    await maintenance.post(
        "/api/maintenance/records", json=oil_change(car, category="repair", subtypes=["Transmission"]), headers=alice
    )
    await maintenance.post("/api/maintenance/records", json=oil_change(van, date="2026-05-01"), headers=alice)

    every = await (await maintenance.get("/api/maintenance/records", headers=alice)).json()
    assert len(every) == 3
    repairs = await (await maintenance.get(f"/api/maintenance/records?vehicleId={car}&category=repair", headers=alice)).json()
    assert [r["subtypes"] for r in repairs] == [["Transmission"]]
    by_path = await (await maintenance.get(f"/api/maintenance/records/vehicle/{van}", headers=alice)).json()
    assert [r["vehicleId"] for r in by_path] == [van]


async def test_metric_caller_enters_and_reads_kilometres_stored_as_miles(maintenance, identity, vehicle, db):
    car = await vehicle(ALICE)
    created = await maintenance.post(
        "/api/maintenance/records?units=metric", json=oil_change(car, odometerReading=10000), headers=identity(ALICE)
    )
    record = await created.json()
    assert record["odometerReading"] == 10000 and record["units"] == "metric"
    record_id = uuid.UUID(record["id"])
    miles = await db(lambda conn: conn.fetchval("SELECT odometer_reading FROM maintenance_records WHERE id = $1", record_id))
    assert str(miles) == "6213.711922"  # 10,000 km / 1.609344
    imperial = await (await maintenance.get(f"/api/maintenance/records/{record_id}", headers=identity(ALICE))).json()
    assert imperial["odometerReading"] == 6213.7


async def test_subtypes_per_category(maintenance, identity):
    routine = await maintenance.get("/api/maintenance/subtypes/routine_maintenance", headers=identity(ALICE))
    names = (await routine.json())["subtypes"]
    assert len(names) == 28 and names[-1] == "Other" and "Engine Oil" in names and "Tires" in names
    repair = await (await maintenance.get("/api/maintenance/subtypes/repair", headers=identity(ALICE))).json()
    assert len(repair["subtypes"]) == 5
    upgrade = await (await maintenance.get("/api/maintenance/subtypes/performance_upgrade", headers=identity(ALICE))).json()
    assert len(upgrade["subtypes"]) == 5
    unknown = await maintenance.get("/api/maintenance/subtypes/detailing", headers=identity(ALICE))
    assert unknown.status == 400
    assert (await unknown.json())["details"][0]["field"] == "category"


async def bad_fields(response) -> set[str]:
    assert response.status == 400, await response.text()
    body = await response.json()
    assert body["statusCode"] == 400
    return {detail["field"] for detail in body["details"]}


async def test_bad_records_answer_400_with_field_details(maintenance, identity, vehicle):
    car = await vehicle(ALICE)
    alice = identity(ALICE)
    post = lambda body: maintenance.post("/api/maintenance/records", json=body, headers=alice)  # noqa: E731
    assert await bad_fields(await post(oil_change(car, category="detailing"))) == {"category"}
    assert await bad_fields(await post(oil_change(car, category="repair", subtypes=["Engine Oil"]))) == {"subtypes"}
    assert await bad_fields(await post(oil_change(car, subtypes=[]))) == {"subtypes"}
    assert await bad_fields(await post(oil_change(car, cost=-1))) == {"cost"}
    assert await bad_fields(await post(oil_change(car, odometerReading=-5))) == {"odometerReading"}
    assert await bad_fields(await post(oil_change(car, date="yesterday"))) == {"date"}
    assert await bad_fields(await post(oil_change(car, units="furlongs"))) == {"units"}
    created = await (await post(oil_change(car))).json()
    change_category = await maintenance.put(
        f"/api/maintenance/records/{created['id']}", json={"category": "repair"}, headers=alice
    )
    assert await bad_fields(change_category) == {"subtypes"}  # Engine Oil is no repair
    for field in ("date", "category", "subtypes"):  # may be left out, not cleared: the 400 names the field
        cleared = await maintenance.put(f"/api/maintenance/records/{created['id']}", json={field: None}, headers=alice)
        assert await bad_fields(cleared) == {field}


async def test_another_users_records_and_vehicles_answer_404(maintenance, identity, vehicle):
    car = await vehicle(ALICE)
    record = await (await maintenance.post("/api/maintenance/records", json=oil_change(car), headers=identity(ALICE))).json()
    bob = identity(BOB)
    path = f"/api/maintenance/records/{record['id']}"
    assert (await maintenance.get(path, headers=bob)).status == 404
    assert (await maintenance.put(path, json={"cost": 1}, headers=bob)).status == 404
    assert (await maintenance.delete(path, headers=bob)).status == 404
    assert (await maintenance.post("/api/maintenance/records", json=oil_change(car), headers=bob)).status == 404
    assert (await maintenance.get(f"/api/maintenance/records/vehicle/{car}", headers=bob)).status == 404
    assert (await maintenance.get(f"/api/maintenance/records?vehicleId={car}", headers=bob)).status == 404
    assert await (await maintenance.get("/api/maintenance/records", headers=bob)).json() == []
    assert (await maintenance.get("/api/maintenance/records/not-a-uuid", headers=bob)).status == 404
    # and nothing changed for Alice
    still = await (await maintenance.get(path, headers=identity(ALICE))).json()
    assert still["cost"] == 89.99


async def test_record_created_event_carries_miles_and_exact_cost(maintenance, identity, vehicle, spy):
    car = await vehicle(ALICE)
    created = await maintenance.post(
        "/api/maintenance/records?units=metric", json=oil_change(car, odometerReading=10000), headers=identity(ALICE)
    )
    record_id = (await created.json())["id"]
    [event] = await spy.wait_for("maintenance.record_created")
    assert event["userId"] == ALICE
    assert event["data"] == {
        "recordId": record_id, "vehicleId": car, "date": "2026-04-02", "odometerReading": 6213.7,
        "category": "routine_maintenance", "subtypes": ["Engine Oil", "Air Filter Element"], "cost": "89.99",
    }
    await settle()
    assert len(spy.of("maintenance.record_created")) == 1
