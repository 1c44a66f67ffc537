"""The verified identity the edge hands to services.

The edge checks the user's JWT, strips every identity header the client sent and adds
`X-MotoVault-Identity`: a short-lived HS256 JWT signed with a secret only the edge and the
services hold. A service trusts nothing else, so a service port reached directly, or a client
that sends its own `X-User-Id`, gets 401.

Signed and verified with the standard library's HMAC, not a JOSE library: this one algorithm with
one shared key is all the assertion uses, and joserfc loads `cryptography` (its Rust extension
and OpenSSL), 11-12 MB of resident memory in every service process that needs no other JOSE.
The edge still verifies users' RS256 tokens with joserfc. shared/tests/test_identity.py checks
both directions against joserfc, and every way an assertion can be wrong.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import time
from dataclasses import dataclass
from functools import lru_cache

import orjson

from .http.errors import Unauthorized

ASSERTION_HEADER = "X-MotoVault-Identity"
# Headers a client might use to claim an identity; the edge removes all of them.
CLIENT_IDENTITY_HEADERS = ("X-MotoVault-Identity", "X-User-Id", "X-User", "X-Auth-User", "X-Forwarded-User")
ISSUER = "motovault-edge"
AUDIENCE = "motovault-services"
ALGORITHM = "HS256"

# A compact JWS: three base64url segments without padding. Checked before decoding, because
# base64's decoder silently skips characters outside its alphabet.
COMPACT_JWS = re.compile(r"([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)")


@dataclass(frozen=True, slots=True)
class Identity:
    user_id: str
    expires_at: int


class InvalidAssertion(ValueError):
    pass


def _b64encode(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


SIGNED_HEADER = _b64encode(orjson.dumps({"alg": ALGORITHM, "typ": "JWT"}))


def _b64decode(segment: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        raise InvalidAssertion("segment is not base64url") from None


def _json_object(segment: str) -> dict:
    try:
        value = orjson.loads(_b64decode(segment))
    except orjson.JSONDecodeError:
        raise InvalidAssertion("segment is not JSON") from None
    if not isinstance(value, dict):
        raise InvalidAssertion("segment is not a JSON object")
    return value


def _is_time(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class IdentitySigner:
    def __init__(self, secret: str, ttl_seconds: int = 60) -> None:
        self._key = secret.encode()
        self._ttl = ttl_seconds

    def sign(self, user_id: str) -> str:
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": user_id, "iat": now, "exp": now + self._ttl}
        signing_input = SIGNED_HEADER + b"." + _b64encode(orjson.dumps(claims))
        signature = hmac.digest(self._key, signing_input, hashlib.sha256)
        return (signing_input + b"." + _b64encode(signature)).decode()


class IdentityVerifier:
    def __init__(self, secret: str, leeway_seconds: int = 5) -> None:
        self._key = secret.encode()
        self._leeway = leeway_seconds
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
            claims = self._signed_claims(assertion)
            return self._identity(claims)
        except InvalidAssertion as exc:
            raise Unauthorized("Invalid identity assertion") from exc

    def _signed_claims(self, assertion: str) -> dict:
        parts = COMPACT_JWS.fullmatch(assertion)
        if parts is None:
            raise InvalidAssertion("not a compact JWS")
        header_segment, claims_segment, signature_segment = parts.groups()
        header = _json_object(header_segment)
        # Only the one algorithm, whatever the token claims ("none" included); an extension it
        # marks critical is one this verifier does not understand (RFC 7515, section 4.1.11).
        if header.get("alg") != ALGORITHM or "crit" in header:
            raise InvalidAssertion("unexpected JOSE header")
        expected = hmac.digest(self._key, f"{header_segment}.{claims_segment}".encode(), hashlib.sha256)
        if not hmac.compare_digest(expected, _b64decode(signature_segment)):
            raise InvalidAssertion("bad signature")
        return _json_object(claims_segment)

    def _identity(self, claims: dict) -> Identity:
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        subject, expires_at, not_before = claims.get("sub"), claims.get("exp"), claims.get("nbf")
        if claims.get("iss") != ISSUER or AUDIENCE not in audiences:
            raise InvalidAssertion("not issued by the edge for the services")
        if not isinstance(subject, str) or not subject:
            raise InvalidAssertion("no subject")
        if not _is_time(expires_at) or (not_before is not None and not _is_time(not_before)):
            raise InvalidAssertion("no valid expiry")
        now = time.time()
        if expires_at + self._leeway < now:
            raise InvalidAssertion("expired")
        if not_before is not None and not_before - self._leeway > now:
            raise InvalidAssertion("not yet valid")
        return Identity(user_id=subject, expires_at=int(expires_at))
