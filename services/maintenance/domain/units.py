"""Distances: stored in miles (the events' unit), shown in the caller's unit, converted exactly."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from enum import Enum

KM_PER_MILE = Decimal("1.609344")  # exact by definition (international mile)
# Six places in miles keep a kilometre figure of one decimal exact on the way back.
STORED = Decimal("0.000001")
SHOWN = Decimal("0.1")


class Units(str, Enum):
    IMPERIAL = "imperial"  # miles
    METRIC = "metric"  # kilometres


def to_miles(value: Decimal | None, units: Units) -> Decimal | None:
    if value is None:
        return None
    miles = value if units is Units.IMPERIAL else value / KM_PER_MILE
    return miles.quantize(STORED, rounding=ROUND_HALF_UP)


def from_miles(miles: Decimal | None, units: Units) -> Decimal | None:
    """A stored distance in the caller's unit, to a tenth (what an odometer shows)."""
    if miles is None:
        return None
    value = miles if units is Units.IMPERIAL else miles * KM_PER_MILE
    return value.quantize(SHOWN, rounding=ROUND_HALF_UP)

