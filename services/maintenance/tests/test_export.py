"""The maintenance part of the account export: records and schedules as the API lists them."""

import json

from .test_schedules_api import ALICE, BOB, create, oil_record, oil_schedule


async def test_export_lists_records_and_schedules_of_the_caller_only(maintenance, vehicle, identity):
    car, other = await vehicle(ALICE, 40000), await vehicle(BOB, 1000)
    await create(maintenance, "/api/maintenance/records", oil_record(car), identity=identity)
    await create(maintenance, "/api/maintenance/records", oil_record(other, odometerReading=1500), BOB, identity)
    await create(maintenance, "/api/maintenance/schedules", oil_schedule(car), identity=identity)

    response = await maintenance.get("/api/maintenance/export?units=metric", headers=identity(ALICE))
    assert response.status == 200, await response.text()
    lines = [json.loads(line) for line in (await response.read()).decode().splitlines()]
    kinds = lines[0]["kinds"]
    assert [k["name"] for k in kinds] == ["maintenance_record", "maintenance_schedule"]
    assert kinds[0]["units"]["odometerReading"] == "km"

    records = [line for line in lines if line["kind"] == "maintenance_record"]
    listed = await (await maintenance.get("/api/maintenance/records?units=metric", headers=identity(ALICE))).json()
    assert [r["record"] for r in records] == listed
    assert records[0]["csv"][kinds[0]["columns"].index("subtypes")] == "Engine Oil;Air Filter Element"
    schedules = [line["record"] for line in lines if line["kind"] == "maintenance_schedule"]
    listed = await (await maintenance.get(f"/api/maintenance/schedules/vehicle/{car}?units=metric",
                                          headers=identity(ALICE))).json()
    assert schedules == listed
    assert lines[-1] == {"kind": "end", "counts": {"maintenance_record": 1, "maintenance_schedule": 1}}


async def test_export_with_a_bad_unit_is_400(maintenance, identity):
    response = await maintenance.get("/api/maintenance/export?units=parsecs", headers=identity(ALICE))
    assert response.status == 400 and "units" in await response.text()
