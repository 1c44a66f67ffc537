"""What the maintenance service answers, as models for its OpenAPI document (`@documented(responses=...)`).

The views (views.py) build the answers; these models only describe them, and
services/maintenance/tests/test_answer_schemas.py holds the two together. Every field the answer
has is listed, nullable ones as `X | None`; extra properties stay allowed, so a client built on the
schema keeps working when a field is added. Distances are in the caller's unit (`units`), to a
tenth, and exact decimals travel as JSON numbers (AnswerDecimal).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal
from uuid import UUID

from pydantic import Field

from shared.models import AnswerDecimal, ApiModel

from .catalog import Category
from .units import Units
from .urgency import Urgency


class MaintenanceRecord(ApiModel):
    id: UUID
    user_id: str
    vehicle_id: UUID
    category: Category
    subtypes: list[str]
    date: dt.date
    odometer_reading: AnswerDecimal | None
    cost: AnswerDecimal | None = Field(description="To the cent")
    shop_name: str | None
    notes: str | None
    units: Units
    created_at: dt.datetime
    updated_at: dt.datetime


class MaintenanceSchedule(ApiModel):
    id: UUID
    user_id: str
    vehicle_id: UUID
    category: Category
    subtypes: list[str]
    interval_months: int | None
    interval_distance: AnswerDecimal | None
    fixed_intervals: bool
    base_date: dt.date = Field(description="Where the current cycle starts")
    base_odometer: AnswerDecimal
    last_service_date: dt.date | None
    last_service_odometer: AnswerDecimal | None
    next_due_date: dt.date | None
    next_due_odometer: AnswerDecimal | None
    very_urgent_days: int | None = Field(description="null: the service's default")
    urgent_days: int | None = Field(description="null: the service's default")
    very_urgent_distance: AnswerDecimal | None = Field(description="null: the service's default")
    urgent_distance: AnswerDecimal | None = Field(description="null: the service's default")
    notes: str | None
    last_notified_due_at: dt.datetime | None = Field(description="When its falling due was last announced")
    units: Units
    created_at: dt.datetime
    updated_at: dt.datetime


class UpcomingSchedule(MaintenanceSchedule):
    """A schedule with how urgent it is today."""

    urgency: Urgency
    trigger: Literal["date", "odometer", "both"] | None = Field(
        description="The metric that made it urgent; null when it is not urgent")
    days_until_due: int | None = Field(description="Negative when overdue; null without a due date")
    distance_until_due: AnswerDecimal | None = Field(description="Negative when overdue; null without a due odometer")
    projected_due_date: dt.date | None = Field(
        description="The due date, or earlier when the recent driving reaches the due odometer first")


class CategorySubtypes(ApiModel):
    category: Category
    subtypes: list[str]
