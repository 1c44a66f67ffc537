"""The verified identity the edge hands to services.

The edge checks the user's JWT, strips every identity header the client sent and adds
`X-MotoVault-Identity`: a short-lived HS256 JWT signed with a secret only the edge and the
services hold. A service trusts nothing else, so a service port reached directly, or a client
that sends its own `X-User-Id`, gets 401.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

from .http.errors import Unauthorized

ASSERTION_HEADER = "X-MotoVault-Identity"
# Headers a client might use to claim an identity; the edge removes all of them.
CLIENT_IDENTITY_HEADERS = ("X-MotoVault-Identity", "X-User-Id", "X-User", "X-Auth-User", "X-Forwarded-User")
ISSUER = "motovault-edge"
AUDIENCE = "motovault-services"
ALGORITHM = "HS256"


@dataclass(frozen=True, slots=True)
class Identity:
    user_id: str
    expires_at: int


class IdentitySigner:
    def __init__(self, secret: str, ttl_seconds: int = 60) -> None:
        self._key = OctKey.import_key(secret)
        self._ttl = ttl_seconds

    def sign(self, user_id: str) -> str:
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": user_id, "iat": now, "exp": now + self._ttl}
        return jwt.encode({"alg": ALGORITHM}, claims, self._key, algorithms=[ALGORITHM])


class IdentityVerifier:
    def __init__(self, secret: str, leeway_seconds: int = 5) -> None:
        self._key = OctKey.import_key(secret)
        self._leeway = leeway_seconds
        self._claims = jwt.JWTClaimsRegistry(
            leeway=leeway_seconds,
            iss={"essential": True, "value": ISSUER},
            aud={"essential": True, "value": AUDIENCE},
            sub={"essential": True},
            exp={"essential": True},
        )
        # The edge reuses an assertion for many requests of one user; skip re-verifying it.
        self._verify_cached = lru_cache(maxsize=4096)(self._verify_signature)

    def verify(self, assertion: str | None) -> Identity:
        if not assertion:
            raise Unauthorized("Missing identity assertion: requests must come through the edge")
        identity = self._verify_cached(assertion)
        if identity.expires_at + self._leeway < time.time():
            raise Unauthorized("Identity assertion expired")
        return identity

    def _verify_signature(self, assertion: str) -> Identity:
        try:
            token = jwt.decode(assertion, self._key, algorithms=[ALGORITHM])
            self._claims.validate(token.claims)
        except (JoseError, ValueError) as exc:
            raise Unauthorized("Invalid identity assertion") from exc
        return Identity(user_id=token.claims["sub"], expires_at=int(token.claims["exp"]))
