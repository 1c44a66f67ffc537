"""Fixtures of the fuel logs tests: the service on real infrastructure, vehicle events applied directly."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from services.fuel_logs.app import create_app
from services.fuel_logs.consumers import consumers
from services.fuel_logs.settings import FuelLogsSettings
from shared.events import new_event
from shared.testing.database import in_transaction


@pytest.fixture
async def fuel_logs(backed_settings, serve):
    # A short projection wait keeps "unknown vehicle" answers quick; the lag test sets its own.
    settings = FuelLogsSettings(**await backed_settings("fuel_logs", vehicle_wait_seconds=0.5,
                                                        vehicle_wait_poll_seconds=0.05))
    client = await serve(create_app(settings))
    client.settings = settings
    return client


async def apply(client, event):
    """Run the service's handler of `event` in a transaction, as the platform's consumer does."""
    handler = consumers(client.server.app)[event.routing_key]
    await in_transaction(client.settings.database_url, lambda conn: handler(conn, event))


def vehicle_event(kind: str, vehicle_id: uuid.UUID, user: str, odometer: int = 0, fuel_type: str | None = None):
    data = {"vehicleId": str(vehicle_id), "odometerReading": odometer}
    if fuel_type:
        data["fuelType"] = fuel_type
    return new_event(f"vehicle.{kind}", data, producer="vehicles", user_id=user)


async def new_vehicle(client, user: str, fuel_type: str | None = None) -> str:
    vehicle_id = uuid.uuid4()
    await apply(client, vehicle_event("created", vehicle_id, user, fuel_type=fuel_type))
    return str(vehicle_id)


async def delete_vehicle(client, vehicle_id: str, user: str):
    event = vehicle_event("deleted", uuid.UUID(vehicle_id), user)
    await apply(client, event)
    return event


async def fetch(settings, query: str, *args):
    conn = await asyncpg.connect(settings.database_url)
    try:
        return await conn.fetch(query, *args)
    finally:
        await conn.close()
