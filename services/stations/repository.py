"""All SQL of the stations service. Every query is scoped to one user."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg
import orjson

from shared.paging import Page

from .domain.prices import FillUpPrice
from .domain.saved_stations import SAVED_STATION_ORDER
from .domain.search import EARTH_RADIUS_M

# Great-circle distance in metres from ($2, $3) to a row's coordinates (haversine, plain SQL so
# it runs on any PostgreSQL; no PostGIS or earthdistance needed).
_DISTANCE = f"""
    2 * {EARTH_RADIUS_M} * asin(least(1, sqrt(
        power(sin(radians(k.latitude - $2) / 2), 2)
        + cos(radians($2)) * cos(radians(k.latitude)) * power(sin(radians(k.longitude - $3) / 2), 2))))
"""


async def remember_stations(conn: asyncpg.Connection, user_id: str, stations: list[dict[str, Any]]) -> None:
    """Record what the provider said about stations this user has now seen."""
    if not stations:
        return
    await conn.execute(
        """INSERT INTO known_stations AS k (user_id, place_id, name, address, latitude, longitude, rating,
                                          photo_reference, photo_attributions, types)
           SELECT $1, s.place_id, s.name, s.address, s.latitude, s.longitude, s.rating, s.photo_reference,
                  s.photo_attributions::jsonb, string_to_array(s.types, ' ')
           FROM unnest($2::text[], $3::text[], $4::text[], $5::float8[], $6::float8[], $7::float8[],
                       $8::text[], $9::text[], $10::text[])
                AS s(place_id, name, address, latitude, longitude, rating, photo_reference, photo_attributions, types)
           ON CONFLICT (user_id, place_id) DO UPDATE
           SET name = EXCLUDED.name, address = EXCLUDED.address, latitude = EXCLUDED.latitude,
               longitude = EXCLUDED.longitude, rating = EXCLUDED.rating, photo_reference = EXCLUDED.photo_reference,
               photo_attributions = EXCLUDED.photo_attributions, types = EXCLUDED.types, last_seen_at = now()""",
        user_id,
        [s["placeId"] for s in stations],
        [s["name"] for s in stations],
        [s["address"] for s in stations],
        [s["latitude"] for s in stations],
        [s["longitude"] for s in stations],
        [s["rating"] for s in stations],
        [s["photoReference"] for s in stations],
        [orjson.dumps(s.get("photoAttributions", [])).decode() for s in stations],
        # Place types are [a-z_] words, so a space-joined string round-trips through unnest.
        [" ".join(s["types"]) for s in stations],
    )


async def nearby_known_stations(
    conn: asyncpg.Connection, user_id: str, latitude: float, longitude: float, radius_m: float, limit: int,
    place_types: list[str], fuel_type: str | None,
) -> list[asyncpg.Record]:
    """Known stations within the radius, nearest first. A latitude band (index) narrows the rows
    before the distance is computed. With a fuel type, only stations of the matching kind or
    where this user has paid for that fuel."""
    return await conn.fetch(
        f"""SELECT * FROM (
                SELECT k.*, {_DISTANCE} AS distance
                FROM known_stations k
                WHERE k.user_id = $1 AND k.latitude IS NOT NULL
                  AND k.latitude BETWEEN $2 - degrees($4 / {EARTH_RADIUS_M}) AND $2 + degrees($4 / {EARTH_RADIUS_M})
                  AND ($7::text IS NULL OR k.types && $6::text[] OR EXISTS (
                        SELECT 1 FROM observed_prices p
                        WHERE p.user_id = k.user_id AND p.place_id = k.place_id AND p.fuel_type = $7 AND NOT p.deleted))
            ) nearby
            WHERE distance <= $4
            ORDER BY distance, place_id
            LIMIT $5""",
        user_id, latitude, longitude, radius_m, limit, place_types, fuel_type,
    )


async def get_known_station(conn: asyncpg.Connection, user_id: str, place_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT * FROM known_stations WHERE user_id = $1 AND place_id = $2", user_id, place_id
    )


async def latest_prices(conn: asyncpg.Connection, user_id: str, place_ids: list[str]) -> list[asyncpg.Record]:
    """The latest price per station, fuel type and grade, by the fill-up's own date (not by the
    order events arrived in); ties broken by fill-up id so the answer is stable."""
    if not place_ids:
        return []
    return await conn.fetch(
        """SELECT DISTINCT ON (place_id, fuel_type, fuel_grade)
                  place_id, fuel_type, fuel_grade, cost_per_unit, seen_at
           FROM observed_prices
           WHERE user_id = $1 AND place_id = ANY($2::text[]) AND NOT deleted
             AND cost_per_unit IS NOT NULL AND seen_at IS NOT NULL
           ORDER BY place_id, fuel_type, fuel_grade, seen_at DESC, fuel_log_id DESC""",
        user_id, place_ids,
    )


async def record_observed_prices(conn: asyncpg.Connection, prices: list[tuple[str, FillUpPrice, datetime]]) -> None:
    """(user id, price, event time) of fill-ups, at most one each, in one statement: each one's
    station becomes known by id (until a search tells us more) and its price is upserted by fill-up
    id. An older event of the fill-up never overwrites a newer one, and a deleted fill-up stays
    deleted. Written at the end of a batch, after a purge of the user the batch may also hold:
    what occurred before that purge is left out (shared/purges.py), or it would come back."""
    await conn.execute(
        """WITH seen AS (
               SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::numeric[],
                                    $7::timestamptz[], $8::timestamptz[])
                        AS t(user_id, fuel_log_id, place_id, fuel_type, fuel_grade, cost_per_unit, seen_at,
                             event_occurred_at)
               WHERE NOT EXISTS (SELECT 1 FROM user_purges p
                                 WHERE p.user_id = t.user_id AND p.purged_at >= t.event_occurred_at)
           ), stations AS (
               INSERT INTO known_stations (user_id, place_id)
               SELECT DISTINCT user_id, place_id FROM seen WHERE place_id IS NOT NULL ORDER BY user_id, place_id
               ON CONFLICT (user_id, place_id) DO NOTHING
           )
           INSERT INTO observed_prices AS o (user_id, fuel_log_id, place_id, fuel_type, fuel_grade, cost_per_unit,
                                             seen_at, event_occurred_at)
           SELECT * FROM seen
           ON CONFLICT (user_id, fuel_log_id) DO UPDATE
           SET place_id = EXCLUDED.place_id, fuel_type = EXCLUDED.fuel_type, fuel_grade = EXCLUDED.fuel_grade,
               cost_per_unit = EXCLUDED.cost_per_unit, seen_at = EXCLUDED.seen_at,
               event_occurred_at = EXCLUDED.event_occurred_at, updated_at = now()
           WHERE NOT o.deleted AND o.event_occurred_at <= EXCLUDED.event_occurred_at""",
        *map(list, zip(*[(user_id, price.fuel_log_id, price.station_place_id, price.fuel_type, price.fuel_grade,
                          price.cost_per_unit, price.date_time, occurred_at) for user_id, price, occurred_at in prices])),
    )


async def forget_observed_price(
    conn: asyncpg.Connection, user_id: str, fuel_log_id: uuid.UUID, event_occurred_at: datetime
) -> None:
    """Tombstone the fill-up's price (even before its `created` arrives, which then changes nothing)."""
    await conn.execute(
        """INSERT INTO observed_prices AS o (user_id, fuel_log_id, deleted, event_occurred_at)
           VALUES ($1, $2, true, $3)
           ON CONFLICT (user_id, fuel_log_id) DO UPDATE
           SET deleted = true, place_id = NULL, cost_per_unit = NULL, updated_at = now()""",
        user_id, fuel_log_id, event_occurred_at,
    )


async def save_station(
    conn: asyncpg.Connection, user_id: str, place_id: str, changes: dict[str, Any]
) -> tuple[asyncpg.Record, bool]:
    """Create or update a saved station; only the fields in `changes` are written on update.
    Returns the row and whether it was created."""
    row = await conn.fetchrow(
        """INSERT INTO saved_stations AS s (user_id, place_id, nickname, notes, is_favorite)
           VALUES ($1, $2, $3, $5, coalesce($7, false))
           ON CONFLICT (user_id, place_id) DO UPDATE
           SET nickname = CASE WHEN $4 THEN EXCLUDED.nickname ELSE s.nickname END,
               notes = CASE WHEN $6 THEN EXCLUDED.notes ELSE s.notes END,
               is_favorite = CASE WHEN $7::boolean IS NOT NULL THEN EXCLUDED.is_favorite ELSE s.is_favorite END,
               updated_at = now()
           RETURNING *, (xmax = 0) AS created""",
        user_id, place_id,
        changes.get("nickname"), "nickname" in changes,
        changes.get("notes"), "notes" in changes,
        changes.get("is_favorite"),
    )
    return row, row["created"]


async def list_saved_stations(conn: asyncpg.Connection, user_id: str, page: Page | None = None) -> list[asyncpg.Record]:
    """All, or one page (fetched one row long: SAVED_STATION_ORDER.trim tells whether more follow)."""
    keyset = SAVED_STATION_ORDER.sql(page, 2)
    return await conn.fetch(
        f"""SELECT s.nickname, s.notes, s.is_favorite, s.created_at, s.updated_at, k.*
            FROM saved_stations s JOIN known_stations k USING (user_id, place_id)
            WHERE s.user_id = $1{keyset.where}
            ORDER BY {SAVED_STATION_ORDER.order_by()}{keyset.limit}""",
        user_id, *keyset.parameters,
    )


async def get_saved_station(conn: asyncpg.Connection, user_id: str, place_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT s.nickname, s.notes, s.is_favorite, s.created_at, s.updated_at, k.*
           FROM saved_stations s JOIN known_stations k USING (user_id, place_id)
           WHERE s.user_id = $1 AND s.place_id = $2""",
        user_id, place_id,
    )


async def delete_saved_station(conn: asyncpg.Connection, user_id: str, place_id: str) -> bool:
    status = await conn.execute("DELETE FROM saved_stations WHERE user_id = $1 AND place_id = $2", user_id, place_id)
    return status == "DELETE 1"


# --- account export: a server-side cursor, in the caller's snapshot transaction ----------------

def stream_saved_stations(conn: asyncpg.Connection, user_id: str):
    return conn.cursor(
        """SELECT s.nickname, s.notes, s.is_favorite, s.created_at, s.updated_at, k.*
           FROM saved_stations s JOIN known_stations k USING (user_id, place_id)
           WHERE s.user_id = $1 ORDER BY s.created_at, s.place_id""",
        user_id, prefetch=500,
    )


async def purge_user(conn: asyncpg.Connection, user_id: str) -> None:
    """Remove every saved station, known station and observed price of the user. Photos are not
    stored per user (the provider serves them by reference), so no file goes with them."""
    await conn.execute("DELETE FROM saved_stations WHERE user_id = $1", user_id)
    await conn.execute("DELETE FROM known_stations WHERE user_id = $1", user_id)
    await conn.execute("DELETE FROM observed_prices WHERE user_id = $1", user_id)
