"""What the maintenance service puts in the account export, free of I/O: kinds, CSV rows, units."""

from __future__ import annotations

from typing import Any, Mapping

from shared.export_stream import kind_schema

from .units import Units
from .views import record_view, schedule_view

RECORD_COLUMNS = ["id", "vehicleId", "category", "subtypes", "date", "odometerReading", "cost", "shopName", "notes",
                  "units", "createdAt", "updatedAt"]
SCHEDULE_COLUMNS = ["id", "vehicleId", "category", "subtypes", "intervalMonths", "intervalDistance", "fixedIntervals",
                    "baseDate", "baseOdometer", "lastServiceDate", "lastServiceOdometer", "nextDueDate",
                    "nextDueOdometer", "veryUrgentDays", "urgentDays", "veryUrgentDistance", "urgentDistance",
                    "notes", "lastNotifiedDueAt", "units", "createdAt", "updatedAt"]
DISTANCE_FIELDS = ("odometerReading", "intervalDistance", "baseOdometer", "lastServiceOdometer", "nextDueOdometer",
                   "veryUrgentDistance", "urgentDistance")
TIMES = {"createdAt": "ISO 8601 UTC", "updatedAt": "ISO 8601 UTC"}


def export_kinds(units: Units) -> list[dict[str, Any]]:
    distance = "mi" if units is Units.IMPERIAL else "km"
    record_units = {"odometerReading": distance, "cost": "currency", "date": "ISO 8601 date",
                    "subtypes": "list (';' in CSV)", **TIMES}
    schedule_units = {name: distance for name in DISTANCE_FIELDS if name in SCHEDULE_COLUMNS}
    schedule_units |= {"intervalMonths": "months", "veryUrgentDays": "days", "urgentDays": "days",
                       "subtypes": "list (';' in CSV)", "baseDate": "ISO 8601 date", "nextDueDate": "ISO 8601 date",
                       "lastServiceDate": "ISO 8601 date", **TIMES}
    return [kind_schema("maintenance_record", "maintenance_records", RECORD_COLUMNS, record_units),
            kind_schema("maintenance_schedule", "maintenance_schedules", SCHEDULE_COLUMNS, schedule_units)]


def record_export(row: Mapping, units: Units) -> tuple[dict[str, Any], list[Any]]:
    view = record_view(row, units)
    return view, _row(view, RECORD_COLUMNS)


def schedule_export(row: Mapping, units: Units) -> tuple[dict[str, Any], list[Any]]:
    view = schedule_view(row, units)
    return view, _row(view, SCHEDULE_COLUMNS)


def _row(view: Mapping[str, Any], columns: list[str]) -> list[Any]:
    return [";".join(view[c]) if isinstance(view[c], list) else view[c] for c in columns]
