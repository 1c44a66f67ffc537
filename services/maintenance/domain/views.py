"""Stored rows as the API shows them (distances in the caller's unit), and schedule rows as rules."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from .recurrence import Cycle, Recurrence
from .units import Units, from_miles, to_miles
from .urgency import Assessment, Thresholds


def record_view(row: Mapping, units: Units) -> dict:
    return {
        "id": str(row["id"]),
        "userId": row["user_id"],
        "vehicleId": str(row["vehicle_id"]),
        "category": row["category"],
        "subtypes": list(row["subtypes"]),
        "date": row["date"].isoformat(),
        "odometerReading": from_miles(row["odometer_reading"], units),
        "cost": row["cost"],
        "shopName": row["shop_name"],
        "notes": row["notes"],
        "units": units.value,
        "createdAt": row["created_at"].isoformat(),
        "updatedAt": row["updated_at"].isoformat(),
    }


def schedule_view(row: Mapping, units: Units) -> dict:
    cycle = cycle_of(row)
    return {
        "id": str(row["id"]),
        "userId": row["user_id"],
        "vehicleId": str(row["vehicle_id"]),
        "category": row["category"],
        "subtypes": list(row["subtypes"]),
        "intervalMonths": row["interval_months"],
        "intervalDistance": from_miles(row["interval_distance"], units),
        "fixedIntervals": row["fixed_intervals"],
        "baseDate": cycle.base_date.isoformat(),
        "baseOdometer": from_miles(cycle.base_odometer, units),
        "lastServiceDate": _iso(row["last_service_date"]),
        "lastServiceOdometer": from_miles(row["last_service_odometer"], units),
        "nextDueDate": _iso(row["next_due_date"]),
        "nextDueOdometer": from_miles(row["next_due_odometer"], units),
        "veryUrgentDays": row["very_urgent_days"],
        "urgentDays": row["urgent_days"],
        "veryUrgentDistance": from_miles(row["very_urgent_distance"], units),
        "urgentDistance": from_miles(row["urgent_distance"], units),
        "notes": row["notes"],
        "lastNotifiedDueAt": _iso(row["notified_at"]),
        "units": units.value,
        "createdAt": row["created_at"].isoformat(),
        "updatedAt": row["updated_at"].isoformat(),
    }


def upcoming_item(row: Mapping, assessment: Assessment, projected, units: Units) -> dict:
    return schedule_view(row, units) | {
        "urgency": assessment.urgency.value,
        "trigger": assessment.trigger,
        "daysUntilDue": assessment.days_until_due,
        "distanceUntilDue": from_miles(assessment.distance_until_due, units),
        "projectedDueDate": _iso(projected),
    }


def recurrence_of(row: Mapping) -> Recurrence:
    return Recurrence(row["interval_months"], row["interval_distance"], row["fixed_intervals"])


def cycle_of(row: Mapping) -> Cycle:
    return Cycle(row["anchor_date"], row["base_months"], row["base_odometer"])


def due_values(cycle: Cycle, recurrence: Recurrence) -> dict:
    return {
        "anchor_date": cycle.anchor_date,
        "base_months": cycle.base_months,
        "base_odometer": cycle.base_odometer,
        "next_due_date": cycle.due_date(recurrence),
        "next_due_odometer": cycle.due_odometer(recurrence),
    }


def thresholds_for(row: Mapping, defaults: Thresholds, units: Units) -> Thresholds:
    """The schedule's own thresholds where set, else the defaults, which are in the caller's unit
    (50 and 100 mean kilometres to a metric caller); the result is in miles, like the odometers."""

    def distance(custom: Decimal | None, default: Decimal) -> Decimal:
        return custom if custom is not None else to_miles(default, units)

    return Thresholds(
        very_urgent_days=_first(row["very_urgent_days"], defaults.very_urgent_days),
        urgent_days=_first(row["urgent_days"], defaults.urgent_days),
        very_urgent_distance=distance(row["very_urgent_distance"], defaults.very_urgent_distance),
        urgent_distance=distance(row["urgent_distance"], defaults.urgent_distance),
    )


def _first(value, default):
    return default if value is None else value


def _iso(value) -> str | None:
    return None if value is None else value.isoformat()
