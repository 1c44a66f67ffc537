"""What the fuel logs service answers, as models for its OpenAPI document (`@documented(responses=...)`).

The views (views.py, stats.py) build the answers; these models only describe them, and
services/fuel_logs/tests/test_answer_schemas.py holds the two together. Every field the answer has
is listed, nullable ones as `X | None`; extra properties stay allowed, so a client built on the
schema keeps working when a field is added. Figures are in the unit system the request asked for
(`units=`), and exact decimals travel as JSON numbers (AnswerDecimal).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal
from uuid import UUID

from pydantic import Field

from shared.models import AnswerDecimal, ApiModel

from .fill_ups import FuelType
from .units import UnitSystem


class UnitLabels(ApiModel):
    distance: Literal["miles", "km"]
    fuel_units: Literal["gallons", "litres", "kWh"]
    efficiency_units: str = Field(description="MPG, MPG (UK), L/100km, km/L; mi/kWh, kWh/100km, km/kWh")
    system: UnitSystem


class FillUp(ApiModel):
    id: UUID
    user_id: str
    vehicle_id: UUID
    date_time: dt.datetime
    odometer_reading: AnswerDecimal | None = Field(description="To a tenth; null when entered by trip distance")
    trip_distance: AnswerDecimal | None = Field(description="To a tenth")
    fuel_type: FuelType
    fuel_grade: str | None
    fuel_units: AnswerDecimal = Field(description="To three places: gallons, litres or kWh")
    cost_per_unit: AnswerDecimal = Field(description="To three places, per fuel unit")
    total_cost: AnswerDecimal = Field(description="To the cent")
    is_full_fill: bool
    missed_previous: bool
    location_data: dict[str, Any] | None = Field(description="As sent; `placeId` names a station")
    notes: str | None
    efficiency: AnswerDecimal | None = Field(
        description="To two places, of the interval this fill-up closes; null when it closes none")
    efficiency_label: str
    unit_labels: UnitLabels
    has_receipt: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class MonthlyFuelStats(ApiModel):
    month: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}$", description="YYYY-MM, in UTC")
    distance: AnswerDecimal
    fuel_units: AnswerDecimal
    cost: AnswerDecimal
    efficiency: AnswerDecimal | None


class FuelStats(ApiModel):
    """A vehicle's statistics over its liquid fill-ups, or over its charges when it has only those."""

    vehicle_id: UUID
    fuel_kind: Literal["liquid", "electric"]
    log_count: int
    total_fuel_units: AnswerDecimal
    total_cost: AnswerDecimal
    average_cost_per_unit: AnswerDecimal | None
    total_distance: AnswerDecimal
    average_efficiency: AnswerDecimal | None
    best_efficiency: AnswerDecimal | None
    worst_efficiency: AnswerDecimal | None
    cost_per_distance: AnswerDecimal | None
    monthly: list[MonthlyFuelStats]
    unit_labels: UnitLabels


class ReceiptUpload(ApiModel):
    """A presigned browser POST: the form `fields`, then the file (last), to `uploadUrl`."""

    upload_url: str
    fields: dict[str, str]
    expires_in: int
    max_bytes: int
    content_type: str


class ReceiptDownload(ApiModel):
    url: str = Field(description="A presigned GET of the receipt, valid `expiresIn` seconds")
    expires_in: int
    content_type: str
