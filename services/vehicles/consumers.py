"""The events the vehicles service consumes: fill-ups' and maintenance records' odometer readings,
kept in the vehicle's odometer log (keyed by the source's id) from which its odometer is derived,
and account deletions.

Each handler runs in the platform consumer's transaction (with the inbox record); the use case
joins it, and its cache invalidation waits for that commit.
"""

from __future__ import annotations

import logging
import uuid

import asyncpg
from aiohttp import web

from shared.cache import CACHE
from shared.events import Event
from shared.events.consumer import EventHandler
from shared.purges import ignoring_purged_users

from . import use_cases
from .domain.odometer import FILL_UP, MAINTENANCE_RECORD, source_reading

log = logging.getLogger("motovault.vehicles.events")


def _ids(event: Event, id_field: str) -> tuple[uuid.UUID, uuid.UUID] | None:
    """The vehicle's and the source's ids; None (logged) for an event that names no usable ones."""
    try:
        return uuid.UUID(str(event.data.get("vehicleId"))), uuid.UUID(str(event.data.get(id_field)))
    except ValueError:
        log.warning("%s %s names no vehicle or %s; ignored", event.routing_key, event.id, id_field)
        return None


def consumers(app: web.Application) -> dict[str, EventHandler]:
    """Handlers by routing key; they reach the app's Redis when called, once it is connected."""

    def saved(kind: str, id_field: str) -> EventHandler:
        async def on_saved(conn: asyncpg.Connection, event: Event) -> None:
            ids = _ids(event, id_field)
            if ids is None or event.user_id is None:
                return
            vehicle_id, source_id = ids
            reading = source_reading(kind, source_id, event.data)
            if reading is None:
                log.warning("%s %s has no usable date; ignored", event.routing_key, event.id)
                return
            await use_cases.record_source_reading(conn, app[CACHE], event.user_id, vehicle_id, reading,
                                                  event.occurred_at)

        return on_saved

    def deleted(kind: str, id_field: str) -> EventHandler:
        async def on_deleted(conn: asyncpg.Connection, event: Event) -> None:
            ids = _ids(event, id_field)
            if ids is None or event.user_id is None:
                return
            vehicle_id, source_id = ids
            await use_cases.remove_source_reading(conn, app[CACHE], event.user_id, vehicle_id, kind, source_id,
                                                  event.occurred_at)

        return on_deleted

    async def on_deletion_requested(conn: asyncpg.Connection, event: Event) -> None:
        user_id = event.data["userId"]
        files = await use_cases.purge_user(conn, app[CACHE], user_id, event.data.get("deletionId"))
        log.info("Account deletion %s: purged, %d stored files queued", event.data.get("deletionId"), files)

    return ignoring_purged_users({
        "account.deletion_requested.v1": on_deletion_requested,
        "fuel_log.created.v1": saved(FILL_UP, "fuelLogId"),
        "fuel_log.updated.v1": saved(FILL_UP, "fuelLogId"),
        "fuel_log.deleted.v1": deleted(FILL_UP, "fuelLogId"),
        "maintenance.record_created.v1": saved(MAINTENANCE_RECORD, "recordId"),
        "maintenance.record_updated.v1": saved(MAINTENANCE_RECORD, "recordId"),
        "maintenance.record_deleted.v1": deleted(MAINTENANCE_RECORD, "recordId"),
    })
