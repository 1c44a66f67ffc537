"""A local token issuer for development runs (EDGE_DEV_ISSUER=true only).

It signs RS256 access tokens for any user name and serves its public key as a JWKS. The edge
does not trust it directly: it fetches that JWKS over HTTP like Auth0's, so local runs exercise
the production verification path. With EDGE_DEV_ISSUER_KEY_FILE several edge processes share
one key (and, given the same EDGE_JWT_ISSUER, accept each other's tokens).
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from pathlib import Path
from typing import AsyncIterator

from aiohttp import web
from joserfc import jwt
from joserfc.jwk import RSAKey

from .jwks import ALGORITHM
from .settings import EdgeSettings

log = logging.getLogger("motovault.edge.dev_issuer")

DEV_ISSUER = web.AppKey("dev_issuer", "DevIssuer")
JWKS_PATH = "/dev/.well-known/jwks.json"
TOKEN_LIFETIME_SECONDS = 3600
KEY_BITS = 2048


class DevIssuer:
    def __init__(self, key: RSAKey, *, issuer: str, audience: str) -> None:
        self._key = key
        self._kid = key.thumbprint()  # stable for a given key, so processes sharing it agree
        self._issuer = issuer
        self._audience = audience

    def jwks(self) -> dict:
        return {"keys": [self._key.as_dict(private=False, kid=self._kid, use="sig", alg=ALGORITHM)]}

    def mint(self, username: str) -> str:
        now = int(time.time())
        claims = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": f"dev|{username}",
            "iat": now,
            "exp": now + TOKEN_LIFETIME_SECONDS,
        }
        return jwt.encode({"alg": ALGORITHM, "kid": self._kid}, claims, self._key, algorithms=[ALGORITHM])


def load_or_create_key(path: Path | None) -> RSAKey:
    if path is None:
        return RSAKey.generate_key(KEY_BITS)
    try:
        return RSAKey.import_key(path.read_bytes())
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = RSAKey.generate_key(KEY_BITS)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(key.as_pem(private=True))
    try:
        # link() never replaces an existing file: if another edge created the key first, use it.
        os.link(temporary, path)
    except FileExistsError:
        key = RSAKey.import_key(path.read_bytes())
    finally:
        os.unlink(temporary)
    return key


async def serve_jwks(request: web.Request) -> web.Response:
    return web.json_response(request.app[DEV_ISSUER].jwks(), headers={"Cache-Control": "public, max-age=300"})


def add_dev_issuer(app: web.Application, settings: EdgeSettings) -> None:
    assert settings.jwt_issuer is not None

    async def dev_issuer_context(app: web.Application) -> AsyncIterator[None]:
        log.warning(
            "DEV ISSUER ENABLED: this edge mints tokens for any user name at POST /api/auth/login. "
            "Never enable EDGE_DEV_ISSUER outside local development."
        )
        if settings.auth0_domain:
            log.warning("EDGE_AUTH0_DOMAIN is set too: tokens are verified against Auth0, dev tokens will fail")
        key_file = Path(settings.dev_issuer_key_file) if settings.dev_issuer_key_file else None
        # Generating an RSA key takes a moment of CPU; keep the loop free meanwhile.
        key = await asyncio.to_thread(load_or_create_key, key_file)
        app[DEV_ISSUER] = DevIssuer(key, issuer=settings.jwt_issuer, audience=settings.jwt_audience)
        yield

    app.cleanup_ctx.append(dev_issuer_context)
    app.router.add_get(JWKS_PATH, serve_jwks)
