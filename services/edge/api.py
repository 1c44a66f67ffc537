"""Handlers the edge answers itself: /api/auth/* and the public /api/health."""

from __future__ import annotations

from aiohttp import web
from pydantic import Field

from shared.http.errors import ApiError
from shared.http.json import json_response
from shared.http.middleware import current_user
from shared.http.validation import ApiModel, parse_body

from .dev_issuer import DEV_ISSUER, TOKEN_LIFETIME_SECONDS
from .health import HealthProbe
from .proxy import POOLS, PROXY
from .settings import EdgeSettings

routes = web.RouteTableDef()
HEALTH = web.AppKey("health", HealthProbe)


class LoginInput(ApiModel):
    username: str = Field(pattern=r"^[A-Za-z0-9._@+-]{1,64}$")


@routes.post("/api/auth/login")
async def login(request: web.Request) -> web.Response:
    issuer = request.app.get(DEV_ISSUER)
    if issuer is None:
        # Auth0 login (password grant / code exchange) comes with the full edge.
        raise ApiError("Login through the edge is not available; sign in with the identity provider", status=501)
    credentials = await parse_body(request, LoginInput)
    token = issuer.mint(credentials.username)
    return json_response({"accessToken": token, "tokenType": "Bearer", "expiresIn": TOKEN_LIFETIME_SECONDS})


@routes.get("/api/auth/me")
async def me(request: web.Request) -> web.Response:
    return json_response({"userId": current_user(request)})


@routes.get("/api/health")
async def api_health(request: web.Request) -> web.Response:
    """Public readiness of the whole suite: every instance of every service answers /ready."""
    healthy, checks = await request.app[HEALTH].status()
    body = {"status": "ok" if healthy else "unavailable", "service": "edge", "checks": checks}
    return json_response(body, status=200 if healthy else 503)


def add_api(app: web.Application, settings: EdgeSettings) -> None:
    app[HEALTH] = HealthProbe(lambda: app[PROXY].session, app[POOLS], timeout=settings.health_probe_timeout,
                              cache_seconds=settings.health_cache_seconds)
    app.add_routes(routes)
