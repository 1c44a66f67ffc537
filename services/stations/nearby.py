"""A nearby search: the shared Redis cache, then the provider behind its breaker, and when
neither can answer, the stations this user already knows, by distance, from the database."""

from __future__ import annotations

import logging
import time
from typing import Any

from aiohttp import web

from shared.cache import CACHE
from shared.db import POOL

from . import repository
from .cache_keys import search_cache_key
from .domain.photos import PhotoUrlSigner
from .domain.prices import prices_by_station
from .domain.search import SearchInput, place_types_for, rank_stations, search_cell
from .domain.views import known_station_dict, station_view
from .provider import PLACES, CircuitOpen, ProviderFailure, ProviderNotConfigured
from .settings import StationsSettings

log = logging.getLogger("motovault.stations.search")

PHOTO_SIGNER = web.AppKey("photo_signer", PhotoUrlSigner)
STATIONS_SETTINGS = web.AppKey("stations_settings", StationsSettings)

SOURCE_PROVIDER = "google"
SOURCE_CACHE = "cache"
SOURCE_KNOWN = "known"


async def search(app: web.Application, user_id: str, query: SearchInput) -> dict[str, Any]:
    provider, settings = app[PLACES], app[STATIONS_SETTINGS]
    cell = search_cell(query)
    answered_by_provider = False

    async def ask_provider() -> list[dict[str, Any]]:
        nonlocal answered_by_provider
        stations = await provider.search_nearby(cell)
        answered_by_provider = True
        return stations

    fallback_reason = None
    try:
        # Cached per cell, not per user: the provider's data is the same for everyone.
        places = await app[CACHE].get_or_load(search_cache_key(cell), settings.search_cache_ttl, ask_provider)
    except ProviderNotConfigured:
        places, fallback_reason = None, "no_api_key"
    except CircuitOpen:
        places, fallback_reason = None, "circuit_open"
    except ProviderFailure as exc:
        log.warning("Station search falls back to known stations: %s", exc)
        places, fallback_reason = None, "provider_error"

    fuel_type = query.fuel_type.value if query.fuel_type else None
    async with app[POOL].acquire() as conn, conn.transaction():
        if places is not None:
            await repository.remember_stations(conn, user_id, places)
            ranked = rank_stations(places, query)
        else:
            rows = await repository.nearby_known_stations(
                conn, user_id, query.latitude, query.longitude, query.radius, query.max_results,
                place_types_for(query.fuel_type), fuel_type,
            )
            ranked = [(known_station_dict(row), row["distance"]) for row in rows]
        price_rows = await repository.latest_prices(conn, user_id, [station["placeId"] for station, _ in ranked])

    prices = prices_by_station(price_rows, fuel_type)
    signer, now = app[PHOTO_SIGNER], time.time()
    stations = [
        station_view(station, prices.get(station["placeId"], []), photo_url(signer, station, now), distance)
        for station, distance in ranked
    ]
    source = SOURCE_KNOWN if places is None else SOURCE_PROVIDER if answered_by_provider else SOURCE_CACHE
    return {
        "stations": stations,
        "source": source,
        "fallbackReason": fallback_reason,
        "searchLocation": {"latitude": query.latitude, "longitude": query.longitude},
        "radius": query.radius,
    }


def photo_url(signer: PhotoUrlSigner, station: dict[str, Any], now: float) -> str | None:
    # Signed when the view is made, never cached: a cached URL would outlive its expiry.
    reference = station["photoReference"]
    return signer.signed_path(reference, now)[0] if reference else None
