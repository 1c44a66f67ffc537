"""Odometer log rules without I/O: readings from events, and what a manual reading contradicts."""

import uuid
from datetime import date, datetime, timezone

import pytest

from services.vehicles.domain.odometer import (
    FILL_UP, MAINTENANCE_RECORD, check_manual_reading, check_reading_date, source_reading,
)
from shared.errors import InvalidInput

pytestmark = pytest.mark.pure
ON = date(2026, 5, 10)


def entry(reading: int, on: date) -> dict:
    return {"id": uuid.uuid4(), "reading": reading, "read_on": on}


@pytest.mark.parametrize(("reading", "previous", "following", "code"), [
    (1000, None, None, None),
    (1000, entry(1000, ON), None, None),  # the same reading again
    (999, entry(1000, date(2026, 5, 1)), None, "odometer_lower"),
    (999, entry(1000, ON), None, "odometer_lower"),  # the same date counts as before
    (1000 + 9 * 1500, entry(1000, date(2026, 5, 1)), None, None),  # exactly the bound over 9 days
    (1001 + 9 * 1500, entry(1000, date(2026, 5, 1)), None, "odometer_too_far"),
    (2500, entry(1000, ON), None, None),  # a day's allowance on the same date
    (2501, entry(1000, ON), None, "odometer_too_far"),
    (1500, entry(1000, date(2026, 5, 1)), entry(1400, date(2026, 5, 20)), "odometer_higher_than_later"),
    (1400, entry(1000, date(2026, 5, 1)), entry(1400, date(2026, 5, 20)), None),
])
def test_what_a_manual_reading_contradicts(reading, previous, following, code):
    conflict = check_manual_reading(reading, ON, previous, following, 1500)
    assert (conflict and conflict.code) == code
    if conflict:
        assert conflict.reading in (previous, following)


def test_readings_of_events():
    fid = uuid.uuid4()
    fill_up = source_reading(FILL_UP, fid, {"dateTime": "2026-05-01T23:30:00+00:00", "odometerReading": 1200.9,
                                            "imported": True})
    assert (fill_up.reading, fill_up.read_on, fill_up.source, fill_up.kind) == (1200, date(2026, 5, 1), "import", FILL_UP)
    assert fill_up.read_at == datetime(2026, 5, 1, 23, 30, tzinfo=timezone.utc)
    record = source_reading(MAINTENANCE_RECORD, fid, {"date": "2026-05-02", "odometerReading": None, "imported": "yes"})
    assert (record.reading, record.read_on, record.source, record.read_at) == (
        None, date(2026, 5, 2), MAINTENANCE_RECORD, None)
    assert source_reading(FILL_UP, fid, {"dateTime": "2026-05-01T08:00:00", "odometerReading": 1}) is None  # naive
    assert source_reading(MAINTENANCE_RECORD, fid, {"date": None, "odometerReading": 1}) is None


def test_a_manual_reading_is_not_dated_in_the_future():
    check_reading_date(None, ON)
    check_reading_date(date(2026, 5, 11), ON)  # a day ahead: a time zone east of UTC
    with pytest.raises(InvalidInput) as raised:
        check_reading_date(date(2026, 5, 12), ON)
    assert raised.value.details()[0]["field"] == "date"
