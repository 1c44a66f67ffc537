"""What the fuel logs service puts in the account export, free of I/O.

Fill-ups stream in chain order (vehicle, kind of energy, odometer, date, id), so each one's economy
figure is known from a walk that keeps only the open interval (`EconomyWalk`), whatever the count.
A chain holding a fill-up without an odometer reading places its fills by dates across the whole
chain (economy.positions); only such a chain is computed whole, with `economy_by_fill`.
The CSV row is the fuel logs CSV export's, so the file re-imports (`POST .../import`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Mapping

from shared.export_stream import kind_schema

from .csv_format import EXPORT_HEADER
from .economy import ZERO, Fill, Interval
from .units import UnitSystem, labels

FILE_URL_SECONDS = 6 * 3600  # the edge fetches receipts after every record is out


class EconomyWalk:
    """`economy.intervals` one fill at a time, for fills given in chain order with readings."""

    def __init__(self) -> None:
        self._anchor: tuple[Fill, Decimal] | None = None
        self._carried = ZERO

    def closing(self, fill: Fill) -> Interval | None:
        """The interval `fill` closes; the walk then moves past it."""
        position = fill.odometer
        if fill.missed_previous:
            self._carried = ZERO
            self._anchor = (fill, position) if fill.is_full else None
            return None
        if self._anchor is None:
            if fill.is_full:
                self._anchor, self._carried = (fill, position), ZERO
            return None
        self._carried += fill.fuel
        if not fill.is_full:
            return None
        distance = position - self._anchor[1]
        closed = Interval(self._anchor[0].id, fill.id, distance, self._carried) if distance > 0 and self._carried > 0 else None
        self._anchor, self._carried = (fill, position), ZERO
        return closed


def chain_of(row: Mapping[str, Any]) -> tuple[Any, bool]:
    return row["vehicle_id"], row["fuel_type"] == "electric"


def export_kinds(system: UnitSystem) -> list[dict[str, Any]]:
    liquid, electric = labels(system, False), labels(system, True)
    units = {
        "odometerReading": liquid["distance"], "tripDistance": liquid["distance"],
        "fuelUnits": f"{liquid['fuelUnits']} ({electric['fuelUnits']} when fuelType is electric)",
        "costPerUnit": f"currency per {liquid['fuelUnits'].rstrip('s')} (per kWh when electric)",
        "totalCost": "currency",
        "efficiency": f"{liquid['efficiencyUnits']} ({electric['efficiencyUnits']} when electric)",
        "dateTime": "ISO 8601", "createdAt": "ISO 8601 UTC", "updatedAt": "ISO 8601 UTC",
    }
    return [kind_schema("fill_up", "fill_ups", list(EXPORT_HEADER), units)]


def csv_row(view: Mapping[str, Any]) -> list[str]:
    """One row of the fuel logs CSV export (csv_format.write_csv), the same columns and text."""
    return [
        view["dateTime"], _text(view["odometerReading"]), _text(view["tripDistance"]), _text(view["fuelUnits"]),
        _text(view["costPerUnit"]), _text(view["totalCost"]), view["fuelType"], view["fuelGrade"] or "",
        "yes" if view["isFullFill"] else "no", "yes" if view["missedPrevious"] else "no",
        _text(view["efficiency"]), view["notes"] or "",
    ]


def receipt_path(row: Mapping[str, Any]) -> str:
    """Where a fill-up's receipt goes in the archive (under files/)."""
    return f"fuel-logs/{row['vehicle_id']}/{row['id']}/receipt"


def _text(value: Decimal | None) -> str:
    return "" if value is None else str(value)
