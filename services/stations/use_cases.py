"""What the stations service does: nearby searches, saved stations, station photos, and the
prices seen in fill-ups. Each use case takes plain inputs and the resources it needs, owns its
transaction (or joins the consumer's), and raises the errors of shared.errors."""

from __future__ import annotations

import logging
import uuid
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, AsyncIterator

import aiohttp
import asyncpg

from shared.cache import Cache
from shared.errors import DependencyUnavailable, NotFoundError
from shared.events import enqueue
from shared.export_stream import end_line, record_line, schema_line, snapshot
from shared.paging import Page, PageOf
from shared.purges import record_purge
from shared.transactions import Database, coalesce, transaction

from . import events, repository
from .cache_keys import PLACE_TTL_SECONDS, place_cache_key, search_cache_key
from .domain import export
from .domain.photos import PhotoUrlSigner
from .domain.places import known_station
from .domain.prices import FillUpPrice, prices_by_station
from .domain.saved_stations import SAVED_STATION_ORDER, SavedStation, SaveStationInput
from .domain.search import (
    CIRCUIT_OPEN, NO_API_KEY, PLACE_CANDIDATES, PROVIDER_ERROR, SOURCE_CACHE, SOURCE_KNOWN, SOURCE_PROVIDER,
    SearchInput, StationSearch, place_types_for, rank_stations, search_cell,
)
from .provider import CircuitOpen, PhotoNotFound, PlacesProvider, ProviderFailure, ProviderNotConfigured

log = logging.getLogger("motovault.stations.search")


async def search_stations(
    db: Database, cache: Cache, provider: PlacesProvider, user_id: str, query: SearchInput, cache_ttl: int,
) -> StationSearch:
    """The shared cache, then the provider behind its breaker, and when neither can answer, the
    stations this user already knows, by distance, from the database."""
    cell = search_cell(query)
    answered_by_provider = False

    async def ask_provider() -> list[dict[str, Any]]:
        nonlocal answered_by_provider
        stations = await provider.search_nearby(cell)
        answered_by_provider = True
        return stations

    fallback_reason = None
    try:
        places = await cache.get_or_load(search_cache_key(cell), cache_ttl, ask_provider)
    except ProviderNotConfigured:
        places, fallback_reason = None, NO_API_KEY
    except CircuitOpen:
        places, fallback_reason = None, CIRCUIT_OPEN
    except ProviderFailure as exc:
        log.warning("Station search falls back to known stations: %s", exc)
        places, fallback_reason = None, PROVIDER_ERROR

    fuel_type = query.fuel_type.value if query.fuel_type else None
    async with transaction(db) as conn:
        if places is not None:
            await repository.remember_stations(conn, user_id, places)
            ranked = rank_stations(places, query)
        else:
            rows = await repository.nearby_known_stations(
                conn, user_id, query.latitude, query.longitude, query.radius, query.max_results,
                place_types_for(query.fuel_type), fuel_type,
            )
            ranked = [(known_station(row), row["distance"]) for row in rows]
        price_rows = await repository.latest_prices(conn, user_id, [station["placeId"] for station, _ in ranked])
    source = SOURCE_KNOWN if places is None else SOURCE_PROVIDER if answered_by_provider else SOURCE_CACHE
    return StationSearch(ranked, prices_by_station(price_rows, fuel_type), source, fallback_reason)


async def find_places(cache: Cache, provider: PlacesProvider, text: str) -> list[dict[str, Any]]:
    """Candidates for a typed place, shared between users through the cache. Without a usable
    provider there is no answer to fall back on: the failures of the provider pass through, an
    open breaker as the dependency being unavailable."""
    try:
        return await cache.get_or_load(
            place_cache_key(text), PLACE_TTL_SECONDS, lambda: provider.search_text(text, PLACE_CANDIDATES))
    except CircuitOpen:
        retry_after = int(provider.breaker.reset_timeout) or 1
        raise DependencyUnavailable("Place search is unavailable for now", retry_after=retry_after) from None


async def save_station(db: Database, user_id: str, station: SaveStationInput) -> tuple[SavedStation, bool]:
    """Save a station, or change the sent fields of one saved before; True when it is new."""
    async with transaction(db) as conn:
        # A station is saved from a search result: it must be one this user has seen.
        if await repository.get_known_station(conn, user_id, station.place_id) is None:
            raise NotFoundError("Station not found: search for it before saving it")
        _, created = await repository.save_station(conn, user_id, station.place_id, station.changes())
        row = await repository.get_saved_station(conn, user_id, station.place_id)
        price_rows = await repository.latest_prices(conn, user_id, [station.place_id])
    return SavedStation(row, prices_by_station(price_rows).get(station.place_id, [])), created


async def list_saved_stations(db: Database, user_id: str, page: Page | None = None) -> PageOf[SavedStation]:
    """Favourites first, then the most recently changed; all, or one page (with its prices only)."""
    async with transaction(db) as conn:
        cut = SAVED_STATION_ORDER.trim(await repository.list_saved_stations(conn, user_id, page), page)
        price_rows = await repository.latest_prices(conn, user_id, [row["place_id"] for row in cut.items])
    prices = prices_by_station(price_rows)
    return PageOf([SavedStation(row, prices.get(row["place_id"], [])) for row in cut.items], cut.next_after)


async def export_account(pool: asyncpg.Pool, signer: PhotoUrlSigner, user_id: str, now: float
                         ) -> AsyncIterator[dict[str, Any]]:
    """The user's saved stations with their latest prices, from one snapshot (the account export)."""
    async with snapshot(pool) as conn:
        yield schema_line("stations", export.export_kinds())
        count = 0
        async for row in repository.stream_saved_stations(conn, user_id):
            prices = prices_by_station(await repository.latest_prices(conn, user_id, [row["place_id"]]))
            count += 1
            yield record_line("saved_station", *export.saved_station_export(
                SavedStation(row, prices.get(row["place_id"], [])), signer, now))
        yield end_line({"saved_station": count})


async def delete_saved_station(db: Database, user_id: str, place_id: str) -> None:
    async with transaction(db) as conn:
        if not await repository.delete_saved_station(conn, user_id, place_id):
            raise NotFoundError("Saved station not found")


@asynccontextmanager
async def open_station_photo(
    provider: PlacesProvider, reference: str, max_width_px: int,
) -> AsyncIterator[aiohttp.ClientResponse]:
    """The provider's image response for a photo name, to be copied to the client as it arrives.

    A photo the provider does not know and an open breaker are errors of shared.errors. The other
    ProviderFailures (no key, a timeout, a failed call) pass through: the gateway answers they
    call for (503 without Retry-After, 504, 502) have no word in that family.
    """
    try:
        async with provider.photo(reference, max_width_px) as upstream:
            yield upstream
    except PhotoNotFound:
        raise NotFoundError("Photo not found") from None
    except CircuitOpen:
        retry_after = int(provider.breaker.reset_timeout) or 1
        raise DependencyUnavailable("Station photos are unavailable for now", retry_after=retry_after) from None


# The prices a transaction has seen, written together just before its commit.
PRICES_SEEN = "stations.prices_seen"
PriceSeen = tuple[str, FillUpPrice, datetime]  # user id, price, when its event occurred


async def record_price(db: Database, user_id: str, price: FillUpPrice, occurred_at: datetime) -> None:
    """The price of a recorded or changed fill-up. Idempotent by fill-up id: an older event of the
    fill-up never overwrites a newer one, and a deleted fill-up stays deleted. Written with the
    other prices of the transaction just before it commits: a consumer's batch of fill-ups is one
    statement, not two an event."""
    async with transaction(db):
        coalesce(PRICES_SEEN, {(user_id, price.fuel_log_id): (user_id, price, occurred_at)},
                 _latest_of_each, _write_prices)


def _latest_of_each(seen: dict[tuple, PriceSeen], more: dict[tuple, PriceSeen]) -> dict[tuple, PriceSeen]:
    """One entry per fill-up, its latest event's (the later one on a tie, as one after another)."""
    for key, entry in more.items():
        if key not in seen or seen[key][2] <= entry[2]:
            seen[key] = entry
    return seen


async def _write_prices(conn: asyncpg.Connection, seen: dict[tuple, PriceSeen]) -> None:
    # In one order everywhere: two batches writing the same rows lock them in the same order.
    await repository.record_observed_prices(conn, [seen[key] for key in sorted(seen, key=str)])


async def forget_fill_up(db: Database, user_id: str, fuel_log_id: uuid.UUID, occurred_at: datetime) -> None:
    """A deleted fill-up's price is forgotten, even before its creation arrives (a tombstone)."""
    async with transaction(db) as conn:
        await repository.forget_observed_price(conn, user_id, fuel_log_id, occurred_at)


async def purge_user(db: Database, user_id: str, deletion_id: str | None) -> None:
    """The user's account is being deleted: their saved and known stations and the prices their
    fill-ups showed go, and account.purged confirms it. Nothing of theirs is cached (searches are
    cached per area, for everyone). A redelivery finds nothing left and confirms again."""
    async with transaction(db) as conn:
        await repository.purge_user(conn, user_id)
        await record_purge(conn, user_id)  # events of before this are stale from now on
        await enqueue(conn, events.account_purged(user_id, deletion_id))
