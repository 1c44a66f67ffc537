"""The aiohttp application factory every service starts from.

`base_app` wires what all services share: middlewares, `/health`, `/ready`, `/metrics`. The
`add_*` helpers of the other platform modules attach resources (database, Redis, broker,
object storage) as cleanup contexts, so nothing connects at import time and shutdown closes
them in reverse order after in-flight requests and consumers have drained.
"""

from __future__ import annotations

import asyncio
from typing import Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from ..identity import IdentityVerifier
from ..settings import ServiceSettings
from .json import json_response
from .middleware import (
    HttpMetrics,
    error_middleware,
    identity_middleware,
    request_context_middleware,
    stamp_streamed_response,
)
from .openapi import add_openapi

ReadinessCheck = Callable[[], Awaitable[object]]

SERVICE_NAME = web.AppKey("service_name", str)
SETTINGS = web.AppKey("settings", ServiceSettings)
METRICS_REGISTRY = web.AppKey("metrics_registry", CollectorRegistry)
READINESS_CHECKS = web.AppKey("readiness_checks", dict)

READINESS_TIMEOUT = 2.0


def base_app(
    service: str,
    settings: ServiceSettings,
    *,
    require_identity: bool = True,
    public_prefixes: tuple[str, ...] = (),
    log_access: bool = True,
) -> web.Application:
    registry = CollectorRegistry()
    middlewares = [request_context_middleware(HttpMetrics(registry), log_access), error_middleware]
    if require_identity:
        verifier = IdentityVerifier(settings.identity_secret.get_secret_value())
        middlewares.append(identity_middleware(verifier, public_prefixes))
    app = web.Application(middlewares=middlewares, client_max_size=settings.max_body_bytes)
    app.on_response_prepare.append(stamp_streamed_response)
    app[SERVICE_NAME] = service
    app[SETTINGS] = settings
    app[METRICS_REGISTRY] = registry
    app[READINESS_CHECKS] = {}
    app.router.add_get("/health", health)
    app.router.add_get("/ready", ready)
    app.router.add_get("/metrics", metrics)
    add_openapi(app, service)
    return app


def add_readiness_check(app: web.Application, name: str, check: ReadinessCheck) -> None:
    app[READINESS_CHECKS][name] = check


async def health(request: web.Request) -> web.Response:
    """Liveness: the process answers. Dependencies are /ready's business."""
    return json_response({"status": "ok", "service": request.app[SERVICE_NAME]})


async def ready(request: web.Request) -> web.Response:
    checks: dict[str, ReadinessCheck] = request.app[READINESS_CHECKS]
    results = await asyncio.gather(*(_probe(check) for check in checks.values()))
    detail = dict(zip(checks, results))
    all_ready = all(result == "ok" for result in results)
    body = {"status": "ready" if all_ready else "not ready", "service": request.app[SERVICE_NAME], "checks": detail}
    return json_response(body, status=200 if all_ready else 503)


async def _probe(check: ReadinessCheck) -> str:
    try:
        await asyncio.wait_for(check(), READINESS_TIMEOUT)
        return "ok"
    except Exception as exc:  # a probe reports any failure; it never raises
        return f"unavailable: {type(exc).__name__}"


async def metrics(request: web.Request) -> web.Response:
    body = generate_latest(request.app[METRICS_REGISTRY])
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
