"""Personal access tokens: their format, their hash, and what a verified one may do.

A token is `mvp_` + 32 random bytes in base64url (43 characters). The prefix lets the edge tell
it from a JWT (which starts `eyJ`) without parsing, and makes a leaked token easy to spot by
secret scanners. Only SHA-256 of the whole token is stored: with 256 random bits there is
nothing to guess or look up in a table, so a slow password hash (bcrypt, argon2) would only add
cost to every request without adding safety; a stolen database yields no usable token.

A verified token becomes claims like a JWT's: `sub` is the owner (so the rate limit, the
response cache and the identity sent upstream are the owner's), plus `pat_id` and `pat_scope`.
It carries no Auth0 permissions: a route that requires some (routes.json) refuses it.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from aiohttp import web

from shared.http.errors import Forbidden, Unauthorized

PREFIX = "mvp_"
SECRET_BYTES = 32
# Longest a well-formed token can be; anything longer is refused before hashing.
MAX_LENGTH = len(PREFIX) + 64
SCOPES = ("read", "read-write")
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PAT_ID_CLAIM = "pat_id"
PAT_SCOPE_CLAIM = "pat_scope"


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(SECRET_BYTES)


def is_access_token(token: str) -> bool:
    return token.startswith(PREFIX)


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


def claims_for(user_id: str, token_id: str, scope: str) -> dict[str, Any]:
    return {"sub": user_id, PAT_ID_CLAIM: token_id, PAT_SCOPE_CLAIM: scope}


def is_access_token_claims(claims: dict[str, Any]) -> bool:
    return PAT_ID_CLAIM in claims


def rejected(message: str) -> Unauthorized:
    return Unauthorized(message, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


def check_scope(method: str, claims: dict[str, Any]) -> None:
    """A read-only token may only read: every other method, on any route, is 403 insufficient_scope."""
    if claims.get(PAT_SCOPE_CLAIM) == "read" and method.upper() not in READ_METHODS:
        raise Forbidden("This access token is read-only",
                        details=[{"missing": ["read-write"]}],
                        headers={"WWW-Authenticate": 'Bearer error="insufficient_scope", scope="read-write"'})


def refuse_access_token(request: web.Request, claims: dict[str, Any]) -> None:
    """Token management needs an interactive login: a leaked token must not mint or revoke others."""
    if is_access_token_claims(claims):
        raise Forbidden("Access tokens cannot manage access tokens; sign in to do this",
                        headers={"WWW-Authenticate": 'Bearer error="insufficient_scope"'})
