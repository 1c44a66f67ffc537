"""A schedule's stored values (miles) as rules: set up from a base, moved on by completed work,
corrected by a partial update, and the urgency thresholds that apply to it."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from decimal import Decimal

from .catalog import Category, canonical_subtypes
from .inputs import ScheduleInput, ScheduleUpdate, require_interval
from .recurrence import Cycle, Recurrence, complete, start_cycle
from .units import Units, to_miles
from .urgency import Thresholds

DISTANCE_FIELDS = ("interval_distance", "last_service_odometer", "very_urgent_distance", "urgent_distance")


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


def new_schedule(
    body: ScheduleInput,
    units: Units,
    cycle: Cycle,
    *,
    last_service_date: dt.date | None,
    last_service_odometer: Decimal | None,
    last_record_id: uuid.UUID | None,
) -> dict:
    """A schedule in its first due cycle, which starts at `cycle`'s base."""
    recurrence = Recurrence(body.interval_months, to_miles(body.interval_distance, units), bool(body.fixed_intervals))
    return {
        "category": body.category.value,
        "subtypes": body.subtypes,
        "interval_months": recurrence.months,
        "interval_distance": recurrence.distance,
        "fixed_intervals": recurrence.fixed,
        **due_values(cycle, recurrence),
        "last_service_date": last_service_date,
        "last_service_odometer": last_service_odometer,
        "last_record_id": last_record_id,
        "very_urgent_days": body.very_urgent_days,
        "urgent_days": body.urgent_days,
        "very_urgent_distance": to_miles(body.very_urgent_distance, units),
        "urgent_distance": to_miles(body.urgent_distance, units),
        "notes": body.notes,
        "due_cycle": 1,
    }


def is_later_service(on: dt.date, odometer: Decimal | None, last_on: dt.date | None, last_odometer: Decimal | None) -> bool:
    """Whether work done `on` at `odometer` comes after the last service: the later date, and on
    the same date the higher reading (a reading ranks above none, as the repository's latest
    record does: ORDER BY date DESC, odometer_reading DESC NULLS LAST)."""
    if last_on is None:
        return True
    if on != last_on:
        return on > last_on
    return odometer is not None and (last_odometer is None or odometer > last_odometer)


def completed_by(schedule: Mapping, record: Mapping, done_at: Decimal) -> dict | None:
    """The schedule in its next cycle once the record did its work at odometer `done_at`; None
    when the record is not later than its last service (is_later_service): history, not a
    completion."""
    if not is_later_service(record["date"], record["odometer_reading"],
                            schedule["last_service_date"], schedule["last_service_odometer"]):
        return None
    recurrence = recurrence_of(schedule)
    cycle = complete(cycle_of(schedule), recurrence, record["date"], done_at)
    return dict(schedule) | due_values(cycle, recurrence) | {
        "last_service_date": record["date"],
        "last_service_odometer": record["odometer_reading"],
        "last_record_id": record["id"],
        "due_cycle": schedule["due_cycle"] + 1,
    }


def corrected(schedule: Mapping, update: ScheduleUpdate, units: Units) -> dict:
    """The schedule with the fields sent, checked as a whole; a changed interval or base moves
    the due point, which starts a new due cycle."""
    sent = update.model_fields_set - {"units"}
    merged = dict(schedule)
    for name in sent:
        value = getattr(update, name)
        if name in DISTANCE_FIELDS:
            value = to_miles(value, units)
        elif name == "category" and value is not None:
            value = value.value
        merged[name] = value
    if merged["fixed_intervals"] is None:
        merged["fixed_intervals"] = schedule["fixed_intervals"]
    # What the fields cannot check one by one: the subtypes against a new category, and that
    # some interval is left.
    merged["subtypes"] = canonical_subtypes(Category(merged["category"]), list(merged["subtypes"]))
    require_interval(merged["interval_months"], merged["interval_distance"])
    recurrence = recurrence_of(merged)
    cycle = cycle_of(schedule)
    if sent & {"last_service_date", "last_service_odometer"}:
        base_date = merged["last_service_date"] or cycle.base_date
        base_odometer = merged["last_service_odometer"]
        cycle = start_cycle(base_date, cycle.base_odometer if base_odometer is None else base_odometer)
    merged |= due_values(cycle, recurrence)
    if any(merged[name] != schedule[name] for name in ("next_due_date", "next_due_odometer")):
        merged["due_cycle"] = schedule["due_cycle"] + 1
    return merged


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
