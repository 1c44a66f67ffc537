"""Fuel log rules, free of I/O."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from uuid import UUID

from pydantic import AwareDatetime, Field, model_validator

from shared.http.validation import ApiModel

CENT = Decimal("0.01")


class FuelLogInput(ApiModel):
    vehicle_id: UUID
    date_time: AwareDatetime
    odometer_reading: int | None = Field(default=None, ge=0)
    trip_distance: Decimal | None = Field(default=None, gt=0, max_digits=10, decimal_places=1)
    fuel_units: Decimal = Field(gt=0, max_digits=10, decimal_places=3)
    cost_per_unit: Decimal = Field(ge=0, max_digits=10, decimal_places=3)
    notes: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def odometer_or_trip(self) -> FuelLogInput:
        if self.odometer_reading is None and self.trip_distance is None:
            raise ValueError("either odometerReading or tripDistance is required")
        return self


def total_cost(fuel_units: Decimal, cost_per_unit: Decimal) -> Decimal:
    """Exact to the cent, rounded half up like a pump: 12.5 x 3.299 = 41.2375 -> 41.24."""
    return (fuel_units * cost_per_unit).quantize(CENT, rounding=ROUND_HALF_UP)


def fuel_log_view(row) -> dict:
    return {
        "id": str(row["id"]),
        "userId": row["user_id"],
        "vehicleId": str(row["vehicle_id"]),
        "dateTime": row["date_time"].isoformat(),
        "odometerReading": row["odometer_reading"],
        "tripDistance": row["trip_distance"],
        "fuelUnits": row["fuel_units"],
        "costPerUnit": row["cost_per_unit"],
        "totalCost": row["total_cost"],
        "notes": row["notes"],
        "createdAt": row["created_at"].isoformat(),
        "updatedAt": row["updated_at"].isoformat(),
    }
