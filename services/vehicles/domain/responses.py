"""What the vehicles service answers, as models for its OpenAPI document (`@documented(responses=...)`).

The views (vehicle.py, files.py, odometer.py) build the answers; these models only describe them,
and services/vehicles/tests/test_answer_schemas.py holds the two together. Every field the answer
has is listed; nullable ones are `X | None`, fields an answer may leave out are `omitted()`.
Extra properties stay allowed, so a client built on the schema keeps working when a field is added.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal
from uuid import UUID

from pydantic import Field

from shared.models import ApiModel, omitted

from .files import DocumentKind


class VinWarning(ApiModel):
    source: str = Field(description="vin (our check digit), vpic (its error codes) or decoder")
    code: str
    message: str


class Vehicle(ApiModel):
    id: UUID
    user_id: str
    vin: str | None
    year: int | None
    make: str | None
    model: str | None
    engine: str | None
    transmission: str | None
    trim_level: str | None
    drive_type: str | None
    fuel_type: str | None
    nickname: str | None
    color: str | None
    license_plate: str | None
    odometer_reading: int = Field(description="Miles: the latest reading of the odometer log")
    is_active: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    image_url: str | None = Field(description="Where the image is read (a redirect to storage); null: none")


class VehicleWithWarnings(Vehicle):
    """The answer to a write: the vehicle and what looks wrong with its VIN."""

    warnings: list[VinWarning]


class DecodedVin(ApiModel):
    """What a VIN decodes to; a field vPIC (or the VIN itself, offline) does not give is left out."""

    vin: str
    source: Literal["vpic", "offline"]
    year: int = omitted()
    make: str = omitted()
    model: str = omitted()
    trim_level: str = omitted()
    engine: str = omitted()
    engine_displacement_l: str = omitted(description='Litres to a tenth, e.g. "2.0"')
    engine_cylinders: int = omitted()
    transmission: str = omitted()
    drive_type: str = omitted()
    fuel_type: str = omitted()
    fuel_type_secondary: str = omitted()
    body_class: str = omitted()
    manufacturer: str = omitted()
    warnings: list[VinWarning]


class OdometerReading(ApiModel):
    id: UUID
    vehicle_id: UUID
    reading: int = Field(description="Miles (a fill-up entered by trip distance has no entry)")
    date: dt.date
    date_time: dt.datetime | None = Field(
        description="When it was read, if known: a fill-up's time, an undated manual reading's entry")
    source: Literal["fill_up", "maintenance_record", "manual", "import", "initial"]
    source_kind: Literal["fill_up", "maintenance_record"] | None
    source_id: UUID | None = Field(description="The fill-up or maintenance record the reading comes from")
    note: str | None
    created_at: dt.datetime
    superseded: bool = Field(description="An initial reading a higher, earlier-dated one showed to be stale")


class UploadForm(ApiModel):
    """A presigned browser POST: the form `fields`, then the file (last), to `url`."""

    url: str
    method: Literal["POST"]
    fields: dict[str, str]
    expires_in: int
    max_bytes: int
    content_type: str


class VehicleDocument(ApiModel):
    id: UUID
    user_id: str
    vehicle_id: UUID
    document_type: DocumentKind
    title: str
    expiry_date: dt.date | None
    content_type: str
    file_name: str | None
    created_at: dt.datetime
    updated_at: dt.datetime


class NewVehicleDocument(VehicleDocument):
    upload: UploadForm


class VehicleDocumentDownload(VehicleDocument):
    download_url: str
    download_expires_in: int
