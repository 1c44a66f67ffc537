"""All SQL of the vehicles service."""

from __future__ import annotations

import uuid

import asyncpg

from .domain import FIELDS

_COLUMNS = ", ".join(FIELDS)
_PLACEHOLDERS = ", ".join(f"${i}" for i in range(3, len(FIELDS) + 3))


async def insert_vehicle(conn: asyncpg.Connection, user_id: str, values: dict) -> asyncpg.Record:
    return await conn.fetchrow(
        f"INSERT INTO vehicles (id, user_id, {_COLUMNS}) VALUES ($1, $2, {_PLACEHOLDERS}) RETURNING *",
        uuid.uuid4(), user_id, *(values[f] for f in FIELDS),
    )


async def list_vehicles(conn: asyncpg.Connection, user_id: str) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT * FROM vehicles WHERE user_id = $1 AND deleted_at IS NULL ORDER BY created_at, id", user_id
    )


async def get_vehicle(conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT * FROM vehicles WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL", vehicle_id, user_id
    )


async def soft_delete_vehicle(conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID) -> bool:
    row = await conn.fetchrow(
        """UPDATE vehicles SET deleted_at = now(), is_active = false, updated_at = now()
           WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL RETURNING id""",
        vehicle_id, user_id,
    )
    return row is not None
