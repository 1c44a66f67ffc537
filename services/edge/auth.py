"""Bearer-token verification and the middleware that requires it on /api.

RS256 is pinned here, never read from the token: `alg: none`, HS256 signed with the public key
and every other algorithm stop before a key is looked up, so they also cannot trigger a JWKS
fetch. The signing key comes only from the configured JWKS, by `kid`; `jku`, `x5u` and embedded
keys in the header are ignored.
"""

from __future__ import annotations

import logging
from typing import AsyncIterator

import aiohttp
from aiohttp import web
from joserfc import jws, jwt
from joserfc.errors import ExpiredTokenError, JoseError

from shared.http.app import add_readiness_check
from shared.http.errors import Unauthorized
from shared.http.middleware import USER_ID_KEY, Handler

from .jwks import ALGORITHM, JwksCache
from .settings import EdgeSettings

log = logging.getLogger("motovault.edge.auth")

VERIFIER = web.AppKey("token_verifier", "TokenVerifier")
# Under /api only these answer without a token; everything else under /api needs one.
PUBLIC_API_PATHS = frozenset({"/api/health", "/api/auth/login"})
MAX_TOKEN_LENGTH = 8192


def invalid_token(message: str) -> Unauthorized:
    return Unauthorized(message, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


class TokenVerifier:
    def __init__(self, keys: JwksCache, *, issuer: str, audience: str, leeway: int) -> None:
        self._keys = keys
        self._claims = jwt.JWTClaimsRegistry(
            leeway=leeway,
            iss={"essential": True, "value": issuer},  # exact, trailing slash included
            aud={"essential": True, "value": audience},  # a string, or an array containing it
            exp={"essential": True},
            sub={"essential": True},
        )

    @property
    def keys(self) -> JwksCache:
        return self._keys

    async def verify(self, token: str) -> str:
        """The user id (`sub`) of a valid access token; Unauthorized otherwise."""
        if len(token) > MAX_TOKEN_LENGTH:
            raise invalid_token("Invalid token")
        try:
            header = jws.extract_compact(token.encode("ascii")).headers()
        except (JoseError, ValueError, UnicodeError):
            raise invalid_token("Malformed token") from None
        if header.get("alg") != ALGORITHM:
            raise invalid_token("Invalid token")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise invalid_token("Invalid token")  # Auth0 always names its key
        key = await self._keys.key(kid)
        if key is None:
            raise invalid_token("Invalid token")
        try:
            decoded = jwt.decode(token, key, algorithms=[ALGORITHM])
            self._claims.validate(decoded.claims)
        except ExpiredTokenError:
            raise invalid_token("Token expired") from None
        except (JoseError, ValueError, TypeError):
            raise invalid_token("Invalid token") from None
        return decoded.claims["sub"]


def bearer_token(request: web.Request) -> str:
    values = request.headers.getall("Authorization", [])
    if not values:
        # RFC 6750 §3.1: no error code when the request carries no credentials at all.
        raise Unauthorized("Missing bearer token", headers={"WWW-Authenticate": "Bearer"})
    scheme, _, token = values[0].partition(" ")
    if len(values) > 1 or scheme.lower() != "bearer" or not token.strip():
        raise invalid_token("Expected one 'Authorization: Bearer <token>' header")
    return token.strip()


def requires_token(request: web.Request) -> bool:
    path = request.path
    return (path == "/api" or path.startswith("/api/")) and path not in PUBLIC_API_PATHS


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if requires_token(request):
        request[USER_ID_KEY] = await request.app[VERIFIER].verify(bearer_token(request))
    return await handler(request)


def add_auth(app: web.Application, settings: EdgeSettings) -> None:
    """Token checks on /api: a JWKS cache with its own small HTTP session, and the middleware."""
    assert settings.jwks_url is not None and settings.jwt_issuer is not None  # settings derive them

    async def jwks_context(app: web.Application) -> AsyncIterator[None]:
        async with aiohttp.ClientSession() as session:
            keys = JwksCache(
                session,
                settings.jwks_url,
                max_age=settings.jwks_cache_ttl,
                cooldown=settings.jwks_refetch_cooldown,
                timeout=settings.jwks_fetch_timeout,
            )
            app[VERIFIER] = TokenVerifier(
                keys, issuer=settings.jwt_issuer, audience=settings.jwt_audience, leeway=settings.jwt_leeway
            )
            yield
            await keys.close()

    app.cleanup_ctx.append(jwks_context)
    app.middlewares.append(auth_middleware)
    add_readiness_check(app, "jwks", lambda: app[VERIFIER].keys.ensure_loaded())
