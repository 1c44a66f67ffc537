"""Auth0 login with the authorization-code flow and PKCE (RFC 7636), for browser clients.

GET /api/auth/authorize?redirect_uri=... makes a fresh `state` and code verifier, keeps
state -> (verifier, redirect_uri) in Redis for `auth0_state_ttl` seconds (any edge instance may
receive the callback), and redirects to Auth0's /authorize with the S256 challenge.
GET /api/auth/callback?code=...&state=... takes the state out of Redis (single use) and exchanges
the code with the verifier at /oauth/token.

redirect_uri must be one of EDGE_AUTH0_ALLOWED_REDIRECTS (exact match; EDGE_AUTH0_REDIRECT_URI,
the default, is allowed too): the edge never sends a browser, or a code, anywhere else.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from pydantic import Field
from redis.exceptions import RedisError
from yarl import URL

from shared.redis_client import REDIS
from shared.http.errors import BadRequest, ServiceUnavailable
from shared.http.json import json_response
from shared.http.validation import parse_query
from shared.models import ApiModel

from .auth0 import AUTH0
from .settings import EdgeSettings

log = logging.getLogger("motovault.edge.pkce")

PKCE = web.AppKey("pkce", "AuthorizationCodeFlow")
# 48 characters of [A-Za-z0-9]: 285 bits, within RFC 7636's 43..128 for the verifier.
VERIFIER_LENGTH = 48
STATE_LENGTH = 32


class AuthorizeQuery(ApiModel):
    redirect_uri: str | None = Field(default=None, alias="redirect_uri", max_length=2048)


class CallbackQuery(ApiModel):
    code: str = Field(min_length=1, max_length=2048)
    state: str = Field(min_length=1, max_length=128)


class AuthorizationCodeFlow:
    def __init__(self, app: web.Application, settings: EdgeSettings) -> None:
        self._app = app
        self._settings = settings
        self._prefix = settings.redis_prefix + "pkce:"
        self._allowed = set(settings.auth0_allowed_redirect_list())
        self._default_redirect = settings.auth0_redirect_uri

    def _redis(self):
        redis = self._app.get(REDIS)
        if redis is None:
            raise ServiceUnavailable("Login state storage is not configured")
        return redis

    async def authorize_url(self, redirect_uri: str | None) -> str:
        redirect_uri = redirect_uri or self._default_redirect
        if redirect_uri is None or redirect_uri not in self._allowed:
            raise BadRequest("redirect_uri is not allowed",
                             details=[{"field": "redirect_uri", "message": "not in the allow-list"}])
        state = generate_token(STATE_LENGTH)
        verifier = generate_token(VERIFIER_LENGTH)
        record = json.dumps({"verifier": verifier, "redirectUri": redirect_uri})
        try:
            await self._redis().set(self._prefix + state, record, ex=self._settings.auth0_state_ttl)
        except (RedisError, OSError) as exc:
            log.warning("Storing login state failed: %s: %s", type(exc).__name__, exc)
            raise ServiceUnavailable("Login is unavailable; try again shortly", headers={"Retry-After": "1"}) from None
        query = {
            "response_type": "code",
            "client_id": self._settings.auth0_client_id,
            "redirect_uri": redirect_uri,
            "audience": self._settings.jwt_audience,
            "scope": self._settings.auth0_scope,
            "state": state,
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
        }
        return str(URL(self._app[AUTH0].base_url + "/authorize").with_query(query))

    async def callback(self, code: str, state: str) -> dict[str, Any]:
        try:
            # GETDEL: a state is good for one exchange, even if two callbacks race.
            record = await self._redis().getdel(self._prefix + state)
        except (RedisError, OSError) as exc:
            log.warning("Reading login state failed: %s: %s", type(exc).__name__, exc)
            raise ServiceUnavailable("Login is unavailable; try again shortly", headers={"Retry-After": "1"}) from None
        if record is None:
            raise BadRequest("Unknown or expired login state; start the login again")
        stored = json.loads(record)
        return await self._app[AUTH0].exchange_code(code, stored["verifier"], stored["redirectUri"])


routes = web.RouteTableDef()


@routes.get("/api/auth/authorize")
async def authorize(request: web.Request) -> web.StreamResponse:
    query = parse_query(request, AuthorizeQuery)
    raise web.HTTPFound(await request.app[PKCE].authorize_url(query.redirect_uri),
                        headers={"Cache-Control": "no-store"})


@routes.get("/api/auth/callback")
async def callback(request: web.Request) -> web.Response:
    query = parse_query(request, CallbackQuery)
    tokens = await request.app[PKCE].callback(query.code, query.state)
    return json_response(tokens, headers={"Cache-Control": "no-store"})


def add_pkce(app: web.Application, settings: EdgeSettings) -> None:
    """Only with Auth0 configured (add_auth0 first): the dev issuer has no browser flow."""
    app[PKCE] = AuthorizationCodeFlow(app, settings)
    app.add_routes(routes)
