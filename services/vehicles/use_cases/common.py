"""What the vehicles use cases share: a connection to read with, and the caller's live vehicle."""

from __future__ import annotations

import uuid
from contextlib import asynccontextmanager
from typing import AsyncIterator

import asyncpg

from shared.errors import NotFoundError
from shared.transactions import Database

from .. import repository

VEHICLE_NOT_FOUND = "Vehicle not found"


@asynccontextmanager
async def reading(db: Database) -> AsyncIterator[asyncpg.Connection]:
    """A connection for reads alone: no transaction, whose BEGIN and COMMIT would only cost round trips."""
    if isinstance(db, asyncpg.Pool):
        async with db.acquire() as conn:
            yield conn
    else:
        yield db


async def owned_vehicle(
    conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID, *, for_update: bool = False
) -> asyncpg.Record:
    """The user's live vehicle; someone else's or a deleted one is not found, like a missing one."""
    row = await repository.get_vehicle(conn, user_id, vehicle_id, for_update=for_update)
    if row is None:
        raise NotFoundError(VEHICLE_NOT_FOUND)
    return row
