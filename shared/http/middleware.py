"""Middlewares every service shares: request id, access log and metrics, the error shape, identity."""

from __future__ import annotations

import itertools
import logging
import re
import secrets
import time
from typing import Awaitable, Callable

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Histogram

from ..identity import ASSERTION_HEADER, IdentityVerifier
from ..logs import request_id_var
from ..errors import DomainError
from ..outage import DATABASE_OUTAGE, DATABASE_UNAVAILABLE
from .errors import ApiError, ServiceUnavailable, error_body, from_domain
from .json import json_response

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
log = logging.getLogger("motovault.http")
access_log = logging.getLogger("motovault.access")

REQUEST_ID_HEADER = "X-Request-Id"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# Reachable without the edge's assertion: probes and scrapes come from the platform, not users.
# The OpenAPI document describes routes, not data: the edge fetches it to merge at /api/docs.
PUBLIC_PATHS = frozenset({"/health", "/ready", "/metrics", "/openapi.json"})

REQUEST_ID_KEY = web.RequestKey("request_id", str)
RESPONSE_STARTED_KEY = web.RequestKey("response_started", bool)
USER_ID_KEY = web.RequestKey("user_id", str)
MAX_CACHED_SERIES = 4096
DATABASE_DOWN_MESSAGE = "The service is temporarily unavailable; try again shortly"
# Seconds: a restarted database answers again within a few (the pool reconnects on next use).
DATABASE_RETRY_AFTER = 2


def route_name(request: web.Request) -> str:
    """The route pattern, not the concrete path, so metrics do not grow one series per id."""
    route = request.match_info.route
    resource = route.resource
    return resource.canonical if resource is not None else "unmatched"


class HttpMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "http_requests_total", "HTTP requests answered", ["method", "route", "status"], registry=registry
        )
        self.latency = Histogram(
            "http_request_duration_seconds", "Time to answer a request", ["method", "route"], registry=registry
        )
        # labels() validates and locks on every call; the children are looked up once per series.
        self._children: dict[tuple[str, str, int], tuple] = {}

    def observe(self, method: str, route: str, status: int, elapsed: float) -> None:
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            children = (self.requests.labels(method, route, str(status)), self.latency.labels(method, route))
            if len(self._children) < MAX_CACHED_SERIES:  # odd methods must not grow it without bound
                self._children[key] = children
        children[0].inc()
        children[1].observe(elapsed)


# 32 hex characters, as a uuid4's hex, without a system call per request (uuid4 was 7 % of the
# edge's CPU answering /api/health): a random half drawn once per process, and a counter. Unique,
# not secret: it is answered to the client and logged.
_REQUEST_ID_PREFIX = secrets.token_hex(8)
_request_numbers = itertools.count(1)


def new_request_id() -> str:
    return f"{_REQUEST_ID_PREFIX}{next(_request_numbers):016x}"


def request_context_middleware(metrics: HttpMetrics, log_access: bool):
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else new_request_id()
        request[REQUEST_ID_KEY] = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        try:
            response = await handler(request)
            status = response.status
            if not response.prepared:  # streamed responses got it in on_response_prepare
                response.headers[REQUEST_ID_HEADER] = request_id
            return response
        finally:
            elapsed = time.perf_counter() - started
            route = route_name(request)
            metrics.observe(request.method, route, status, elapsed)
            if log_access and request.path not in PUBLIC_PATHS and access_log.isEnabledFor(logging.INFO):
                access_log.info(
                    "%s %s %s",
                    request.method,
                    request.path,
                    status,
                    extra={"method": request.method, "path": request.path, "route": route,
                           "status": status, "durationMs": round(elapsed * 1000, 3)},
                )
            request_id_var.reset(token)

    return middleware


async def stamp_streamed_response(request: web.Request, response: web.StreamResponse) -> None:
    """on_response_prepare: a streamed response sends its headers before the middleware sees it."""
    request[RESPONSE_STARTED_KEY] = True
    if REQUEST_ID_KEY in request:
        response.headers.setdefault(REQUEST_ID_HEADER, request[REQUEST_ID_KEY])


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every error leaves as the JSON error shape; unexpected ones are logged with their trace."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise  # redirects are answers, not errors
        if request.get(RESPONSE_STARTED_KEY):
            raise
        # The router's 404/405 and the body limit's 413 arrive here as aiohttp exceptions.
        headers = {k: v for k, v in exc.headers.items() if k in ("Allow", "Retry-After", "WWW-Authenticate")}
        return _error(request, exc.status, _http_exception_message(exc), None, headers)
    except Exception as exc:
        if request.get(RESPONSE_STARTED_KEY):
            # Headers are on the wire already: a second response would corrupt the stream.
            # Re-raising makes aiohttp drop the connection, which the client sees as truncation.
            log.exception("Error after the response started on %s %s", request.method, request.path)
            raise
        if isinstance(exc, DATABASE_UNAVAILABLE):
            outage = request.app.get(DATABASE_OUTAGE)
            if outage is not None:  # logged once per outage, not once per request
                outage.failed(exc)
            else:
                log.warning("Dependency unavailable on %s %s: %s: %s", request.method, request.path,
                            type(exc).__name__, exc)
            exc = ServiceUnavailable(DATABASE_DOWN_MESSAGE, headers={"Retry-After": str(DATABASE_RETRY_AFTER)})
        elif isinstance(exc, DomainError):
            exc = from_domain(exc)
        if isinstance(exc, ApiError):
            return _error(request, exc.status, exc.message, exc.details, exc.headers)
        log.exception("Unhandled error on %s %s", request.method, request.path)
        return _error(request, 500, "Internal server error", None, {})


def _http_exception_message(exc: web.HTTPException) -> str:
    if exc.status == 413:
        return "Request body too large"
    if exc.status == 404:
        return "Route not found"
    if exc.status == 405:
        return "Method not allowed"
    return exc.reason


def _error(request, status, message, details, headers) -> web.Response:
    body = error_body(status, message, request.get(REQUEST_ID_KEY), details)
    return json_response(body, status=status, headers=headers)


def identity_middleware(verifier: IdentityVerifier, public_prefixes: tuple[str, ...] = ()):
    """Require the edge's assertion, except on probes and on routes that prove access otherwise
    (for example signed URLs for <img> tags, which cannot send a Bearer token)."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        path = request.path
        if path not in PUBLIC_PATHS and not (public_prefixes and path.startswith(public_prefixes)):
            request[USER_ID_KEY] = verifier.verify(request.headers.get(ASSERTION_HEADER)).user_id
        return await handler(request)

    return middleware


def current_user(request: web.Request) -> str:
    return request[USER_ID_KEY]
