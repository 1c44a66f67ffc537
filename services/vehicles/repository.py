"""All SQL of the vehicles service. Every query is scoped by the owner's user id."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import asyncpg

from shared.paging import Page

from .domain.lists import DOCUMENT_ORDER, VEHICLE_ORDER
from .domain.odometer import SourceReading
from .domain.vehicle import FIELDS

_COLUMNS = ", ".join(FIELDS)
_PLACEHOLDERS = ", ".join(f"${i}" for i in range(3, len(FIELDS) + 3))
_ASSIGNMENTS = ", ".join(f"{field} = ${i}" for i, field in enumerate(FIELDS, start=3))


async def insert_vehicle(conn: asyncpg.Connection, user_id: str, values: dict) -> asyncpg.Record:
    return await conn.fetchrow(
        f"INSERT INTO vehicles (id, user_id, {_COLUMNS}) VALUES ($1, $2, {_PLACEHOLDERS}) RETURNING *",
        uuid.uuid4(), user_id, *(values[f] for f in FIELDS),
    )


async def list_vehicles(conn: asyncpg.Connection, user_id: str, page: Page | None = None) -> list[asyncpg.Record]:
    """All, or one page (fetched one row long: VEHICLE_ORDER.trim tells whether more follow)."""
    keyset = VEHICLE_ORDER.sql(page, 2)
    return await conn.fetch(
        f"""SELECT * FROM vehicles WHERE user_id = $1 AND deleted_at IS NULL{keyset.where}
            ORDER BY {VEHICLE_ORDER.order_by()}{keyset.limit}""",
        user_id, *keyset.parameters,
    )


async def get_vehicle(
    conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID, *, for_update: bool = False
) -> asyncpg.Record | None:
    # FOR UPDATE: a read-modify-write (PUT, image swap) must not interleave with another one.
    lock = " FOR UPDATE" if for_update else ""
    return await conn.fetchrow(
        f"SELECT * FROM vehicles WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL{lock}", vehicle_id, user_id
    )


async def update_vehicle(conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID, values: dict) -> asyncpg.Record:
    return await conn.fetchrow(
        f"""UPDATE vehicles SET {_ASSIGNMENTS}, updated_at = now()
            WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL RETURNING *""",
        vehicle_id, user_id, *(values[f] for f in FIELDS),
    )


async def soft_delete_vehicle(conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID) -> asyncpg.Record | None:
    """Mark the vehicle deleted and drop its image reference; the row after the change, or None."""
    return await conn.fetchrow(
        """UPDATE vehicles SET deleted_at = now(), is_active = false, updated_at = now(),
                  image_key = NULL, image_content_type = NULL
           WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL RETURNING *""",
        vehicle_id, user_id,
    )


# --- the odometer log ------------------------------------------------------------------------

# Live entries of the log; the current odometer is the first in LOG_ORDER (odometer_readings_log)
# of those that count.
_LIVE = "reading IS NOT NULL AND removed_at IS NULL"
LOG_ORDER = "read_on DESC, reading DESC, created_at DESC, id DESC"
# An `initial` reading (typed when the vehicle was created, or the odometer when the log began) is
# superseded by a higher reading dated on or before it: it was stale. It stays listed, but neither
# is the current odometer nor is a new reading checked against it. So a vehicle created today with
# a rough odometer takes last week's higher fill-up, while an import of older, lower history
# leaves it alone.
_SUPERSEDED = """(source = 'initial' AND EXISTS (
    SELECT 1 FROM odometer_readings higher
    WHERE higher.vehicle_id = odometer_readings.vehicle_id
      AND higher.reading IS NOT NULL AND higher.removed_at IS NULL
      AND higher.read_on <= odometer_readings.read_on AND higher.reading > odometer_readings.reading))"""
_COUNTS = f"{_LIVE} AND NOT {_SUPERSEDED}"


def _current_reading(vehicle_id: str) -> str:
    """SQL of the vehicle's current reading (`vehicle_id` an SQL expression): the first entry of
    its log that counts, 0 for an empty log (no reading yet)."""
    return f"""coalesce((SELECT reading FROM odometer_readings WHERE vehicle_id = {vehicle_id} AND {_COUNTS}
                         ORDER BY {LOG_ORDER} LIMIT 1), 0)"""


async def lock_vehicles_for_odometer(conn: asyncpg.Connection, vehicles: list[tuple[str, uuid.UUID]]) -> list[uuid.UUID]:
    """Hold the users' live vehicles of (user id, vehicle id) while their logs are read and their
    odometers derived, so two writers of one vehicle's log derive in turn and the later one sees the
    earlier one's entry; in id order, so two writers of several lock them in the same order. NO KEY
    UPDATE: it does not wait for writers that only reference a vehicle (log inserts take KEY SHARE).
    The ids of those held (another user's vehicle, or a deleted one, is left out)."""
    rows = await conn.fetch(
        """SELECT v.id FROM vehicles v
           JOIN unnest($1::text[], $2::uuid[]) AS t(user_id, id) ON v.id = t.id AND v.user_id = t.user_id
           WHERE v.deleted_at IS NULL
           ORDER BY v.id
           FOR NO KEY UPDATE OF v""",
        [user_id for user_id, _ in vehicles], [vehicle_id for _, vehicle_id in vehicles],
    )
    return [row["id"] for row in rows]


async def lock_vehicle_for_odometer(conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID) -> bool:
    """One vehicle, as lock_vehicles_for_odometer: whether it is the user's live vehicle."""
    return bool(await lock_vehicles_for_odometer(conn, [(user_id, vehicle_id)]))


async def derived_odometer(conn: asyncpg.Connection, vehicle_id: uuid.UUID) -> int:
    """The reading of the first entry of the log that counts; 0 for an empty log (no reading yet)."""
    return await conn.fetchval(f"SELECT {_current_reading('$1')}", vehicle_id)


async def set_derived_odometers(conn: asyncpg.Connection, vehicle_ids: list[uuid.UUID]) -> list[asyncpg.Record]:
    """Set each vehicle's odometer to the reading of the first entry of its log that counts (0 for
    an empty log: no reading yet) where that differs. The rows it changed, in id order."""
    rows = await conn.fetch(
        f"""UPDATE vehicles v SET odometer_reading = derived.reading, updated_at = now()
            FROM (SELECT t.id, {_current_reading('t.id')} AS reading FROM unnest($1::uuid[]) AS t(id)) derived
            WHERE v.id = derived.id AND v.deleted_at IS NULL AND v.odometer_reading <> derived.reading
            RETURNING v.*""",
        vehicle_ids,
    )
    return sorted(rows, key=lambda row: row["id"])


async def upsert_source_readings(
    conn: asyncpg.Connection, readings: list[tuple[str, uuid.UUID, SourceReading, datetime]],
) -> list[tuple[str, uuid.UUID]]:
    """Record fill-ups' and records' readings (user id, vehicle id, reading, its event's time; at
    most one per source) in one statement, each keyed by its source's id: a newer event's state
    replaces an older one, an older or repeated event and any event of a deleted source change
    nothing. Only for the user's live vehicle (another's, or a deleted one, is left alone). The
    (user id, vehicle id) of each reading that changed the log."""
    rows = await conn.fetch(
        """INSERT INTO odometer_readings
               (id, user_id, vehicle_id, reading, read_on, read_at, source, source_kind, source_id, source_version)
           SELECT t.id, t.user_id, t.vehicle_id, t.reading, t.read_on, t.read_at, t.source, t.kind, t.source_id,
                  t.version
           FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::int[], $5::date[], $6::timestamptz[], $7::text[],
                       $8::text[], $9::uuid[], $10::timestamptz[])
                AS t(id, user_id, vehicle_id, reading, read_on, read_at, source, kind, source_id, version)
           JOIN vehicles v ON v.id = t.vehicle_id AND v.user_id = t.user_id AND v.deleted_at IS NULL
           ORDER BY t.user_id, t.kind, t.source_id
           ON CONFLICT (user_id, source_kind, source_id) WHERE source_id IS NOT NULL DO UPDATE
           SET reading = EXCLUDED.reading, read_on = EXCLUDED.read_on, read_at = EXCLUDED.read_at,
               source = EXCLUDED.source, source_version = EXCLUDED.source_version
           WHERE odometer_readings.removed_at IS NULL
             AND odometer_readings.vehicle_id = EXCLUDED.vehicle_id
             AND odometer_readings.source_version < EXCLUDED.source_version
           RETURNING user_id, vehicle_id""",
        *map(list, zip(*[(uuid.uuid4(), user_id, vehicle_id, reading.reading, reading.read_on, reading.read_at,
                          reading.source, reading.kind, reading.source_id, version)
                         for user_id, vehicle_id, reading, version in readings])),
    )
    return [(row["user_id"], row["vehicle_id"]) for row in rows]


async def remove_source_reading(
    conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID, *, kind: str, source_id: uuid.UUID,
    version: datetime,
) -> bool:
    """The source was deleted: its reading leaves the log, and a tombstone stays (inserted if its
    created event has not come yet) so a late created/updated cannot bring it back."""
    changed = await conn.fetchval(
        """INSERT INTO odometer_readings
               (id, user_id, vehicle_id, reading, read_on, source, source_kind, source_id, source_version, removed_at)
           SELECT $1, $2, $3, NULL, ($5::timestamptz AT TIME ZONE 'UTC')::date, $4, $4, $6, $5, now()
           FROM vehicles WHERE id = $3 AND user_id = $2 AND deleted_at IS NULL
           ON CONFLICT (user_id, source_kind, source_id) WHERE source_id IS NOT NULL DO UPDATE
           SET removed_at = now(), source_version = GREATEST(odometer_readings.source_version, EXCLUDED.source_version)
           WHERE odometer_readings.removed_at IS NULL AND odometer_readings.vehicle_id = EXCLUDED.vehicle_id
           RETURNING true""",
        uuid.uuid4(), user_id, vehicle_id, kind, version, source_id,
    )
    return bool(changed)


async def insert_user_reading(
    conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID, *, source: str, reading: int, read_on: date,
    read_at: datetime | None = None, note: str | None = None,
) -> asyncpg.Record:
    """A reading the user entered (`manual`, or `initial` with a new vehicle)."""
    return await conn.fetchrow(
        """INSERT INTO odometer_readings (id, user_id, vehicle_id, reading, read_on, read_at, source, note)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *""",
        uuid.uuid4(), user_id, vehicle_id, reading, read_on, read_at, source, note,
    )


async def delete_user_readings_on(
    conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID, read_on: date, sources: tuple[str, ...]
) -> None:
    """Remove the user-entered readings of one date (an odometer set through PUT corrects them)."""
    await conn.execute(
        """DELETE FROM odometer_readings
           WHERE user_id = $1 AND vehicle_id = $2 AND read_on = $3 AND source = ANY($4::text[])""",
        user_id, vehicle_id, read_on, list(sources),
    )


async def list_readings(conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID) -> list[asyncpg.Record]:
    """The vehicle's log, newest first (the first is the current odometer)."""
    return await conn.fetch(
        f"""SELECT *, {_SUPERSEDED} AS superseded FROM odometer_readings
            WHERE user_id = $1 AND vehicle_id = $2 AND {_LIVE}
            ORDER BY {LOG_ORDER}""",
        user_id, vehicle_id,
    )


async def reading_neighbours(
    conn: asyncpg.Connection, vehicle_id: uuid.UUID, on: date
) -> tuple[asyncpg.Record | None, asyncpg.Record | None]:
    """The entry current on `on` (latest-dated on or before it, the higher on its date) and the
    first entry dated after it: what a new reading of that date is checked against."""
    rows = await conn.fetch(
        f"""(SELECT *, true AS before FROM odometer_readings WHERE vehicle_id = $1 AND {_COUNTS} AND read_on <= $2
             ORDER BY {LOG_ORDER} LIMIT 1)
            UNION ALL
            (SELECT *, false AS before FROM odometer_readings WHERE vehicle_id = $1 AND {_COUNTS} AND read_on > $2
             ORDER BY read_on, reading, created_at, id LIMIT 1)""",
        vehicle_id, on,
    )
    previous = next((row for row in rows if row["before"]), None)
    following = next((row for row in rows if not row["before"]), None)
    return previous, following


async def get_reading(
    conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID, reading_id: uuid.UUID
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"SELECT * FROM odometer_readings WHERE id = $1 AND user_id = $2 AND vehicle_id = $3 AND {_LIVE}",
        reading_id, user_id, vehicle_id,
    )


async def delete_reading(conn: asyncpg.Connection, reading_id: uuid.UUID) -> None:
    await conn.execute("DELETE FROM odometer_readings WHERE id = $1", reading_id)


async def set_image(
    conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID, key: str | None, content_type: str | None
) -> asyncpg.Record:
    return await conn.fetchrow(
        """UPDATE vehicles SET image_key = $3, image_content_type = $4, updated_at = now()
           WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL RETURNING *""",
        vehicle_id, user_id, key, content_type,
    )


async def insert_document(
    conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID, document_id: uuid.UUID, *,
    document_type: str, title: str, expiry_date: date | None, storage_key: str, content_type: str,
    file_name: str | None,
) -> asyncpg.Record:
    return await conn.fetchrow(
        """INSERT INTO vehicle_documents
               (id, user_id, vehicle_id, document_type, title, expiry_date, storage_key, content_type, file_name)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *""",
        document_id, user_id, vehicle_id, document_type, title, expiry_date, storage_key, content_type, file_name,
    )


async def list_documents(
    conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID, page: Page | None = None
) -> list[asyncpg.Record]:
    keyset = DOCUMENT_ORDER.sql(page, 3)
    return await conn.fetch(
        f"""SELECT * FROM vehicle_documents WHERE user_id = $1 AND vehicle_id = $2{keyset.where}
            ORDER BY {DOCUMENT_ORDER.order_by()}{keyset.limit}""",
        user_id, vehicle_id, *keyset.parameters,
    )


async def get_document(
    conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID, document_id: uuid.UUID
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT * FROM vehicle_documents WHERE id = $1 AND user_id = $2 AND vehicle_id = $3",
        document_id, user_id, vehicle_id,
    )


async def delete_document(
    conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID, document_id: uuid.UUID
) -> str | None:
    """Remove the document; its storage key, or None if there was no such document."""
    return await conn.fetchval(
        """DELETE FROM vehicle_documents WHERE id = $1 AND user_id = $2 AND vehicle_id = $3
           RETURNING storage_key""",
        document_id, user_id, vehicle_id,
    )


async def delete_vehicle_documents(conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID) -> list[str]:
    """Remove every document of the vehicle; their storage keys."""
    rows = await conn.fetch(
        "DELETE FROM vehicle_documents WHERE user_id = $1 AND vehicle_id = $2 RETURNING storage_key",
        user_id, vehicle_id,
    )
    return [row["storage_key"] for row in rows]


# --- account export: server-side cursors, in the caller's snapshot transaction -----------------

def stream_vehicles(conn: asyncpg.Connection, user_id: str):
    """The user's live vehicles, oldest first, read in batches (needs a transaction)."""
    return conn.cursor(
        "SELECT * FROM vehicles WHERE user_id = $1 AND deleted_at IS NULL ORDER BY created_at, id",
        user_id, prefetch=EXPORT_PREFETCH,
    )


def stream_documents(conn: asyncpg.Connection, user_id: str):
    """The documents of the user's live vehicles (a deleted vehicle's are gone with it)."""
    return conn.cursor(
        """SELECT d.* FROM vehicle_documents d JOIN vehicles v ON v.id = d.vehicle_id AND v.user_id = d.user_id
           WHERE d.user_id = $1 AND v.deleted_at IS NULL ORDER BY d.created_at, d.id""",
        user_id, prefetch=EXPORT_PREFETCH,
    )


EXPORT_PREFETCH = 500


async def purge_user(conn: asyncpg.Connection, user_id: str) -> list[str]:
    """Remove every vehicle of the user, soft-deleted ones too, every document and odometer reading; the storage
    keys they referenced (images, document files)."""
    documents = await conn.fetch("DELETE FROM vehicle_documents WHERE user_id = $1 RETURNING storage_key", user_id)
    await conn.execute("DELETE FROM odometer_readings WHERE user_id = $1", user_id)  # they reference the vehicles
    vehicles = await conn.fetch("DELETE FROM vehicles WHERE user_id = $1 RETURNING image_key", user_id)
    return [row["storage_key"] for row in documents] + [row["image_key"] for row in vehicles if row["image_key"]]
