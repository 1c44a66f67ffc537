"""Handlers the edge answers itself: /api/auth/* and the public /api/health."""

from __future__ import annotations

from aiohttp import web
from pydantic import Field

from shared.http.errors import ApiError
from shared.http.json import json_response
from shared.http.middleware import current_user
from shared.http.openapi import documented
from shared.http.validation import parse_body
from shared.models import ApiModel

from .auth import MAX_TOKEN_LENGTH, VERIFIER, bearer_token
from .auth0 import AUTH0
from .dev_issuer import DEV_ISSUER, TOKEN_LIFETIME_SECONDS
from .health import HealthProbe
from .proxy import POOLS, PROXY
from .settings import EdgeSettings

routes = web.RouteTableDef()
HEALTH = web.AppKey("health", HealthProbe)


class LoginInput(ApiModel):
    username: str = Field(pattern=r"^[A-Za-z0-9._@+-]{1,64}$")


class PasswordLoginInput(ApiModel):
    username: str = Field(min_length=1, max_length=256)
    password: str = Field(min_length=1, max_length=1024)


class VerifyInput(ApiModel):
    token: str | None = Field(default=None, max_length=MAX_TOKEN_LENGTH)


@routes.post("/api/auth/login")
@documented(summary="Log in: username and password with Auth0 (the dev issuer needs only a username)",
            body=PasswordLoginInput, responses={200: "The access token", 401: "Wrong username or password"})
async def login(request: web.Request) -> web.Response:
    auth0 = request.app.get(AUTH0)
    if auth0 is not None:
        form = await parse_body(request, PasswordLoginInput)
        return json_response(await auth0.password_login(form.username, form.password))
    issuer = request.app.get(DEV_ISSUER)
    if issuer is None:
        raise ApiError("Login through the edge is not configured; sign in with the identity provider", status=501)
    credentials = await parse_body(request, LoginInput)
    token = issuer.mint(credentials.username)
    return json_response({"accessToken": token, "tokenType": "Bearer", "expiresIn": TOKEN_LIFETIME_SECONDS})


@routes.post("/api/auth/verify")
@documented(body=VerifyInput, responses={200: "The token's claims", 401: "Invalid token"})
async def verify(request: web.Request) -> web.Response:
    """The claims of a valid token, given as the bearer token or as {"token": ...}; 401 otherwise."""
    token = None
    if request.body_exists:
        token = (await parse_body(request, VerifyInput)).token
    claims = await request.app[VERIFIER].verify_claims(token or bearer_token(request))
    return json_response({"valid": True, "claims": claims})


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
    app[HEALTH] = HealthProbe(lambda: app[PROXY].upstream.session, app[POOLS], timeout=settings.health_probe_timeout,
                              cache_seconds=settings.health_cache_seconds)
    app.add_routes(routes)
