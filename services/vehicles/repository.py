"""All SQL of the vehicles service. Every query is scoped by the owner's user id."""

from __future__ import annotations

import uuid
from datetime import date

import asyncpg

from .domain.vehicle import FIELDS

_COLUMNS = ", ".join(FIELDS)
_PLACEHOLDERS = ", ".join(f"${i}" for i in range(3, len(FIELDS) + 3))
_ASSIGNMENTS = ", ".join(f"{field} = ${i}" for i, field in enumerate(FIELDS, start=3))


async def insert_vehicle(conn: asyncpg.Connection, user_id: str, values: dict) -> asyncpg.Record:
    return await conn.fetchrow(
        f"INSERT INTO vehicles (id, user_id, {_COLUMNS}) VALUES ($1, $2, {_PLACEHOLDERS}) RETURNING *",
        uuid.uuid4(), user_id, *(values[f] for f in FIELDS),
    )


async def list_vehicles(conn: asyncpg.Connection, user_id: str) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT * FROM vehicles WHERE user_id = $1 AND deleted_at IS NULL ORDER BY created_at DESC, id DESC", user_id
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


async def raise_odometer(
    conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID, reading: int
) -> asyncpg.Record | None:
    """Raise the odometer to `reading` if that is higher; the updated row, or None if unchanged."""
    return await conn.fetchrow(
        """UPDATE vehicles SET odometer_reading = $3, updated_at = now()
           WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL AND odometer_reading < $3
           RETURNING *""",
        vehicle_id, user_id, reading,
    )


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


async def list_documents(conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT * FROM vehicle_documents WHERE user_id = $1 AND vehicle_id = $2
           ORDER BY created_at, id""",
        user_id, vehicle_id,
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


async def purge_user(conn: asyncpg.Connection, user_id: str) -> list[str]:
    """Remove every vehicle of the user, soft-deleted ones too, and every document; the storage
    keys they referenced (images, document files)."""
    documents = await conn.fetch("DELETE FROM vehicle_documents WHERE user_id = $1 RETURNING storage_key", user_id)
    vehicles = await conn.fetch("DELETE FROM vehicles WHERE user_id = $1 RETURNING image_key", user_id)
    return [row["storage_key"] for row in documents] + [row["image_key"] for row in vehicles if row["image_key"]]
