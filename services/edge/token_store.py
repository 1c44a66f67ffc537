"""Use cases of personal access tokens: create, list, revoke, and the lookup on every request.

PostgreSQL (the edge's own database) is the truth. Redis remembers lookups for
`access_token_cache_seconds`, shared by every edge instance, so a busy script costs one Redis
GET per request instead of a query. Revocation stays immediate on every instance: before the
revocation commits, a "revoked" marker overwrites the token's cache entry, and lookups only ever
add entries with SET NX, so a lookup that read the row just before the revocation cannot put
the token back. If Redis cannot take the marker, the revocation is refused (503) rather than
left to the cache's expiry. Unknown, expired and revoked tokens never become valid again, so
those answers are cached as well: a stream of made-up tokens costs the database little.
"""

from __future__ import annotations

import logging
import math
import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import asyncpg
import orjson
import redis.asyncio as redis
from redis.exceptions import RedisError

from shared.errors import ConflictError, DependencyUnavailable, NotFoundError
from shared.outage import OutageLog
from shared.paging import Page, PageOf
from shared.transactions import connection, transaction

from . import token_repository as repo
from .access_tokens import MAX_LENGTH, claims_for, new_token, rejected, token_hash

log = logging.getLogger("motovault.edge.access_tokens")

# A revoked marker outlives any entry a racing lookup could still be about to write.
MARKER_EXTRA_SECONDS = 60


def token_view(row: asyncpg.Record) -> dict[str, Any]:
    """What listing shows: never the secret, never its hash."""
    return {
        "id": str(row["id"]),
        "name": row["name"],
        "scope": row["scope"],
        "createdAt": row["created_at"].isoformat(),
        "expiresAt": row["expires_at"].isoformat(),
        "lastUsedAt": row["last_used_at"].isoformat() if row["last_used_at"] else None,
    }


class AccessTokens:
    def __init__(self, pool: asyncpg.Pool, client: redis.Redis, *, prefix: str, cache_seconds: int,
                 max_per_user: int) -> None:
        self._pool = pool
        self._redis = client
        self._prefix = prefix
        self._cache_seconds = cache_seconds
        self._max_per_user = max_per_user
        self._outage = OutageLog("Redis (access-token cache)", log)

    # --- management (an interactive login) ---------------------------------------------------

    async def create(self, user_id: str, name: str, scope: str, days: int) -> dict[str, Any]:
        """The new token's view with the token itself: the only time it is ever shown."""
        token = new_token()
        expires_at = datetime.now(timezone.utc) + timedelta(days=days)
        async with transaction(self._pool) as conn:
            await repo.lock_user(conn, user_id)
            if await repo.count_live(conn, user_id) >= self._max_per_user:
                raise ConflictError(f"At most {self._max_per_user} live access tokens per user; revoke one first")
            row = await repo.insert(conn, user_id, name, scope, token_hash(token), expires_at)
        return {**token_view(row), "token": token}

    async def list(self, user_id: str, page: Page | None = None) -> PageOf[dict[str, Any]]:
        async with connection(self._pool) as conn:
            cut = repo.TOKEN_ORDER.trim(await repo.list_live(conn, user_id, page), page)
        return PageOf([token_view(row) for row in cut.items], cut.next_after)

    async def revoke(self, user_id: str, token_id: uuid.UUID) -> None:
        async with transaction(self._pool) as conn:
            digest = await repo.hash_of(conn, user_id, token_id)
            if digest is None:
                raise NotFoundError("Access token not found")
            # Before the commit: no instance may trust the token once the revocation is visible.
            # Should the commit then fail, the token only looks revoked until the marker expires.
            await self._mark_revoked(digest)
            await repo.revoke(conn, user_id, token_id)

    async def forget_user(self, user_id: str) -> int:
        """The user's account is being deleted: every token of theirs stops working on every
        instance from the next request on, and its row is removed. How many tokens there were.

        As for one revocation, the markers go to Redis before the commit; the user lock makes a
        concurrent creation wait, so no token is made after this and survives it."""
        async with transaction(self._pool) as conn:
            await repo.lock_user(conn, user_id)
            digests = await repo.delete_all_of_user(conn, user_id)
            for digest in digests:
                await self._mark_revoked(digest)
        return len(digests)

    # --- the lookup on every request ---------------------------------------------------------

    async def verify_claims(self, token: str) -> dict[str, Any]:
        """The owner's claims for a live token; 401 otherwise. Database down: 503 (via the middleware)."""
        if len(token) > MAX_LENGTH:
            raise rejected("Invalid token")
        digest = token_hash(token)
        entry = await self._cached(digest)
        if entry is None:
            entry = await self._load(digest)
            await self._remember(digest, entry)
        if "invalid" in entry:
            raise rejected(entry["invalid"])
        if time.time() >= entry["exp"]:
            raise rejected("Token expired")
        return claims_for(entry["sub"], entry["id"], entry["scope"])

    async def _load(self, digest: bytes) -> dict[str, Any]:
        async with connection(self._pool) as conn:
            row = await repo.find_by_hash(conn, digest)
            if row is None:
                return {"invalid": "Invalid token"}
            if row["revoked_at"] is not None:
                return {"invalid": "Token revoked"}
            if row["expires_at"] <= datetime.now(timezone.utc):
                return {"invalid": "Token expired"}
            # A cache miss happens at most once per cache period per token: a cheap place to note use.
            await repo.touch(conn, row["id"], self._cache_seconds)
        return {"sub": row["user_id"], "id": str(row["id"]), "scope": row["scope"],
                "exp": row["expires_at"].timestamp()}

    def _key(self, digest: bytes) -> str:
        return f"{self._prefix}pat:{digest.hex()}"

    async def _cached(self, digest: bytes) -> dict[str, Any] | None:
        if not self._cache_seconds:
            return None
        try:
            value = await self._redis.get(self._key(digest))
        except (RedisError, OSError) as exc:
            self._outage.failed(exc)
            return None  # the database answers instead
        self._outage.succeeded()
        return orjson.loads(value) if value is not None else None

    async def _remember(self, digest: bytes, entry: dict[str, Any]) -> None:
        if not self._cache_seconds:
            return
        ttl = self._cache_seconds
        if "exp" in entry:  # never remembered past its expiry
            ttl = min(ttl, math.ceil(entry["exp"] - time.time()))
        if ttl <= 0:
            return
        try:
            # NX: a revoked marker written meanwhile must win over what this lookup read.
            await self._redis.set(self._key(digest), orjson.dumps(entry), ex=ttl, nx=True)
        except (RedisError, OSError) as exc:
            self._outage.failed(exc)

    async def _mark_revoked(self, digest: bytes) -> None:
        if not self._cache_seconds:
            return
        marker = orjson.dumps({"invalid": "Token revoked"})
        try:
            await self._redis.set(self._key(digest), marker, ex=self._cache_seconds + MARKER_EXTRA_SECONDS)
        except (RedisError, OSError) as exc:
            self._outage.failed(exc)
            raise DependencyUnavailable("Revocation needs Redis, which is unreachable; try again shortly") from exc
