"""All SQL of the fuel logs service. Reads take the pool or a connection; writes a transaction's connection."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Callable, Mapping

import asyncpg
import orjson

from shared.events import Event
from shared.transactions import Database

# Requests waiting for a vehicle the projection has not learnt yet listen on this channel.
PROJECTION_CHANNEL = "fuel_logs_vehicle_projection"
COLUMNS = (
    "date_time", "odometer_reading", "trip_distance", "fuel_type", "fuel_grade", "fuel_units",
    "cost_per_unit", "total_cost", "is_full_fill", "missed_previous", "location_data", "station_place_id", "notes",
)
# Placeholders of an insert: $1-$3 for the ids (fill-up, vehicle, user), then the columns, then the event.
_VALUES = ", ".join(f"${i}" for i in range(4, 4 + len(COLUMNS)))
_EVENT = ", ".join(f"${i}" for i in range(4 + len(COLUMNS), 8 + len(COLUMNS)))


async def _notify_projection_change(conn: asyncpg.Connection, vehicle_id: uuid.UUID) -> None:
    # NOTIFY is transactional: waiters hear it only once the change is committed and visible.
    await conn.execute("SELECT pg_notify($1, $2)", PROJECTION_CHANNEL, str(vehicle_id))


async def upsert_vehicle(
    conn: asyncpg.Connection, vehicle_id: uuid.UUID, user_id: str, odometer: int, fuel_type: str | None = None
) -> None:
    # A late `created` must not resurrect a deleted vehicle, nor lower a known odometer. Requests
    # wait only for a vehicle the projection lacks (vehicle_wait.py): they are notified, in the same
    # statement, when the row is inserted (xmax = 0), not on every odometer update of a known one.
    await conn.execute(
        """WITH upserted AS (
               INSERT INTO vehicle_projection (vehicle_id, user_id, odometer, fuel_type) VALUES ($1, $2, $3, $4)
               ON CONFLICT (vehicle_id) DO UPDATE
               SET odometer = GREATEST(vehicle_projection.odometer, EXCLUDED.odometer),
                   fuel_type = COALESCE(EXCLUDED.fuel_type, vehicle_projection.fuel_type),
                   updated_at = now()
               WHERE NOT vehicle_projection.deleted
               RETURNING xmax = 0 AS inserted)
           SELECT pg_notify($5, $1::text) FROM upserted WHERE inserted""",
        vehicle_id, user_id, odometer, fuel_type, PROJECTION_CHANNEL,
    )


async def delete_vehicle(conn: asyncpg.Connection, vehicle_id: uuid.UUID, user_id: str) -> list[asyncpg.Record]:
    """Mark the vehicle deleted (kept as a tombstone) and remove its fill-ups; return them."""
    await conn.execute(
        """INSERT INTO vehicle_projection (vehicle_id, user_id, deleted) VALUES ($1, $2, true)
           ON CONFLICT (vehicle_id) DO UPDATE SET deleted = true, updated_at = now()""",
        vehicle_id, user_id,
    )
    await _notify_projection_change(conn, vehicle_id)
    return await conn.fetch(
        "DELETE FROM fuel_logs WHERE vehicle_id = $1 AND user_id = $2 RETURNING *", vehicle_id, user_id
    )


async def vehicle_state(db: Database, vehicle_id: uuid.UUID) -> asyncpg.Record | None:
    """What the projection knows of a vehicle, whoever owns it (None: not learnt yet)."""
    return await db.fetchrow(
        "SELECT vehicle_id, user_id, deleted, fuel_type FROM vehicle_projection WHERE vehicle_id = $1", vehicle_id
    )


async def lock_live_vehicle(conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID) -> asyncpg.Record | None:
    """Inside a write: hold the vehicle so a concurrent vehicle.deleted cannot orphan the write.

    The vehicle's projected fuel type, or None when it is not the user's live vehicle (or not
    known yet)."""
    return await conn.fetchrow(
        """SELECT fuel_type FROM vehicle_projection
           WHERE vehicle_id = $1 AND user_id = $2 AND NOT deleted FOR SHARE""",
        vehicle_id, user_id,
    )


async def owns_live_vehicle(conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT true FROM vehicle_projection WHERE vehicle_id = $1 AND user_id = $2 AND NOT deleted",
            vehicle_id, user_id,
        )
    )


def _json(value: dict | None) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


async def insert_fuel_log(
    conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID, values: dict
) -> asyncpg.Record:
    row = await conn.fetchrow(
        f"""INSERT INTO fuel_logs (id, user_id, vehicle_id, {", ".join(COLUMNS)})
            VALUES ($1, $2, $3, {_VALUES}) RETURNING *""",
        uuid.uuid4(), user_id, vehicle_id,
        *(_json(values[c]) if c == "location_data" else values.get(c) for c in COLUMNS),
    )
    return _decoded(row)


_INSERT_WITH_EVENT_HEAD = f"""
    WITH vehicle AS (
        SELECT 1 FROM vehicle_projection
        WHERE vehicle_id = $2 AND user_id = $3 AND NOT deleted
        FOR SHARE
    ), fill_up AS (
        INSERT INTO fuel_logs (id, vehicle_id, user_id, {", ".join(COLUMNS)})
        SELECT $1, $2, $3, {_VALUES} FROM vehicle
        RETURNING *
    ), announced AS (
        INSERT INTO outbox (event_id, routing_key, body, request_id)
        SELECT {_EVENT} FROM fill_up
    )"""
_INSERT_WITH_EVENT = _INSERT_WITH_EVENT_HEAD + "\n    SELECT * FROM fill_up"


@dataclass(frozen=True)
class ChainStart:
    """The first batch of chain_before(), read by the statement that inserted the fill-up: the
    statement's snapshot is the one before its own row, so the rows are exactly what a read right
    after it would find before the new fill-up (short of another request's commit in between)."""

    trip_only: bool  # a fill-up of the chain has no reading: no window, the whole chain decides
    rows: list[dict]


async def insert_fuel_log_announced(
    conn: asyncpg.Connection, row: dict, event: Event, *, with_chain_start: bool = False
) -> tuple[dict | None, ChainStart | None]:
    """One statement, atomic on its own: the fill-up `row` (id, vehicle_id, user_id and COLUMNS),
    written only while its vehicle is the user's and live (held for the statement, so a concurrent
    vehicle.deleted cannot orphan it), with `event` in the outbox; with `with_chain_start`, also
    the chain before it (ChainStart), saving closing_of() its round trip. None when the vehicle
    is not there; then nothing is written."""
    stored = await conn.fetchrow(
        _INSERT_WITH_CHAIN_START if with_chain_start else _INSERT_WITH_EVENT,
        row["id"], row["vehicle_id"], row["user_id"],
        *(_json(row[c]) if c == "location_data" else row.get(c) for c in COLUMNS),
        event.id, event.routing_key, event.to_json(), event.request_id,
    )
    if stored is None or not with_chain_start:
        return _decoded(stored), None
    start = ChainStart(stored["chain_trip_only"], [dict(zip(_WINDOW_COLUMNS, r)) for r in stored["chain_window"]])
    fill_up = _decoded(stored)
    del fill_up["chain_trip_only"], fill_up["chain_window"]
    return fill_up, start


async def update_fuel_log(
    conn: asyncpg.Connection, user_id: str, fuel_log_id: uuid.UUID, values: dict
) -> asyncpg.Record | None:
    assignments = ", ".join(f"{c} = ${i}" for i, c in enumerate(COLUMNS, start=3))
    row = await conn.fetchrow(
        f"""UPDATE fuel_logs SET {assignments}, updated_at = now()
            WHERE id = $1 AND user_id = $2 RETURNING *""",
        fuel_log_id, user_id,
        *(_json(values[c]) if c == "location_data" else values.get(c) for c in COLUMNS),
    )
    return _decoded(row)


async def get_fuel_log(
    db: Database, user_id: str, fuel_log_id: uuid.UUID, *, for_update: bool = False
) -> dict | None:
    lock = " FOR UPDATE" if for_update else ""
    row = await db.fetchrow(f"SELECT * FROM fuel_logs WHERE id = $1 AND user_id = $2{lock}", fuel_log_id, user_id)
    return _decoded(row)


async def delete_fuel_log(conn: asyncpg.Connection, user_id: str, fuel_log_id: uuid.UUID) -> dict | None:
    row = await conn.fetchrow("DELETE FROM fuel_logs WHERE id = $1 AND user_id = $2 RETURNING *", fuel_log_id, user_id)
    return _decoded(row)


async def list_for_user(db: Database, user_id: str) -> list[dict]:
    rows = await db.fetch("SELECT * FROM fuel_logs WHERE user_id = $1 ORDER BY date_time DESC, id", user_id)
    return [_decoded(r) for r in rows]


async def list_for_vehicle(db: Database, user_id: str, vehicle_id: uuid.UUID) -> list[dict]:
    rows = await db.fetch(
        "SELECT * FROM fuel_logs WHERE user_id = $1 AND vehicle_id = $2 ORDER BY date_time DESC, id",
        user_id, vehicle_id,
    )
    return [_decoded(r) for r in rows]


# Served by fuel_logs_vehicle_dates (user_id, vehicle_id, date_time, id): each half reads from the
# given time outwards and stops at the first fill-up with a reading.
_ODOMETER_NEIGHBOURS = """
    (SELECT id, date_time, odometer_reading, true AS before FROM fuel_logs
     WHERE user_id = $1 AND vehicle_id = $2 AND odometer_reading IS NOT NULL AND date_time < $3 AND id <> $4
     ORDER BY date_time DESC, id DESC LIMIT 1)
    UNION ALL
    (SELECT id, date_time, odometer_reading, false AS before FROM fuel_logs
     WHERE user_id = $1 AND vehicle_id = $2 AND odometer_reading IS NOT NULL AND date_time > $3 AND id <> $4
     ORDER BY date_time, id LIMIT 1)"""


async def odometer_neighbours(
    db: Database, user_id: str, vehicle_id: uuid.UUID, at: datetime, fuel_log_id: uuid.UUID
) -> tuple[asyncpg.Record | None, asyncpg.Record | None]:
    """The vehicle's fill-ups with a reading just before and just after `at` (by date), other than
    `fuel_log_id`: what a reading at `at` is checked against. One round trip."""
    rows = await db.fetch(_ODOMETER_NEIGHBOURS, user_id, vehicle_id, at, fuel_log_id)
    return (next((r for r in rows if r["before"]), None), next((r for r in rows if not r["before"]), None))


def _same_chain(vehicle: str, user: str, electric: str) -> str:
    """One chain of fill-ups: a vehicle's liquid fuel or its electricity (domain/views.economy_by_fill);
    the arguments are SQL expressions."""
    return f"vehicle_id = {vehicle} AND user_id = {user} AND (fuel_type = 'electric') = {electric}"


_WINDOW_COLUMNS = ("id", "date_time", "odometer_reading", "trip_distance", "fuel_units", "is_full_fill", "missed_previous")


def _chain_window(chain: str, before: str, limit: str, *, as_records: bool = False) -> str:
    """The window columns of `chain`'s fill-ups before the key `before` (odometer_reading,
    date_time, id), nearest first, at most `limit` (SQL expressions); `as_records`: each row as one
    record, for an ARRAY(). Served by fuel_logs_user_chain (user_id, vehicle_id, odometer_reading,
    date_time, id), walked backwards: the row comparison is the index condition, so a batch reads
    only the rows it returns."""
    columns = ", ".join(_WINDOW_COLUMNS)
    return f"""SELECT {f"ROW({columns})" if as_records else columns}
    FROM fuel_logs
    WHERE {chain} AND (odometer_reading, date_time, id) < {before}
    ORDER BY odometer_reading DESC, date_time DESC, id DESC
    LIMIT {limit}"""


_SAME_CHAIN = _same_chain("$1", "$2", "$3")
_CHAIN_BEFORE = _chain_window(_SAME_CHAIN, "($4, $5, $6)", "$7")
# The first batch also says whether the chain has a fill-up without a reading (one round trip);
# the LEFT JOIN keeps that answer when no row comes before.
_CHAIN_FIRST = f"""SELECT chain.trip_only, window_rows.*
    FROM (SELECT EXISTS (SELECT 1 FROM fuel_logs WHERE {_SAME_CHAIN} AND odometer_reading IS NULL) AS trip_only) chain
    LEFT JOIN LATERAL ({_CHAIN_BEFORE}) window_rows ON true
    ORDER BY window_rows.odometer_reading DESC, window_rows.date_time DESC, window_rows.id DESC"""
CHAIN_FIRST_BATCH = 8  # the nearest full fill is usually the row right before


def _chain_start_sql() -> str:
    """_CHAIN_FIRST on the insert's parameters, as two columns beside the inserted row: the new
    row's vehicle ($2), user ($3) and fuel type, and its key (odometer_reading, date_time, id)."""
    def param(column: str) -> str:
        return f"${4 + COLUMNS.index(column)}"

    chain = _same_chain("$2", "$3", f"({param('fuel_type')} = 'electric')")
    before = f"({param('odometer_reading')}, {param('date_time')}, $1)"
    return f"""
    SELECT fill_up.*,
        EXISTS (SELECT 1 FROM fuel_logs WHERE {chain} AND odometer_reading IS NULL) AS chain_trip_only,
        ARRAY({_chain_window(chain, before, str(CHAIN_FIRST_BATCH), as_records=True)}) AS chain_window
    FROM fill_up"""


_INSERT_WITH_CHAIN_START = _INSERT_WITH_EVENT_HEAD + _chain_start_sql()


async def chain_before(
    db: Database, user_id: str, vehicle_id: uuid.UUID, electric: bool,
    before: tuple[Decimal, datetime, uuid.UUID], until: Callable[[Mapping[str, Any]], bool],
    start: ChainStart | None = None,
) -> list[dict] | None:
    """The fill-ups before `before` (odometer, date_time, id) in the chain, nearest first, up to
    and including the first one for which `until` holds (all of them if none does); `start`, its
    first batch when the insert read it.

    None when a fill-up of the chain has no odometer reading: its position then follows from
    dates and trip distances across the whole chain, which no window by odometer can tell.
    """
    window: list[dict] = []
    limit = CHAIN_FIRST_BATCH
    if start is None:
        first = await db.fetch(_CHAIN_FIRST, vehicle_id, user_id, electric, *before, limit)
        start = ChainStart(first[0]["trip_only"], [row for row in first if row["id"] is not None])
    if start.trip_only:
        return None
    batch = start.rows
    while True:
        for row in batch:
            window.append({key: row[key] for key in _WINDOW_COLUMNS})
            if until(row):
                return window
        if len(batch) < limit:
            return window
        last = batch[-1]
        before = (last["odometer_reading"], last["date_time"], last["id"])
        limit *= 4  # long runs of partial fills: fewer round trips
        batch = await db.fetch(_CHAIN_BEFORE, vehicle_id, user_id, electric, *before, limit)


async def set_receipt(
    conn: asyncpg.Connection, user_id: str, fuel_log_id: uuid.UUID, key: str | None, content_type: str | None
) -> None:
    await conn.execute(
        """UPDATE fuel_logs SET receipt_key = $3, receipt_content_type = $4, updated_at = now()
           WHERE id = $1 AND user_id = $2""",
        fuel_log_id, user_id, key, content_type,
    )


def _decoded(row: asyncpg.Record | None) -> dict | None:
    """A row as a dict with its JSON column decoded (asyncpg hands JSONB over as text). orjson: a
    whole number beyond 64 bits that a row stored before LocationData refused them comes back a
    float, where json.loads made it an int that broke every answer holding it."""
    if row is None:
        return None
    values = dict(row)
    if values.get("location_data") is not None:
        values["location_data"] = orjson.loads(values["location_data"])
    return values


# Imports: every row in one statement (arrays unnested), rows whose import key is already stored
# skipped by the unique index; what was inserted comes back.
_IMPORT_COLUMNS = (
    ("date_time", "timestamptz"), ("odometer_reading", "numeric"), ("trip_distance", "numeric"),
    ("fuel_type", "text"), ("fuel_grade", "text"), ("fuel_units", "numeric"), ("cost_per_unit", "numeric"),
    ("total_cost", "numeric"), ("is_full_fill", "boolean"), ("missed_previous", "boolean"), ("notes", "text"),
    ("import_key", "text"),
)
_INSERT_IMPORTED = f"""
    INSERT INTO fuel_logs (id, user_id, vehicle_id, {", ".join(name for name, _ in _IMPORT_COLUMNS)})
    SELECT rows.id, $2::text, $3::uuid, {", ".join(f"rows.{name}" for name, _ in _IMPORT_COLUMNS)}
    FROM unnest($1::uuid[], {", ".join(f"${i}::{kind}[]" for i, (_, kind) in enumerate(_IMPORT_COLUMNS, 4))})
        AS rows(id, {", ".join(name for name, _ in _IMPORT_COLUMNS)})
    ON CONFLICT (user_id, import_key) WHERE import_key IS NOT NULL DO NOTHING
    RETURNING *"""


async def insert_imported(
    conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID, rows: list[dict]
) -> list[dict]:
    """Insert the imported fill-ups not imported before; the rows inserted."""
    if not rows:
        return []
    inserted = await conn.fetch(
        _INSERT_IMPORTED, [uuid.uuid4() for _ in rows], user_id, vehicle_id,
        *([row.get(name) for row in rows] for name, _ in _IMPORT_COLUMNS),
    )
    return [_decoded(r) for r in inserted]


async def imported_keys(db: Database, user_id: str, keys: list[str]) -> set[str]:
    """Which of these import keys the user's fill-ups already have."""
    rows = await db.fetch(
        "SELECT import_key FROM fuel_logs WHERE user_id = $1 AND import_key = ANY($2::text[])", user_id, keys
    )
    return {row["import_key"] for row in rows}


# --- account export: server-side cursors, in the caller's snapshot transaction -----------------

EXPORT_PREFETCH = 500


async def chains_without_readings(conn: asyncpg.Connection, user_id: str) -> set[tuple[uuid.UUID, bool]]:
    """The user's chains (vehicle, electric) holding a fill-up without an odometer reading."""
    rows = await conn.fetch(
        """SELECT DISTINCT vehicle_id, fuel_type = 'electric' AS electric FROM fuel_logs
           WHERE user_id = $1 AND odometer_reading IS NULL""",
        user_id,
    )
    return {(row["vehicle_id"], row["electric"]) for row in rows}


async def stream_in_chain_order(conn: asyncpg.Connection, user_id: str):
    """The user's fill-ups in chain order (economy.chain for fills with readings), in batches."""
    async for row in conn.cursor(
        """SELECT * FROM fuel_logs WHERE user_id = $1
           ORDER BY vehicle_id, fuel_type = 'electric', odometer_reading, date_time, id""",
        user_id, prefetch=EXPORT_PREFETCH,
    ):
        yield _decoded(row)


async def chain_rows(conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID, electric: bool) -> list[dict]:
    rows = await conn.fetch(
        "SELECT * FROM fuel_logs WHERE user_id = $1 AND vehicle_id = $2 AND (fuel_type = 'electric') = $3",
        user_id, vehicle_id, electric,
    )
    return [_decoded(r) for r in rows]


def stream_receipts(conn: asyncpg.Connection, user_id: str):
    return conn.cursor(
        """SELECT id, vehicle_id, receipt_key, receipt_content_type FROM fuel_logs
           WHERE user_id = $1 AND receipt_key IS NOT NULL ORDER BY date_time, id""",
        user_id, prefetch=EXPORT_PREFETCH,
    )


async def purge_user(conn: asyncpg.Connection, user_id: str) -> list[str]:
    """Remove every fill-up and projected vehicle of the user; the receipts' storage keys."""
    receipts = await conn.fetch("DELETE FROM fuel_logs WHERE user_id = $1 RETURNING receipt_key", user_id)
    await conn.execute("DELETE FROM vehicle_projection WHERE user_id = $1", user_id)
    return [row["receipt_key"] for row in receipts if row["receipt_key"]]
