"""Bearer-token verification and the middleware that requires it on /api.

RS256 is pinned here, never read from the token: `alg: none`, HS256 signed with the public key
and every other algorithm stop before a key is looked up, so they also cannot trigger a JWKS
fetch. The signing key comes only from the configured JWKS, by `kid`; `jku`, `x5u` and embedded
keys in the header are ignored.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from typing import Any, AsyncIterator

import aiohttp
from aiohttp import web
from joserfc import jws, jwt
from joserfc.errors import ExpiredTokenError, JoseError

from shared.http.app import add_readiness_check
from shared.http.errors import Forbidden, Unauthorized
from shared.http.middleware import USER_ID_KEY, Handler

from .access_tokens import check_scope, is_access_token
from .jwks import ALGORITHM, JwksCache
from .settings import EdgeSettings

log = logging.getLogger("motovault.edge.auth")

VERIFIER = web.AppKey("token_verifier", "TokenVerifier")
# Under /api only these answer without a token; everything else under /api needs one.
PUBLIC_API_PATHS = frozenset({"/api/health", "/api/auth/login", "/api/auth/verify",
                              "/api/auth/authorize", "/api/auth/callback", "/api/docs"})
# The stations service verifies its signed photo URLs itself (an <img> sends no bearer token), and
# notifications its calendar feed's secret URL (a calendar app sends none either).
PUBLIC_API_PREFIXES = ("/api/stations/photo-signed/", "/api/notifications/calendar/feed/")
# Auth0 access tokens, permissions included, stay well below; the HTTP parser stops at 8190 anyway.
MAX_TOKEN_LENGTH = 4096
# RFC 9068 access tokens say `at+jwt`; Auth0's classic ones `JWT` or nothing.
ACCEPTED_TYPES = frozenset({"jwt", "at+jwt", "application/at+jwt"})
CLAIMS_KEY = web.RequestKey("token_claims", dict)
# Set by tokens_api.add_access_tokens when the edge has a database for personal access tokens.
ACCESS_TOKEN_STORE = web.AppKey("access_tokens", "AccessTokens")


def invalid_token(message: str) -> Unauthorized:
    return Unauthorized(message, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


class VerifiedTokens:
    """Claims of tokens already verified, kept until the token expires (bounded LRU).

    A cached answer is only as good as the key that signed the token: each hit checks the kid is
    still published, so a key the issuer revokes stops verifying at the next JWKS refresh.
    """

    def __init__(self, max_entries: int = 10_000) -> None:
        self._max = max_entries
        self._entries: OrderedDict[str, tuple[dict[str, Any], float, str]] = OrderedDict()

    def get(self, token: str, keys: JwksCache) -> dict[str, Any] | None:
        entry = self._entries.get(token)
        if entry is None:
            return None
        claims, valid_until, kid = entry
        if time.time() >= valid_until or keys.cached(kid) is None:
            del self._entries[token]
            return None
        self._entries.move_to_end(token)
        return claims

    def put(self, token: str, claims: dict[str, Any], valid_until: float, kid: str) -> None:
        self._entries[token] = (claims, valid_until, kid)
        if len(self._entries) > self._max:
            self._entries.popitem(last=False)


class TokenVerifier:
    def __init__(self, keys: JwksCache, *, issuer: str, audience: str, leeway: int,
                 max_lifetime: int = 86_400, cache_size: int = 10_000) -> None:
        self._keys = keys
        self._leeway = leeway
        self._max_lifetime = max_lifetime
        self._verified = VerifiedTokens(cache_size)
        # Time claims are checked below (strict exp, iat, lifetime); the registry does the rest.
        self._claims = jwt.JWTClaimsRegistry(
            leeway=leeway,
            iss={"essential": True, "value": issuer},  # exact, trailing slash included
            aud={"essential": True, "value": audience},  # a string, or an array containing it
            sub={"essential": True},
        )

    @property
    def keys(self) -> JwksCache:
        return self._keys

    async def verify(self, token: str) -> str:
        """The user id (`sub`) of a valid access token; Unauthorized otherwise."""
        return (await self.verify_claims(token))["sub"]

    async def verify_claims(self, token: str) -> dict[str, Any]:
        """The claims of a valid access token; Unauthorized otherwise."""
        if len(token) > MAX_TOKEN_LENGTH:
            raise invalid_token("Invalid token")
        cached = self._verified.get(token, self._keys)
        if cached is not None:
            return cached
        try:
            header = jws.extract_compact(token.encode("ascii")).headers()
        except (JoseError, ValueError, UnicodeError):
            raise invalid_token("Malformed token") from None
        kid = self._checked_header(header)
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
        claims = decoded.claims
        expires = self._check_times(claims)
        if not isinstance(claims["sub"], str) or not claims["sub"]:
            raise invalid_token("Invalid token")
        self._verified.put(token, claims, expires + self._leeway, kid)
        return claims

    @staticmethod
    def _checked_header(header: dict[str, Any]) -> str:
        # The algorithm is pinned; `crit` names extensions we do not implement (RFC 7515 §4.1.11).
        if header.get("alg") != ALGORITHM or "crit" in header:
            raise invalid_token("Invalid token")
        typ = header.get("typ")
        if typ is not None and (not isinstance(typ, str) or typ.lower() not in ACCEPTED_TYPES):
            raise invalid_token("Invalid token")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid or len(kid) > 256:
            raise invalid_token("Invalid token")  # Auth0 always names its key
        return kid

    def _check_times(self, claims: dict[str, Any]) -> float:
        now = time.time()
        exp, nbf, iat = claims.get("exp"), claims.get("nbf"), claims.get("iat")
        if not _is_time(exp):
            raise invalid_token("Invalid token")
        # RFC 7519 §4.1.4: the token is expired AT exp, so exp == now (leeway 0) is refused.
        if now >= exp + self._leeway:
            raise invalid_token("Token expired")
        if (nbf is not None and (not _is_time(nbf) or nbf > now + self._leeway)) or (
            iat is not None and (not _is_time(iat) or iat > now + self._leeway)
        ):
            raise invalid_token("Invalid token")
        if exp - (iat if iat is not None else now) > self._max_lifetime:
            raise invalid_token("Token lifetime too long")
        return float(exp)


def _is_time(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def granted_permissions(claims: dict[str, Any]) -> set[str]:
    """Auth0 RBAC puts permissions in a `permissions` array; scopes come as one space-separated string."""
    granted: set[str] = set()
    permissions = claims.get("permissions")
    if isinstance(permissions, list):
        granted.update(p for p in permissions if isinstance(p, str))
    scope = claims.get("scope")
    if isinstance(scope, str):
        granted.update(scope.split())
    return granted


def check_permissions(claims: dict[str, Any], required: frozenset[str]) -> None:
    """403 insufficient_scope (RFC 6750 §3.1) when the token lacks a required permission."""
    missing = required - granted_permissions(claims)
    if missing:
        scope = " ".join(sorted(required))
        raise Forbidden("The token lacks the permissions this route requires",
                        details=[{"missing": sorted(missing)}],
                        headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{scope}"'})


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
    return (
        (path == "/api" or path.startswith("/api/"))
        and path not in PUBLIC_API_PATHS
        and not path.startswith(PUBLIC_API_PREFIXES)
    )


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if requires_token(request):
        token = bearer_token(request)
        if is_access_token(token):
            claims = await verify_access_token(request, token)
        else:
            claims = await request.app[VERIFIER].verify_claims(token)
        request[USER_ID_KEY] = claims["sub"]
        request[CLAIMS_KEY] = claims
    return await handler(request)


async def verify_access_token(request: web.Request, token: str) -> dict[str, Any]:
    """A personal access token (access_tokens.py): the owner's claims, its scope enforced here."""
    store = request.app.get(ACCESS_TOKEN_STORE)
    if store is None:
        raise invalid_token("Personal access tokens are not enabled")
    claims = await store.verify_claims(token)
    check_scope(request.method, claims)
    return claims


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
                keys, issuer=settings.jwt_issuer, audience=settings.jwt_audience, leeway=settings.jwt_leeway,
                max_lifetime=settings.jwt_max_lifetime, cache_size=settings.verified_token_cache_size,
            )
            yield
            await keys.close()

    app.cleanup_ctx.append(jwks_context)
    app.middlewares.append(auth_middleware)
    add_readiness_check(app, "jwks", lambda: app[VERIFIER].keys.ensure_loaded())
