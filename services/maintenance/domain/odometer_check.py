"""A record's odometer reading against the vehicle's other records, free of I/O: a guard against a
mistyped reading, which would move every distance-based reminder.

A reading lower than the previous record's (by date), implying more than a daily bound since it,
or higher than the next record's, is refused unless the caller confirms it (`confirmOdometer`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Mapping

from .units import Units, from_miles


@dataclass(frozen=True)
class OdometerConflict:
    code: str
    record: Mapping[str, Any]  # id, date, odometer_reading of the record in the way


def odometer_conflict(
    odometer: Decimal, on: date, previous: Mapping[str, Any] | None, following: Mapping[str, Any] | None,
    max_daily_distance: int,
) -> OdometerConflict | None:
    """What a reading (miles) on `on` contradicts: `previous` is the vehicle's latest record with a
    reading dated before it, `following` its first one dated after it. At least a day's distance
    is allowed, so two records of one date are judged like a day apart."""
    if previous is not None:
        if odometer < previous["odometer_reading"]:
            return OdometerConflict("odometer_lower", previous)
        days = max((on - previous["date"]).days, 1)
        if odometer - previous["odometer_reading"] > max_daily_distance * days:
            return OdometerConflict("odometer_too_far", previous)
    if following is not None and odometer > following["odometer_reading"]:
        return OdometerConflict("odometer_higher_than_later", following)
    return None


_REASONS = {
    "odometer_lower": "lower than {reading} of the record of {date}",
    "odometer_too_far": "more than {bound} a day past {reading} of the record of {date}",
    "odometer_higher_than_later": "higher than {reading} of the later record of {date}",
}


def conflict_details(conflict: OdometerConflict, max_daily_distance: int, units: Units) -> tuple[str, list[dict]]:
    """The message and the error shape's details: the field, why, and the record in the way (in
    the caller's units)."""
    unit = "km" if units is Units.METRIC else "mi"
    other = conflict.record
    reading = from_miles(other["odometer_reading"], units)
    reason = _REASONS[conflict.code].format(
        reading=f"{reading:.0f} {unit}", date=other["date"].isoformat(),
        bound=f"{from_miles(Decimal(max_daily_distance), units):.0f} {unit}")
    message = f"The odometer reading is {reason}; send confirmOdometer: true if it is right"
    return message, [{
        "field": "odometerReading", "message": message, "type": conflict.code,
        "conflictingRecord": {"id": str(other["id"]), "date": other["date"].isoformat(), "odometerReading": reading},
    }]
