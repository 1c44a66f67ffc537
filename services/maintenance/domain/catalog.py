"""The maintenance categories and the subtypes valid in each (the original app's lists).

The original app has 27 routine subtypes, 5 repair and 5 performance-upgrade ones; the reference
notes recovered 21 routine names, the rest are the original's remaining names as best known. We
add a 28th routine one, "Other", for imported work that names none of them.
"""

from __future__ import annotations

from enum import Enum

from shared.errors import InvalidInput


class Category(str, Enum):
    ROUTINE_MAINTENANCE = "routine_maintenance"
    REPAIR = "repair"
    PERFORMANCE_UPGRADE = "performance_upgrade"


SUBTYPES: dict[Category, tuple[str, ...]] = {
    Category.ROUTINE_MAINTENANCE: (
        "Accelerator Pedal",
        "Air Filter Element",
        "Brakes and Traction Control",
        "Cabin Air Filter / Purifier",
        "Coolant",
        "Doors",
        "Drive Belt",
        "Engine Oil",
        "Evaporative Emissions System",
        "Exhaust System",
        "Fluid - A/T",
        "Fluid - Differential",
        "Fluid - M/T",
        "Fluid Filter - A/T",
        "Fluids",
        "Fuel Delivery and Air Induction",
        "Hood Shock / Support",
        "Neutral Safety Switch",
        "Parking Brake System",
        "Restraints and Safety Systems",
        "Shift Interlock A/T",
        "Spark Plug",
        "Steering and Suspension",
        "Tires",
        "Trunk / Liftgate Shock / Support",
        "Washer Fluid",
        "Wiper Blade",
        # Not one of the original app's names: where imported work that names none of the above
        # goes (the exporter's own words are kept in the record's notes, domain/imports.py).
        "Other",
    ),
    Category.REPAIR: ("Engine", "Transmission", "Drivetrain", "Exterior", "Interior"),
    Category.PERFORMANCE_UPGRADE: ("Engine", "Drivetrain", "Suspension", "Wheels/Tires", "Exterior"),
}

# Case-insensitive lookup, so "engine oil" is stored as the canonical "Engine Oil".
_CANONICAL = {category: {name.casefold(): name for name in names} for category, names in SUBTYPES.items()}


def category_named(name: str) -> Category:
    """The category of that name; InvalidInput on `category` listing the valid ones otherwise."""
    try:
        return Category(name)
    except ValueError:
        valid = ", ".join(c.value for c in Category)
        raise InvalidInput.field("category", f"must be one of {valid}", type="enum") from None


def canonical_subtypes(category: Category, subtypes: list[str]) -> list[str]:
    """The subtypes in their canonical spelling, duplicates removed, order kept.

    Raises InvalidInput on `subtypes` naming every subtype that does not belong to the category.
    """
    known = _CANONICAL[category]
    unknown = [name for name in subtypes if name.strip().casefold() not in known]
    if unknown:
        raise InvalidInput.field(
            "subtypes",
            f"not valid for {category.value}: {', '.join(unknown)} (see /api/maintenance/subtypes/{category.value})",
        )
    canonical = [known[name.strip().casefold()] for name in subtypes]
    return list(dict.fromkeys(canonical))


def covers(record_subtypes: list[str], schedule_subtypes: list[str]) -> bool:
    """A record completes a schedule only if it did all of the schedule's work, not part of it."""
    return set(schedule_subtypes) <= set(record_subtypes)
