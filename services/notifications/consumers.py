"""The events notifications consumes: vehicles (names, documents, deletions) and maintenance
(due crossings) for its projections and reminders, every event a user's webhook
subscriptions may receive, and account deletions."""

from __future__ import annotations

import logging
import uuid
from datetime import date

import asyncpg
from aiohttp import web

from shared.events import Event
from shared.events.consumer import EventHandler
from shared.purges import ignoring_purged_users

from . import use_cases
from .domain.messages import vehicle_name
from .subscriber_bindings import SUBSCRIBER_BINDINGS
from .worker import WORKER

log = logging.getLogger("motovault.notifications.consumers")


def consumers(app: web.Application) -> dict[str, EventHandler]:
    """Built with the app; the worker it wakes exists once the app has started. Fill-ups and
    maintenance records reach this service only while a subscription names them
    (domain/inputs.py, FOR_SUBSCRIBERS_ONLY)."""

    async def wake() -> None:
        await app[WORKER].wake()

    async def to_subscribers(conn: asyncpg.Connection, event: Event) -> None:
        await use_cases.publish_to_subscribers(conn, event, wake)

    async def on_vehicle_upserted(conn: asyncpg.Connection, event: Event) -> None:
        data = event.data
        name = vehicle_name(data.get("nickname"), data.get("year"), data.get("make"), data.get("model"))
        if not await use_cases.record_vehicle(conn, event.user_id, uuid.UUID(data["vehicleId"]), name):
            log.info("Ignoring %s for deleted vehicle %s", event.routing_key, data["vehicleId"])
        await to_subscribers(conn, event)

    async def on_vehicle_deleted(conn: asyncpg.Connection, event: Event) -> None:
        await use_cases.forget_vehicle(conn, event.user_id, uuid.UUID(event.data["vehicleId"]))
        await to_subscribers(conn, event)

    async def on_document_added(conn: asyncpg.Connection, event: Event) -> None:
        data = event.data
        document = {
            "document_id": uuid.UUID(data["documentId"]), "vehicle_id": uuid.UUID(data["vehicleId"]),
            "title": data["title"], "kind": data["kind"],
            "expires_on": date.fromisoformat(data["expiresOn"]) if data.get("expiresOn") else None,
        }
        if not await use_cases.record_document(conn, event.user_id, document):
            log.info("Ignoring document %s of deleted vehicle %s", data["documentId"], data["vehicleId"])

    async def on_document_removed(conn: asyncpg.Connection, event: Event) -> None:
        await use_cases.forget_document(conn, event.user_id, uuid.UUID(event.data["documentId"]))

    async def on_schedule_due(conn: asyncpg.Connection, event: Event) -> None:
        queued = await use_cases.schedule_fell_due(conn, event.user_id, event.data, event.occurred_at.date(), wake)
        log.info("Schedule %s due: %d new deliveries", event.data["scheduleId"], queued)
        await to_subscribers(conn, event)

    async def on_schedule_changed(conn: asyncpg.Connection, event: Event) -> None:
        if not await use_cases.schedule_changed(conn, event.user_id, event.data):
            log.info("Ignoring schedule %s of deleted vehicle %s", event.data["scheduleId"], event.data["vehicleId"])

    async def on_schedule_deleted(conn: asyncpg.Connection, event: Event) -> None:
        await use_cases.forget_schedule(conn, event.user_id, uuid.UUID(event.data["scheduleId"]))

    async def on_deletion_requested(conn: asyncpg.Connection, event: Event) -> None:
        await use_cases.purge_user(conn, app[SUBSCRIBER_BINDINGS], event.data["userId"], event.data.get("deletionId"))

    return ignoring_purged_users({
        "account.deletion_requested.v1": on_deletion_requested,
        "vehicle.created.v1": on_vehicle_upserted,
        "vehicle.updated.v1": on_vehicle_upserted,
        "vehicle.deleted.v1": on_vehicle_deleted,
        "vehicle.document_added.v1": on_document_added,
        "vehicle.document_removed.v1": on_document_removed,
        "maintenance.schedule_due.v1": on_schedule_due,
        "maintenance.schedule_changed.v1": on_schedule_changed,
        "maintenance.schedule_deleted.v1": on_schedule_deleted,
        "maintenance.record_created.v1": to_subscribers,
        "fuel_log.created.v1": to_subscribers,
    })
