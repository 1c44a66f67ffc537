"""What the stations service answers, as models for its OpenAPI document (`@documented(responses=...)`).

The views (views.py, prices.py) build the answers; these models only describe them, and
services/stations/tests/test_answer_schemas.py holds the two together. Every field the answer has
is listed, nullable ones as `X | None`; extra properties stay allowed, so a client built on the
schema keeps working when a field is added. Exact decimals travel as JSON numbers (AnswerDecimal).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from shared.models import AnswerDecimal, ApiModel


class GeoPoint(ApiModel):
    latitude: float
    longitude: float


class PhotoAttribution(ApiModel):
    """The photo's author, whom the provider's terms say to name beside it."""

    display_name: str | None
    uri: str | None


class StationPrice(ApiModel):
    """The latest price paid at the station for a fuel type and grade, from the caller's fill-ups."""

    fuel_type: str | None
    fuel_grade: str | None
    cost_per_unit: AnswerDecimal = Field(description="Per US gallon, or per kWh for electric (`unit`)")
    unit: Literal["gallon", "kWh"]
    seen_at: dt.datetime


class Station(ApiModel):
    place_id: str
    name: str | None
    address: str | None
    location: GeoPoint | None = Field(description="null for a station known only from fill-ups")
    distance: float | None = Field(description="Metres from the searched point, to a tenth; null when not searched")
    rating: float | None
    is_open: bool | None = Field(description="null when unknown (always, for a saved station)")
    types: list[str]
    photo_reference: str | None
    photo_url: str | None = Field(description="A signed URL for <img>, valid for a while")
    photo_attributions: list[PhotoAttribution]
    prices: list[StationPrice]


class StationSearchResult(ApiModel):
    stations: list[Station] = Field(description="Nearest first")
    source: Literal["google", "cache", "known"] = Field(
        description="Who answered: the provider, its cached answer, or the stations this user knows")
    fallback_reason: Literal["no_api_key", "circuit_open", "provider_error"] | None = Field(
        description="Why the provider did not answer, when it did not")
    search_location: GeoPoint
    radius: float = Field(description="Metres")


class SavedStation(Station):
    nickname: str | None
    notes: str | None
    is_favorite: bool
    saved_at: dt.datetime
    updated_at: dt.datetime


class PlaceCandidate(ApiModel):
    """A place matching typed text, to search near."""

    place_id: str
    name: str | None
    address: str | None
    latitude: float
    longitude: float


class SignedPhotoUrl(ApiModel):
    url: str = Field(description="A path under /api/stations/photo-signed/, valid without a bearer token")
    expires_at: int = Field(description="Unix time")
