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


class TokenAnswer(ApiModel):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int | None = None


# /api/auth/login takes what the configured issuer needs; add_api registers the one that applies,
# so the OpenAPI document describes this edge's mode and not the others.
@documented(summary="Log in with the dev issuer: a username, no password (local runs only)",
            body=LoginInput, responses={200: TokenAnswer})
async def dev_login(request: web.Request) -> web.Response:
    credentials = await parse_body(request, LoginInput)
    token = request.app[DEV_ISSUER].mint(credentials.username)
    return json_response({"accessToken": token, "tokenType": "Bearer", "expiresIn": TOKEN_LIFETIME_SECONDS})


@documented(summary="Log in with Auth0: username and password (password-realm grant)",
            body=PasswordLoginInput, responses={200: TokenAnswer, 401: "Wrong username or password",
                                                 429: "Too many login attempts", 502: "Auth0 unavailable"})
async def auth0_login(request: web.Request) -> web.Response:
    form = await parse_body(request, PasswordLoginInput)
    return json_response(await request.app[AUTH0].password_login(form.username, form.password))


@documented(summary="Login through the edge is not configured: sign in with the identity provider",
            responses={501: "Not configured"})
async def login_not_configured(request: web.Request) -> web.Response:
    raise ApiError("Login through the edge is not configured; sign in with the identity provider", status=501)


@routes.post("/api/auth/verify")
@documented(body=VerifyInput, body_required=False,
            responses={200: "The token's claims", 400: "Malformed body", 401: "Invalid token"})
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
    if settings.auth0_client_id:
        login = auth0_login
    elif settings.dev_issuer:
        login = dev_login
    else:
        login = login_not_configured
    app.router.add_post("/api/auth/login", login)
