"""Every number and date of a record or schedule has a range the columns and the date arithmetic
hold (a due date is up to 1,200 months later); out of it is a 400 naming the field (issue 14)."""

import pytest

ALICE = "auth0|bounds"


def record(vehicle_id: str, **overrides) -> dict:
    return {"vehicleId": vehicle_id, "category": "routine_maintenance", "subtypes": ["Engine Oil"],
            "date": "2026-04-02", "odometerReading": 45000, "cost": "89.99"} | overrides


def schedule(vehicle_id: str, **overrides) -> dict:
    return {"vehicleId": vehicle_id, "category": "routine_maintenance", "subtypes": ["Engine Oil"],
            "intervalMonths": 1200, "intervalDistance": 5000} | overrides


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/api/maintenance/records", record, {"date": "9999-12-31"}),
    ("/api/maintenance/records", record, {"date": "0001-01-01"}),
    ("/api/maintenance/records", record, {"cost": "100000000"}),
    ("/api/maintenance/records", record, {"odometerReading": "1e-400"}),
    ("/api/maintenance/records", record, {"odometerReading": 10_000_001}),
    # 9999-12 plus 1,200 months is past Python's last date: it was a 500.
    ("/api/maintenance/schedules", schedule, {"lastServiceDate": "9999-12-01"}),
    ("/api/maintenance/schedules", schedule, {"intervalMonths": 1201}),
    ("/api/maintenance/schedules", schedule, {"urgentDays": 2_147_483_648}),
])
async def test_an_out_of_range_value_is_a_400_naming_the_field(maintenance, identity, vehicle, path, body, field):
    car = await vehicle(ALICE)
    response = await maintenance.post(path, json=body(car, **field), headers=identity(ALICE))
    assert response.status == 400, await response.text()
    assert [detail["field"] for detail in (await response.json())["details"]] == list(field)


async def test_an_out_of_range_current_mileage_query_is_a_400(maintenance, identity, vehicle):
    car = await vehicle(ALICE)
    response = await maintenance.get(f"/api/maintenance/upcoming/{car}?currentMileage=1e-400", headers=identity(ALICE))
    assert response.status == 400, await response.text()
    assert [detail["field"] for detail in (await response.json())["details"]] == ["currentMileage"]
