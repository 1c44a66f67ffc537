"""Vehicle rules, free of I/O: what a valid vehicle is, how an update applies, how it is shown."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field, field_validator, model_validator

from shared.errors import InvalidInput
from shared.models import ApiModel

from .vin import FORMAT_MESSAGE, VIN_INPUT_PATTERN, is_valid_input, normalise_vin, vin_warnings

FIRST_MODEL_YEAR = 1886  # the first patented motor car
MAX_ODOMETER = 9_999_999  # miles; beyond any real vehicle, and within the INT column
NEEDS_VIN_OR_PLATE = "a vehicle needs a VIN or a licence plate"


def _check_vin(vin: str | None) -> str | None:
    if vin is None:
        return None
    if not is_valid_input(vin):
        raise ValueError(FORMAT_MESSAGE)
    return normalise_vin(vin)


# The schema states the pattern; _check_vin applies it with the rules' own message.
VIN_SCHEMA = {"pattern": VIN_INPUT_PATTERN}


def latest_model_year() -> int:
    # Computed per call, not at import: a long-running process must accept next year's models.
    return date.today().year + 2


def _check_year(year: int | None) -> int | None:
    latest = latest_model_year()
    if year is not None and not FIRST_MODEL_YEAR <= year <= latest:
        raise ValueError(f"year must be between {FIRST_MODEL_YEAR} and {latest}")
    return year


def _year_schema(schema: dict[str, Any]) -> None:
    """The year's range in the JSON Schema, as of when the document is built."""
    for option in schema.get("anyOf", [schema]):
        if option.get("type") == "integer":
            option.update(minimum=FIRST_MODEL_YEAR, maximum=latest_model_year())


def _vin_or_plate_schema(schema: dict[str, Any]) -> None:
    """NEEDS_VIN_OR_PLATE in the JSON Schema: a VIN, or a plate that is not blank."""
    schema["anyOf"] = [
        {"required": ["vin"], "properties": {"vin": {"type": "string"}}},
        {"required": ["licensePlate"], "properties": {"licensePlate": {"type": "string", "pattern": r"\S"}}},
    ]


class VehicleFields(ApiModel):
    vin: str | None = Field(default=None, max_length=32, json_schema_extra=VIN_SCHEMA)
    year: int | None = Field(default=None, json_schema_extra=_year_schema)
    make: str | None = Field(default=None, max_length=100)
    model: str | None = Field(default=None, max_length=100)
    engine: str | None = Field(default=None, max_length=100)
    transmission: str | None = Field(default=None, max_length=100)
    trim_level: str | None = Field(default=None, max_length=100)
    drive_type: str | None = Field(default=None, max_length=50)
    fuel_type: str | None = Field(default=None, max_length=50)
    nickname: str | None = Field(default=None, max_length=100)
    color: str | None = Field(default=None, max_length=50)
    license_plate: str | None = Field(default=None, max_length=20)

    @field_validator("vin")
    @classmethod
    def vin_format(cls, vin: str | None) -> str | None:
        return _check_vin(vin)

    @field_validator("year")
    @classmethod
    def year_range(cls, year: int | None) -> int | None:
        return _check_year(year)

    @field_validator("license_plate", "nickname", "make", "model", mode="after")
    @classmethod
    def blank_is_none(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None


class VehicleInput(VehicleFields):
    """POST /api/vehicles: a new vehicle needs a VIN or a licence plate."""

    model_config = VehicleFields.model_config | {"json_schema_extra": _vin_or_plate_schema}

    odometer_reading: int = Field(default=0, ge=0, le=MAX_ODOMETER)

    @model_validator(mode="after")
    def vin_or_plate(self) -> VehicleInput:
        if not self.vin and not self.license_plate:
            raise ValueError(NEEDS_VIN_OR_PLATE)
        return self


class VehicleUpdate(VehicleFields):
    """PUT /api/vehicles/{id}: a partial update; only the fields sent change.

    `odometerReading` defaults to None only to mean "not sent"; an explicit null fails
    validation (defaults are not validated, sent values are).
    """

    odometer_reading: int = Field(default=None, ge=0, le=MAX_ODOMETER)  # type: ignore[assignment]

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


class DecodeVinRequest(ApiModel):
    vin: str = Field(max_length=32, json_schema_extra=VIN_SCHEMA)

    @field_validator("vin")
    @classmethod
    def vin_format(cls, vin: str) -> str:
        return _check_vin(vin)


FIELDS = (
    "vin", "year", "make", "model", "engine", "transmission", "trim_level", "drive_type",
    "fuel_type", "nickname", "color", "license_plate", "odometer_reading",
)


def apply_update(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """The vehicle's fields after a partial update; it must still have a VIN or a plate."""
    updated = {field: current[field] for field in FIELDS} | changes
    if not updated["vin"] and not updated["license_plate"]:
        raise InvalidInput.field("licensePlate", NEEDS_VIN_OR_PLATE)
    return updated


def image_path(vehicle_id: str) -> str:
    return f"/api/vehicles/{vehicle_id}/image"


def vehicle_view(row) -> dict:
    """A stored vehicle as the API shows it (the original app's field names)."""
    vehicle_id = str(row["id"])
    return {
        "id": vehicle_id,
        "userId": row["user_id"],
        "vin": row["vin"],
        "year": row["year"],
        "make": row["make"],
        "model": row["model"],
        "engine": row["engine"],
        "transmission": row["transmission"],
        "trimLevel": row["trim_level"],
        "driveType": row["drive_type"],
        "fuelType": row["fuel_type"],
        "nickname": row["nickname"],
        "color": row["color"],
        "licensePlate": row["license_plate"],
        "odometerReading": row["odometer_reading"],
        "isActive": row["is_active"],
        "createdAt": row["created_at"].isoformat(),
        "updatedAt": row["updated_at"].isoformat(),
        "imageUrl": image_path(vehicle_id) if row["image_key"] else None,
    }


def vehicle_view_with_warnings(row) -> dict:
    """The view answered to a write: the vehicle, and what looks wrong with its VIN."""
    view = vehicle_view(row)
    return {**view, "warnings": vin_warnings(view["vin"])}
