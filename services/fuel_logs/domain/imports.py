"""Importing fill-ups from another tracker's export (or ours): the rows checked by the rules of
POST /api/fuel-logs in the file's own units, converted exactly to storage units, each with a
stable import key so that importing the same file again adds nothing."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from pydantic import ValidationError

from shared.errors import FieldProblem, field_problems
from shared.imports import ExportFile, ImportPlan, fill_up_values, key_figure, read_import, trimmed
from shared.models import ApiModel

from .fill_ups import CENT, FuelLogInput, FuelType, entered_values, rule_violations, total_cost
from .units import CANONICAL_FUEL, LITRES_PER_US_GALLON, UnitSystem, distance_from, fuel_from, price_from

LITRES_PER_IMPERIAL_GALLON = Decimal("4.54609")


class ImportFormat(StrEnum):
    FUELLY = "fuelly"
    FUELIO = "fuelio"
    DRIVVO = "drivvo"
    LUBELOGGER = "lubelogger"
    MOTOVAULT = "motovault"


class ImportQuery(ApiModel):
    """`units`: the file's units when the file does not say (LubeLogger, Drivvo, our export);
    `format`: the exporter, detected from the header when not given; `dryRun`: report only."""

    units: UnitSystem | None = None
    format: ImportFormat | None = None
    dry_run: bool = False


@dataclass(frozen=True)
class FileUnits:
    distance: str  # "km" | "mi"
    volume: str  # "l" | "usgal" | "impgal"


def file_units(file: ExportFile, caller: UnitSystem | None) -> FileUnits:
    """What the file says, else what the caller says, else what the exporter writes by default
    (Drivvo: km and litres; the others: miles and US gallons, our import's old default)."""
    if caller is not None:
        fallback = FileUnits("km" if caller in (UnitSystem.METRIC, UnitSystem.METRIC_KML) else "mi",
                             "usgal" if caller is UnitSystem.IMPERIAL else "l")
    elif file.metric_by_default:
        fallback = FileUnits("km", "l")
    else:
        fallback = FileUnits("mi", "usgal")
    return FileUnits(file.distance or fallback.distance, file.volume or fallback.volume)


def plan_import(
    text: str, vehicle_id: uuid.UUID, default_fuel: FuelType, query: ImportQuery, max_rows: int
) -> ImportPlan:
    """Every fill-up row of the file checked and converted; bad rows are collected, not raised.
    An unreadable or unknown file, or too many rows, is InvalidInput."""
    file = read_import(text, query.format.value if query.format else None, lambda f: f.fill_ups, max_rows)
    units = file_units(file, query.units)
    plan = ImportPlan(file.format, units, other_service=len(file.services), ignored=len(file.ignored))

    def checked(row):
        stored, problems = _checked_row(fill_up_values(row, file), vehicle_id, default_fuel, units)
        if stored is not None:
            stored["import_key"] = import_key(vehicle_id, stored)
        return stored, problems

    plan.check(file.fill_ups, checked)
    return plan


def _checked_row(values, vehicle_id, default_fuel, units) -> tuple[dict | None, list[FieldProblem]]:
    """A row as stored values, or its problems (same model and rules as POST /api/fuel-logs,
    applied to the figures as the file has them)."""
    body: dict[str, Any] = {
        "vehicleId": str(vehicle_id), "dateTime": values.date_time, "odometerReading": trimmed(values.odometer),
        "tripDistance": trimmed(values.trip), "fuelUnits": trimmed(values.quantity),
        "costPerUnit": trimmed(values.price),
        "isFullFill": values.full, "missedPrevious": values.missed, "notes": values.notes,
    }
    if values.fuel_type:
        body["fuelType"] = values.fuel_type
    if values.fuel_grade:
        body["fuelGrade"] = values.fuel_grade
    try:
        fill_up = FuelLogInput.model_validate(body)
    except ValidationError as exc:
        return None, field_problems(exc)
    entered = entered_values(fill_up)
    entered["fuel_type"] = fill_up.fuel_type or default_fuel
    violations = rule_violations(entered)
    if violations:
        return None, violations
    return stored_from_file(entered, units, values.total), []


def stored_from_file(entered: dict[str, Any], units: FileUnits, given_total: Decimal | None) -> dict[str, Any]:
    """Entered values in the file's units as stored (miles, US gallons or kWh, price per US gallon
    or kWh), converted exactly with Decimal. Imperial gallons go through litres (x 4.54609, exact);
    a price per imperial gallon is the one inexact case, kept to 9 decimal places."""
    fuel_type = FuelType(entered["fuel_type"])
    electric = fuel_type is FuelType.ELECTRIC
    distance_system = UnitSystem.METRIC if units.distance == "km" else UnitSystem.IMPERIAL
    values = dict(entered)
    for name in ("odometer_reading", "trip_distance"):
        if entered.get(name) is not None:
            values[name] = distance_from(entered[name], distance_system)
    quantity, price = entered["fuel_units"], entered["cost_per_unit"]
    if electric or units.volume == "usgal":
        values["fuel_units"] = fuel_from(quantity, UnitSystem.IMPERIAL, electric)
        values["cost_per_unit"] = price
    elif units.volume == "l":
        values["fuel_units"] = fuel_from(quantity, UnitSystem.METRIC, electric)
        values["cost_per_unit"] = price_from(price, UnitSystem.METRIC, electric)
    else:
        values["fuel_units"] = fuel_from(quantity * LITRES_PER_IMPERIAL_GALLON, UnitSystem.METRIC, electric)
        values["cost_per_unit"] = (price * LITRES_PER_US_GALLON / LITRES_PER_IMPERIAL_GALLON).quantize(
            CANONICAL_FUEL, rounding=ROUND_HALF_UP)
    values["fuel_type"] = fuel_type.value
    values["total_cost"] = given_total.quantize(CENT) if given_total is not None else total_cost(quantity, price)
    values["location_data"] = None
    values["station_place_id"] = None
    return values




def import_key(vehicle_id: uuid.UUID, stored: dict[str, Any]) -> str:
    """The same fill-up of the same vehicle has the same key in every import of it: a hash of the
    vehicle, the time (UTC), the odometer reading (or trip), the quantity and the total cost."""
    moment = stored["date_time"].astimezone(UTC).isoformat()
    parts = (str(vehicle_id), moment, key_figure(stored.get("odometer_reading")),
             key_figure(stored.get("trip_distance")), key_figure(stored["fuel_units"]),
             key_figure(stored["total_cost"]))
    return hashlib.sha256("|".join(parts).encode()).hexdigest()
