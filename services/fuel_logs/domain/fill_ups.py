"""What a fill-up is: input shapes, the rules across fields, canonical values, total cost, updates."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any, Mapping
from uuid import UUID

from pydantic import AwareDatetime, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

from shared.errors import FieldProblem, InvalidInput
from shared.models import ApiModel, not_nullable, plain_decimal_string, within_json_range

from .units import UnitSystem, distance_from, fuel_from, price_from

CENT = Decimal("0.01")


class FuelType(StrEnum):
    GASOLINE = "gasoline"
    DIESEL = "diesel"
    ELECTRIC = "electric"


GRADES: dict[FuelType, frozenset[str]] = {
    FuelType.GASOLINE: frozenset({"87", "88", "89", "91", "93"}),
    FuelType.DIESEL: frozenset({"#1", "#2"}),
    FuelType.ELECTRIC: frozenset(),
}


class UnitsQuery(ApiModel):
    units: UnitSystem = UnitSystem.IMPERIAL


class LocationData(ApiModel):
    """Free-form location; `placeId` links a station (Google Places id) for price tracking."""

    model_config = ApiModel.model_config | {"extra": "allow"}
    place_id: str | None = Field(default=None, max_length=512)

    @model_validator(mode="after")
    def _extras_within_json_range(self) -> "LocationData":
        within_json_range(self.model_extra)
        return self


# Field shapes shared by create and update; cross-field rules live in `check_rules`.
_ODOMETER = dict(ge=0, le=Decimal("99999999"), max_digits=12, decimal_places=1)
_TRIP = dict(gt=0, le=Decimal("999999"), max_digits=9, decimal_places=1)
_FUEL = dict(gt=0, le=Decimal("99999"), max_digits=9, decimal_places=3)
_PRICE = dict(ge=0, le=Decimal("9999"), max_digits=8, decimal_places=3)
# A fill-up's time: well inside TIMESTAMPTZ and Python's datetime, whatever the offset (year 1 at
# +05:00 is before Python's first instant once in UTC).
# JSON Schema cannot compare times: the RFC 3339 form with the years 1900-2199 as a pattern, so
# generated clients and fuzzers send times the service takes (a bare year prefix on top of the
# date-time format left Hypothesis discarding almost every fill-up it generated).
_WHEN_PATTERN = (r"^(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
                 r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$")
_WHEN = dict(ge=datetime(1900, 1, 1, tzinfo=UTC), le=datetime(2199, 12, 31, 23, 59, 59, tzinfo=UTC),
             json_schema_extra={"pattern": _WHEN_PATTERN})
# Grades in the JSON Schema: every grade of some fuel (which ones go with which fuel: GRADES).
_GRADE_SCHEMA = {"anyOf": [{"enum": sorted(set().union(*GRADES.values()))}, {"type": "null"}]}


def _reading_or_trip_schema(schema: dict) -> None:
    """The first of rule_violations in the JSON Schema: an odometer reading or a trip distance."""
    schema["anyOf"] = [
        {"required": ["odometerReading"], "properties": {"odometerReading": {"type": ["number", "string"]}}},
        {"required": ["tripDistance"], "properties": {"tripDistance": {"type": ["number", "string"]}}},
    ]


class FuelLogInput(ApiModel):
    model_config = ApiModel.model_config | {"json_schema_extra": _reading_or_trip_schema}

    vehicle_id: UUID
    date_time: AwareDatetime = Field(**_WHEN)
    odometer_reading: Decimal | None = Field(default=None, **_ODOMETER)
    trip_distance: Decimal | None = Field(default=None, **_TRIP)
    fuel_type: FuelType | None = None  # None: the vehicle's fuel type, else gasoline
    fuel_grade: str | None = Field(default=None, max_length=10, json_schema_extra=_GRADE_SCHEMA)
    fuel_units: Decimal = Field(**_FUEL)
    cost_per_unit: Decimal = Field(**_PRICE)
    is_full_fill: bool = True
    missed_previous: bool = False
    location_data: LocationData | None = None
    notes: str | None = Field(default=None, max_length=2000)
    # Record the odometer reading even when it contradicts the vehicle's other fill-ups.
    confirm_odometer: bool = False

    _plain_decimals = field_validator("odometer_reading", "trip_distance", "fuel_units", "cost_per_unit",
                                      mode="before")(plain_decimal_string)


REQUIRED_ON_UPDATE = ("date_time", "fuel_type", "fuel_units", "cost_per_unit", "is_full_fill", "missed_previous")


class FuelLogUpdate(ApiModel):
    """PUT is a partial update: only the fields sent change (null clears an optional field; the
    fields a fill-up cannot be without may be left out, not cleared)."""

    model_config = ApiModel.model_config | ConfigDict(json_schema_extra=not_nullable(*REQUIRED_ON_UPDATE))

    date_time: AwareDatetime | None = Field(default=None, **_WHEN)
    odometer_reading: Decimal | None = Field(default=None, **_ODOMETER)
    trip_distance: Decimal | None = Field(default=None, **_TRIP)
    fuel_type: FuelType | None = None
    fuel_grade: str | None = Field(default=None, max_length=10, json_schema_extra=_GRADE_SCHEMA)
    fuel_units: Decimal | None = Field(default=None, **_FUEL)
    cost_per_unit: Decimal | None = Field(default=None, **_PRICE)
    is_full_fill: bool | None = None
    missed_previous: bool | None = None
    location_data: LocationData | None = None
    notes: str | None = Field(default=None, max_length=2000)
    # Record the odometer reading even when it contradicts the vehicle's other fill-ups.
    confirm_odometer: bool = False

    _plain_decimals = field_validator("odometer_reading", "trip_distance", "fuel_units", "cost_per_unit",
                                      mode="before")(plain_decimal_string)


# Litres and kWh do not convert into each other: a change of kind needs both figures anew.
RESTATED_ON_KIND_CHANGE = ("fuel_units", "cost_per_unit")


def total_cost(fuel_units: Decimal, cost_per_unit: Decimal) -> Decimal:
    """Exact to the cent, rounded half up like a pump: 12.5 x 3.299 = 41.2375 -> 41.24."""
    return (fuel_units * cost_per_unit).quantize(CENT, rounding=ROUND_HALF_UP)


def entered_values(model: FuelLogInput | FuelLogUpdate, *, only_sent: bool = False) -> dict[str, Any]:
    """The model's fields as plain values (in the caller's units); `only_sent`: those the client sent."""
    values = model.model_dump(exclude={"vehicle_id", "location_data", "confirm_odometer"}, exclude_unset=only_sent)
    if not only_sent or "location_data" in model.model_fields_set:
        location = model.location_data
        values["location_data"] = location.model_dump(by_alias=True, exclude_none=True) if location else None
    return values


def rule_violations(values: dict[str, Any]) -> list[FieldProblem]:
    """Rules across fields, as field-level problems (camelCase names, like pydantic's)."""
    problems = []
    if values.get("odometer_reading") is None and values.get("trip_distance") is None:
        for field in ("odometerReading", "tripDistance"):
            problems.append(FieldProblem(field, "either odometerReading or tripDistance is required"))
    # Without a fuel type yet (it defaults to the vehicle's), the grade is checked later.
    fuel_type = values.get("fuel_type")
    grade = values.get("fuel_grade")
    if fuel_type is not None and grade is not None and grade not in GRADES[FuelType(fuel_type)]:
        fuel_type = FuelType(fuel_type)
        allowed = ", ".join(sorted(GRADES[fuel_type])) or "none"
        problems.append(FieldProblem("fuelGrade", f"grade {grade!r} is not valid for {fuel_type.value} (allowed: {allowed})"))
    return problems


def check_rules(values: dict[str, Any]) -> None:
    problems = rule_violations(values)
    if problems:
        raise InvalidInput(*problems)


def to_canonical(entered: dict[str, Any], system: UnitSystem, fuel_type: FuelType) -> dict[str, Any]:
    """Convert the measured fields present in `entered` (in `system`) to storage units."""
    electric = fuel_type is FuelType.ELECTRIC
    converted = dict(entered)
    for field in ("odometer_reading", "trip_distance"):
        if entered.get(field) is not None:
            converted[field] = distance_from(entered[field], system)
    if entered.get("fuel_units") is not None:
        converted["fuel_units"] = fuel_from(entered["fuel_units"], system, electric)
    if entered.get("cost_per_unit") is not None:
        converted["cost_per_unit"] = price_from(entered["cost_per_unit"], system, electric)
    return converted


def station_place_id(location: dict | None) -> str | None:
    return (location or {}).get("placeId")


def stored_values(entered: dict[str, Any], system: UnitSystem, given_total: Decimal | None = None) -> dict[str, Any]:
    """Entered values (in `system`, fuel type decided) as stored: canonical units, total cost, station id."""
    fuel_type = FuelType(entered["fuel_type"])
    values = to_canonical(entered, system, fuel_type)
    values["fuel_type"] = fuel_type.value
    values["total_cost"] = (
        given_total.quantize(CENT) if given_total is not None
        else total_cost(entered["fuel_units"], entered["cost_per_unit"])
    )
    values["station_place_id"] = station_place_id(values.get("location_data"))
    return values


def new_fill_up_row(fill_up_id: UUID, user_id: str, vehicle_id: UUID, values: dict[str, Any]) -> dict[str, Any]:
    """A new fill-up's row exactly as PostgreSQL will store and return it, from its stored values
    (already at the columns' scales): the time in UTC. Its event can then be built before the
    insert and written by the same statement."""
    return {"id": fill_up_id, "user_id": user_id, "vehicle_id": vehicle_id, **values,
            "date_time": values["date_time"].astimezone(UTC)}


def check_update_keeps_required(sent: dict[str, Any]) -> None:
    """A partial update may clear optional fields only."""
    nulls = [f for f in REQUIRED_ON_UPDATE if f in sent and sent[f] is None]
    if nulls:
        raise InvalidInput(*(FieldProblem(to_camel(f), "may not be null") for f in nulls))


def updated_values(stored: Mapping[str, Any], sent: dict[str, Any], system: UnitSystem) -> dict[str, Any]:
    """The stored fill-up with the sent fields (in `system`) applied, checked, as stored."""
    fuel_type = FuelType(sent.get("fuel_type") or stored["fuel_type"])
    changes_kind = (fuel_type is FuelType.ELECTRIC) != (stored["fuel_type"] == FuelType.ELECTRIC)
    if changes_kind and not set(RESTATED_ON_KIND_CHANGE) <= sent.keys():
        raise InvalidInput(*(
            FieldProblem(to_camel(f), "required when switching between electricity and liquid fuel")
            for f in RESTATED_ON_KIND_CHANGE if f not in sent
        ))
    merged = dict(stored) | to_canonical(sent, system, fuel_type)
    merged["fuel_type"] = fuel_type.value
    check_rules(merged)
    if {"fuel_units", "cost_per_unit"} <= sent.keys():
        merged["total_cost"] = total_cost(sent["fuel_units"], sent["cost_per_unit"])
    elif {"fuel_units", "cost_per_unit"} & sent.keys():
        # Canonical quantity x canonical price is the same amount of money.
        merged["total_cost"] = total_cost(merged["fuel_units"], merged["cost_per_unit"])
    merged["station_place_id"] = station_place_id(merged["location_data"])
    return merged


def vehicle_default_fuel_type(projected: str | None) -> FuelType:
    """The projection keeps what vehicles said; anything we do not know means gasoline."""
    try:
        return FuelType((projected or "").strip().lower())
    except ValueError:
        return FuelType.GASOLINE
