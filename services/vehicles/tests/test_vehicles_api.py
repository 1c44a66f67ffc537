"""Vehicles API: CRUD, validation, ownership, list cache, VIN warnings and the events of each write."""

import pytest

from shared.testing.waiting import eventually, until_ready

from .conftest import VIN, create_vehicle

FOREIGN_VIN = "WBA3A5C51CF256987"  # a 2012 BMW 328i: its check digit does not calculate (vPIC error 1)


async def test_create_then_read_and_list(vehicles, identity):
    alice = identity("auth0|alice")
    body = {"vin": VIN.lower(), "year": 2003, "make": "Honda", "model": "Accord", "engine": "3.0L V6",
            "transmission": "Automatic", "trimLevel": "EX-V6", "driveType": "FWD", "fuelType": "gasoline",
            "nickname": "Daily", "color": "Silver", "licensePlate": "ABC-123", "odometerReading": 120500}
    created = await vehicles.post("/api/vehicles", json=body, headers=alice)
    assert created.status == 201
    vehicle = await created.json()
    assert vehicle["vin"] == VIN and vehicle["userId"] == "auth0|alice" and vehicle["isActive"] is True
    assert {k: vehicle[k] for k in body if k != "vin"} == {k: v for k, v in body.items() if k != "vin"}
    assert vehicle["imageUrl"] is None and vehicle["warnings"] == []
    assert vehicle["createdAt"].endswith("+00:00")
    fetched = await (await vehicles.get(f"/api/vehicles/{vehicle['id']}", headers=alice)).json()
    assert fetched == {k: v for k, v in vehicle.items() if k != "warnings"}
    listed = await vehicles.get("/api/vehicles", headers=alice)
    assert [v["id"] for v in await listed.json()] == [vehicle["id"]]


async def test_a_plate_alone_is_enough(vehicles, identity):
    vehicle = await create_vehicle(vehicles, identity("auth0|plate"), licensePlate="XYZ 987")
    assert vehicle["vin"] is None and vehicle["licensePlate"] == "XYZ 987" and vehicle["odometerReading"] == 0


async def test_check_digit_mismatch_is_a_warning_not_a_rejection(vehicles, identity):
    response = await vehicles.post("/api/vehicles", json={"vin": FOREIGN_VIN}, headers=identity("auth0|bmw"))
    assert response.status == 201
    warnings = (await response.json())["warnings"]
    assert [w["code"] for w in warnings] == ["check_digit"]
    assert "is 1, expected 7" in warnings[0]["message"]


async def test_put_is_a_partial_update(vehicles, identity):
    alice = identity("auth0|put")
    vehicle = await create_vehicle(vehicles, alice, vin=VIN, make="Honda", color="Silver", odometerReading=1000)
    response = await vehicles.put(f"/api/vehicles/{vehicle['id']}", json={"color": "Blue", "odometerReading": 900},
                                  headers=alice)
    assert response.status == 200
    updated = await response.json()
    assert (updated["color"], updated["make"], updated["vin"]) == ("Blue", "Honda", VIN)
    assert updated["odometerReading"] == 900  # a manual edit may lower it (a typo fixed)
    assert updated["updatedAt"] > vehicle["updatedAt"]
    cleared = await (await vehicles.put(f"/api/vehicles/{vehicle['id']}", json={"make": None}, headers=alice)).json()
    assert cleared["make"] is None and cleared["color"] == "Blue"
    fetched = await (await vehicles.get(f"/api/vehicles/{vehicle['id']}", headers=alice)).json()
    assert (fetched["color"], fetched["make"], fetched["odometerReading"]) == ("Blue", None, 900)


async def test_put_keeps_a_vin_or_a_plate_and_vins_unique(vehicles, identity):
    alice = identity("auth0|put-rules")
    vehicle = await create_vehicle(vehicles, alice, vin=VIN)
    other = await create_vehicle(vehicles, alice, licensePlate="OTHER-1")
    no_identity = await vehicles.put(f"/api/vehicles/{vehicle['id']}", json={"vin": None}, headers=alice)
    assert no_identity.status == 400
    assert (await no_identity.json())["details"][0]["field"] == "licensePlate"
    duplicate = await vehicles.put(f"/api/vehicles/{other['id']}", json={"vin": VIN}, headers=alice)
    assert duplicate.status == 409
    assert (await duplicate.json())["statusCode"] == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"vin": "1HGCM82633A00435O"}, "vin"),
        ({"odometerReading": -5}, "odometerReading"),
        ({"odometerReading": None}, "odometerReading"),
        ({"year": 1700}, "year"),
        ({"year": "recent"}, "year"),
        ({"color": ["red"]}, "color"),
    ],
)
async def test_invalid_update_is_400_with_field_details(vehicles, identity, body, field):
    alice = identity("auth0|bad-put")
    vehicle = await create_vehicle(vehicles, alice)
    response = await vehicles.put(f"/api/vehicles/{vehicle['id']}", json=body, headers=alice)
    assert response.status == 400
    assert field in {d["field"] for d in (await response.json())["details"]}


async def test_list_cache_sees_every_write(vehicles, identity):
    alice = identity("auth0|cache")
    assert await (await vehicles.get("/api/vehicles", headers=alice)).json() == []  # cached empty list
    created = await create_vehicle(vehicles, alice, licensePlate="AB-123")
    assert [v["id"] for v in await (await vehicles.get("/api/vehicles", headers=alice)).json()] == [created["id"]]
    await vehicles.put(f"/api/vehicles/{created['id']}", json={"nickname": "Van"}, headers=alice)
    assert [v["nickname"] for v in await (await vehicles.get("/api/vehicles", headers=alice)).json()] == ["Van"]
    await vehicles.delete(f"/api/vehicles/{created['id']}", headers=alice)
    assert await (await vehicles.get("/api/vehicles", headers=alice)).json() == []


async def test_duplicate_vin_is_409(vehicles, identity):
    alice = identity("auth0|dup")
    assert (await vehicles.post("/api/vehicles", json={"vin": VIN}, headers=alice)).status == 201
    duplicate = await vehicles.post("/api/vehicles", json={"vin": VIN}, headers=alice)
    assert duplicate.status == 409
    # Another user may own the same VIN.
    assert (await vehicles.post("/api/vehicles", json={"vin": VIN}, headers=identity("auth0|other"))).status == 201


async def test_a_deleted_vehicle_is_gone_and_its_vin_free_again(vehicles, identity):
    alice = identity("auth0|soft")
    vehicle = await create_vehicle(vehicles, alice)
    assert (await vehicles.delete(f"/api/vehicles/{vehicle['id']}", headers=alice)).status == 204
    assert (await vehicles.get(f"/api/vehicles/{vehicle['id']}", headers=alice)).status == 404
    assert (await vehicles.delete(f"/api/vehicles/{vehicle['id']}", headers=alice)).status == 404
    assert (await vehicles.put(f"/api/vehicles/{vehicle['id']}", json={"color": "Red"}, headers=alice)).status == 404
    assert (await vehicles.post("/api/vehicles", json={"vin": VIN}, headers=alice)).status == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body"),
        ({"vin": "1HGCM82633A00435"}, "vin"),
        ({"vin": "1HGCM82633A00435O"}, "vin"),
        ({"vin": VIN, "odometerReading": -1}, "odometerReading"),
        ({"vin": VIN, "odometerReading": 12.5}, "odometerReading"),
        ({"vin": VIN, "year": 1700}, "year"),
        ({"vin": VIN, "year": 3000}, "year"),
        ({"vin": VIN, "year": "recent"}, "year"),
        ({"vin": 12345678901234567}, "vin"),
        ({"licensePlate": "   "}, "body"),
    ],
)
async def test_invalid_vehicle_is_400_with_field_details(vehicles, identity, body, field):
    response = await vehicles.post("/api/vehicles", json=body, headers=identity("auth0|alice"))
    details = (await response.json())["details"]
    assert response.status == 400
    assert field in {d["field"] for d in details}


async def test_malformed_json_is_400_not_500(vehicles, identity):
    response = await vehicles.post("/api/vehicles", data=b"{not json", headers={
        **identity("auth0|alice"), "Content-Type": "application/json"})
    assert response.status == 400


async def test_another_users_vehicle_is_404(vehicles, identity):
    created = await create_vehicle(vehicles, identity("auth0|owner"))
    mallory = identity("auth0|mallory")
    path = f"/api/vehicles/{created['id']}"
    assert (await vehicles.get(path, headers=mallory)).status == 404
    assert (await vehicles.put(path, json={"color": "Black"}, headers=mallory)).status == 404
    assert (await vehicles.delete(path, headers=mallory)).status == 404
    assert (await vehicles.get("/api/vehicles/not-a-uuid", headers=mallory)).status == 404
    assert await (await vehicles.get("/api/vehicles", headers=mallory)).json() == []
    still = await (await vehicles.get(path, headers=identity("auth0|owner"))).json()
    assert still["color"] is None


async def test_each_write_emits_its_event_with_the_contract_payload(start_vehicles, identity, event_tap, infra):
    exchange = infra.new_exchange()
    seen = await event_tap(exchange, "vehicle.#")
    vehicles = await start_vehicles(events_exchange=exchange)
    await until_ready(vehicles)
    alice = identity("auth0|events")
    vehicle = await create_vehicle(vehicles, alice, vin=VIN, year=2003, make="Honda", model="Accord",
                                   fuelType="gasoline", nickname="Blue", odometerReading=100)
    await vehicles.put(f"/api/vehicles/{vehicle['id']}", json={"odometerReading": 150}, headers=alice)
    await vehicles.delete(f"/api/vehicles/{vehicle['id']}", headers=alice)

    async def three_events():
        return len(seen) == 3

    await eventually(three_events)
    assert [e.routing_key for e in seen] == ["vehicle.created.v1", "vehicle.updated.v1", "vehicle.deleted.v1"]
    assert all(e.user_id == "auth0|events" and e.producer == "vehicles" for e in seen)
    expected = {"vehicleId": vehicle["id"], "vin": VIN, "year": 2003, "make": "Honda", "model": "Accord",
                "fuelType": "gasoline", "nickname": "Blue", "odometerReading": 100}
    assert seen[0].data == expected
    assert seen[1].data == {**expected, "odometerReading": 150}
    assert seen[2].data == {"vehicleId": vehicle["id"]}


async def test_list_is_newest_first_like_the_original_app(vehicles, identity):
    bob = identity("auth0|order")
    ids = []
    for plate in ("FIRST-1", "SECOND-2", "THIRD-3"):
        ids.append((await create_vehicle(vehicles, bob, licensePlate=plate))["id"])
    listed = await (await vehicles.get("/api/vehicles", headers=bob)).json()
    assert [v["id"] for v in listed] == list(reversed(ids))


async def test_what_the_fuzzer_found_in_vehicles_stays_fixed(vehicles, identity):
    """tests/fuzz: a NUL character in a text field was a 500 (PostgreSQL refuses it); decode-vin
    answered a 200 its document did not describe (it claimed 201)."""
    response = await vehicles.post("/api/vehicles", json={"vin": VIN, "licensePlate": "AB\u0000C"},
                                   headers=identity("u1"))
    assert response.status == 400, await response.text()
    assert [d["field"] for d in (await response.json())["details"]] == ["licensePlate"]
    document = await (await vehicles.get("/openapi.json")).json()
    assert set(document["paths"]["/api/vehicles/decode-vin"]["post"]["responses"]) == {"200", "default"}
    links = document["paths"]["/api/vehicles"]["post"]["responses"]["201"]["links"]
    assert links["GetVehicle"] == {"operationId": "vehicles.get_vehicle", "parameters": {"id": "$response.body#/id"}}
    assert "RecordFillUp" not in links  # another service's operation: only in the edge's merged document
