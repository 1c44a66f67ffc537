"""Importing service records from another tracker's export (or ours).

Other apps describe work in free text ("Oil and filter change", Fuelly's "engine_oil,oil_filter"),
not in our categories and subtypes. Every imported record is `routine_maintenance`; its subtypes
are the catalogue's names the text mentions (a name itself, or a usual word for it: "oil" ->
Engine Oil, "tyre rotation" -> Tires, "brake pads" -> Brakes and Traction Control), else
["Other"]; the exporter's own text is kept in the notes. Our own export names category and
subtypes and is taken as it is. Each record has a stable import key, so importing the same file
again adds nothing.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from enum import StrEnum
from typing import Any

from pydantic import ValidationError

from shared.errors import FieldProblem, field_problems
from shared.imports import ExportFile, ImportPlan, ServiceValues, key_figure, read_import, service_values, trimmed
from shared.models import ApiModel

from .catalog import SUBTYPES, Category
from .inputs import RecordInput
from .records import new_record
from .units import Units

FALLBACK_SUBTYPE = "Other"
# Usual words for the catalogue's routine subtypes, tried after the names themselves.
KEYWORDS: tuple[tuple[str, str], ...] = (
    (r"cabin|pollen", "Cabin Air Filter / Purifier"),
    (r"(?<!cabin )air filter|engine filter", "Air Filter Element"),
    (r"\boil\b|oil change|oil filter|lube", "Engine Oil"),
    (r"\btires?\b|\btyres?\b|rotation|wheel balanc|balancing", "Tires"),
    (r"alignment|suspension|steering|shock|strut", "Steering and Suspension"),
    (r"parking brake|hand ?brake", "Parking Brake System"),
    (r"brake", "Brakes and Traction Control"),
    (r"coolant|antifreeze|radiator", "Coolant"),
    (r"spark ?plug|\bplugs\b", "Spark Plug"),
    (r"wiper", "Wiper Blade"),
    (r"washer", "Washer Fluid"),
    (r"\bbelt\b|serpentine|timing belt", "Drive Belt"),
    (r"differential", "Fluid - Differential"),
    (r"manual transmission|gearbox oil", "Fluid - M/T"),
    (r"transmission|\batf\b", "Fluid - A/T"),
    (r"exhaust|muffler|catalytic", "Exhaust System"),
    (r"fuel filter|throttle|injector|intake", "Fuel Delivery and Air Induction"),
    (r"\bfluids?\b", "Fluids"),
)
ROUTINE = SUBTYPES[Category.ROUTINE_MAINTENANCE]


class ImportFormat(StrEnum):
    FUELLY = "fuelly"
    FUELIO = "fuelio"
    DRIVVO = "drivvo"
    LUBELOGGER = "lubelogger"
    MOTOVAULT = "motovault"


class ImportQuery(ApiModel):
    """`units`: the file's distance unit when the file does not say; `format`: the exporter,
    detected when not given; `dryRun`: report only."""

    units: Units | None = None
    format: ImportFormat | None = None
    dry_run: bool = False


def subtypes_for(text: str) -> list[str]:
    """The routine subtypes `text` mentions, in catalogue order, or ["Other"]."""
    words = text.casefold().replace("_", " ")
    found = {name for name in ROUTINE if name != FALLBACK_SUBTYPE and name.casefold() in words}
    found |= {name for pattern, name in KEYWORDS if re.search(pattern, words)}
    return [name for name in ROUTINE if name in found] or [FALLBACK_SUBTYPE]


def classified(values: ServiceValues) -> dict[str, Any]:
    """Category, subtypes and notes of an imported record."""
    if values.subtypes:  # our own export
        return {"category": values.category, "subtypes": [s for s in values.subtypes.split("|") if s.strip()],
                "notes": values.notes}
    described = " — ".join(part for part in (values.title, values.notes) if part)
    return {"category": Category.ROUTINE_MAINTENANCE.value,
            "subtypes": subtypes_for(" ".join((values.title, values.category))),
            "notes": described or None}


def file_units(file: ExportFile, caller: Units | None) -> Units:
    if file.distance is not None:
        return Units.METRIC if file.distance == "km" else Units.IMPERIAL
    if caller is not None:
        return caller
    return Units.METRIC if file.metric_by_default else Units.IMPERIAL


def plan_import(text: str, vehicle_id: uuid.UUID, query: ImportQuery, max_rows: int) -> ImportPlan:
    file = read_import(text, query.format.value if query.format else None, lambda f: f.services, max_rows)
    units = file_units(file, query.units)
    plan = ImportPlan(file.format, units, other_service=len(file.fill_ups), ignored=len(file.ignored))
    plan.check(file.services, lambda row: _checked_row(service_values(row, file), vehicle_id, units))
    return plan


def _checked_row(values: ServiceValues, vehicle_id: uuid.UUID, units: Units) -> tuple[dict | None, list[FieldProblem]]:
    """The record as stored values, or its problems (same model as POST /api/maintenance/records)."""
    body = {"vehicleId": str(vehicle_id), "date": values.date.isoformat(), "odometerReading": trimmed(values.odometer),
            "cost": trimmed(values.cost), "shopName": values.shop, **classified(values)}
    try:
        record = RecordInput.model_validate(body)
    except ValidationError as exc:
        return None, field_problems(exc)
    stored = new_record(record, units)
    stored["import_key"] = import_key(vehicle_id, stored, values.title)
    return stored, []




def import_key(vehicle_id: uuid.UUID, stored: dict[str, Any], title: str) -> str:
    """Same vehicle, date, odometer (miles), cost and description: the same record."""
    parts = (str(vehicle_id), stored["date"].isoformat(), key_figure(stored["odometer_reading"]),
             key_figure(stored["cost"]), " ".join(title.casefold().split()), "|".join(stored["subtypes"]))
    return hashlib.sha256("|".join(parts).encode()).hexdigest()
