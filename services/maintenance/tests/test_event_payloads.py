"""Outgoing events are built from stored rows in the shape of docs/events.md; incoming odometers
are decoded to the stored precision."""

import uuid
from datetime import date
from decimal import Decimal

import pytest

from services.maintenance.consumers import odometer_of
from services.maintenance.domain.urgency import Assessment, Urgency
from services.maintenance.events import (
    record_created, record_deleted, record_updated, schedule_changed, schedule_deleted, schedule_due,
)

pytestmark = pytest.mark.pure

ALICE = "auth0|alice"
RECORD_ID, SCHEDULE_ID, CAR = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def test_record_created_from_a_row():
    row = {"id": RECORD_ID, "user_id": ALICE, "vehicle_id": CAR, "date": date(2026, 4, 2),
           "odometer_reading": Decimal("6213.711922"), "category": "routine_maintenance",
           "subtypes": ["Engine Oil"], "cost": Decimal("89.90")}
    event = record_created(row)
    assert (event.routing_key, event.producer, event.user_id) == ("maintenance.record_created.v1", "maintenance", ALICE)
    assert event.data == {
        "recordId": str(RECORD_ID), "vehicleId": str(CAR), "date": "2026-04-02", "odometerReading": 6213.7,
        "category": "routine_maintenance", "subtypes": ["Engine Oil"], "cost": "89.90",
    }
    assert record_created(row | {"odometer_reading": None, "cost": None}).data["odometerReading"] is None
    updated = record_updated(row)
    assert (updated.routing_key, updated.data) == ("maintenance.record_updated.v1", event.data)
    deleted = record_deleted(row)
    assert (deleted.routing_key, deleted.user_id) == ("maintenance.record_deleted.v1", ALICE)
    assert deleted.data == {"recordId": str(RECORD_ID), "vehicleId": str(CAR)}


def test_schedule_due_from_a_row_and_its_assessment():
    row = {"id": SCHEDULE_ID, "user_id": ALICE, "vehicle_id": CAR, "category": "repair", "subtypes": ["Engine"],
           "next_due_date": None, "next_due_odometer": Decimal("45000.000000"), "due_cycle": 3}
    event = schedule_due(row, Assessment(Urgency.PAST_DUE, "odometer", None, Decimal(0)))
    assert event.routing_key == "maintenance.schedule_due.v1"
    assert event.data == {
        "scheduleId": str(SCHEDULE_ID), "vehicleId": str(CAR), "category": "repair", "subtypes": ["Engine"],
        "dueDate": None, "dueOdometer": 45000, "dueCycle": 3, "trigger": "odometer", "urgency": "past_due",
    }


def test_schedule_changed_and_deleted_name_the_due_point_and_the_schedule():
    row = {"id": SCHEDULE_ID, "user_id": ALICE, "vehicle_id": CAR, "category": "routine_maintenance",
           "subtypes": ["Engine Oil", "Oil Filter"], "next_due_date": date(2027, 1, 31),
           "next_due_odometer": Decimal("12000.049999"), "due_cycle": 2}
    changed = schedule_changed(row)
    assert (changed.routing_key, changed.user_id) == ("maintenance.schedule_changed.v1", ALICE)
    assert changed.data == {
        "scheduleId": str(SCHEDULE_ID), "vehicleId": str(CAR), "category": "routine_maintenance",
        "subtypes": ["Engine Oil", "Oil Filter"], "dueDate": "2027-01-31", "dueOdometer": 12000, "dueCycle": 2,
    }
    deleted = schedule_deleted(ALICE, SCHEDULE_ID, CAR)
    assert (deleted.routing_key, deleted.data) == (
        "maintenance.schedule_deleted.v1", {"scheduleId": str(SCHEDULE_ID), "vehicleId": str(CAR)})


@pytest.mark.parametrize("sent, stored", [
    (32000.5, Decimal("32000.500000")),
    (45000, Decimal("45000.000000")),
    (None, Decimal("0.000000")),
])
def test_incoming_odometers_keep_the_exact_tenth(sent, stored):
    assert odometer_of({"odometerReading": sent}) == stored
    assert str(odometer_of({"odometerReading": sent})) == str(stored)
