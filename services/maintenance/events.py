"""The events the maintenance service emits (docs/events.md), built from its stored rows."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from shared.events import Event, new_event
from shared.events.wire import odometer_to_wire

from .domain.urgency import Assessment

PRODUCER = "maintenance"


def _record_snapshot(row: Mapping) -> dict:
    return {
        "recordId": str(row["id"]),
        "vehicleId": str(row["vehicle_id"]),
        "date": row["date"].isoformat(),
        "odometerReading": odometer_to_wire(row["odometer_reading"]),
        "category": row["category"],
        "subtypes": list(row["subtypes"]),
        "cost": None if row["cost"] is None else str(row["cost"]),
    }


def record_created(row: Mapping, *, imported: bool = False) -> Event:
    """`imported`: the record came from an import (the payload then says `"imported": true`)."""
    data = _record_snapshot(row)
    if imported:
        data["imported"] = True
    return new_event("maintenance.record_created", data, producer=PRODUCER, user_id=row["user_id"])


def record_updated(row: Mapping) -> Event:
    """The record after an edit: vehicles replaces its reading in the odometer log."""
    return new_event("maintenance.record_updated", _record_snapshot(row), producer=PRODUCER, user_id=row["user_id"])


def record_deleted(row: Mapping) -> Event:
    """vehicles removes the record's reading from the odometer log."""
    data = {"recordId": str(row["id"]), "vehicleId": str(row["vehicle_id"])}
    return new_event("maintenance.record_deleted", data, producer=PRODUCER, user_id=row["user_id"])


def _due_point(row: Mapping) -> dict:
    """A schedule's next due point; `dueCycle` grows whenever the point moves, so a consumer
    can tell a late event about an earlier point from the current one."""
    return {
        "scheduleId": str(row["id"]),
        "vehicleId": str(row["vehicle_id"]),
        "category": row["category"],
        "subtypes": list(row["subtypes"]),
        "dueDate": None if row["next_due_date"] is None else row["next_due_date"].isoformat(),
        "dueOdometer": odometer_to_wire(row["next_due_odometer"]),
        "dueCycle": row["due_cycle"],
    }


def schedule_due(row: Mapping, assessment: Assessment) -> Event:
    data = _due_point(row) | {"trigger": assessment.trigger, "urgency": assessment.urgency.value}
    return new_event("maintenance.schedule_due", data, producer=PRODUCER, user_id=row["user_id"])


def schedule_changed(row: Mapping) -> Event:
    """A schedule was set up, corrected or moved on by recorded work: its next due point."""
    return new_event("maintenance.schedule_changed", _due_point(row), producer=PRODUCER, user_id=row["user_id"])


def schedule_deleted(user_id: str, schedule_id: uuid.UUID, vehicle_id: uuid.UUID) -> Event:
    data = {"scheduleId": str(schedule_id), "vehicleId": str(vehicle_id)}
    return new_event("maintenance.schedule_deleted", data, producer=PRODUCER, user_id=user_id)


def account_purged(user_id: str, deletion_id: str | None) -> Event:
    """This service holds nothing more of the user (the answer to account.deletion_requested)."""
    data = {"userId": user_id, "service": PRODUCER, "deletionId": deletion_id}
    return new_event("account.purged", data, producer=PRODUCER, user_id=user_id)
