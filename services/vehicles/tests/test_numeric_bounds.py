"""Every number and date a vehicle or its document takes has a range the database and the rules
hold; out of it is a 400 naming the field (issue 14)."""

import pytest

from .conftest import VIN, create_vehicle

DOCUMENT = {"documentType": "insurance", "title": "Policy", "contentType": "application/pdf"}


@pytest.mark.parametrize(("body", "field"), [
    ({"vin": VIN, "odometerReading": 10_000_000}, "odometerReading"),
    ({"vin": VIN, "odometerReading": -1}, "odometerReading"),
    ({"vin": VIN, "year": 2_147_483_648}, "year"),  # past the INT column
    ({"vin": VIN, "year": 1885}, "year"),
])
async def test_an_out_of_range_vehicle_number_is_a_400_naming_the_field(vehicles, identity, body, field):
    response = await vehicles.post("/api/vehicles", json=body, headers=identity("u1"))
    assert response.status == 400, await response.text()
    assert [detail["field"] for detail in (await response.json())["details"]] == [field]


@pytest.mark.parametrize("expiry", ["9999-12-31", "0001-01-01"])
async def test_a_document_expiry_outside_1900_to_2199_is_a_400(vehicles, identity, expiry):
    vehicle = await create_vehicle(vehicles, identity("u1"))
    response = await vehicles.post(f"/api/vehicles/{vehicle['id']}/documents",
                                   json={**DOCUMENT, "expiryDate": expiry}, headers=identity("u1"))
    assert response.status == 400, await response.text()
    assert [detail["field"] for detail in (await response.json())["details"]] == ["expiryDate"]
