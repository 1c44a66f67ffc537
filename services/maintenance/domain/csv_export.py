"""A vehicle's records as CSV, in the format the import reads back (format `motovault`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping

from .units import Units, from_miles

EXPORT_HEADER = ["Date", "Category", "Subtypes", "Odometer", "Cost", "ShopName", "Notes"]
SUBTYPES_SEPARATOR = "|"  # no catalogue name contains it


def write_records_csv(rows: Iterable[Mapping], units: Units) -> str:
    """Oldest first; odometer in the caller's unit (to a tenth), subtypes joined by "|"."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_HEADER)
    for row in sorted(rows, key=lambda r: (r["date"], r["created_at"], r["id"])):
        odometer = from_miles(row["odometer_reading"], units)
        writer.writerow([
            row["date"].isoformat(), row["category"], SUBTYPES_SEPARATOR.join(row["subtypes"]),
            "" if odometer is None else str(odometer), "" if row["cost"] is None else str(row["cost"]),
            row["shop_name"] or "", row["notes"] or "",
        ])
    return out.getvalue()
