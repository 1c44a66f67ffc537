"""Writing events: an outbox row in the caller's transaction. The relay publishes it later."""

from __future__ import annotations

import asyncpg

from .envelope import Event


async def enqueue(conn: asyncpg.Connection, *events: Event) -> None:
    """Add events to the outbox; call inside the transaction that makes the change they describe."""
    if not conn.is_in_transaction():
        raise RuntimeError("enqueue() must run inside the transaction of the change it announces")
    await conn.executemany(
        "INSERT INTO outbox (event_id, routing_key, body, request_id) VALUES ($1, $2, $3, $4)",
        [(e.id, e.routing_key, e.to_json(), e.request_id) for e in events],
    )
