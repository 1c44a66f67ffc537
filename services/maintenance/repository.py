"""All SQL of the maintenance service. Every query names the user; distances are miles."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

import asyncpg

from shared.paging import Page

from .domain.lists import RECORD_ORDER, SCHEDULE_ORDER

# --- vehicle projection -------------------------------------------------------------------------


async def upsert_vehicle(
    conn: asyncpg.Connection, vehicle_id: uuid.UUID, user_id: str, odometer: Decimal, odometer_at: datetime
) -> bool:
    """Record a vehicle seen in an event; True if it is live. A late `created` must not resurrect a
    deleted vehicle. The odometer is the newest event's (vehicles derives it from its odometer log,
    which can lower it); an event older than the one applied changes nothing."""
    row = await conn.fetchrow(
        """INSERT INTO vehicle_projection (vehicle_id, user_id, odometer, odometer_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (vehicle_id) DO UPDATE
           SET odometer = CASE WHEN vehicle_projection.odometer_at IS NULL
                                    OR EXCLUDED.odometer_at >= vehicle_projection.odometer_at
                               THEN EXCLUDED.odometer ELSE vehicle_projection.odometer END,
               odometer_at = GREATEST(vehicle_projection.odometer_at, EXCLUDED.odometer_at), updated_at = now()
           WHERE NOT vehicle_projection.deleted AND vehicle_projection.user_id = EXCLUDED.user_id
           RETURNING vehicle_id""",
        vehicle_id, user_id, odometer, odometer_at,
    )
    return row is not None


async def forget_readings_above(conn: asyncpg.Connection, vehicle_id: uuid.UUID, user_id: str, odometer: Decimal) -> None:
    """Driving-rate readings above the vehicle's odometer were wrong (the log lowered it): dropped,
    so the projected due dates no longer count distance never driven."""
    await conn.execute(
        "DELETE FROM vehicle_odometer_readings WHERE vehicle_id = $1 AND user_id = $2 AND odometer > $3",
        vehicle_id, user_id, odometer,
    )


async def add_odometer_reading(
    conn: asyncpg.Connection, vehicle_id: uuid.UUID, user_id: str, observed_on: date, odometer: Decimal
) -> None:
    await conn.execute(
        """INSERT INTO vehicle_odometer_readings (vehicle_id, user_id, observed_on, odometer)
           VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING""",
        vehicle_id, user_id, observed_on, odometer,
    )


async def delete_vehicle(conn: asyncpg.Connection, vehicle_id: uuid.UUID, user_id: str) -> tuple[int, int]:
    """Tombstone the vehicle and remove its records, schedules and readings; return the counts."""
    await conn.execute(
        """INSERT INTO vehicle_projection (vehicle_id, user_id, deleted) VALUES ($1, $2, true)
           ON CONFLICT (vehicle_id) DO UPDATE SET deleted = true, updated_at = now()
           WHERE vehicle_projection.user_id = EXCLUDED.user_id""",
        vehicle_id, user_id,
    )
    records = await conn.execute(
        "DELETE FROM maintenance_records WHERE vehicle_id = $1 AND user_id = $2", vehicle_id, user_id
    )
    schedules = await conn.execute(
        "DELETE FROM maintenance_schedules WHERE vehicle_id = $1 AND user_id = $2", vehicle_id, user_id
    )
    await conn.execute(
        "DELETE FROM vehicle_odometer_readings WHERE vehicle_id = $1 AND user_id = $2", vehicle_id, user_id
    )
    return int(records.split()[-1]), int(schedules.split()[-1])


async def owns_live_vehicle(conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT true FROM vehicle_projection WHERE vehicle_id = $1 AND user_id = $2 AND NOT deleted",
            vehicle_id, user_id,
        )
    )


async def current_odometer(conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID) -> Decimal:
    """The highest reading known: the vehicle's odometer or any of its records' (which reach the
    vehicles service later, through maintenance.record_created)."""
    return await conn.fetchval(
        """SELECT GREATEST(
               (SELECT odometer FROM vehicle_projection WHERE vehicle_id = $2 AND user_id = $1),
               (SELECT max(odometer_reading) FROM maintenance_records WHERE vehicle_id = $2 AND user_id = $1),
               0)""",
        user_id, vehicle_id,
    )


async def odometer_readings(
    conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID, since: date
) -> list[tuple[date, Decimal]]:
    rows = await conn.fetch(
        """SELECT observed_on, odometer FROM vehicle_odometer_readings
           WHERE user_id = $1 AND vehicle_id = $2 AND observed_on >= $3
           UNION ALL
           SELECT date, odometer_reading FROM maintenance_records
           WHERE user_id = $1 AND vehicle_id = $2 AND date >= $3 AND odometer_reading IS NOT NULL""",
        user_id, vehicle_id, since,
    )
    return [(row[0], row[1]) for row in rows]


# --- records ------------------------------------------------------------------------------------

RECORD_FIELDS = ("category", "subtypes", "date", "odometer_reading", "cost", "shop_name", "notes")


async def insert_record(conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID, values: dict) -> asyncpg.Record:
    return await conn.fetchrow(
        """INSERT INTO maintenance_records
               (id, user_id, vehicle_id, category, subtypes, date, odometer_reading, cost, shop_name, notes)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *""",
        uuid.uuid4(), user_id, vehicle_id, *(values[f] for f in RECORD_FIELDS),
    )


async def record_odometer_neighbours(
    conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID, on: date, record_id: uuid.UUID
) -> tuple[asyncpg.Record | None, asyncpg.Record | None]:
    """The vehicle's records with a reading dated just before and just after `on`, other than
    `record_id` (maintenance_records_vehicle serves both halves): what a reading on `on` is checked
    against. One round trip."""
    rows = await conn.fetch(
        """(SELECT id, date, odometer_reading, true AS before FROM maintenance_records
            WHERE user_id = $1 AND vehicle_id = $2 AND odometer_reading IS NOT NULL AND date < $3 AND id <> $4
            ORDER BY date DESC, odometer_reading DESC LIMIT 1)
           UNION ALL
           (SELECT id, date, odometer_reading, false AS before FROM maintenance_records
            WHERE user_id = $1 AND vehicle_id = $2 AND odometer_reading IS NOT NULL AND date > $3 AND id <> $4
            ORDER BY date, odometer_reading LIMIT 1)""",
        user_id, vehicle_id, on, record_id,
    )
    return (next((r for r in rows if r["before"]), None), next((r for r in rows if not r["before"]), None))


async def get_record(conn: asyncpg.Connection, user_id: str, record_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT * FROM maintenance_records WHERE id = $1 AND user_id = $2", record_id, user_id
    )


async def list_records(
    conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID | None = None, category: str | None = None,
    page: Page | None = None,
) -> list[asyncpg.Record]:
    """All, or one page (fetched one row long: RECORD_ORDER.trim tells whether more follow)."""
    keyset = RECORD_ORDER.sql(page, 4)
    return await conn.fetch(
        f"""SELECT * FROM maintenance_records
            WHERE user_id = $1 AND ($2::uuid IS NULL OR vehicle_id = $2) AND ($3::text IS NULL OR category = $3)
            {keyset.where} ORDER BY {RECORD_ORDER.order_by()}{keyset.limit}""",
        user_id, vehicle_id, category, *keyset.parameters,
    )


async def update_record(conn: asyncpg.Connection, user_id: str, record_id: uuid.UUID, values: dict) -> asyncpg.Record:
    return await conn.fetchrow(
        """UPDATE maintenance_records
           SET category = $3, subtypes = $4, date = $5, odometer_reading = $6, cost = $7, shop_name = $8,
               notes = $9, updated_at = now()
           WHERE id = $1 AND user_id = $2 RETURNING *""",
        record_id, user_id, *(values[f] for f in RECORD_FIELDS),
    )


async def delete_record(conn: asyncpg.Connection, user_id: str, record_id: uuid.UUID) -> asyncpg.Record | None:
    """Delete the record; the deleted row, or None if the user has no such record."""
    return await conn.fetchrow(
        "DELETE FROM maintenance_records WHERE id = $1 AND user_id = $2 RETURNING *", record_id, user_id
    )


async def latest_covering_record(
    conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID, category: str, subtypes: list[str]
) -> asyncpg.Record | None:
    """The most recent record that did all of this work (a new schedule's default base)."""
    return await conn.fetchrow(
        """SELECT * FROM maintenance_records
           WHERE user_id = $1 AND vehicle_id = $2 AND category = $3 AND subtypes @> $4::text[]
           ORDER BY date DESC, odometer_reading DESC NULLS LAST LIMIT 1""",
        user_id, vehicle_id, category, subtypes,
    )


# --- schedules ----------------------------------------------------------------------------------

SCHEDULE_FIELDS = (
    "category", "subtypes", "interval_months", "interval_distance", "fixed_intervals", "anchor_date",
    "base_months", "base_odometer", "next_due_date", "next_due_odometer", "last_service_date",
    "last_service_odometer", "last_record_id", "very_urgent_days", "urgent_days", "very_urgent_distance",
    "urgent_distance", "notes", "due_cycle",
)
_SCHEDULE_COLUMNS = ", ".join(SCHEDULE_FIELDS)
_SCHEDULE_PLACEHOLDERS = ", ".join(f"${i}" for i in range(4, len(SCHEDULE_FIELDS) + 4))
_SCHEDULE_SETS = ", ".join(f"{name} = ${i}" for i, name in enumerate(SCHEDULE_FIELDS, start=3))


async def insert_schedule(conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID, values: dict) -> asyncpg.Record:
    return await conn.fetchrow(
        f"""INSERT INTO maintenance_schedules (id, user_id, vehicle_id, {_SCHEDULE_COLUMNS})
            VALUES ($1, $2, $3, {_SCHEDULE_PLACEHOLDERS}) RETURNING *""",
        uuid.uuid4(), user_id, vehicle_id, *(values[f] for f in SCHEDULE_FIELDS),
    )


async def get_schedule(
    conn: asyncpg.Connection, user_id: str, schedule_id: uuid.UUID, *, for_update: bool = False
) -> asyncpg.Record | None:
    lock = " FOR UPDATE" if for_update else ""
    return await conn.fetchrow(
        f"SELECT * FROM maintenance_schedules WHERE id = $1 AND user_id = $2{lock}", schedule_id, user_id
    )


async def list_schedules(
    conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID, page: Page | None = None
) -> list[asyncpg.Record]:
    keyset = SCHEDULE_ORDER.sql(page, 3)
    return await conn.fetch(
        f"""SELECT * FROM maintenance_schedules WHERE user_id = $1 AND vehicle_id = $2{keyset.where}
            ORDER BY {SCHEDULE_ORDER.order_by()}{keyset.limit}""",
        user_id, vehicle_id, *keyset.parameters,
    )


async def schedules_completed_by(
    conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID, category: str, subtypes: list[str]
) -> list[asyncpg.Record]:
    """The vehicle's schedules whose whole work a record of these subtypes did, locked for the advance."""
    return await conn.fetch(
        """SELECT * FROM maintenance_schedules
           WHERE user_id = $1 AND vehicle_id = $2 AND category = $3 AND subtypes <@ $4::text[]
           ORDER BY id FOR UPDATE""",
        user_id, vehicle_id, category, subtypes,
    )


async def update_schedule(conn: asyncpg.Connection, user_id: str, schedule_id: uuid.UUID, values: dict) -> asyncpg.Record:
    return await conn.fetchrow(
        f"""UPDATE maintenance_schedules SET {_SCHEDULE_SETS}, updated_at = now()
            WHERE id = $1 AND user_id = $2 RETURNING *""",
        schedule_id, user_id, *(values[f] for f in SCHEDULE_FIELDS),
    )


async def delete_schedule(conn: asyncpg.Connection, user_id: str, schedule_id: uuid.UUID) -> uuid.UUID | None:
    return await conn.fetchval(
        "DELETE FROM maintenance_schedules WHERE id = $1 AND user_id = $2 RETURNING vehicle_id", schedule_id, user_id
    )


async def unannounced_schedules(conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT * FROM maintenance_schedules
           WHERE user_id = $1 AND vehicle_id = $2 AND notified_cycle IS DISTINCT FROM due_cycle ORDER BY id""",
        user_id, vehicle_id,
    )


async def mark_announced(conn: asyncpg.Connection, user_id: str, schedule_id: uuid.UUID, cycle: int) -> bool:
    """Claim the announcement of this due cycle. Only one transaction can win: a concurrent one
    waits for the row lock, then finds the cycle already announced (or moved on) and gets False."""
    row = await conn.fetchrow(
        """UPDATE maintenance_schedules SET notified_cycle = due_cycle, notified_at = now()
           WHERE id = $1 AND user_id = $2 AND due_cycle = $3 AND notified_cycle IS DISTINCT FROM due_cycle
           RETURNING id""",
        schedule_id, user_id, cycle,
    )
    return row is not None


async def vehicles_with_unannounced_due_dates(conn: asyncpg.Connection, today: date, limit: int) -> list[asyncpg.Record]:
    """Vehicles with a schedule whose due date has come but whose crossing was not announced yet."""
    return await conn.fetch(
        """SELECT DISTINCT user_id, vehicle_id FROM maintenance_schedules
           WHERE notified_cycle IS DISTINCT FROM due_cycle AND next_due_date <= $1 LIMIT $2""",
        today, limit,
    )


# Imports: every record in one statement (arrays unnested; subtypes travel joined by the unit
# separator, as unnest flattens arrays of arrays), records whose import key is stored skipped.
SUBTYPE_SEPARATOR = "\x1f"
_INSERT_IMPORTED = """
    INSERT INTO maintenance_records
        (id, user_id, vehicle_id, category, subtypes, date, odometer_reading, cost, shop_name, notes, import_key)
    SELECT rows.id, $2::text, $3::uuid, rows.category, string_to_array(rows.subtypes, $4), rows.date,
           rows.odometer_reading, rows.cost, rows.shop_name, rows.notes, rows.import_key
    FROM unnest($1::uuid[], $5::text[], $6::text[], $7::date[], $8::numeric[], $9::numeric[], $10::text[],
                $11::text[], $12::text[])
        AS rows(id, category, subtypes, date, odometer_reading, cost, shop_name, notes, import_key)
    ON CONFLICT (user_id, import_key) WHERE import_key IS NOT NULL DO NOTHING
    RETURNING *"""


async def insert_imported_records(
    conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID, rows: list[dict]
) -> list[asyncpg.Record]:
    """Insert the imported records not imported before; the records inserted."""
    if not rows:
        return []
    column = lambda name: [row[name] for row in rows]  # noqa: E731
    return await conn.fetch(
        _INSERT_IMPORTED, [uuid.uuid4() for _ in rows], user_id, vehicle_id, SUBTYPE_SEPARATOR,
        column("category"), [SUBTYPE_SEPARATOR.join(row["subtypes"]) for row in rows], column("date"),
        column("odometer_reading"), column("cost"), column("shop_name"), column("notes"), column("import_key"),
    )


async def imported_record_keys(conn: asyncpg.Connection, user_id: str, keys: list[str]) -> set[str]:
    rows = await conn.fetch(
        "SELECT import_key FROM maintenance_records WHERE user_id = $1 AND import_key = ANY($2::text[])",
        user_id, keys,
    )
    return {row["import_key"] for row in rows}


# --- account export: server-side cursors, in the caller's snapshot transaction -----------------

EXPORT_PREFETCH = 500


def stream_records(conn: asyncpg.Connection, user_id: str):
    return conn.cursor("SELECT * FROM maintenance_records WHERE user_id = $1 ORDER BY date, created_at, id",
                       user_id, prefetch=EXPORT_PREFETCH)


def stream_schedules(conn: asyncpg.Connection, user_id: str):
    return conn.cursor("SELECT * FROM maintenance_schedules WHERE user_id = $1 ORDER BY created_at, id",
                       user_id, prefetch=EXPORT_PREFETCH)


# --- account deletion ---------------------------------------------------------------------------


async def purge_user(conn: asyncpg.Connection, user_id: str) -> list[uuid.UUID]:
    """Remove every record, schedule, odometer reading and projected vehicle of the user; the
    vehicles' ids (their cached views go stale)."""
    await conn.execute("DELETE FROM maintenance_records WHERE user_id = $1", user_id)
    await conn.execute("DELETE FROM maintenance_schedules WHERE user_id = $1", user_id)
    await conn.execute("DELETE FROM vehicle_odometer_readings WHERE user_id = $1", user_id)
    rows = await conn.fetch("DELETE FROM vehicle_projection WHERE user_id = $1 RETURNING vehicle_id", user_id)
    return [row["vehicle_id"] for row in rows]
