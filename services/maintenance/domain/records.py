"""A record's stored values (miles) from what the caller entered or corrected (their unit)."""

from __future__ import annotations

from collections.abc import Mapping

from .catalog import Category, canonical_subtypes
from .inputs import RecordInput, RecordUpdate
from .units import Units, to_miles


def new_record(record: RecordInput, units: Units) -> dict:
    return record.model_dump() | {
        "category": record.category.value,
        "odometer_reading": to_miles(record.odometer_reading, units),
    }


def corrected_record(row: Mapping, update: RecordUpdate, units: Units) -> dict:
    """The stored record with the fields sent; the subtypes sent, or kept, must belong to the
    category sent, or kept (InvalidInput on `subtypes`)."""
    values = dict(row)
    for name in update.model_fields_set - {"units", "confirm_odometer"}:
        values[name] = getattr(update, name)
    if "odometer_reading" in update.model_fields_set:
        values["odometer_reading"] = to_miles(update.odometer_reading, units)
    category = Category(values["category"])
    values["category"] = category.value
    values["subtypes"] = canonical_subtypes(category, list(values["subtypes"]))
    return values
