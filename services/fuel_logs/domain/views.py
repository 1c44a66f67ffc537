"""Stored fill-ups as API responses, in the caller's unit system."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Mapping, NamedTuple, Sequence

from .economy import Fill, Interval, intervals
from .units import UnitSystem, distance_in, efficiency, fuel_in, labels, price_in

ELECTRIC = "electric"


def rounded(value: Decimal | None, places: int) -> Decimal | None:
    if value is None:
        return None
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def fill_from_row(row: Mapping[str, Any]) -> Fill:
    return Fill(
        id=str(row["id"]),
        date_time=row["date_time"],
        odometer=row["odometer_reading"],
        trip_distance=row["trip_distance"],
        fuel=row["fuel_units"],
        is_full=row["is_full_fill"],
        missed_previous=row["missed_previous"],
    )


def is_electric(row: Mapping[str, Any]) -> bool:
    return row["fuel_type"] == ELECTRIC


class StoredFillUp(NamedTuple):
    """A stored fill-up and the economy interval it closes (None: it has no figure)."""

    row: Mapping[str, Any]
    closing: Interval | None


def economy_by_fill(rows: Sequence[Mapping[str, Any]]) -> dict[str, Interval]:
    """fill-up id -> the interval it closes, one chain per vehicle and kind of energy."""
    groups: dict[tuple, list] = defaultdict(list)
    for row in rows:
        groups[(row["vehicle_id"], is_electric(row))].append(fill_from_row(row))
    return {i.closed_by: i for fills in groups.values() for i in intervals(fills)}


def fuel_log_views(rows: Sequence[Mapping[str, Any]], system: UnitSystem) -> list[dict[str, Any]]:
    """Rows as responses, their economy computed over the rows themselves (whole chains)."""
    closing = economy_by_fill(rows)
    return [fuel_log_view(row, system, closing.get(str(row["id"]))) for row in rows]


def fuel_log_view(row: Mapping[str, Any], system: UnitSystem, closing: Interval | None) -> dict[str, Any]:
    """`closing` is the interval this fill closes, if it has an economy figure."""
    electric = is_electric(row)
    figure = efficiency(closing.distance, closing.fuel, system, electric) if closing else None
    unit_labels = labels(system, electric)
    return {
        "id": str(row["id"]),
        "userId": row["user_id"],
        "vehicleId": str(row["vehicle_id"]),
        "dateTime": row["date_time"].isoformat(),
        "odometerReading": _distance(row["odometer_reading"], system),
        "tripDistance": _distance(row["trip_distance"], system),
        "fuelType": row["fuel_type"],
        "fuelGrade": row["fuel_grade"],
        "fuelUnits": rounded(fuel_in(row["fuel_units"], system, electric), 3),
        "costPerUnit": rounded(price_in(row["cost_per_unit"], system, electric), 3),
        "totalCost": row["total_cost"],
        "isFullFill": row["is_full_fill"],
        "missedPrevious": row["missed_previous"],
        "locationData": row["location_data"],
        "notes": row["notes"],
        "efficiency": rounded(figure, 2),
        "efficiencyLabel": unit_labels["efficiencyUnits"],
        "unitLabels": unit_labels,
        "hasReceipt": row["receipt_key"] is not None,
        "createdAt": row["created_at"].isoformat(),
        "updatedAt": row["updated_at"].isoformat(),
    }


def _distance(miles: Decimal | None, system: UnitSystem) -> Decimal | None:
    return None if miles is None else rounded(distance_in(miles, system), 1)
