"""Forwarding /api requests to the services: one keep-alive pool, bodies streamed both ways.

What crosses the edge: method, path, query, body and the client's ordinary headers. What does not:
hop-by-hop headers (RFC 9110 §7.6.1, including those the Connection header names), the bearer
token (services trust only the edge's assertion) and any identity header the client sent; the
edge adds its signed assertion, the request id and X-Forwarded-*.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from typing import AsyncIterator, Callable

import aiohttp
from aiohttp import web
from multidict import CIMultiDict, MultiMapping
from prometheus_client import CollectorRegistry, Counter, Histogram
from yarl import URL

from shared.cache import REDIS
from shared.edge_cache import EDGE_CACHE_HEADER
from shared.http.app import METRICS_REGISTRY
from shared.http.errors import BadGateway, GatewayTimeout, PayloadTooLarge, Unauthorized
from shared.http.middleware import REQUEST_ID_HEADER, REQUEST_ID_KEY, USER_ID_KEY, Handler
from shared.identity import ASSERTION_HEADER, CLIENT_IDENTITY_HEADERS, IdentitySigner

from .auth import CLAIMS_KEY, check_permissions, requires_token
from .ratelimit import RATE_LIMITER, CacheLookup, CacheProbe, checks_own_rate_limit
from .response_cache import CACHE_STATUS_HEADER, ResponseCache
from .routing import Instance, Route, load_route_table
from .settings import EdgeSettings
from .shifting import WeightStore, bucket, choose

log = logging.getLogger("motovault.edge.proxy")

PROXY = web.AppKey("proxy", "Proxy")
POOLS = web.AppKey("pools", dict)
ROUTES = web.AppKey("routes", list)

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Answers meaning "this instance could not serve it" (RFC 9110 §15.6): retried and counted for ejection.
RETRYABLE_STATUSES = frozenset({502, 503, 504})
COMPRESS_MIN_BYTES = 1024
# Bodies (requests and answers) up to this size are read whole and sent in one write; larger ones
# stream chunk by chunk.
WHOLE_BODY_BYTES = 262_144

HOP_BY_HOP = frozenset({
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
    "transfer-encoding", "upgrade", "proxy-connection",
})
# Never forwarded upstream: the edge sets its own values, or the header must end at the edge.
REQUEST_ONLY_AT_EDGE = HOP_BY_HOP | {
    "host", "authorization", "expect", "forwarded",
    "x-request-id", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host",
} | {name.lower() for name in CLIENT_IDENTITY_HEADERS}
# The client sends these itself or not at all; aiohttp must not invent them.
NO_AUTO_HEADERS = ("Accept-Encoding", "User-Agent", "Content-Type")


class AssertionCache:
    """Signs a user's identity assertion once and reuses it for `reuse_seconds`.

    The assertion lives 60 s; reusing it for 30 s leaves a service at least 30 s to check it,
    and spares an HMAC signature per request (services cache verified assertions too).
    """

    def __init__(self, signer: IdentitySigner, reuse_seconds: float = 30.0, max_users: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._signer = signer
        self._reuse = reuse_seconds
        self._max_users = max_users
        self._clock = clock
        self._entries: dict[str, tuple[str, float]] = {}

    def get(self, user_id: str) -> str:
        now = self._clock()
        entry = self._entries.get(user_id)
        if entry is not None and now - entry[1] < self._reuse:
            return entry[0]
        if len(self._entries) >= self._max_users:
            self._entries.clear()  # crude bound: after a burst of users, each signs once more
        assertion = self._signer.sign(user_id)
        self._entries[user_id] = (assertion, now)
        return assertion


def named_in_connection(headers: MultiMapping[str]) -> set[str]:
    names: set[str] = set()
    for value in headers.getall("Connection", []):
        names.update(token.strip().lower() for token in value.split(",") if token.strip())
    return names


def upstream_request_headers(request: web.Request, assertion: str | None) -> CIMultiDict[str]:
    drop = REQUEST_ONLY_AT_EDGE | named_in_connection(request.headers)
    headers = CIMultiDict((k, v) for k, v in request.headers.items() if k.lower() not in drop)
    if assertion is not None:  # anonymous public routes carry no identity at all
        headers[ASSERTION_HEADER] = assertion
    headers[REQUEST_ID_HEADER] = request[REQUEST_ID_KEY]
    forwarded_for = request.headers.getall("X-Forwarded-For", [])
    if request.remote:
        forwarded_for.append(request.remote)
    if forwarded_for:
        headers["X-Forwarded-For"] = ", ".join(forwarded_for)
    headers["X-Forwarded-Proto"] = request.scheme
    headers["X-Forwarded-Host"] = request.host
    return headers


def client_response_headers(upstream: aiohttp.ClientResponse) -> CIMultiDict[str]:
    # The services' cache grant is for the edge alone: a browser keeping the answer would not see changes.
    drop = HOP_BY_HOP | {EDGE_CACHE_HEADER.lower()} | named_in_connection(upstream.headers)
    return CIMultiDict((k, v) for k, v in upstream.headers.items() if k.lower() not in drop)


class BodyLimit:
    """Counts a streamed request body (chunked ones carry no Content-Length) against the limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.exceeded = False

    async def stream(self, content: aiohttp.StreamReader) -> AsyncIterator[bytes]:
        sent = 0
        async for chunk in content.iter_any():
            sent += len(chunk)
            if sent > self.limit:
                self.exceeded = True
                raise PayloadTooLarge("Request body too large")
            yield chunk


class Proxy:
    def __init__(self, session: aiohttp.ClientSession, assertions: AssertionCache, settings: EdgeSettings,
                 weights: WeightStore, metrics: "UpstreamMetrics", cache: ResponseCache | None = None) -> None:
        self.session = session
        self._cache = cache
        self._assertions = assertions
        self._response_timeout = settings.upstream_timeout
        self._retries = settings.upstream_retries
        self._backoff_base = settings.retry_backoff_base
        self._backoff_max = settings.retry_backoff_max
        self._max_body = settings.proxy_max_body_bytes
        self._weights = weights
        self._metrics = metrics

    async def forward(self, request: web.Request, route: Route) -> web.StreamResponse:
        user_id = request.get(USER_ID_KEY)
        if not user_id and requires_token(request):
            # The auth middleware sets it for every private /api path; never forward those anonymously.
            raise Unauthorized("Missing bearer token", headers={"WWW-Authenticate": "Bearer"})
        sticky_key = user_id or f"ip:{request.remote}"
        version = choose(await self._weights.weights(route), bucket(route.name, sticky_key))
        pool = route.versions[version]
        probe = lookup = None
        if request.method == "GET" and user_id:
            # The rate-limit middleware left this request to us, to add the cache lookup to its round
            # trip. Counted before the permission check, as every other request is.
            if self._cache is not None:
                probe = self._cache.probe(request, route.name, user_id, version)
            lookup = await request.app[RATE_LIMITER].check(request, probe)
        required = route.required_permissions(request.method)
        if required and user_id:
            # Anonymous requests reach here only on public paths (signed photo URLs), which prove
            # access otherwise; every token-bearing request must carry the route's permissions.
            check_permissions(request[CLAIMS_KEY], required)
        if lookup is not None:
            fresh = self._cache.wants_fresh(request)
            if lookup.entry is not None and not fresh:
                return self._cache.hit(request, route.name, lookup.entry)
            self._cache.counted_miss(route.name, bypass=fresh)
        assertion = self._assertions.get(user_id) if user_id else None
        headers = upstream_request_headers(request, assertion)
        body, limit = await self._body(request)
        # Only a request the service can safely see twice is retried: idempotent and bodiless
        # (a streamed body is consumed by the first attempt).
        attempts = 1 + (self._retries if request.method in IDEMPOTENT and body is None else 0)
        started = time.perf_counter()
        instance: Instance | None = None
        for attempt in range(attempts):
            instance = pool.pick(avoid=instance)
            url = URL(instance.url + str(request.rel_url), encoded=True)
            last_try = attempt + 1 == attempts
            try:
                # Bounds the wait for the response headers: pool, connect, sending the body, service time.
                async with asyncio.timeout(self._response_timeout):
                    upstream_response = await self.session.request(
                        request.method, url, headers=headers, data=body, allow_redirects=False,
                    )
            except TimeoutError:
                # Not retried: the request's time is spent; another try would double the wait.
                pool.failed(instance)
                self._metrics.observe(route.name, version, "timeout", started)
                log.warning("Upstream %s (%s) timed out on %s %s", pool.name, instance.url, request.method, request.path)
                raise GatewayTimeout(f"The {route.name} service did not answer in time") from None
            except (aiohttp.ClientError, PayloadTooLarge) as exc:
                if limit is not None and limit.exceeded:
                    raise PayloadTooLarge("Request body too large") from None
                pool.failed(instance)
                log.warning("Upstream %s (%s) failed: %s: %s", pool.name, instance.url, type(exc).__name__, exc)
                if last_try:
                    self._metrics.observe(route.name, version, "error", started)
                    raise BadGateway(f"The {route.name} service is unavailable") from None
                await self._backoff(attempt)
                continue
            if upstream_response.status in RETRYABLE_STATUSES:
                pool.failed(instance)
                if not last_try:
                    upstream_response.release()
                    await self._backoff(attempt)
                    continue
            else:
                pool.succeeded(instance)
            self._metrics.observe(route.name, version, str(upstream_response.status), started)
            if request.method != "HEAD" and is_small(upstream_response):
                return await self._relay_whole(request, upstream_response, probe, lookup)
            return await self._relay(request, route.name, upstream_response)
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _body(self, request: web.Request) -> tuple[object, BodyLimit | None]:
        if not request.body_exists:
            return None, None
        if request.content_length is not None:
            if request.content_length > self._max_body:
                raise PayloadTooLarge("Request body too large")
            if request.content_length <= WHOLE_BODY_BYTES:
                return await request.read(), None  # one write upstream instead of a streamed payload
            return request.content, None  # the server reads exactly Content-Length bytes
        limit = BodyLimit(self._max_body)
        return limit.stream(request.content), limit

    async def _backoff(self, attempt: int) -> None:
        # Full jitter (Envoy's policy): spreads the retries of many clients hitting one failure.
        await asyncio.sleep(random.uniform(0, min(self._backoff_max, self._backoff_base * 2 ** attempt)))

    async def _relay_whole(self, request: web.Request, upstream_response: aiohttp.ClientResponse,
                           probe: CacheProbe | None, lookup: CacheLookup | None) -> web.StreamResponse:
        """A small answer (length known and bounded): read whole and sent in one write, which costs
        far less than relaying chunks; kept in the response cache when the service allowed it."""
        try:
            body = await upstream_response.read()
        except (aiohttp.ClientError, TimeoutError, ConnectionError) as exc:
            log.warning("Reading an answer from upstream failed: %s: %s", type(exc).__name__, exc)
            raise BadGateway("The service's answer was cut short") from None
        finally:
            upstream_response.release()
        headers = client_response_headers(upstream_response)
        headers.popall("Content-Length", None)  # the body's own length, compressed or not
        if lookup is not None:
            headers[CACHE_STATUS_HEADER] = "miss"
        headers[REQUEST_ID_HEADER] = request[REQUEST_ID_KEY]
        response = web.Response(status=upstream_response.status, reason=upstream_response.reason,
                                body=body, headers=headers)
        if len(body) >= COMPRESS_MIN_BYTES and should_compress(response.headers):
            response.enable_compression()
        seconds = self._cache.storable(upstream_response, body) if lookup is not None else 0
        if seconds:
            # The client has its answer first; keeping it costs the client no wait.
            await response.prepare(request)
            await response.write_eof()
            await self._cache.store(probe, lookup, headers, body, seconds)
        return response

    async def _relay(self, request: web.Request, route_name: str,
                     upstream_response: aiohttp.ClientResponse) -> web.StreamResponse:
        response = web.StreamResponse(
            status=upstream_response.status,
            reason=upstream_response.reason,
            headers=client_response_headers(upstream_response),
        )
        if should_compress(response.headers):
            response.enable_compression()  # only if the client accepts an encoding
        # Set here: the request-id middleware runs after the headers have already been sent.
        response.headers[REQUEST_ID_HEADER] = request[REQUEST_ID_KEY]
        try:
            await response.prepare(request)
            async for chunk in upstream_response.content.iter_any():
                await response.write(chunk)
        except (aiohttp.ClientError, TimeoutError, ConnectionError) as exc:
            # The status line is out, so no error body can follow. Cutting the connection is the
            # only way to tell the client its body is incomplete (rather than ending it cleanly).
            log.warning("Relaying %s response failed mid-body: %s: %s", route_name, type(exc).__name__, exc)
            upstream_response.close()
            if request.transport is not None:
                request.transport.abort()
            return response
        finally:
            upstream_response.release()
        await response.write_eof()
        return response


def is_small(upstream: aiohttp.ClientResponse) -> bool:
    length = upstream.headers.get("Content-Length")
    return length is not None and length.isdigit() and int(length) <= WHOLE_BODY_BYTES


def should_compress(headers: MultiMapping[str]) -> bool:
    """JSON the service sent uncompressed and not tiny: worth gzip when the client accepts it."""
    if "Content-Encoding" in headers or not headers.get("Content-Type", "").startswith("application/json"):
        return False
    length = headers.get("Content-Length")
    return length is None or (length.isdigit() and int(length) >= COMPRESS_MIN_BYTES)


class UpstreamMetrics:
    """Per route and version, so a canary's errors and latency can be compared with the current one."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter("edge_upstream_requests_total", "Requests forwarded, by route, version and outcome",
                                ["route", "version", "outcome"], registry=registry)
        self.latency = Histogram("edge_upstream_response_seconds", "Time until the upstream's response headers",
                                 ["route", "version"], registry=registry)

    def observe(self, route: str, version: str, outcome: str, started: float) -> None:
        self.requests.labels(route, version, outcome).inc()
        self.latency.labels(route, version).observe(time.perf_counter() - started)


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
        # No total: the response wait is bounded in forward(); a body may stream for long but
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
                cache = ResponseCache(app[REDIS], settings.response_cache_prefix, settings.response_cache_max_bytes,
                                      app[METRICS_REGISTRY])
            app[PROXY] = Proxy(session, AssertionCache(signer), settings, weights, metrics, cache)
            yield

    app.cleanup_ctx.append(session_context)
    for route in routes:
        handler = proxy_handler(route)
        app.router.add_route("*", route.prefix, handler)
        app.router.add_route("*", route.prefix + "/{tail:.*}", handler)
