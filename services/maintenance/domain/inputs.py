"""What callers send: records, schedules and query strings, validated with field details.

Distances arrive in the caller's unit (`units`: imperial = miles, the default; metric = km) and
are converted to miles by the API before storage.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from uuid import UUID

from pydantic import Field, ValidationInfo, field_validator, model_validator

from shared.errors import InvalidInput
from shared.models import ApiModel, not_nullable, plain_decimal_string

from .catalog import SUBTYPES, Category, canonical_subtypes
from .units import Units

MAX_ODOMETER = Decimal(10_000_000)
MAX_INTERVAL_MONTHS = 1200
MAX_COST = Decimal("99999999.99")  # NUMERIC(10, 2)
# Service dates: a due date is up to MAX_INTERVAL_MONTHS later, still inside Python's date (year 9999).
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2199, 12, 31)
Odometer = Field(default=None, ge=0, le=MAX_ODOMETER, max_digits=9, decimal_places=1)
Money = Field(default=None, ge=0, le=MAX_COST, max_digits=10, decimal_places=2)
# JSON Schema cannot compare dates: the years 1900-2199 as a pattern, so generated clients and
# fuzzers send dates the service takes.
DATE_SCHEMA = {"pattern": r"^(19|20|21)[0-9]{2}-"}
ServiceDate = Field(ge=EARLIEST_DATE, le=LATEST_DATE, json_schema_extra=DATE_SCHEMA)
OptionalServiceDate = Field(default=None, ge=EARLIEST_DATE, le=LATEST_DATE, json_schema_extra=DATE_SCHEMA)


def _subtypes_of_category_schema(schema: dict) -> None:
    """The catalog in the JSON Schema: with a category, its subtypes by their canonical names (the
    service also takes them in any case, trimmed)."""
    schema["allOf"] = [
        {"if": {"required": ["category"], "properties": {"category": {"const": category.value}}},
         "then": {"properties": {"subtypes": {"items": {"enum": list(names)}}}}}
        for category, names in SUBTYPES.items()
    ]


def _interval_schema(schema: dict) -> None:
    """require_interval in the JSON Schema: intervalMonths, intervalDistance or both, not null."""
    schema["anyOf"] = [
        {"required": ["intervalMonths"], "properties": {"intervalMonths": {"type": "integer"}}},
        {"required": ["intervalDistance"], "properties": {"intervalDistance": {"type": ["number", "string"]}}},
    ]


def _subtypes_of(subtypes: list[str] | None, info: ValidationInfo) -> list[str] | None:
    category = info.data.get("category")
    if subtypes is None or category is None:  # a bad category is reported on its own field
        return subtypes
    try:
        return canonical_subtypes(category, subtypes)
    except InvalidInput as exc:
        # As a ValueError pydantic reports it together with the body's other problems.
        raise ValueError(exc.problems[0].message) from None


# The fields a partial update may leave out but not clear: refused as null, documented not nullable.
RECORD_KEPT = ("category", "subtypes", "date")
SCHEDULE_KEPT = ("category", "subtypes")


def _not_cleared(value: object) -> object:
    """A partial update's field that may be left out but not cleared (it runs only when sent)."""
    if value is None:
        raise ValueError("cannot be cleared; leave it out to keep it")
    return value


class UnitsQuery(ApiModel):
    units: Units = Units.IMPERIAL


class RecordInput(ApiModel):
    model_config = ApiModel.model_config | {"json_schema_extra": _subtypes_of_category_schema}

    vehicle_id: UUID
    category: Category
    subtypes: list[str] = Field(min_length=1, max_length=40)
    date: dt.date = ServiceDate
    odometer_reading: Decimal | None = Odometer
    cost: Decimal | None = Money
    shop_name: str | None = Field(default=None, max_length=200)
    notes: str | None = Field(default=None, max_length=10_000)
    units: Units | None = None
    # Record the odometer reading even when it contradicts the vehicle's other records.
    confirm_odometer: bool = False

    _plain_decimals = field_validator("odometer_reading", "cost", mode="before")(plain_decimal_string)

    _subtypes = field_validator("subtypes")(_subtypes_of)


class RecordUpdate(ApiModel):
    """Partial update: only the fields sent change; null clears an optional field."""

    model_config = ApiModel.model_config | {"json_schema_extra": lambda schema: (
        _subtypes_of_category_schema(schema), not_nullable(*RECORD_KEPT)(schema))}

    category: Category | None = None
    subtypes: list[str] | None = Field(default=None, min_length=1, max_length=40)
    date: dt.date | None = OptionalServiceDate
    odometer_reading: Decimal | None = Odometer
    cost: Decimal | None = Money
    shop_name: str | None = Field(default=None, max_length=200)
    notes: str | None = Field(default=None, max_length=10_000)
    units: Units | None = None
    confirm_odometer: bool = False

    _plain_decimals = field_validator("odometer_reading", "cost", mode="before")(plain_decimal_string)

    _subtypes = field_validator("subtypes")(_subtypes_of)
    _kept = field_validator(*RECORD_KEPT)(_not_cleared)


class RecordsQuery(ApiModel):
    vehicle_id: UUID | None = None
    category: Category | None = None
    units: Units = Units.IMPERIAL


class ScheduleFields(ApiModel):
    interval_months: int | None = Field(default=None, gt=0, le=MAX_INTERVAL_MONTHS)
    interval_distance: Decimal | None = Field(default=None, gt=0, le=MAX_ODOMETER, max_digits=9, decimal_places=1)
    fixed_intervals: bool | None = None
    last_service_date: dt.date | None = OptionalServiceDate
    last_service_odometer: Decimal | None = Odometer
    # Custom urgency thresholds of this schedule; unset ones use the service-wide defaults.
    very_urgent_days: int | None = Field(default=None, ge=0, le=3650)
    urgent_days: int | None = Field(default=None, ge=0, le=3650)
    very_urgent_distance: Decimal | None = Field(default=None, ge=0, le=MAX_ODOMETER, max_digits=9, decimal_places=1)
    urgent_distance: Decimal | None = Field(default=None, ge=0, le=MAX_ODOMETER, max_digits=9, decimal_places=1)
    notes: str | None = Field(default=None, max_length=10_000)
    units: Units | None = None

    _plain_decimals = field_validator("interval_distance", "last_service_odometer", "very_urgent_distance",
                                      "urgent_distance", mode="before")(plain_decimal_string)


class ScheduleInput(ScheduleFields):
    model_config = ScheduleFields.model_config | {
        "json_schema_extra": lambda schema: (_subtypes_of_category_schema(schema), _interval_schema(schema))}

    vehicle_id: UUID
    category: Category
    subtypes: list[str] = Field(min_length=1, max_length=40)

    _subtypes = field_validator("subtypes")(_subtypes_of)

    @model_validator(mode="after")
    def some_interval(self) -> ScheduleInput:
        require_interval(self.interval_months, self.interval_distance)
        return self


class ScheduleUpdate(ScheduleFields):
    """Partial update: only the fields sent change; null clears an optional field."""

    model_config = ScheduleFields.model_config | {"json_schema_extra": lambda schema: (
        _subtypes_of_category_schema(schema), not_nullable(*SCHEDULE_KEPT)(schema))}

    category: Category | None = None
    subtypes: list[str] | None = Field(default=None, min_length=1, max_length=40)

    _subtypes = field_validator("subtypes")(_subtypes_of)
    _kept = field_validator(*SCHEDULE_KEPT)(_not_cleared)


def require_interval(months: int | None, distance: Decimal | None) -> None:
    """A schedule recurs by months, by distance or both; reported on `intervalMonths` so a form can
    point at it (the merged result of a partial update is checked the same way)."""
    if months is None and distance is None:
        raise InvalidInput.field(
            "intervalMonths", "a schedule needs intervalMonths, intervalDistance or both", type="missing_interval"
        )


class UpcomingQuery(ApiModel):
    current_mileage: Decimal | None = Field(default=None, ge=0, le=MAX_ODOMETER, max_digits=9, decimal_places=1)
    units: Units = Units.IMPERIAL

    _plain_decimals = field_validator("current_mileage", mode="before")(plain_decimal_string)
