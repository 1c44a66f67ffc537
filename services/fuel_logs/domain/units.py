"""Unit systems and exact conversions.

Storage is canonical: miles, US gallons (kWh for electric), prices per US gallon (per kWh).
Callers pick a system with `units=`; every conversion uses the exact legal constants and Decimal.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

KM_PER_MILE = Decimal("1.609344")
LITRES_PER_US_GALLON = Decimal("3.785411784")
LITRES_PER_IMPERIAL_GALLON = Decimal("4.54609")
HUNDRED = Decimal(100)

# Canonical precision: enough digits that a value entered in km or litres converts back to
# exactly what was entered once rounded to the displayed precision.
CANONICAL_DISTANCE = Decimal("0.000001")
CANONICAL_FUEL = Decimal("0.000000001")


class UnitSystem(StrEnum):
    IMPERIAL = "imperial"  # miles, US gallons, MPG (US)
    METRIC = "metric"  # km, litres, L/100 km
    METRIC_KML = "metric_kml"  # km, litres, km/L
    UK = "uk"  # miles, litres bought, MPG in imperial gallons


def uses_km(system: UnitSystem) -> bool:
    return system in (UnitSystem.METRIC, UnitSystem.METRIC_KML)


def uses_litres(system: UnitSystem) -> bool:
    return system is not UnitSystem.IMPERIAL


def distance_in(miles: Decimal, system: UnitSystem) -> Decimal:
    return miles * KM_PER_MILE if uses_km(system) else miles


def distance_from(value: Decimal, system: UnitSystem) -> Decimal:
    miles = value / KM_PER_MILE if uses_km(system) else value
    return miles.quantize(CANONICAL_DISTANCE)


def fuel_in(canonical: Decimal, system: UnitSystem, electric: bool) -> Decimal:
    if electric or not uses_litres(system):
        return canonical
    return canonical * LITRES_PER_US_GALLON


def fuel_from(value: Decimal, system: UnitSystem, electric: bool) -> Decimal:
    gallons = value if electric or not uses_litres(system) else value / LITRES_PER_US_GALLON
    return gallons.quantize(CANONICAL_FUEL)


def price_in(per_canonical: Decimal, system: UnitSystem, electric: bool) -> Decimal:
    if electric or not uses_litres(system):
        return per_canonical
    return per_canonical / LITRES_PER_US_GALLON


def price_from(value: Decimal, system: UnitSystem, electric: bool) -> Decimal:
    # Per litre to per gallon is a multiplication by an exact constant: stored exactly.
    if electric or not uses_litres(system):
        return value
    return value * LITRES_PER_US_GALLON


def efficiency(miles: Decimal, fuel: Decimal, system: UnitSystem, electric: bool) -> Decimal | None:
    """The economy of `miles` driven on `fuel` (canonical units) in the system's figure."""
    if miles <= 0 or fuel <= 0:
        return None
    km = miles * KM_PER_MILE
    if electric:
        if system is UnitSystem.METRIC:
            return fuel / km * HUNDRED  # kWh/100 km
        if system is UnitSystem.METRIC_KML:
            return km / fuel  # km/kWh
        return miles / fuel  # mi/kWh
    litres = fuel * LITRES_PER_US_GALLON
    if system is UnitSystem.METRIC:
        return litres / km * HUNDRED
    if system is UnitSystem.METRIC_KML:
        return km / litres
    if system is UnitSystem.UK:
        return miles / (litres / LITRES_PER_IMPERIAL_GALLON)
    return miles / fuel


def lower_is_better(system: UnitSystem) -> bool:
    """Consumption figures (per 100 km) improve downwards; distance-per-fuel figures upwards."""
    return system is UnitSystem.METRIC


def labels(system: UnitSystem, electric: bool) -> dict[str, str]:
    distance = "km" if uses_km(system) else "miles"
    if electric:
        economy = {UnitSystem.METRIC: "kWh/100km", UnitSystem.METRIC_KML: "km/kWh"}.get(system, "mi/kWh")
        return {"distance": distance, "fuelUnits": "kWh", "efficiencyUnits": economy, "system": system.value}
    fuel = "litres" if uses_litres(system) else "gallons"
    economy = {
        UnitSystem.IMPERIAL: "MPG",
        UnitSystem.UK: "MPG (UK)",
        UnitSystem.METRIC: "L/100km",
        UnitSystem.METRIC_KML: "km/L",
    }[system]
    return {"distance": distance, "fuelUnits": fuel, "efficiencyUnits": economy, "system": system.value}
