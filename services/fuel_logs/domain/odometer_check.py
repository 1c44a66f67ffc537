"""A fill-up's odometer reading against the vehicle's other fill-ups, free of I/O: a guard against
a mistyped reading, which would otherwise break every economy figure after it.

A reading lower than the previous fill-up's (by date), implying more than a daily bound since it,
or higher than the next fill-up's, is refused unless the caller confirms it (`confirmOdometer`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Mapping

from .units import UnitSystem, distance_in, uses_km

SECONDS_PER_DAY = Decimal(86_400)


@dataclass(frozen=True)
class OdometerConflict:
    code: str
    fill_up: Mapping[str, Any]  # id, date_time, odometer_reading of the fill-up in the way
    excess: Decimal | None = None  # too far: the miles over the bound


def odometer_conflict(
    odometer: Decimal, at: datetime, previous: Mapping[str, Any] | None, following: Mapping[str, Any] | None,
    max_daily_distance: int,
) -> OdometerConflict | None:
    """What a reading (miles) at `at` contradicts: `previous` is the vehicle's latest fill-up with a
    reading dated before it, `following` its first one dated after it. The daily bound allows at
    least one day's distance, so two fill-ups on one day are judged like a day apart."""
    if previous is not None:
        if odometer < previous["odometer_reading"]:
            return OdometerConflict("odometer_lower", previous)
        days = max(Decimal((at - previous["date_time"]).total_seconds()) / SECONDS_PER_DAY, Decimal(1))
        allowed = max_daily_distance * days
        if odometer - previous["odometer_reading"] > allowed:
            return OdometerConflict("odometer_too_far", previous, odometer - previous["odometer_reading"] - allowed)
    if following is not None and odometer > following["odometer_reading"]:
        return OdometerConflict("odometer_higher_than_later", following)
    return None


def conflict_message(conflict: OdometerConflict, max_daily_distance: int, system: UnitSystem) -> str:
    unit = "km" if uses_km(system) else "mi"
    other = conflict.fill_up
    reading = f"{distance_in(other['odometer_reading'], system):.0f} {unit}"
    when = other["date_time"].isoformat()
    confirm = "; send confirmOdometer: true if it is right"
    if conflict.code == "odometer_lower":
        return f"The odometer reading is lower than {reading} of the fill-up of {when}{confirm}"
    if conflict.code == "odometer_too_far":
        bound = f"{distance_in(Decimal(max_daily_distance), system):.0f} {unit}"
        return f"The odometer reading is more than {bound} a day past {reading} of the fill-up of {when}{confirm}"
    return f"The odometer reading is higher than {reading} of the later fill-up of {when}{confirm}"


def conflict_details(conflict: OdometerConflict, max_daily_distance: int, system: UnitSystem) -> list[dict[str, Any]]:
    """The error shape's details: the field, why, and the fill-up in the way (in the caller's units)."""
    other = conflict.fill_up
    return [{
        "field": "odometerReading",
        "message": conflict_message(conflict, max_daily_distance, system),
        "type": conflict.code,
        "conflictingFillUp": {
            "id": str(other["id"]),
            "dateTime": other["date_time"].isoformat(),
            "odometerReading": round(distance_in(other["odometer_reading"], system), 1),
        },
    }]
