"""The current odometer, free of I/O: what an event's reading means for the vehicle."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from .vehicle import MAX_ODOMETER


def reading_from_event(value: Any) -> int | None:
    """An event's odometerReading (miles, may be null or carry one decimal) as whole miles.

    The integer part, never rounded up: a vehicle has not yet reached the next mile. None for
    what cannot be a reading, so a malformed event changes nothing instead of failing forever.
    """
    if value is None or isinstance(value, bool):
        return None
    try:
        miles = int(Decimal(str(value)))
    except (InvalidOperation, ValueError, OverflowError):
        return None
    return miles if 0 <= miles <= MAX_ODOMETER else None


def raised_odometer(current: int, reading: int | None) -> int:
    """Events only ever raise the odometer, so replays and any arrival order end at the maximum."""
    return current if reading is None else max(current, reading)
