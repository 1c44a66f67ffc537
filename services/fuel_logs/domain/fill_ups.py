"""What a fill-up is: input shapes, the rules across fields, canonical values, total cost."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import AwareDatetime, Field

from shared.http.errors import BadRequest
from shared.models import ApiModel

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


# Field shapes shared by create and update; cross-field rules live in `check_rules`.
_ODOMETER = dict(ge=0, le=Decimal("99999999"), max_digits=12, decimal_places=1)
_TRIP = dict(gt=0, le=Decimal("999999"), max_digits=9, decimal_places=1)
_FUEL = dict(gt=0, le=Decimal("99999"), max_digits=9, decimal_places=3)
_PRICE = dict(ge=0, le=Decimal("9999"), max_digits=8, decimal_places=3)


class FuelLogInput(ApiModel):
    vehicle_id: UUID
    date_time: AwareDatetime
    odometer_reading: Decimal | None = Field(default=None, **_ODOMETER)
    trip_distance: Decimal | None = Field(default=None, **_TRIP)
    fuel_type: FuelType | None = None  # None: the vehicle's fuel type, else gasoline
    fuel_grade: str | None = Field(default=None, max_length=10)
    fuel_units: Decimal = Field(**_FUEL)
    cost_per_unit: Decimal = Field(**_PRICE)
    is_full_fill: bool = True
    missed_previous: bool = False
    location_data: LocationData | None = None
    notes: str | None = Field(default=None, max_length=2000)


class FuelLogUpdate(ApiModel):
    """PUT is a partial update: only the fields sent change (null clears an optional field)."""

    date_time: AwareDatetime | None = None
    odometer_reading: Decimal | None = Field(default=None, **_ODOMETER)
    trip_distance: Decimal | None = Field(default=None, **_TRIP)
    fuel_type: FuelType | None = None
    fuel_grade: str | None = Field(default=None, max_length=10)
    fuel_units: Decimal | None = Field(default=None, **_FUEL)
    cost_per_unit: Decimal | None = Field(default=None, **_PRICE)
    is_full_fill: bool | None = None
    missed_previous: bool | None = None
    location_data: LocationData | None = None
    notes: str | None = Field(default=None, max_length=2000)


REQUIRED_ON_UPDATE = ("date_time", "fuel_type", "fuel_units", "cost_per_unit", "is_full_fill", "missed_previous")


def total_cost(fuel_units: Decimal, cost_per_unit: Decimal) -> Decimal:
    """Exact to the cent, rounded half up like a pump: 12.5 x 3.299 = 41.2375 -> 41.24."""
    return (fuel_units * cost_per_unit).quantize(CENT, rounding=ROUND_HALF_UP)


def rule_violations(values: dict[str, Any]) -> list[dict[str, str]]:
    """Rules across fields, as field-level details (camelCase names, like pydantic's)."""
    problems = []
    if values.get("odometer_reading") is None and values.get("trip_distance") is None:
        for field in ("odometerReading", "tripDistance"):
            problems.append(_detail(field, "either odometerReading or tripDistance is required"))
    # Without a fuel type yet (it defaults to the vehicle's), the grade is checked later.
    fuel_type = values.get("fuel_type")
    grade = values.get("fuel_grade")
    if fuel_type is not None and grade is not None and grade not in GRADES[FuelType(fuel_type)]:
        fuel_type = FuelType(fuel_type)
        allowed = ", ".join(sorted(GRADES[fuel_type])) or "none"
        problems.append(_detail("fuelGrade", f"grade {grade!r} is not valid for {fuel_type.value} (allowed: {allowed})"))
    return problems


def check_rules(values: dict[str, Any]) -> None:
    problems = rule_violations(values)
    if problems:
        raise BadRequest("Invalid input", details=problems)


def _detail(field: str, message: str) -> dict[str, str]:
    return {"field": field, "message": message, "type": "value_error"}


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


def vehicle_default_fuel_type(projected: str | None) -> FuelType:
    """The projection keeps what vehicles said; anything we do not know means gasoline."""
    try:
        return FuelType((projected or "").strip().lower())
    except ValueError:
        return FuelType.GASOLINE
