"""What notifications learns from other services' events: vehicle names, documents and their
expiry dates, maintenance that fell due; and the reminders they cause."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from shared.transactions import Database, connection, transaction

from .. import repository
from ..domain import messages
from ..domain.timing import reminder_due
from .common import Wake
from .deliveries import notify_user

UNKNOWN_VEHICLE = "Your vehicle"


async def record_vehicle(db: Database, user_id: str, vehicle_id: uuid.UUID, name: str) -> bool:
    async with transaction(db) as conn:
        return await repository.upsert_vehicle(conn, vehicle_id, user_id, name)


async def forget_vehicle(db: Database, user_id: str, vehicle_id: uuid.UUID) -> None:
    """Tombstone the vehicle; its documents, reminders and due maintenance are forgotten."""
    async with transaction(db) as conn:
        await repository.delete_vehicle(conn, vehicle_id, user_id)


async def record_document(db: Database, user_id: str, document: dict[str, Any]) -> bool:
    """Keep the document and its expiry date; False if its vehicle is deleted (nothing kept)."""
    async with transaction(db) as conn:
        if not await repository.vehicle_is_live(conn, document["vehicle_id"]):
            return False
        await repository.upsert_document(conn, user_id, document)
        return True


async def forget_document(db: Database, user_id: str, document_id: uuid.UUID) -> None:
    async with transaction(db) as conn:
        await repository.delete_document(conn, user_id, document_id)


async def schedule_changed(db: Database, user_id: str, data: dict[str, Any]) -> bool:
    """Keep a schedule's next due point for the calendar; False for a deleted vehicle's."""
    async with transaction(db) as conn:
        if not await repository.vehicle_is_live(conn, uuid.UUID(data["vehicleId"])):
            return False
        await repository.upsert_due(conn, user_id, _due_point(data))
        return True


async def forget_schedule(db: Database, user_id: str, schedule_id: uuid.UUID) -> None:
    async with transaction(db) as conn:
        await repository.delete_schedule(conn, user_id, schedule_id)


def _due_point(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "schedule_id": uuid.UUID(data["scheduleId"]), "vehicle_id": uuid.UUID(data["vehicleId"]),
        "category": data["category"], "subtypes": list(data["subtypes"]),
        "due_date": date.fromisoformat(data["dueDate"]) if data.get("dueDate") else None,
        "due_odometer": None if data.get("dueOdometer") is None else Decimal(str(data["dueOdometer"])),
        "due_cycle": data.get("dueCycle"),  # absent from events published before it existed
    }


async def schedule_fell_due(db: Database, user_id: str, data: dict[str, Any], announced_on: date,
                            wake: Wake | None = None) -> int:
    """Notify every channel of a crossing into due, once per crossing and channel: the crossing is
    the schedule and its due point, so a duplicate event (another id, the same crossing) or a
    redelivery adds nothing. How many deliveries were new."""
    schedule_id, vehicle_id = uuid.UUID(data["scheduleId"]), uuid.UUID(data["vehicleId"])
    async with transaction(db) as conn:
        name = await repository.vehicle_name(conn, user_id, vehicle_id)
        if name is None and not await repository.vehicle_is_live(conn, vehicle_id):
            return 0  # a deleted vehicle's late announcement
        await repository.upsert_due(conn, user_id, _due_point(data) | {
            "urgency": data.get("urgency", "past_due"), "announced_on": announced_on})
        cause = f"schedule_due:{schedule_id}:{data.get('dueDate')}:{data.get('dueOdometer')}"
        notification = messages.schedule_due(data, name or UNKNOWN_VEHICLE)
        return await notify_user(conn, user_id, notification, cause, wake)


async def remind_expiring_documents(db: Database, on: date, limit: int, wake: Wake | None = None) -> int:
    """The periodic sweep: one reminder per document, expiry date and lead time once the date is
    within the owner's lead time. Several instances may sweep: the reminder row is claimed first.
    How many documents were reminded of."""
    async with connection(db) as conn:
        candidates = await repository.documents_to_remind(conn, on, limit)
    reminded = 0
    for document in candidates:
        if not reminder_due(document["expires_on"], document["lead_days"], on):
            continue
        async with transaction(db) as conn:
            if not await repository.claim_reminder(conn, document["document_id"], document["expires_on"],
                                                   document["lead_days"]):
                continue
            name = await repository.vehicle_name(conn, document["user_id"], document["vehicle_id"])
            notification = messages.document_expiry(dict(document), name or UNKNOWN_VEHICLE, on)
            cause = f"document_expiry:{document['document_id']}:{document['expires_on']}:{document['lead_days']}"
            await notify_user(conn, document["user_id"], notification, cause, wake)
        reminded += 1
    return reminded
