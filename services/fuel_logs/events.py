"""Events of the fuel logs service: vehicle events consumed into a projection, fill-up events emitted.

Emitted payloads follow docs/events.md: miles, US gallons (kWh for electric), money and quantities
as exact decimal strings, odometer readings as JSON numbers.
"""

from __future__ import annotations

import logging
import uuid
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Mapping

import asyncpg
from aiohttp import web

from shared.cache import CACHE
from shared.events import Event, enqueue, new_event
from shared.events.consumer import EventHandler
from shared.transactions import after_commit
from shared.storage import schedule_deletion

from . import repository
from .cache_keys import list_cache_keys

log = logging.getLogger("motovault.fuel_logs.events")
PRODUCER = "fuel_logs"


def _exact(value: Decimal | None, places: str) -> str | None:
    return None if value is None else str(value.quantize(Decimal(places), rounding=ROUND_HALF_UP))


def _odometer(miles: Decimal | None) -> int | float | None:
    if miles is None:
        return None
    tenths = miles.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return int(tenths) if tenths == tenths.to_integral_value() else float(tenths)


def _snapshot(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "fuelLogId": str(row["id"]),
        "vehicleId": str(row["vehicle_id"]),
        "dateTime": row["date_time"].isoformat(),
        "odometerReading": _odometer(row["odometer_reading"]),
        "tripDistance": _exact(row["trip_distance"], "0.1"),
        "fuelType": row["fuel_type"],
        "fuelGrade": row["fuel_grade"],
        "fuelUnits": _exact(row["fuel_units"], "0.001"),
        "costPerUnit": _exact(row["cost_per_unit"], "0.001"),
        "totalCost": _exact(row["total_cost"], "0.01"),
        "isFullFill": row["is_full_fill"],
        "stationPlaceId": row["station_place_id"],
    }


def fuel_log_created(row: Mapping[str, Any]) -> Event:
    return new_event("fuel_log.created", _snapshot(row), producer=PRODUCER, user_id=row["user_id"])


def fuel_log_updated(row: Mapping[str, Any]) -> Event:
    return new_event("fuel_log.updated", _snapshot(row), producer=PRODUCER, user_id=row["user_id"])


def fuel_log_deleted(row: Mapping[str, Any]) -> Event:
    data = {"fuelLogId": str(row["id"]), "vehicleId": str(row["vehicle_id"]), "stationPlaceId": row["station_place_id"]}
    return new_event("fuel_log.deleted", data, producer=PRODUCER, user_id=row["user_id"])


async def on_vehicle_upserted(conn: asyncpg.Connection, event: Event) -> None:
    data = event.data
    await repository.upsert_vehicle(
        conn, uuid.UUID(data["vehicleId"]), event.user_id, int(data.get("odometerReading") or 0), data.get("fuelType")
    )


async def on_vehicle_deleted(conn: asyncpg.Connection, event: Event) -> str:
    """Remove the vehicle's fill-ups and their receipts; a replay finds nothing left to remove."""
    removed = await repository.delete_vehicle(conn, uuid.UUID(event.data["vehicleId"]), event.user_id)
    receipts = [row["receipt_key"] for row in removed if row["receipt_key"]]
    if receipts:
        await schedule_deletion(conn, *receipts)
    if removed:
        # Consumers such as stations forget prices that came from these fill-ups.
        await enqueue(conn, *(fuel_log_deleted(row) for row in removed))
    log.info("Vehicle %s deleted: removed %d fuel logs, %d receipts", event.data["vehicleId"], len(removed), len(receipts))
    return event.user_id


def handlers(app: web.Application) -> dict[str, EventHandler]:
    """The handlers, with the user's cached list invalidated once each change is committed."""

    def invalidating(handler):
        async def handle(conn: asyncpg.Connection, event: Event) -> None:
            await handler(conn, event)
            if event.user_id:
                after_commit(lambda: app[CACHE].user_changed(event.user_id, *list_cache_keys(event.user_id)))

        return handle

    return {
        "vehicle.created.v1": on_vehicle_upserted,
        "vehicle.updated.v1": on_vehicle_upserted,
        "vehicle.deleted.v1": invalidating(on_vehicle_deleted),
    }
