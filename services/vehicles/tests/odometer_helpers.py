"""Events and reads shared by the odometer log tests."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, date, datetime, timedelta

from services.vehicles.consumers import consumers
from shared.events import Event, new_event
from shared.testing.database import in_transaction

TODAY = datetime.now(UTC).date()


def day(offset: int) -> date:
    """A date relative to today: the log orders by date, and a new vehicle's initial reading is today's."""
    return TODAY + timedelta(days=offset)


def fill_up_event(action: str, vehicle_id: str, user_id: str, odometer=None, on: date | None = None, *,
                  fuel_log_id: str | None = None, imported: bool | None = None,
                  occurred_at: datetime | None = None) -> Event:
    fuel_log_id = fuel_log_id or str(uuid.uuid4())
    if action == "deleted":
        data = {"fuelLogId": fuel_log_id, "vehicleId": vehicle_id, "stationPlaceId": None}
    else:
        when = datetime.combine(on or TODAY, datetime.min.time(), UTC) + timedelta(hours=8)
        data = {"fuelLogId": fuel_log_id, "vehicleId": vehicle_id, "dateTime": when.isoformat(),
                "odometerReading": odometer, "tripDistance": None, "fuelType": "gasoline", "fuelGrade": "87",
                "fuelUnits": "12.500", "costPerUnit": "3.299", "totalCost": "41.24", "isFullFill": True,
                "stationPlaceId": None}
        if imported is not None:
            data["imported"] = imported
    event = new_event(f"fuel_log.{action}", data, producer="fuel_logs", user_id=user_id)
    return dataclasses.replace(event, occurred_at=occurred_at) if occurred_at else event


def record_created_event(vehicle_id: str, user_id: str, odometer, on: date | None = None, *,
                         record_id: str | None = None, imported: bool | None = None, action: str = "created",
                         occurred_at: datetime | None = None) -> Event:
    data = {"recordId": record_id or str(uuid.uuid4()), "vehicleId": vehicle_id, "date": (on or TODAY).isoformat(),
            "odometerReading": odometer, "category": "routine_maintenance", "subtypes": ["Engine Oil"],
            "cost": "89.90"}
    if imported is not None:
        data["imported"] = imported
    if action == "deleted":
        data = {"recordId": data["recordId"], "vehicleId": vehicle_id}
    event = new_event(f"maintenance.record_{action}", data, producer="maintenance", user_id=user_id)
    return dataclasses.replace(event, occurred_at=occurred_at) if occurred_at else event


async def apply(vehicles, *batch: Event) -> None:
    """Handle the events in one consumer transaction, as the platform's consumer runs a batch."""
    handlers = consumers(vehicles.app)

    async def handle(conn):
        for event in batch:
            await handlers[event.routing_key](conn, event)

    await in_transaction(vehicles.settings.database_url, handle)


async def odometer_of(vehicles, headers, vehicle_id: str) -> int:
    return (await (await vehicles.get(f"/api/vehicles/{vehicle_id}", headers=headers)).json())["odometerReading"]


async def log_of(vehicles, headers, vehicle_id: str) -> list[dict]:
    response = await vehicles.get(f"/api/vehicles/{vehicle_id}/odometer", headers=headers)
    assert response.status == 200, await response.text()
    return await response.json()


async def outbox_updates(vehicles) -> list:
    """The vehicle.updated bodies waiting in the outbox (these tests run without a broker)."""

    async def read(conn):
        return await conn.fetch("SELECT body FROM outbox WHERE routing_key = 'vehicle.updated.v1' ORDER BY id")

    return [row["body"] for row in await in_transaction(vehicles.settings.database_url, read)]
