"""Vehicles API (minimal version from the platform issue; the vehicles issue completes it)."""

import pytest

from services.vehicles.app import create_app
from services.vehicles.settings import VehiclesSettings

VIN = "1HGCM82633A004352"


@pytest.fixture
async def vehicles(backed_settings, serve):
    return await serve(create_app(VehiclesSettings(**await backed_settings("vehicles"))))


async def test_create_then_read_and_list(vehicles, identity):
    alice = identity("auth0|alice")
    created = await vehicles.post("/api/vehicles", json={"vin": VIN.lower(), "year": 2003, "make": "Honda"}, headers=alice)
    assert created.status == 201
    vehicle = await created.json()
    assert vehicle["vin"] == VIN and vehicle["userId"] == "auth0|alice" and vehicle["isActive"] is True
    fetched = await vehicles.get(f"/api/vehicles/{vehicle['id']}", headers=alice)
    assert (await fetched.json())["id"] == vehicle["id"]
    listed = await vehicles.get("/api/vehicles", headers=alice)
    assert [v["id"] for v in await listed.json()] == [vehicle["id"]]


async def test_list_cache_sees_every_write(vehicles, identity):
    alice = identity("auth0|cache")
    assert await (await vehicles.get("/api/vehicles", headers=alice)).json() == []  # cached empty list
    created = await (await vehicles.post("/api/vehicles", json={"licensePlate": "AB-123"}, headers=alice)).json()
    assert [v["id"] for v in await (await vehicles.get("/api/vehicles", headers=alice)).json()] == [created["id"]]
    await vehicles.delete(f"/api/vehicles/{created['id']}", headers=alice)
    assert await (await vehicles.get("/api/vehicles", headers=alice)).json() == []


async def test_duplicate_vin_is_409(vehicles, identity):
    alice = identity("auth0|dup")
    assert (await vehicles.post("/api/vehicles", json={"vin": VIN}, headers=alice)).status == 201
    duplicate = await vehicles.post("/api/vehicles", json={"vin": VIN}, headers=alice)
    assert duplicate.status == 409
    # Another user may own the same VIN.
    assert (await vehicles.post("/api/vehicles", json={"vin": VIN}, headers=identity("auth0|other"))).status == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body"),
        ({"vin": "1HGCM82633A00435"}, "vin"),
        ({"vin": "1HGCM82633A00435O"}, "vin"),
        ({"vin": VIN, "odometerReading": -1}, "odometerReading"),
        ({"vin": VIN, "year": 1700}, "year"),
        ({"vin": VIN, "year": "recent"}, "year"),
    ],
)
async def test_invalid_vehicle_is_400_with_field_details(vehicles, identity, body, field):
    response = await vehicles.post("/api/vehicles", json=body, headers=identity("auth0|alice"))
    details = (await response.json())["details"]
    assert response.status == 400
    assert field in {d["field"] for d in details}


async def test_another_users_vehicle_is_404(vehicles, identity):
    created = await (await vehicles.post("/api/vehicles", json={"vin": VIN}, headers=identity("auth0|owner"))).json()
    mallory = identity("auth0|mallory")
    assert (await vehicles.get(f"/api/vehicles/{created['id']}", headers=mallory)).status == 404
    assert (await vehicles.delete(f"/api/vehicles/{created['id']}", headers=mallory)).status == 404
    assert (await vehicles.get("/api/vehicles/not-a-uuid", headers=mallory)).status == 404
    assert (await vehicles.get(f"/api/vehicles/{created['id']}", headers=identity("auth0|owner"))).status == 200
