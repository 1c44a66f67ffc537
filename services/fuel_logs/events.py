"""What the fuel logs service consumes: vehicle events, kept as a local projection."""

from __future__ import annotations

import logging
import uuid

import asyncpg

from shared.events import Event

from . import repository

log = logging.getLogger("motovault.fuel_logs.events")


async def on_vehicle_upserted(conn: asyncpg.Connection, event: Event) -> None:
    data = event.data
    await repository.upsert_vehicle(
        conn, uuid.UUID(data["vehicleId"]), event.user_id, int(data.get("odometerReading") or 0)
    )


async def on_vehicle_deleted(conn: asyncpg.Connection, event: Event) -> None:
    removed = await repository.delete_vehicle(conn, uuid.UUID(event.data["vehicleId"]), event.user_id)
    log.info("Vehicle %s deleted: removed %d fuel logs", event.data["vehicleId"], removed)


HANDLERS = {
    "vehicle.created.v1": on_vehicle_upserted,
    "vehicle.updated.v1": on_vehicle_upserted,
    "vehicle.deleted.v1": on_vehicle_deleted,
}
