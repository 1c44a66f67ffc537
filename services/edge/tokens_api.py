"""/api/auth/tokens: create, list and revoke personal access tokens; and their database's wiring.

Token management takes an interactive login (an Auth0 or dev-issuer JWT): a personal access
token cannot create, list or revoke tokens (403), so a leaked one cannot multiply itself.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import AsyncIterator, Literal

import asyncpg
from aiohttp import web
from pydantic import Field

from shared.redis_client import REDIS
from shared.db import apply_migrations, ensure_database, open_pool
from shared.errors import InvalidInput
from shared.http.app import SETTINGS
from shared.http.errors import ApiError
from shared.http.json import json_response
from shared.http.middleware import current_user
from shared.http.openapi import documented
from shared.http.paging import page_query, paged_response
from shared.http.validation import parse_body, path_uuid
from shared.models import ApiModel
from shared.outage import DATABASE_OUTAGE, OutageLog

from .access_tokens import refuse_access_token
from .auth import ACCESS_TOKEN_STORE as ACCESS_TOKENS, CLAIMS_KEY
from .settings import EdgeSettings
from .token_repository import TOKEN_ORDER
from .token_store import AccessTokens

log = logging.getLogger("motovault.edge.access_tokens")

MIGRATIONS = Path(__file__).with_name("migrations")
DEFAULT_DAYS = 90


class CreateTokenInput(ApiModel):
    name: str = Field(min_length=1, max_length=100)
    scope: Literal["read", "read-write"]
    expires_in_days: int = Field(default=DEFAULT_DAYS, ge=1)


class CreatedToken(ApiModel):
    id: str
    name: str
    scope: str
    created_at: str
    expires_at: str
    last_used_at: str | None = None
    token: str = Field(description="The token itself; shown only in this answer")


def interactive_user(request: web.Request) -> str:
    refuse_access_token(request, request[CLAIMS_KEY])
    return current_user(request)


@documented(summary="Create a personal access token (shown once; only its hash is stored)",
            body=CreateTokenInput, responses={201: CreatedToken, 400: "Invalid input",
                                              403: "Called with an access token", 409: "Too many live tokens"})
async def create_token(request: web.Request) -> web.Response:
    user_id = interactive_user(request)
    form = await parse_body(request, CreateTokenInput)
    max_days = request.app[SETTINGS].access_token_max_days
    if form.expires_in_days > max_days:
        raise InvalidInput.field("expiresInDays", f"must be at most {max_days}", "less_than_equal")
    created = await request.app[ACCESS_TOKENS].create(user_id, form.name, form.scope, form.expires_in_days)
    return json_response(created, status=201, headers={"Cache-Control": "no-store"})


@documented(summary="List your personal access tokens, without their secrets, newest first",
            responses={200: "The tokens", 403: "Called with an access token"}, paged=True)
async def list_tokens(request: web.Request) -> web.Response:
    user_id = interactive_user(request)
    page = page_query(request, TOKEN_ORDER)
    tokens = await request.app[ACCESS_TOKENS].list(user_id, page)
    return paged_response(request, tokens.items, tokens, TOKEN_ORDER)


@documented(summary="Revoke a personal access token, at once on every edge instance",
            responses={204: "Revoked", 403: "Called with an access token", 404: "No such token"})
async def revoke_token(request: web.Request) -> web.Response:
    user_id = interactive_user(request)
    token_id = path_uuid(request, "id", "Access token")
    await request.app[ACCESS_TOKENS].revoke(user_id, token_id)
    return web.Response(status=204)


async def not_enabled(request: web.Request) -> web.Response:
    raise ApiError("Personal access tokens are not enabled on this gateway (EDGE_DATABASE_URL)", status=501)


def add_access_tokens(app: web.Application, settings: EdgeSettings) -> None:
    """The token routes; with EDGE_DATABASE_URL, the database behind them (call after add_redis).

    The edge's readiness does not include this database: while it is away, JWT traffic still
    flows and only requests with access tokens answer 503.
    """
    handlers = (create_token, list_tokens, revoke_token) if settings.access_tokens_enabled else (not_enabled,) * 3
    app.router.add_post("/api/auth/tokens", handlers[0])
    app.router.add_get("/api/auth/tokens", handlers[1])
    app.router.add_delete("/api/auth/tokens/{id}", handlers[2])
    if not settings.access_tokens_enabled:
        return

    async def database_context(app: web.Application) -> AsyncIterator[None]:
        assert settings.database_url is not None
        if settings.create_database:
            await ensure_database(settings.database_url)
        conn = await asyncpg.connect(settings.database_url)
        try:
            await apply_migrations(conn, {"edge": MIGRATIONS})
        finally:
            await conn.close()
        outage = app[DATABASE_OUTAGE] = OutageLog("PostgreSQL (access tokens)", log)
        pool = await open_pool(settings.database_url, min_size=settings.db_pool_min,
                               max_size=settings.db_pool_max, outage=outage)
        app[ACCESS_TOKENS] = AccessTokens(pool, app[REDIS], prefix=settings.redis_prefix,
                                          cache_seconds=settings.access_token_cache_seconds,
                                          max_per_user=settings.access_tokens_per_user)
        yield
        try:
            await asyncio.wait_for(pool.close(), settings.shutdown_timeout)
        except TimeoutError:
            pool.terminate()

    app.cleanup_ctx.append(database_context)
