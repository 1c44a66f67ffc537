"""The events the maintenance service emits (docs/events.md), built from its stored rows."""

from __future__ import annotations

from collections.abc import Mapping

from shared.events import Event, new_event
from shared.events.wire import odometer_to_wire

from .domain.urgency import Assessment

PRODUCER = "maintenance"


def record_created(row: Mapping) -> Event:
    data = {
        "recordId": str(row["id"]),
        "vehicleId": str(row["vehicle_id"]),
        "date": row["date"].isoformat(),
        "odometerReading": odometer_to_wire(row["odometer_reading"]),
        "category": row["category"],
        "subtypes": list(row["subtypes"]),
        "cost": None if row["cost"] is None else str(row["cost"]),
    }
    return new_event("maintenance.record_created", data, producer=PRODUCER, user_id=row["user_id"])


def schedule_due(row: Mapping, assessment: Assessment) -> Event:
    data = {
        "scheduleId": str(row["id"]),
        "vehicleId": str(row["vehicle_id"]),
        "category": row["category"],
        "subtypes": list(row["subtypes"]),
        "dueDate": None if row["next_due_date"] is None else row["next_due_date"].isoformat(),
        "dueOdometer": odometer_to_wire(row["next_due_odometer"]),
        "trigger": assessment.trigger,
        "urgency": assessment.urgency.value,
    }
    return new_event("maintenance.schedule_due", data, producer=PRODUCER, user_id=row["user_id"])


def account_purged(user_id: str, deletion_id: str | None) -> Event:
    """This service holds nothing more of the user (the answer to account.deletion_requested)."""
    data = {"userId": user_id, "service": PRODUCER, "deletionId": deletion_id}
    return new_event("account.purged", data, producer=PRODUCER, user_id=user_id)
