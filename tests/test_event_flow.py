"""The backbone end to end: vehicles emits through its outbox, fuel_logs consumes into its projection."""

import asyncio

from services.fuel_logs.app import create_app as create_fuel_logs
from services.fuel_logs.settings import FuelLogsSettings
from services.vehicles.app import create_app as create_vehicles
from services.vehicles.settings import VehiclesSettings
from shared.testing.waiting import eventually, until_ready

FILL_UP = {"dateTime": "2026-05-01T08:00:00+00:00", "odometerReading": 1200, "fuelUnits": 10.5, "costPerUnit": 3.299}


async def test_vehicle_lifecycle_reaches_fuel_logs(backed_settings, serve, identity):
    vehicles_values = await backed_settings("vehicles")
    exchange = vehicles_values["events_exchange"]
    vehicles = await serve(create_vehicles(VehiclesSettings(**vehicles_values)))
    fuel_logs = await serve(create_fuel_logs(FuelLogsSettings(**await backed_settings("fuel_logs", events_exchange=exchange))))
    alice = identity("auth0|alice")
    await until_ready(fuel_logs)

    created = await vehicles.post("/api/vehicles", json={"vin": "1HGCM82633A004352", "year": 2003}, headers=alice)
    assert created.status == 201, await created.text()
    vehicle_id = (await created.json())["id"]

    async def fill_up_accepted():
        response = await fuel_logs.post("/api/fuel-logs", json={**FILL_UP, "vehicleId": vehicle_id}, headers=alice)
        return response.status == 201

    await eventually(fill_up_accepted)
    listed = await fuel_logs.get(f"/api/fuel-logs/vehicle/{vehicle_id}", headers=alice)
    assert [log["totalCost"] for log in await listed.json()] == [34.64]

    deleted = await vehicles.delete(f"/api/vehicles/{vehicle_id}", headers=alice)
    assert deleted.status == 204

    async def fuel_logs_gone():
        response = await fuel_logs.get(f"/api/fuel-logs/vehicle/{vehicle_id}", headers=alice)
        return response.status == 404

    await eventually(fuel_logs_gone)
    await asyncio.sleep(0)
