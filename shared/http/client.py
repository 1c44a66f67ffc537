"""Outgoing HTTP (third-party APIs, upstreams): one pooled aiohttp session per app, made at start."""

from __future__ import annotations

from typing import AsyncIterator

import aiohttp
from aiohttp import web


def add_http_client(
    app: web.Application,
    key: web.AppKey[aiohttp.ClientSession],
    *,
    total_timeout: float,
    connect_timeout: float | None = None,
    limit: int = 100,
) -> None:
    """Store a ClientSession under `key` for the app's lifetime (keep-alive, bounded pool)."""

    async def client_context(app: web.Application) -> AsyncIterator[None]:
        timeout = aiohttp.ClientTimeout(total=total_timeout, connect=connect_timeout)
        connector = aiohttp.TCPConnector(limit=limit, ttl_dns_cache=300)
        # Shared by every user's requests: no cookie a third party sets may carry over to the next.
        async with aiohttp.ClientSession(timeout=timeout, connector=connector,
                                         cookie_jar=aiohttp.DummyCookieJar()) as session:
            app[key] = session
            yield

    app.cleanup_ctx.append(client_context)
