"""Our CSV export of a vehicle's fill-ups. Import reads it back (format `motovault`), along with
other trackers' exports: shared/imports (parsing) and domain/imports.py (rules, units, keys)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any, Iterable

EXPORT_HEADER = ["Date", "Odometer", "TripDistance", "Quantity", "PricePerUnit", "TotalCost", "FuelType",
                 "FuelGrade", "IsFullFill", "MissedPrevious", "Efficiency", "Notes"]


def write_csv(views: Iterable[dict[str, Any]]) -> str:
    """Export rows (API views), oldest first, in the same format import reads back."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_HEADER)
    for v in sorted(views, key=lambda v: (v["dateTime"], v["id"])):
        writer.writerow([
            v["dateTime"], _text(v["odometerReading"]), _text(v["tripDistance"]), _text(v["fuelUnits"]),
            _text(v["costPerUnit"]), _text(v["totalCost"]), v["fuelType"], v["fuelGrade"] or "",
            "yes" if v["isFullFill"] else "no", "yes" if v["missedPrevious"] else "no",
            _text(v["efficiency"]), v["notes"] or "",
        ])
    return out.getvalue()


def _text(value: Decimal | None) -> str:
    return "" if value is None else str(value)
