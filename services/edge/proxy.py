"""Forwarding /api requests to the services, as a short pipeline of named steps.

    identified user -> version (traffic shifting) -> rate limit (+ cache lookup) -> permissions
    -> cached answer, or: upstream headers and body -> send (retries, ejection) -> relay back

`DELETE /api/account` also needs an interactive login, and its 202 revokes the user's personal
access tokens before it is relayed (account_deletion.py).

Every proxied request is counted here, in one Redis round trip that also looks up the response
cache for a user's GET; the rate-limit middleware leaves every proxied route to this pipeline.
"""

from __future__ import annotations

from typing import AsyncIterator

import aiohttp
from aiohttp import web

from shared.cache import REDIS_PIPELINE
from shared.http.app import METRICS_REGISTRY
from shared.http.errors import Unauthorized
from shared.http.middleware import USER_ID_KEY, Handler
from shared.identity import IdentitySigner
from shared.redis_client import REDIS

from .account_deletion import is_account_deletion, refuse_access_token, revoke_access_tokens
from .auth import CLAIMS_KEY, check_permissions, requires_token
from .ratelimit import RATE_LIMITER, checks_own_rate_limit
from .relay import is_small, relay_streamed, relay_whole
from .request_body import request_body
from .response_cache import CachedRead, ResponseCache
from .routing import Route, load_route_table
from .settings import EdgeSettings
from .shifting import WeightStore, bucket, choose
from .upstream import Upstream, UpstreamMetrics
from .upstream_client import LeanClient
from .upstream_headers import NO_AUTO_HEADERS, AssertionCache, upstream_request_headers

PROXY = web.AppKey("proxy", "Proxy")
POOLS = web.AppKey("pools", dict)
ROUTES = web.AppKey("routes", list)


def identified_user(request: web.Request) -> str | None:
    """The verified user; anonymous only on the public paths (signed photo URLs)."""
    user_id = request.get(USER_ID_KEY)
    if not user_id and requires_token(request):
        # The auth middleware sets it for every private /api path; never forward those anonymously.
        raise Unauthorized("Missing bearer token", headers={"WWW-Authenticate": "Bearer"})
    return user_id


def check_route_permissions(request: web.Request, route: Route, user_id: str | None) -> None:
    # Anonymous requests reach here only on public paths, which prove access otherwise; every
    # token-bearing request must carry the route's permissions.
    required = route.required_permissions(request.method)
    if required and user_id:
        check_permissions(request[CLAIMS_KEY], required)


class Proxy:
    def __init__(self, upstream: Upstream, assertions: AssertionCache, weights: WeightStore,
                 max_body_bytes: int, cache: ResponseCache | None = None) -> None:
        self.upstream = upstream
        self._assertions = assertions
        self._weights = weights
        self._max_body = max_body_bytes
        self._cache = cache

    async def forward(self, request: web.Request, route: Route) -> web.StreamResponse:
        user_id = identified_user(request)
        version = await self.version_for(request, route, user_id)
        cached_read = await self.count(request, route, user_id, version)
        check_route_permissions(request, route, user_id)
        deleting_account = user_id is not None and is_account_deletion(request)
        if deleting_account:
            refuse_access_token(request)
        if cached_read is not None and (hit := self._cache.answer(request, route.name, cached_read)) is not None:
            return hit
        headers = upstream_request_headers(request, self._assertions.get(user_id) if user_id else None)
        body, limit = await request_body(request, self._max_body)
        response = await self.upstream.send(request, route.name, version, route.versions[version],
                                            headers, body, limit)
        if deleting_account and response.status == 202:
            try:
                await revoke_access_tokens(request.app, user_id)
            except BaseException:
                response.close()
                raise
        if request.method != "HEAD" and is_small(response):
            return await relay_whole(request, response, self._cache, cached_read)
        return await relay_streamed(request, route.name, response)

    async def version_for(self, request: web.Request, route: Route, user_id: str | None) -> str:
        """The route's version this user (or address) is sticky to."""
        sticky_key = user_id or f"ip:{request.remote}"
        return choose(await self._weights.weights(route), bucket(route.name, sticky_key))

    async def count(self, request: web.Request, route: Route, user_id: str | None,
                    version: str) -> CachedRead | None:
        """The request's one rate-limit decision (429 when spent). A user's GET also looks up the
        response cache in the same round trip; counted before the permission check, like every
        other request."""
        probe = None
        if self._cache is not None and request.method == "GET" and user_id:
            probe = self._cache.probe(request, route.name, user_id, version)
        lookup = await request.app[RATE_LIMITER].check(request, probe)
        return CachedRead(probe, lookup) if probe is not None and lookup is not None else None


def proxy_handler(route: Route) -> Handler:
    @checks_own_rate_limit
    async def handler(request: web.Request) -> web.StreamResponse:
        return await request.app[PROXY].forward(request, route)

    return handler


def add_proxy(app: web.Application, settings: EdgeSettings) -> None:
    routes, pools = load_route_table(settings)
    app[POOLS] = pools
    app[ROUTES] = routes
    metrics = UpstreamMetrics(app[METRICS_REGISTRY])

    async def session_context(app: web.Application) -> AsyncIterator[None]:
        connector = aiohttp.TCPConnector(limit=settings.upstream_pool_size, limit_per_host=0)
        # No total: the response wait is bounded in Upstream.send(); a body may stream for long but
        # never stall for longer than upstream_timeout between two reads.
        timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=settings.upstream_connect_timeout, sock_read=settings.upstream_timeout
        )
        async with aiohttp.ClientSession(
            connector=connector,
            timeout=timeout,
            auto_decompress=False,  # relay the bytes as sent, with their Content-Encoding
            skip_auto_headers=NO_AUTO_HEADERS,
            # One session serves every user: a cookie one upstream answer set must never ride along
            # on another user's request (and a jar costs work on every request besides).
            cookie_jar=aiohttp.DummyCookieJar(),
        ) as session:
            signer = IdentitySigner(settings.identity_secret.get_secret_value())
            weights = WeightStore(app.get(REDIS), settings.redis_prefix, settings.shift_refresh_seconds)
            cache = None
            if settings.response_cache:
                cache = ResponseCache(app[REDIS_PIPELINE], settings.response_cache_prefix, settings.response_cache_max_bytes,
                                      app[METRICS_REGISTRY])
            client = None
            if settings.upstream_client == "lean":
                client = LeanClient(connect_timeout=settings.upstream_connect_timeout,
                                    read_timeout=settings.upstream_timeout, max_connections=settings.upstream_pool_size)
            app[PROXY] = Proxy(Upstream(session, settings, metrics, client), AssertionCache(signer), weights,
                               settings.proxy_max_body_bytes, cache)
            try:
                yield
            finally:
                if client is not None:
                    await client.close()

    app.cleanup_ctx.append(session_context)
    for route in routes:
        handler = proxy_handler(route)
        app.router.add_route("*", route.prefix, handler)
        app.router.add_route("*", route.prefix + "/{tail:.*}", handler)
