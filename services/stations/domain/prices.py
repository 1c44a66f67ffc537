"""Prices seen in fill-ups: what a fuel_log event says, and how a price is shown."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Iterable
from uuid import UUID

from pydantic import AwareDatetime, Field, field_validator

from shared.models import ApiModel


class FillUpPrice(ApiModel):
    """The part of fuel_log.created/updated.v1 the stations service keeps (docs/events.md)."""

    fuel_log_id: UUID
    station_place_id: str | None = Field(default=None, max_length=512)
    fuel_type: str | None = Field(default=None, max_length=20)
    fuel_grade: str | None = Field(default=None, max_length=20)
    # An exact decimal string, per US gallon (per kWh for electric).
    cost_per_unit: Decimal | None = Field(default=None, ge=0, allow_inf_nan=False)
    date_time: AwareDatetime | None = None

    @field_validator("station_place_id", "fuel_grade", mode="after")
    @classmethod
    def blank_is_none(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None


class FillUpDeleted(ApiModel):
    fuel_log_id: UUID


def price_unit(fuel_type: str | None) -> str:
    return "kWh" if fuel_type == "electric" else "gallon"


def price_view(row: Any) -> dict[str, Any]:
    seen_at: datetime = row["seen_at"]
    return {
        "fuelType": row["fuel_type"],
        "fuelGrade": row["fuel_grade"],
        "costPerUnit": row["cost_per_unit"],
        "unit": price_unit(row["fuel_type"]),
        "seenAt": seen_at.isoformat(),
    }


def prices_by_station(rows: Iterable[Any], fuel_type: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """Group latest-price rows by place id, keeping only `fuel_type` when one is asked for."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if fuel_type is None or row["fuel_type"] == fuel_type:
            grouped.setdefault(row["place_id"], []).append(price_view(row))
    return grouped
