"""All SQL of personal access tokens (the edge's own database). Scoped by owner except the lookup."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

from shared.paging import Keyset, Page, SortKey

_VIEW = "id, user_id, name, scope, created_at, expires_at, last_used_at, revoked_at"


async def lock_user(conn: asyncpg.Connection, user_id: str) -> None:
    """Serialise one user's token creations, so the per-user cap holds under concurrency."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('access_tokens:' || $1))", user_id)


async def count_live(conn: asyncpg.Connection, user_id: str) -> int:
    return await conn.fetchval(
        "SELECT count(*) FROM access_tokens WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now()",
        user_id,
    )


async def insert(conn: asyncpg.Connection, user_id: str, name: str, scope: str, digest: bytes,
                 expires_at: datetime) -> asyncpg.Record:
    return await conn.fetchrow(
        f"""INSERT INTO access_tokens (id, user_id, name, scope, token_hash, expires_at)
            VALUES ($1, $2, $3, $4, $5, $6) RETURNING {_VIEW}""",
        uuid.uuid4(), user_id, name, scope, digest, expires_at,
    )


# The list's order, which its pages are cut by (shared/paging.py): newest first.
TOKEN_ORDER = Keyset(SortKey("created_at", "timestamp", descending=True), SortKey("id", "uuid", descending=True))


async def list_live(conn: asyncpg.Connection, user_id: str, page: Page | None = None) -> list[asyncpg.Record]:
    """All, or one page (fetched one row long: TOKEN_ORDER.trim tells whether more follow)."""
    # Expired tokens stay listed (they say when they ran out); revoked ones are gone.
    keyset = TOKEN_ORDER.sql(page, 2)
    return await conn.fetch(
        f"SELECT {_VIEW} FROM access_tokens WHERE user_id = $1 AND revoked_at IS NULL{keyset.where} "
        f"ORDER BY {TOKEN_ORDER.order_by()}{keyset.limit}",
        user_id, *keyset.parameters,
    )


async def revoke(conn: asyncpg.Connection, user_id: str, token_id: uuid.UUID) -> bytes | None:
    """Mark the token revoked; its hash (for the cache), or None when there is no such live token."""
    return await conn.fetchval(
        "UPDATE access_tokens SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL "
        "RETURNING token_hash",
        token_id, user_id,
    )


async def hash_of(conn: asyncpg.Connection, user_id: str, token_id: uuid.UUID) -> bytes | None:
    return await conn.fetchval(
        "SELECT token_hash FROM access_tokens WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
        token_id, user_id,
    )


async def find_by_hash(conn: asyncpg.Connection, digest: bytes) -> asyncpg.Record | None:
    return await conn.fetchrow(f"SELECT {_VIEW} FROM access_tokens WHERE token_hash = $1", digest)


async def touch(conn: asyncpg.Connection, token_id: uuid.UUID, not_since_seconds: int) -> None:
    """Record a use, at most once per `not_since_seconds` (a write per request would be waste)."""
    await conn.execute(
        "UPDATE access_tokens SET last_used_at = now() WHERE id = $1 AND "
        "(last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $2))",
        token_id, float(not_since_seconds),
    )


async def delete_all_of_user(conn: asyncpg.Connection, user_id: str) -> list[bytes]:
    """Remove every token of the user, revoked and expired ones too; their hashes (for the cache)."""
    rows = await conn.fetch("DELETE FROM access_tokens WHERE user_id = $1 RETURNING token_hash", user_id)
    return [row["token_hash"] for row in rows]
