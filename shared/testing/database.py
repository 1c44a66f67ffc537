"""Direct database access for tests, the way the platform's consumer runs a handler: in a
transaction() scope, so use cases join it and their after-commit effects run after it."""

from __future__ import annotations

from typing import Any, Awaitable, Callable

import asyncpg

from ..transactions import transaction


async def in_transaction(database_url: str, action: Callable[[asyncpg.Connection], Awaitable[Any]]) -> Any:
    """Run `action(conn)` in one transaction of a service's database and return its result."""
    conn = await asyncpg.connect(database_url)
    try:
        async with transaction(conn) as same:
            return await action(same)
    finally:
        await conn.close()
