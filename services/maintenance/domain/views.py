"""Stored rows as the API shows them, distances in the caller's unit."""

from __future__ import annotations

from collections.abc import Mapping

from .schedules import cycle_of
from .units import Units, from_miles
from .urgency import Assessment


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


def _iso(value) -> str | None:
    return None if value is None else value.isoformat()
