"""What a nearby search asks for, what it answers, the cache cell nearby searches share, and distances."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StrictBool, StrictFloat, StrictInt, StringConstraints

from shared.models import ApiModel

# Mean Earth radius (IUGG), the same constant as the SQL distance of the repository.
EARTH_RADIUS_M = 6_371_008.8
MAX_RADIUS_M = 50_000  # also the largest circle the provider accepts
# Below a metre a search finds nothing a caller could tell apart; a tinier radius (5e-324, a
# subnormal double) makes PostgreSQL's float arithmetic underflow, which it refuses.
MIN_RADIUS_M = 1
# Coordinates are kept to 7 decimals (~1 cm): finer digits mean nothing for a station search, and
# a subnormal coordinate (1e-320) would underflow PostgreSQL's haversine the same way.
COORDINATE_DECIMALS = 7
# The provider's searchNearby returns at most 20 places per call.
PROVIDER_MAX_RESULTS = 20
GAS_STATION = "gas_station"
EV_CHARGER = "electric_vehicle_charging_station"

# Who answered a search, and why the provider did not when it did not.
SOURCE_PROVIDER = "google"
SOURCE_CACHE = "cache"
SOURCE_KNOWN = "known"
NO_API_KEY = "no_api_key"
CIRCUIT_OPEN = "circuit_open"
PROVIDER_ERROR = "provider_error"


class FuelType(str, Enum):
    GASOLINE = "gasoline"
    DIESEL = "diesel"
    ELECTRIC = "electric"


def _to_centimetres(degrees: float) -> float:
    return round(degrees, COORDINATE_DECIMALS) + 0.0  # + 0.0: -0.0 becomes 0.0


Coordinate = Annotated[StrictFloat, AfterValidator(_to_centimetres)]


class SearchInput(ApiModel):
    # Strict: a string or a boolean where a number belongs is a client bug, not something to coerce.
    # (A strict float still takes a JSON integer.) Finite: NaN and Infinity are 400s.
    latitude: Coordinate = Field(ge=-90, le=90, allow_inf_nan=False)
    longitude: Coordinate = Field(ge=-180, le=180, allow_inf_nan=False)
    radius: StrictFloat = Field(default=5000, ge=MIN_RADIUS_M, le=MAX_RADIUS_M, allow_inf_nan=False)
    max_results: StrictInt = Field(default=20, ge=1, le=50)
    fuel_type: FuelType | None = None
    open_now: StrictBool = False


@dataclass(frozen=True)
class StationSearch:
    """Stations in the provider shape (places.py) with their distance from the caller, nearest
    first; the latest prices of each by place id (prices.py); who answered."""

    stations: list[tuple[dict[str, Any], float]]
    prices: dict[str, list[dict[str, Any]]]
    source: str
    fallback_reason: str | None


def place_types_for(fuel_type: FuelType | None) -> list[str]:
    """Electric cars charge at chargers; every other fuel is sold at gas stations."""
    return [EV_CHARGER] if fuel_type is FuelType.ELECTRIC else [GAS_STATION]


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lng2 - lng1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class SearchCell:
    """The provider query that nearby searches share: a rounded centre and a radius that covers
    the caller's whole circle from that centre. One cache entry per cell (cache_keys.py)."""

    latitude: float
    longitude: float
    radius: int
    place_types: tuple[str, ...]


def decimals_for(radius: float) -> int:
    # ~111 m cells for searches up to 5 km, ~1.1 km cells for wider ones.
    return 3 if radius <= 5_000 else 2


def search_cell(query: SearchInput) -> SearchCell:
    decimals = decimals_for(query.radius)
    # + 0.0 turns -0.0 into 0.0, so both sides of the equator/meridian name one cell.
    latitude = round(query.latitude, decimals) + 0.0
    longitude = round(query.longitude, decimals) + 0.0
    step = 100 if query.radius <= 5_000 else 1_000
    # Cover the caller's circle from the rounded centre, then round up so the radius buckets.
    radius = min(MAX_RADIUS_M, math.ceil((query.radius + max_shift_m(decimals)) / step) * step)
    return SearchCell(latitude, longitude, int(radius), tuple(place_types_for(query.fuel_type)))


def max_shift_m(decimals: int) -> float:
    """How far rounding can move a point: half a cell's diagonal at the equator."""
    half_step = 0.5 * 10 ** -decimals
    return haversine_m(0.0, 0.0, half_step, half_step)


def rank_stations(stations: list[dict], query: SearchInput) -> list[tuple[dict, float]]:
    """Provider stations with their distance from the caller's point: inside the radius, open
    ones only if asked, nearest first, at most `max_results`."""
    ranked = []
    for station in stations:
        distance = haversine_m(query.latitude, query.longitude, station["latitude"], station["longitude"])
        if distance > query.radius or (query.open_now and station["isOpen"] is not True):
            continue
        ranked.append((station, distance))
    ranked.sort(key=lambda pair: (pair[1], pair[0]["placeId"]))
    return ranked[: query.max_results]


# A typed place resolves to a few candidates; the person picks one (or the first is taken).
PLACE_CANDIDATES = 5


class PlaceQuery(ApiModel):
    """A place typed by a person ("Camden Town, London", "10 High Street, Escher UK")."""

    query: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
