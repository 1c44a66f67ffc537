"""How values travel in event payloads (docs/events.md), written once for every producer."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

TENTH = Decimal("0.1")


def odometer_to_wire(miles: Decimal | None) -> int | float | None:
    """Odometers travel as JSON numbers in miles: an integer, or one decimal (12345.6)."""
    if miles is None:
        return None
    tenths = miles.quantize(TENTH, rounding=ROUND_HALF_UP)
    return int(tenths) if tenths == tenths.to_integral_value() else float(tenths)

