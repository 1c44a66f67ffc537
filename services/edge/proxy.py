"""Forwarding /api requests to the services: one keep-alive pool, bodies streamed both ways.

What crosses the edge: method, path, query, body and the client's ordinary headers. What does not:
hop-by-hop headers (RFC 9110 §7.6.1, including those the Connection header names), the bearer
token (services trust only the edge's assertion) and any identity header the client sent; the
edge adds its signed assertion, the request id and X-Forwarded-*.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from typing import AsyncIterator, Callable, Iterable

import aiohttp
from aiohttp import web
from multidict import CIMultiDict, MultiMapping
from yarl import URL

from shared.http.errors import BadGateway, GatewayTimeout, Unauthorized
from shared.http.middleware import REQUEST_ID_HEADER, REQUEST_ID_KEY, USER_ID_KEY, Handler
from shared.identity import ASSERTION_HEADER, CLIENT_IDENTITY_HEADERS, IdentitySigner

from .settings import EdgeSettings

log = logging.getLogger("motovault.edge.proxy")

PROXY = web.AppKey("proxy", "Proxy")
UPSTREAMS = web.AppKey("upstreams", dict)

# Public path prefix -> service.
ROUTES = {
    "/api/vehicles": "vehicles",
    "/api/fuel-logs": "fuel_logs",
    "/api/stations": "stations",
    "/api/maintenance": "maintenance",
}

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


class Upstream:
    """One service's instances, picked round-robin."""

    def __init__(self, name: str, urls: Iterable[str]) -> None:
        self.name = name
        self.urls = tuple(urls)
        self._next = itertools.cycle(self.urls)

    def pick(self) -> str:
        return next(self._next)


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


def upstream_request_headers(request: web.Request, assertion: str) -> CIMultiDict[str]:
    drop = REQUEST_ONLY_AT_EDGE | named_in_connection(request.headers)
    headers = CIMultiDict((k, v) for k, v in request.headers.items() if k.lower() not in drop)
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
    drop = HOP_BY_HOP | named_in_connection(upstream.headers)
    return CIMultiDict((k, v) for k, v in upstream.headers.items() if k.lower() not in drop)


class Proxy:
    def __init__(self, session: aiohttp.ClientSession, assertions: AssertionCache, response_timeout: float) -> None:
        self.session = session
        self._assertions = assertions
        self._response_timeout = response_timeout

    async def forward(self, request: web.Request, upstream: Upstream) -> web.StreamResponse:
        user_id = request.get(USER_ID_KEY)
        if not user_id:
            # The auth middleware sets it for every /api path; never forward an anonymous request.
            raise Unauthorized("Missing bearer token", headers={"WWW-Authenticate": "Bearer"})
        base = upstream.pick()
        url = URL(base + str(request.rel_url), encoded=True)
        headers = upstream_request_headers(request, self._assertions.get(user_id))
        try:
            # Bounds the wait for the response headers: pool, connect, sending the body, service time.
            async with asyncio.timeout(self._response_timeout):
                upstream_response = await self.session.request(
                    request.method,
                    url,
                    headers=headers,
                    data=request.content if request.body_exists else None,
                    allow_redirects=False,
                )
        except TimeoutError:
            log.warning("Upstream %s (%s) timed out on %s %s", upstream.name, base, request.method, request.path)
            raise GatewayTimeout(f"The {upstream.name} service did not answer in time") from None
        except aiohttp.ClientError as exc:
            log.warning("Upstream %s (%s) failed: %s: %s", upstream.name, base, type(exc).__name__, exc)
            raise BadGateway(f"The {upstream.name} service is unavailable") from None
        return await self._relay(request, upstream, upstream_response)

    async def _relay(self, request: web.Request, upstream: Upstream,
                     upstream_response: aiohttp.ClientResponse) -> web.StreamResponse:
        response = web.StreamResponse(
            status=upstream_response.status,
            reason=upstream_response.reason,
            headers=client_response_headers(upstream_response),
        )
        # Set here: the request-id middleware runs after the headers have already been sent.
        response.headers[REQUEST_ID_HEADER] = request[REQUEST_ID_KEY]
        try:
            await response.prepare(request)
            async for chunk in upstream_response.content.iter_any():
                await response.write(chunk)
        except (aiohttp.ClientError, TimeoutError, ConnectionError) as exc:
            # The status line is out, so no error body can follow. Cutting the connection is the
            # only way to tell the client its body is incomplete (rather than ending it cleanly).
            log.warning("Relaying %s response failed mid-body: %s: %s", upstream.name, type(exc).__name__, exc)
            upstream_response.close()
            if request.transport is not None:
                request.transport.abort()
            return response
        finally:
            upstream_response.release()
        await response.write_eof()
        return response


def proxy_handler(upstream: Upstream) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return await request.app[PROXY].forward(request, upstream)

    return handler


def add_proxy(app: web.Application, settings: EdgeSettings) -> None:
    upstreams = {name: Upstream(name, urls) for name, urls in settings.upstream_urls().items()}
    app[UPSTREAMS] = upstreams

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
        ) as session:
            signer = IdentitySigner(settings.identity_secret.get_secret_value())
            app[PROXY] = Proxy(session, AssertionCache(signer), settings.upstream_timeout)
            yield

    app.cleanup_ctx.append(session_context)
    for prefix, name in ROUTES.items():
        handler = proxy_handler(upstreams[name])
        app.router.add_route("*", prefix, handler)
        app.router.add_route("*", prefix + "/{tail:.*}", handler)
