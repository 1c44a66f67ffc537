"""The events the vehicles service consumes: other services' odometer readings, account deletions.

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
from .domain.odometer import reading_from_event

log = logging.getLogger("motovault.vehicles.events")


def consumers(app: web.Application) -> dict[str, EventHandler]:
    """Handlers by routing key; they reach the app's Redis when called, once it is connected."""

    async def on_odometer_reading(conn: asyncpg.Connection, event: Event) -> None:
        reading = reading_from_event(event.data.get("odometerReading"))
        try:
            vehicle_id = uuid.UUID(str(event.data.get("vehicleId")))
        except ValueError:
            log.warning("%s %s names no vehicle id; ignored", event.routing_key, event.id)
            return
        # No reading (a trip-distance fill-up, a malformed value) or no owner: nothing to raise.
        if reading is None or event.user_id is None:
            return
        await use_cases.record_odometer_reading(conn, app[CACHE], event.user_id, vehicle_id, reading)

    async def on_deletion_requested(conn: asyncpg.Connection, event: Event) -> None:
        user_id = event.data["userId"]
        files = await use_cases.purge_user(conn, app[CACHE], user_id, event.data.get("deletionId"))
        log.info("Account deletion %s: purged, %d stored files queued", event.data.get("deletionId"), files)

    return ignoring_purged_users({
        "account.deletion_requested.v1": on_deletion_requested,
        "fuel_log.created.v1": on_odometer_reading,
        "maintenance.record_created.v1": on_odometer_reading,
    })
