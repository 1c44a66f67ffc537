"""Direct database access for tests, the way the platform's consumer runs a handler."""

from __future__ import annotations

from typing import Any, Awaitable, Callable

import asyncpg


async def in_transaction(database_url: str, action: Callable[[asyncpg.Connection], Awaitable[Any]]) -> Any:
    """Run `action(conn)` in one transaction of a service's database and return its result."""
    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():
            return await action(conn)
    finally:
        await conn.close()
