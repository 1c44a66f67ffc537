"""The events fuel logs consumes (vehicles, account deletions): each one decoded and handed to its use case."""

from __future__ import annotations

import uuid

import asyncpg
from aiohttp import web

from shared.cache import CACHE
from shared.events import Event
from shared.events.consumer import EventHandler
from shared.purges import ignoring_purged_users

from .use_cases.account import purge_user
from .use_cases.vehicles import forget_vehicle, record_vehicle


def consumers(app: web.Application) -> dict[str, EventHandler]:
    async def vehicle_upserted(conn: asyncpg.Connection, event: Event) -> None:
        data = event.data
        await record_vehicle(
            conn, uuid.UUID(data["vehicleId"]), event.user_id, int(data.get("odometerReading") or 0), data.get("fuelType")
        )

    async def vehicle_deleted(conn: asyncpg.Connection, event: Event) -> None:
        await forget_vehicle(conn, app[CACHE], uuid.UUID(event.data["vehicleId"]), event.user_id)

    async def deletion_requested(conn: asyncpg.Connection, event: Event) -> None:
        await purge_user(conn, app[CACHE], event.data["userId"], event.data.get("deletionId"))

    return ignoring_purged_users({
        "account.deletion_requested.v1": deletion_requested,
        "vehicle.created.v1": vehicle_upserted,
        "vehicle.updated.v1": vehicle_upserted,
        "vehicle.deleted.v1": vehicle_deleted,
    })
