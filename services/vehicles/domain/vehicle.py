"""Vehicle rules, free of I/O: what a valid vehicle is and how it is shown."""

from __future__ import annotations

import re
from datetime import date

from pydantic import Field, field_validator, model_validator

from shared.http.validation import ApiModel

VIN_PATTERN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")  # 17 characters, never I, O or Q
FIRST_MODEL_YEAR = 1886  # the first patented motor car


def normalise_vin(vin: str) -> str:
    return re.sub(r"[\s-]", "", vin).upper()


class VehicleInput(ApiModel):
    vin: str | None = Field(default=None, max_length=32)
    year: int | None = Field(default=None, ge=FIRST_MODEL_YEAR, le=date.today().year + 2)
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
    odometer_reading: int = Field(default=0, ge=0)

    @field_validator("vin")
    @classmethod
    def vin_format(cls, vin: str | None) -> str | None:
        if vin is None:
            return None
        vin = normalise_vin(vin)
        if not VIN_PATTERN.match(vin):
            raise ValueError("VIN must be 17 characters of A-Z and 0-9, without I, O or Q")
        return vin

    @model_validator(mode="after")
    def vin_or_plate(self) -> VehicleInput:
        if not self.vin and not self.license_plate:
            raise ValueError("a vehicle needs a VIN or a licence plate")
        return self


FIELDS = (
    "vin", "year", "make", "model", "engine", "transmission", "trim_level", "drive_type",
    "fuel_type", "nickname", "color", "license_plate", "odometer_reading",
)


def vehicle_view(row) -> dict:
    """A stored vehicle as the API shows it (the original app's field names)."""
    return {
        "id": str(row["id"]),
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
        "imageUrl": None,
    }
