"""The issuer's signing keys, fetched from its JWKS URL and cached.

Rules (DESIGN.md, Identity; reference A.1/A.3): keys are cached for `max_age` (~10 min); a token
naming an unknown `kid` triggers a refetch, but at most one per `cooldown`, and concurrent
requests share the fetch in flight (single-flight), so a burst of made-up kids costs the issuer
one request. A failed fetch keeps the last good set: an issuer outage must not log everyone out.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Callable

import aiohttp
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

log = logging.getLogger("motovault.edge.jwks")

ALGORITHM = "RS256"
MIN_KEY_BITS = 2048


class JwksCache:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        *,
        max_age: float = 600.0,
        cooldown: float = 10.0,
        timeout: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._session = session
        self._url = url
        self._max_age = max_age
        self._cooldown = cooldown
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._clock = clock
        self._keys: dict[str, RSAKey] = {}
        self._fetched_at: float | None = None  # last successful fetch
        # When the last fetch started, then when it ended (successful or not): the cooldown runs
        # from the end, so a slow issuer is not asked again the moment it answers.
        self._attempted_at: float | None = None
        self._inflight: asyncio.Task[None] | None = None

    async def key(self, kid: str) -> RSAKey | None:
        """The verification key for `kid`, or None if the issuer does not publish it."""
        key = self._keys.get(kid)
        if key is not None:
            if self._is_stale() and self._may_fetch():
                # Serve the key we have and refresh behind it: no request waits on the issuer.
                self._start_fetch()
            return key
        if self._inflight is None:
            if not self._may_fetch():
                return None
            self._start_fetch()
        await self._join()
        return self._keys.get(kid)

    def cached(self, kid: str) -> RSAKey | None:
        """The key for `kid` if it is in the current set, without waiting (a stale set is
        refreshed behind the caller). Lets cached verifications notice a revoked key."""
        key = self._keys.get(kid)
        if key is not None and self._is_stale() and self._inflight is None and self._may_fetch():
            self._start_fetch()
        return key

    async def ensure_loaded(self) -> None:
        """Readiness: raise unless a key set is at hand (fetching one if allowed)."""
        if not self._keys and (self._inflight is not None or self._may_fetch()):
            if self._inflight is None:
                self._start_fetch()
            await self._join()
        if not self._keys:
            raise RuntimeError("no signing keys loaded from the JWKS URL")

    async def close(self) -> None:
        if self._inflight is not None:
            self._inflight.cancel()
            await asyncio.gather(self._inflight, return_exceptions=True)

    def _is_stale(self) -> bool:
        return self._fetched_at is None or self._clock() - self._fetched_at >= self._max_age

    def _may_fetch(self) -> bool:
        return self._attempted_at is None or self._clock() - self._attempted_at >= self._cooldown

    def _start_fetch(self) -> None:
        self._attempted_at = self._clock()
        self._inflight = asyncio.create_task(self._fetch())

    async def _join(self) -> None:
        # Shielded: a client that disconnects must not cancel the fetch other requests wait on.
        assert self._inflight is not None
        await asyncio.shield(self._inflight)

    async def _fetch(self) -> None:
        try:
            async with self._session.get(self._url, timeout=self._timeout) as response:
                response.raise_for_status()
                document = await response.json(content_type=None)
            keys = parse_jwks(document)
        except Exception as exc:  # any failure of the issuer or its document: keep what we have
            level = logging.ERROR if not self._keys else logging.WARNING
            log.log(level, "JWKS fetch from %s failed (%s: %s); keeping %d cached keys",
                    self._url, type(exc).__name__, exc, len(self._keys))
            return
        finally:
            self._inflight = None
            self._attempted_at = self._clock()
        # Replace, not merge: a key the issuer revoked stops verifying after the next fetch.
        self._keys = keys
        self._fetched_at = self._clock()
        log.info("Loaded %d signing keys from %s", len(keys), self._url)


def parse_jwks(document: Any) -> dict[str, RSAKey]:
    """The usable RS256 verification keys of a JWKS document, by kid; others are skipped."""
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise ValueError("JWKS document has no 'keys' array")
    keys: dict[str, RSAKey] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        kid = entry.get("kid")
        usable = (
            entry.get("kty") == "RSA"
            and entry.get("use", "sig") == "sig"
            and entry.get("alg", ALGORITHM) == ALGORITHM
            and isinstance(kid, str)
            and kid
        )
        if not usable:
            continue
        try:
            # Only the public members: private ones published by mistake are never held.
            key = RSAKey.import_key({"kty": "RSA", "n": entry["n"], "e": entry["e"], "kid": kid})
        except (JoseError, KeyError, TypeError, ValueError) as exc:
            log.warning("Skipping malformed JWKS key %r: %s", kid, exc)
            continue
        if key.public_key.key_size < MIN_KEY_BITS:
            log.warning("Skipping JWKS key %r: %d bits is too short", kid, key.public_key.key_size)
            continue
        keys[kid] = key
    if not keys:
        raise ValueError("JWKS document holds no usable RS256 key")
    return keys
