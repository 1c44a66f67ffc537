"""The fill-up API: create, read, update, delete, lists, stats, units, validation, ownership, cache."""

from __future__ import annotations

import uuid

import pytest

from .conftest import fetch, new_vehicle

FILL = {"dateTime": "2026-05-01T08:00:00+00:00", "odometerReading": 1000, "fuelUnits": 10, "costPerUnit": 3.5}


async def post(client, user_headers, vehicle_id, units=None, **fields):
    path = "/api/fuel-logs" + (f"?units={units}" if units else "")
    return await client.post(path, json={**FILL, "vehicleId": vehicle_id, **fields}, headers=user_headers)


async def test_create_read_update_delete(fuel_logs, identity):
    alice = identity("auth0|alice")
    vehicle_id = await new_vehicle(fuel_logs, "auth0|alice")
    created = await post(fuel_logs, alice, vehicle_id, fuelGrade="91", locationData={"placeId": "ChIJ-station", "name": "Shell"},
                         notes="first")
    assert created.status == 201, await created.text()
    body = await created.json()
    assert body["userId"] == "auth0|alice" and body["vehicleId"] == vehicle_id
    assert body["totalCost"] == 35.0 and body["fuelType"] == "gasoline" and body["isFullFill"] is True
    assert body["missedPrevious"] is False and body["efficiency"] is None and body["efficiencyLabel"] == "MPG"
    assert body["locationData"] == {"placeId": "ChIJ-station", "name": "Shell"}

    second = await (await post(fuel_logs, alice, vehicle_id, odometerReading=1300, dateTime="2026-05-08T08:00:00+00:00")).json()
    assert second["efficiency"] == 30.0  # 300 mi / 10 gal

    fetched = await fuel_logs.get(f"/api/fuel-logs/{second['id']}", headers=alice)
    assert (await fetched.json())["efficiency"] == 30.0

    updated = await fuel_logs.put(f"/api/fuel-logs/{second['id']}", json={"fuelUnits": 12, "notes": "fixed"}, headers=alice)
    assert updated.status == 200, await updated.text()
    changed = await updated.json()
    assert changed["efficiency"] == 25.0 and changed["totalCost"] == 42.0 and changed["notes"] == "fixed"
    assert changed["odometerReading"] == 1300 and changed["createdAt"] == second["createdAt"]

    deleted = await fuel_logs.delete(f"/api/fuel-logs/{second['id']}", headers=alice)
    assert deleted.status == 204
    assert (await fuel_logs.get(f"/api/fuel-logs/{second['id']}", headers=alice)).status == 404
    listed = await (await fuel_logs.get(f"/api/fuel-logs/vehicle/{vehicle_id}", headers=alice)).json()
    assert [log["id"] for log in listed] == [body["id"]]


async def test_fuel_type_defaults_to_the_vehicles(fuel_logs, identity):
    bob = identity("bob")
    diesel = await new_vehicle(fuel_logs, "bob", fuel_type="Diesel")
    response = await post(fuel_logs, bob, diesel, fuelGrade="#2")
    assert response.status == 201, await response.text()
    assert (await response.json())["fuelType"] == "diesel"
    wrong = await post(fuel_logs, bob, diesel, fuelGrade="91")
    assert wrong.status == 400
    assert [d["field"] for d in (await wrong.json())["details"]] == ["fuelGrade"]


@pytest.mark.parametrize(
    ("fields", "query", "bad_fields"),
    [
        ({"fuelUnits": 0}, "", {"fuelUnits"}),
        ({"fuelUnits": -5}, "", {"fuelUnits"}),
        ({"costPerUnit": -1}, "", {"costPerUnit"}),
        ({"fuelType": "gasoline", "fuelGrade": "#2"}, "", {"fuelGrade"}),
        ({"fuelType": "diesel", "fuelGrade": "87"}, "", {"fuelGrade"}),
        ({"fuelType": "electric", "fuelGrade": "87"}, "", {"fuelGrade"}),
        ({"fuelType": "hydrogen"}, "", {"fuelType"}),
        ({"odometerReading": None}, "", {"odometerReading", "tripDistance"}),
        ({"odometerReading": -1}, "", {"odometerReading"}),
        ({"dateTime": "2026-05-01T08:00:00"}, "", {"dateTime"}),  # timezone required
        ({"vehicleId": "not-a-uuid"}, "", {"vehicleId"}),
        ({}, "?units=furlongs", {"units"}),
    ],
)
async def test_bad_input_is_400_with_field_details(fuel_logs, identity, fields, query, bad_fields):
    carol = identity("carol")
    vehicle_id = await new_vehicle(fuel_logs, "carol")
    body = {**FILL, "vehicleId": vehicle_id, **fields}
    response = await fuel_logs.post(f"/api/fuel-logs{query}", json=body, headers=carol)
    assert response.status == 400
    error = await response.json()
    assert error["statusCode"] == 400 and {d["field"] for d in error["details"]} == bad_fields
    assert await fetch(fuel_logs.settings, "SELECT id FROM fuel_logs") == []


async def test_bad_update_is_400_and_changes_nothing(fuel_logs, identity):
    dave = identity("dave")
    vehicle_id = await new_vehicle(fuel_logs, "dave")
    log_id = (await (await post(fuel_logs, dave, vehicle_id)).json())["id"]
    for patch, field in [({"fuelUnits": 0}, "fuelUnits"), ({"fuelGrade": "#1"}, "fuelGrade"),
                         ({"odometerReading": None}, "tripDistance"), ({"dateTime": None}, "dateTime")]:
        response = await fuel_logs.put(f"/api/fuel-logs/{log_id}", json=patch, headers=dave)
        assert response.status == 400, patch
        assert field in {d["field"] for d in (await response.json())["details"]}
    unchanged = await (await fuel_logs.get(f"/api/fuel-logs/{log_id}", headers=dave)).json()
    assert unchanged["fuelUnits"] == 10 and unchanged["odometerReading"] == 1000 and unchanged["fuelGrade"] is None


async def test_another_users_fill_up_or_vehicle_is_404_everywhere(fuel_logs, identity):
    owner, other = identity("owner"), identity("intruder")
    vehicle_id = await new_vehicle(fuel_logs, "owner")
    log_id = (await (await post(fuel_logs, owner, vehicle_id)).json())["id"]
    attempts = [
        fuel_logs.get(f"/api/fuel-logs/{log_id}", headers=other),
        fuel_logs.put(f"/api/fuel-logs/{log_id}", json={"notes": "mine now"}, headers=other),
        fuel_logs.delete(f"/api/fuel-logs/{log_id}", headers=other),
        fuel_logs.post(f"/api/fuel-logs/{log_id}/receipt", json={"contentType": "image/jpeg"}, headers=other),
        fuel_logs.get(f"/api/fuel-logs/{log_id}/receipt", headers=other),
        fuel_logs.delete(f"/api/fuel-logs/{log_id}/receipt", headers=other),
        fuel_logs.post("/api/fuel-logs", json={**FILL, "vehicleId": vehicle_id}, headers=other),
        fuel_logs.get(f"/api/fuel-logs/vehicle/{vehicle_id}", headers=other),
        fuel_logs.get(f"/api/fuel-logs/vehicle/{vehicle_id}/stats", headers=other),
        fuel_logs.get(f"/api/fuel-logs/vehicle/{vehicle_id}/export", headers=other),
        fuel_logs.post(f"/api/fuel-logs/vehicle/{vehicle_id}/import", data="date,odometer,quantity,price\n2026-01-01,1,1,1\n",
                       headers={**other, "Content-Type": "text/csv"}),
        fuel_logs.get("/api/fuel-logs/not-a-uuid", headers=other),
    ]
    for attempt in attempts:
        response = await attempt
        assert response.status == 404, (response.method, response.url)
        assert (await response.json())["statusCode"] == 404
    assert await (await fuel_logs.get("/api/fuel-logs", headers=other)).json() == []
    mine = await (await fuel_logs.get(f"/api/fuel-logs/{log_id}", headers=owner)).json()
    assert mine["notes"] is None and mine["hasReceipt"] is False


async def test_units_metric_uk_and_electric(fuel_logs, identity):
    erin = identity("erin")
    vehicle_id = await new_vehicle(fuel_logs, "erin")
    # Entered in km and litres: 40 L at 1.859/L, 500 km between full fills.
    first = await post(fuel_logs, erin, vehicle_id, units="metric", odometerReading=10000, fuelUnits=40, costPerUnit=1.859)
    assert first.status == 201, await first.text()
    second = await (await post(fuel_logs, erin, vehicle_id, units="metric", odometerReading=10500, fuelUnits=40,
                               costPerUnit=1.859, dateTime="2026-05-05T08:00:00+00:00")).json()
    assert second["totalCost"] == 74.36  # 40 x 1.859, exact to the cent in the entered units
    assert (second["odometerReading"], second["fuelUnits"], second["costPerUnit"]) == (10500, 40, 1.859)
    assert second["efficiency"] == 8.0 and second["unitLabels"]["efficiencyUnits"] == "L/100km"  # 40 L / 500 km
    stored = (await fetch(fuel_logs.settings, "SELECT * FROM fuel_logs WHERE id = $1", uuid.UUID(second["id"])))[0]
    assert str(stored["fuel_units"]) == "10.566882094"  # US gallons
    assert str(stored["cost_per_unit"]) == "7.037080506456"  # per US gallon, exact

    imperial = await (await fuel_logs.get(f"/api/fuel-logs/{second['id']}", headers=erin)).json()
    assert imperial["fuelUnits"] == 10.567 and imperial["efficiency"] == 29.4 and imperial["efficiencyLabel"] == "MPG"
    kml = await (await fuel_logs.get(f"/api/fuel-logs/{second['id']}?units=metric_kml", headers=erin)).json()
    assert kml["efficiency"] == 12.5 and kml["efficiencyLabel"] == "km/L"
    uk = await (await fuel_logs.get(f"/api/fuel-logs/{second['id']}?units=uk", headers=erin)).json()
    # 310.686 mi on 40 L = 8.799 imperial gal: 35.31 MPG (UK); distances stay in miles.
    assert uk["efficiency"] == 35.31 and uk["fuelUnits"] == 40 and uk["odometerReading"] == 6524.4

    car = await new_vehicle(fuel_logs, "erin", fuel_type="electric")
    await post(fuel_logs, erin, car, odometerReading=100, fuelUnits=30, costPerUnit=0.25)
    charged = await (await post(fuel_logs, erin, car, odometerReading=220, fuelUnits=40, costPerUnit=0.25,
                                dateTime="2026-05-02T08:00:00+00:00")).json()
    assert (charged["fuelType"], charged["efficiency"], charged["efficiencyLabel"]) == ("electric", 3.0, "mi/kWh")
    metric = await (await fuel_logs.get(f"/api/fuel-logs/{charged['id']}?units=metric", headers=erin)).json()
    assert metric["fuelUnits"] == 40 and metric["efficiencyLabel"] == "kWh/100km"
    assert metric["efficiency"] == 20.71  # 40 kWh / 193.12128 km x 100


async def test_stats(fuel_logs, identity):
    fay = identity("fay")
    vehicle_id = await new_vehicle(fuel_logs, "fay")
    entries = [("2026-04-28", 1000, 10, True), ("2026-05-03", 1150, 4, False), ("2026-05-10", 1300, 6, True),
               ("2026-06-02", 1500, 5, True)]
    for day, odometer, fuel, full in entries:
        response = await post(fuel_logs, fay, vehicle_id, dateTime=f"{day}T08:00:00+00:00", odometerReading=odometer,
                              fuelUnits=fuel, costPerUnit=3.5, isFullFill=full)
        assert response.status == 201
    stats = await (await fuel_logs.get(f"/api/fuel-logs/vehicle/{vehicle_id}/stats", headers=fay)).json()
    assert stats["logCount"] == 4 and stats["totalFuelUnits"] == 25 and stats["totalCost"] == 87.5
    assert stats["averageCostPerUnit"] == 3.5 and stats["totalDistance"] == 500
    assert stats["averageEfficiency"] == 33.33  # (300 + 200) / (10 + 5), closed intervals only
    assert (stats["bestEfficiency"], stats["worstEfficiency"]) == (40, 30)
    assert stats["costPerDistance"] == 0.175
    assert stats["unitLabels"] == {"distance": "miles", "fuelUnits": "gallons", "efficiencyUnits": "MPG", "system": "imperial"}
    assert stats["monthly"] == [
        {"month": "2026-04", "distance": 0, "fuelUnits": 10, "cost": 35, "efficiency": None},
        {"month": "2026-05", "distance": 300, "fuelUnits": 10, "cost": 35, "efficiency": 30},
        {"month": "2026-06", "distance": 200, "fuelUnits": 5, "cost": 17.5, "efficiency": 40},
    ]
    metric = await (await fuel_logs.get(f"/api/fuel-logs/vehicle/{vehicle_id}/stats?units=metric", headers=fay)).json()
    assert metric["totalDistance"] == 804.7 and metric["averageEfficiency"] == 7.06
    # Lower is better in L/100 km.
    assert (metric["bestEfficiency"], metric["worstEfficiency"]) == (5.88, 7.84)
    empty = await new_vehicle(fuel_logs, "fay")
    nothing = await (await fuel_logs.get(f"/api/fuel-logs/vehicle/{empty}/stats", headers=fay)).json()
    assert nothing["logCount"] == 0 and nothing["averageEfficiency"] is None and nothing["monthly"] == []


async def test_trip_distance_instead_of_odometer(fuel_logs, identity):
    gus = identity("gus")
    vehicle_id = await new_vehicle(fuel_logs, "gus")
    await post(fuel_logs, gus, vehicle_id)
    trip = await post(fuel_logs, gus, vehicle_id, odometerReading=None, tripDistance=280.5, fuelUnits=11,
                      dateTime="2026-05-06T08:00:00+00:00")
    assert trip.status == 201, await trip.text()
    body = await trip.json()
    assert body["odometerReading"] is None and body["tripDistance"] == 280.5 and body["efficiency"] == 25.5


async def test_user_list_is_cached_and_every_write_invalidates_it(fuel_logs, identity):
    hal = identity("hal")
    vehicle_id = await new_vehicle(fuel_logs, "hal")
    assert await (await fuel_logs.get("/api/fuel-logs", headers=hal)).json() == []
    created = await (await post(fuel_logs, hal, vehicle_id)).json()
    listed = await (await fuel_logs.get("/api/fuel-logs", headers=hal)).json()
    assert [log["id"] for log in listed] == [created["id"]]
    # The cache really serves: a change behind the service's back is not seen...
    conn_rows = await fetch(fuel_logs.settings, "UPDATE fuel_logs SET notes = 'behind' RETURNING id")
    assert len(conn_rows) == 1
    assert (await (await fuel_logs.get("/api/fuel-logs", headers=hal)).json())[0]["notes"] is None
    # ...until a write through the API invalidates it.
    await fuel_logs.put(f"/api/fuel-logs/{created['id']}", json={"notes": "api"}, headers=hal)
    assert (await (await fuel_logs.get("/api/fuel-logs", headers=hal)).json())[0]["notes"] == "api"
    metric = await (await fuel_logs.get("/api/fuel-logs?units=metric", headers=hal)).json()
    assert metric[0]["unitLabels"]["distance"] == "km"
    await fuel_logs.delete(f"/api/fuel-logs/{created['id']}", headers=hal)
    assert await (await fuel_logs.get("/api/fuel-logs", headers=hal)).json() == []
    assert await (await fuel_logs.get("/api/fuel-logs?units=metric", headers=hal)).json() == []


async def test_switching_a_fill_up_to_electricity_restates_quantity_and_price(fuel_logs, identity):
    ivy = identity("ivy")
    vehicle_id = await new_vehicle(fuel_logs, "ivy")
    log_id = (await (await post(fuel_logs, ivy, vehicle_id)).json())["id"]
    refused = await fuel_logs.put(f"/api/fuel-logs/{log_id}", json={"fuelType": "electric", "fuelUnits": 40}, headers=ivy)
    assert refused.status == 400
    assert (await refused.json())["details"] == [
        {"field": "costPerUnit", "message": "required when switching between electricity and liquid fuel",
         "type": "value_error"},
    ]
    switched = await fuel_logs.put(f"/api/fuel-logs/{log_id}?units=metric",
                                   json={"fuelType": "electric", "fuelUnits": 40, "costPerUnit": 0.25}, headers=ivy)
    assert switched.status == 200, await switched.text()
    body = await switched.json()
    assert (body["fuelType"], body["fuelUnits"], body["totalCost"], body["efficiencyLabel"]) == ("electric", 40, 10, "kWh/100km")
