"""A record's and a schedule's stored values as the rules make them: set up, completed, corrected."""

import uuid
from datetime import date
from decimal import Decimal

import pytest

from services.maintenance.domain.inputs import RecordInput, RecordUpdate, ScheduleInput, ScheduleUpdate
from services.maintenance.domain.records import corrected_record, new_record
from services.maintenance.domain.recurrence import start_cycle
from services.maintenance.domain.schedules import completed_by, corrected, new_schedule
from services.maintenance.domain.units import Units
from shared.errors import InvalidInput

pytestmark = pytest.mark.pure

CAR = uuid.uuid4()
KM_5000 = Decimal("3106.855961")  # 5,000 km in stored miles


def oil_schedule(**overrides) -> dict:
    """A stored floating oil schedule: last done 1 Jan 2026 at 40,000, every 6 months or 5,000 mi."""
    body = ScheduleInput.model_validate({
        "vehicleId": str(CAR), "category": "routine_maintenance", "subtypes": ["Engine Oil"],
        "intervalMonths": 6, "intervalDistance": 5000,
    })
    values = new_schedule(body, Units.IMPERIAL, start_cycle(date(2026, 1, 1), Decimal(40000)),
                          last_service_date=date(2026, 1, 1), last_service_odometer=Decimal(40000),
                          last_record_id=None)
    return values | {"id": uuid.uuid4()} | overrides


def test_a_new_schedule_is_due_one_interval_after_its_base_in_miles():
    body = ScheduleInput.model_validate({
        "vehicleId": str(CAR), "category": "routine_maintenance", "subtypes": ["Engine Oil"],
        "intervalDistance": 5000, "urgentDistance": 500,
    })
    values = new_schedule(body, Units.METRIC, start_cycle(date(2026, 1, 31), Decimal(1000)),
                          last_service_date=None, last_service_odometer=None, last_record_id=None)
    assert values["next_due_odometer"] == Decimal(1000) + KM_5000
    assert (values["next_due_date"], values["interval_months"], values["due_cycle"]) == (None, None, 1)
    assert values["urgent_distance"] == Decimal("310.685596")
    assert (values["fixed_intervals"], values["anchor_date"]) == (False, date(2026, 1, 31))


def test_completed_work_starts_the_next_cycle_and_back_dated_work_does_not():
    schedule = oil_schedule()
    record = {"id": uuid.uuid4(), "date": date(2026, 3, 1), "odometer_reading": Decimal(43000)}
    values = completed_by(schedule, record, Decimal(43000))
    assert (values["next_due_date"], values["next_due_odometer"]) == (date(2026, 9, 1), Decimal(48000))
    assert (values["last_service_date"], values["last_record_id"], values["due_cycle"]) == (
        date(2026, 3, 1), record["id"], schedule["due_cycle"] + 1)
    assert completed_by(schedule, record | {"date": date(2025, 12, 31)}, Decimal(43000)) is None


def test_same_day_work_at_a_higher_reading_completes_and_at_a_lower_or_equal_one_does_not():
    # Issue 14 #8: the latest service is the later date and, on the same date, the higher reading.
    schedule = oil_schedule()  # last done 1 Jan 2026 at 40,000
    same_day = {"id": uuid.uuid4(), "date": date(2026, 1, 1), "odometer_reading": Decimal(40120)}
    values = completed_by(schedule, same_day, Decimal(40120))
    assert (values["last_service_odometer"], values["next_due_odometer"]) == (Decimal(40120), Decimal(45120))
    assert values["last_record_id"] == same_day["id"]
    for reading in (Decimal(40000), Decimal(39000), None):
        assert completed_by(schedule, same_day | {"odometer_reading": reading}, Decimal(40000)) is None
    # A schedule that knows the date but no reading: a same-day record with one is the later.
    assert completed_by(oil_schedule(last_service_odometer=None), same_day, Decimal(40120)) is not None


def test_a_correction_that_moves_the_due_point_starts_a_new_cycle():
    schedule = oil_schedule()
    values = corrected(schedule, ScheduleUpdate.model_validate({"intervalDistance": 5000}), Units.METRIC)
    assert values["next_due_odometer"] == Decimal(40000) + KM_5000
    assert values["due_cycle"] == schedule["due_cycle"] + 1
    unchanged = corrected(schedule, ScheduleUpdate.model_validate({"notes": "5W-30"}), Units.IMPERIAL)
    assert (unchanged["notes"], unchanged["due_cycle"]) == ("5W-30", schedule["due_cycle"])


def test_a_correction_is_checked_as_a_whole():
    schedule = oil_schedule()
    with pytest.raises(InvalidInput) as wrong_category:
        corrected(schedule, ScheduleUpdate.model_validate({"category": "repair"}), Units.IMPERIAL)
    assert [p.field for p in wrong_category.value.problems] == ["subtypes"]
    with pytest.raises(InvalidInput) as no_interval:
        corrected(schedule, ScheduleUpdate.model_validate({"intervalMonths": None, "intervalDistance": None}),
                  Units.IMPERIAL)
    assert [p.type for p in no_interval.value.problems] == ["missing_interval"]


def test_records_are_stored_in_miles_and_corrected_field_by_field():
    entered = RecordInput.model_validate({
        "vehicleId": str(CAR), "category": "routine_maintenance", "subtypes": ["engine oil"],
        "date": "2026-04-02", "odometerReading": 10000,
    })
    stored = new_record(entered, Units.METRIC)
    assert (stored["category"], stored["subtypes"], stored["odometer_reading"]) == (
        "routine_maintenance", ["Engine Oil"], Decimal("6213.711922"))
    kept = corrected_record(stored, RecordUpdate.model_validate({"cost": "10.5"}), Units.METRIC)
    assert (kept["odometer_reading"], kept["cost"]) == (Decimal("6213.711922"), Decimal("10.5"))
    with pytest.raises(InvalidInput):
        corrected_record(stored, RecordUpdate.model_validate({"category": "repair"}), Units.IMPERIAL)
