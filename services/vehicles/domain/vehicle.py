"""Vehicle rules, free of I/O: what a valid vehicle is, how an update applies, how it is shown."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field, field_validator, model_validator

from shared.errors import InvalidInput
from shared.models import ApiModel

from .vin import FORMAT_MESSAGE, is_valid_format, normalise_vin, vin_warnings

FIRST_MODEL_YEAR = 1886  # the first patented motor car
# The widest year the schema promises; _check_year narrows the top to next year + 1 at run time.
LAST_YEAR_BOUND = 9999
MAX_ODOMETER = 9_999_999  # miles; beyond any real vehicle, and within the INT column
NEEDS_VIN_OR_PLATE = "a vehicle needs a VIN or a licence plate"


def _check_vin(vin: str | None) -> str | None:
    if vin is None:
        return None
    vin = normalise_vin(vin)
    if not is_valid_format(vin):
        raise ValueError(FORMAT_MESSAGE)
    return vin


def _check_year(year: int | None) -> int | None:
    # Checked per call, not at import: a long-running process must accept next year's models.
    latest = date.today().year + 2
    if year is not None and not FIRST_MODEL_YEAR <= year <= latest:
        raise ValueError(f"year must be between {FIRST_MODEL_YEAR} and {latest}")
    return year


class VehicleFields(ApiModel):
    vin: str | None = Field(default=None, max_length=32)
    year: int | None = Field(default=None, ge=FIRST_MODEL_YEAR, le=LAST_YEAR_BOUND)
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
    vin: str = Field(max_length=32)

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
