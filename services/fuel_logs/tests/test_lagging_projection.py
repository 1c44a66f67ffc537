"""A fill-up posted right after its vehicle was created succeeds although vehicle.created lags."""

from __future__ import annotations

import asyncio
import time
import uuid

from services.fuel_logs.app import create_app
from services.fuel_logs.settings import FuelLogsSettings
from services.fuel_logs.vehicle_wait import PROJECTION_WATCH

from .conftest import apply, vehicle_event

FILL = {"dateTime": "2026-05-01T08:00:00+00:00", "odometerReading": 1200, "fuelUnits": 10, "costPerUnit": 3.5}


async def lagging_service(backed_settings, serve, **overrides):
    settings = FuelLogsSettings(**await backed_settings("fuel_logs", **{"vehicle_wait_seconds": 3.0, **overrides}))
    client = await serve(create_app(settings))
    client.settings = settings
    return client


async def deliver_later(client, event, delay: float) -> None:
    await asyncio.sleep(delay)
    await apply(client, event)


async def test_fill_up_posted_before_the_vehicle_event_arrives_succeeds(backed_settings, serve, identity):
    # A poll and a bound of 30 s: only the NOTIFY from the projection handler can wake it sooner.
    fuel_logs = await lagging_service(backed_settings, serve, vehicle_wait_poll_seconds=30, vehicle_wait_seconds=30)
    vehicle_id = uuid.uuid4()
    event = vehicle_event("created", vehicle_id, "auth0|fast")
    delivery = asyncio.create_task(deliver_later(fuel_logs, event, 0.3))
    started = time.monotonic()
    response = await fuel_logs.post("/api/fuel-logs", json={**FILL, "vehicleId": str(vehicle_id)}, headers=identity("auth0|fast"))
    waited = time.monotonic() - started
    await delivery
    assert response.status == 201, await response.text()
    assert waited >= 0.3  # it really waited for the event rather than finding the vehicle already there
    assert waited < 10  # woken by the notification, not by the poll or the end of the wait
    listed = await fuel_logs.get(f"/api/fuel-logs/vehicle/{vehicle_id}", headers=identity("auth0|fast"))
    assert len(await listed.json()) == 1


async def test_polling_covers_a_missed_notification(backed_settings, serve, identity):
    # Reads wait too; with the listener gone (as while it reconnects) the poll still finds the vehicle.
    fuel_logs = await lagging_service(backed_settings, serve, vehicle_wait_poll_seconds=0.05)
    await fuel_logs.server.app[PROJECTION_WATCH].stop()
    vehicle_id = uuid.uuid4()
    delivery = asyncio.create_task(
        deliver_later(fuel_logs, vehicle_event("created", vehicle_id, "u"), 0.2)
    )
    response = await fuel_logs.get(f"/api/fuel-logs/vehicle/{vehicle_id}", headers=identity("u"))
    await delivery
    assert response.status == 200 and await response.json() == []


async def test_the_wait_is_bounded_and_other_owners_are_not_waited_for(backed_settings, serve, identity):
    fuel_logs = await lagging_service(backed_settings, serve, vehicle_wait_seconds=0.4)
    started = time.monotonic()
    never = await fuel_logs.post("/api/fuel-logs", json={**FILL, "vehicleId": str(uuid.uuid4())}, headers=identity("u"))
    assert never.status == 404 and time.monotonic() - started >= 0.4

    # A vehicle the projection knows answers at once: another owner's, or a deleted one.
    theirs, gone = uuid.uuid4(), uuid.uuid4()
    await apply(fuel_logs, vehicle_event("created", theirs, "someone-else"))
    await apply(fuel_logs, vehicle_event("deleted", gone, "u"))
    for vehicle_id in (theirs, gone):
        response = await fuel_logs.post("/api/fuel-logs", json={**FILL, "vehicleId": str(vehicle_id)}, headers=identity("u"))
        assert response.status == 404


async def test_a_vehicle_arriving_already_deleted_is_404(backed_settings, serve, identity):
    fuel_logs = await lagging_service(backed_settings, serve)
    vehicle_id = uuid.uuid4()
    delivery = asyncio.create_task(
        deliver_later(fuel_logs, vehicle_event("deleted", vehicle_id, "u"), 0.2)
    )
    response = await fuel_logs.post("/api/fuel-logs", json={**FILL, "vehicleId": str(vehicle_id)}, headers=identity("u"))
    await delivery
    assert response.status == 404
