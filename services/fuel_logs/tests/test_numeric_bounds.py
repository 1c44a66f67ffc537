"""Every number and time of a fill-up has a range the columns and the unit conversions hold; out of
it is a 400 naming the field (issue 14)."""

import pytest

from .conftest import new_vehicle

USER = "auth0|bounds"


def fill_up(vehicle_id: str, **overrides) -> dict:
    return {"vehicleId": vehicle_id, "dateTime": "2026-04-01T08:00:00+00:00", "odometerReading": 1000,
            "fuelUnits": "10", "costPerUnit": "3.5"} | overrides


@pytest.mark.parametrize(("field", "value"), [
    ("dateTime", "0001-01-01T00:00:00+05:00"),  # before Python's first instant once in UTC
    ("dateTime", "9999-12-31T23:59:59-05:00"),
    ("odometerReading", 100_000_000),
    ("fuelUnits", "0"),
    ("fuelUnits", "1e-400"),
    ("costPerUnit", 10_000),
    ("tripDistance", 1_000_000),
    # A decimal string is plain notation only, as the schema says (Decimal() would read these).
    ("fuelUnits", " 10"),
    ("fuelUnits", "5_0"),
    ("costPerUnit", "1e1"),
])
async def test_an_out_of_range_fill_up_value_is_a_400_naming_the_field(fuel_logs, identity, field, value):
    vehicle_id = await new_vehicle(fuel_logs, USER)
    response = await fuel_logs.post("/api/fuel-logs", json=fill_up(vehicle_id, **{field: value}), headers=identity(USER))
    assert response.status == 400, await response.text()
    assert [detail["field"] for detail in (await response.json())["details"]] == [field]


async def test_an_update_is_held_to_the_same_ranges(fuel_logs, identity):
    vehicle_id = await new_vehicle(fuel_logs, USER)
    created = await fuel_logs.post("/api/fuel-logs", json=fill_up(vehicle_id), headers=identity(USER))
    assert created.status == 201, await created.text()
    log_id = (await created.json())["id"]
    response = await fuel_logs.put(f"/api/fuel-logs/{log_id}", json={"dateTime": "0001-01-01T00:00:00+05:00"},
                                   headers=identity(USER))
    assert response.status == 400, await response.text()
    assert [detail["field"] for detail in (await response.json())["details"]] == ["dateTime"]



async def test_a_whole_number_beyond_64_bits_in_location_data_is_a_400(fuel_logs, identity):
    """locationData takes any JSON, but an answer cannot carry a whole number beyond 64 bits: one
    was stored, then broke the answer to its POST (after the commit) and every list of the user's
    fill-ups after it (the fuzzer found it)."""
    vehicle_id = await new_vehicle(fuel_logs, USER)
    for extra in (129336635507213336576000, [{"nested": -2**70}]):
        response = await fuel_logs.post("/api/fuel-logs", json=fill_up(vehicle_id, locationData={"extra": extra}),
                                        headers=identity(USER))
        assert response.status == 400, await response.text()
        assert [detail["field"] for detail in (await response.json())["details"]] == ["locationData"]
    listed = await fuel_logs.get(f"/api/fuel-logs/vehicle/{vehicle_id}", headers=identity(USER))
    assert (listed.status, await listed.json()) == (200, [])
    widest = {"extra": [2**64 - 1, -(2**63), 1.5e300]}
    created = await fuel_logs.post("/api/fuel-logs", json=fill_up(vehicle_id, locationData=widest), headers=identity(USER))
    assert created.status == 201, await created.text()
    listed = await fuel_logs.get(f"/api/fuel-logs/vehicle/{vehicle_id}", headers=identity(USER))
    assert [entry["locationData"]["extra"] for entry in await listed.json()] == [widest["extra"]]
