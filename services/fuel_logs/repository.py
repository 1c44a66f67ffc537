"""All SQL of the fuel logs service."""

from __future__ import annotations

import uuid

import asyncpg


async def upsert_vehicle(conn: asyncpg.Connection, vehicle_id: uuid.UUID, user_id: str, odometer: int) -> None:
    # A late `created` must not resurrect a deleted vehicle, nor lower a known odometer.
    await conn.execute(
        """INSERT INTO vehicle_projection (vehicle_id, user_id, odometer) VALUES ($1, $2, $3)
           ON CONFLICT (vehicle_id) DO UPDATE
           SET odometer = GREATEST(vehicle_projection.odometer, EXCLUDED.odometer), updated_at = now()
           WHERE NOT vehicle_projection.deleted""",
        vehicle_id, user_id, odometer,
    )


async def delete_vehicle(conn: asyncpg.Connection, vehicle_id: uuid.UUID, user_id: str) -> int:
    """Mark the vehicle deleted (kept as a tombstone) and remove its fill-ups; return how many."""
    await conn.execute(
        """INSERT INTO vehicle_projection (vehicle_id, user_id, deleted) VALUES ($1, $2, true)
           ON CONFLICT (vehicle_id) DO UPDATE SET deleted = true, updated_at = now()""",
        vehicle_id, user_id,
    )
    status = await conn.execute("DELETE FROM fuel_logs WHERE vehicle_id = $1", vehicle_id)
    return int(status.split()[-1])


async def owns_live_vehicle(conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT true FROM vehicle_projection WHERE vehicle_id = $1 AND user_id = $2 AND NOT deleted",
            vehicle_id, user_id,
        )
    )


async def insert_fuel_log(conn: asyncpg.Connection, user_id: str, values: dict) -> asyncpg.Record:
    return await conn.fetchrow(
        """INSERT INTO fuel_logs (id, user_id, vehicle_id, date_time, odometer_reading, trip_distance,
                                  fuel_units, cost_per_unit, total_cost, notes)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *""",
        uuid.uuid4(), user_id, values["vehicle_id"], values["date_time"], values["odometer_reading"],
        values["trip_distance"], values["fuel_units"], values["cost_per_unit"], values["total_cost"],
        values["notes"],
    )


async def list_for_vehicle(conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT * FROM fuel_logs WHERE user_id = $1 AND vehicle_id = $2 ORDER BY date_time, id",
        user_id, vehicle_id,
    )
