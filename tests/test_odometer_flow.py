"""The odometer log across services: fill-ups recorded, confirmed and deleted in fuel_logs move the
vehicle's odometer in vehicles by their events, down as well as up."""

from datetime import UTC, datetime, timedelta

from services.fuel_logs.app import create_app as create_fuel_logs
from services.fuel_logs.settings import FuelLogsSettings
from services.vehicles.app import create_app as create_vehicles
from services.vehicles.settings import VehiclesSettings
from shared.testing.waiting import eventually, until_ready


def fill_up(vehicle_id: str, odometer: int, days_ago: int, **fields) -> dict:
    when = datetime.now(UTC) - timedelta(days=days_ago)
    return {"vehicleId": vehicle_id, "dateTime": when.isoformat(), "odometerReading": odometer,
            "fuelUnits": 10, "costPerUnit": 3.5, **fields}


async def test_deleting_a_mistyped_fill_up_lowers_the_odometer(backed_settings, serve, identity):
    vehicles_values = await backed_settings("vehicles")
    exchange = vehicles_values["events_exchange"]
    vehicles = await serve(create_vehicles(VehiclesSettings(**vehicles_values)))
    fuel_logs = await serve(create_fuel_logs(FuelLogsSettings(**await backed_settings("fuel_logs", events_exchange=exchange))))
    alice = identity("auth0|odometer-flow")
    await until_ready(fuel_logs)
    await until_ready(vehicles)
    created = await vehicles.post("/api/vehicles", json={"licensePlate": "FLOW-1", "odometerReading": 10_000},
                                  headers=alice)
    vehicle_id = (await created.json())["id"]

    async def odometer_is(expected: int):
        async def check():
            response = await vehicles.get(f"/api/vehicles/{vehicle_id}", headers=alice)
            return (await response.json())["odometerReading"] == expected
        return check

    async def fill_up_accepted():
        response = await fuel_logs.post("/api/fuel-logs", json=fill_up(vehicle_id, 10_400, 0), headers=alice)
        return response.status == 201

    await eventually(fill_up_accepted)  # once fuel_logs has learnt of the vehicle
    await eventually(await odometer_is(10_400))
    # A digit too many: refused, then confirmed anyway, and the odometer follows it.
    typo = fill_up(vehicle_id, 104_500, 0)
    assert (await fuel_logs.post("/api/fuel-logs", json=typo, headers=alice)).status == 409
    confirmed = await fuel_logs.post("/api/fuel-logs", json={**typo, "confirmOdometer": True}, headers=alice)
    assert confirmed.status == 201
    await eventually(await odometer_is(104_500))
    # Deleting the mistyped fill-up removes its reading: the odometer comes back down.
    deleted = await fuel_logs.delete(f"/api/fuel-logs/{(await confirmed.json())['id']}", headers=alice)
    assert deleted.status == 204
    await eventually(await odometer_is(10_400))
    log = await (await vehicles.get(f"/api/vehicles/{vehicle_id}/odometer", headers=alice)).json()
    assert [(entry["reading"], entry["source"]) for entry in log] == [(10_400, "fill_up"), (10_000, "initial")]
