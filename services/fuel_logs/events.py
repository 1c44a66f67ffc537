"""The events fuel logs emits, built from stored rows: fuel_log.created, .updated and .deleted.

Payloads follow docs/events.md: miles, US gallons (kWh for electric), money and quantities as
exact decimal strings, odometer readings as JSON numbers.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Mapping

from shared.events import Event, new_event
from shared.events.wire import odometer_to_wire

PRODUCER = "fuel_logs"


def _exact(value: Decimal | None, places: str) -> str | None:
    return None if value is None else str(value.quantize(Decimal(places), rounding=ROUND_HALF_UP))


def _snapshot(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "fuelLogId": str(row["id"]),
        "vehicleId": str(row["vehicle_id"]),
        "dateTime": row["date_time"].isoformat(),
        "odometerReading": odometer_to_wire(row["odometer_reading"]),
        "tripDistance": _exact(row["trip_distance"], "0.1"),
        "fuelType": row["fuel_type"],
        "fuelGrade": row["fuel_grade"],
        "fuelUnits": _exact(row["fuel_units"], "0.001"),
        "costPerUnit": _exact(row["cost_per_unit"], "0.001"),
        "totalCost": _exact(row["total_cost"], "0.01"),
        "isFullFill": row["is_full_fill"],
        "stationPlaceId": row["station_place_id"],
    }


def fuel_log_created(row: Mapping[str, Any], *, imported: bool = False) -> Event:
    """`imported`: the fill-up came from an import (the payload then says `"imported": true`)."""
    data = _snapshot(row) | ({"imported": True} if imported else {})
    return new_event("fuel_log.created", data, producer=PRODUCER, user_id=row["user_id"])


def fuel_log_updated(row: Mapping[str, Any]) -> Event:
    return new_event("fuel_log.updated", _snapshot(row), producer=PRODUCER, user_id=row["user_id"])


def fuel_log_deleted(row: Mapping[str, Any]) -> Event:
    data = {"fuelLogId": str(row["id"]), "vehicleId": str(row["vehicle_id"]), "stationPlaceId": row["station_place_id"]}
    return new_event("fuel_log.deleted", data, producer=PRODUCER, user_id=row["user_id"])


def account_purged(user_id: str, deletion_id: str | None) -> Event:
    """This service holds nothing more of the user (the answer to account.deletion_requested)."""
    data = {"userId": user_id, "service": PRODUCER, "deletionId": deletion_id}
    return new_event("account.purged", data, producer=PRODUCER, user_id=user_id)
