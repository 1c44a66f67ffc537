"""VIN decode through NHTSA vPIC, cached, with an offline fallback: a decode never fails.

vPIC down, slow (beyond the configured timeout) or answering something that is not a decode
result: the answer comes from the VIN itself (`source: "offline"`) and is not cached, so the
next call asks vPIC again.
"""

from __future__ import annotations

import asyncio
import logging
from typing import AsyncIterator

import aiohttp
from aiohttp import web

from shared.cache import CACHE, Cache
from shared.http.client import add_http_client

from .domain.vin import offline_decode
from .domain.vpic import UnusableResponse, map_decode_result, parse_decode_body

VPIC_HTTP = web.AppKey("vpic_http", aiohttp.ClientSession)
VIN_DECODER = web.AppKey("vin_decoder", "VinDecoder")
DECODE_TTL_SECONDS = 30 * 24 * 3600  # what a VIN decodes to does not change
log = logging.getLogger("motovault.vehicles.vpic")


def add_vin_decoder(app: web.Application, base_url: str, timeout: float) -> None:
    """Call after add_redis: the decoder caches answers in the service's Redis."""
    add_http_client(app, VPIC_HTTP, total_timeout=timeout)

    async def decoder_context(app: web.Application) -> AsyncIterator[None]:
        app[VIN_DECODER] = VinDecoder(app[VPIC_HTTP], base_url, app[CACHE])
        yield

    app.cleanup_ctx.append(decoder_context)


class VpicUnavailable(Exception):
    pass


class VinDecoder:
    def __init__(self, http: aiohttp.ClientSession, base_url: str, cache: Cache) -> None:
        self._http = http
        self._url = base_url.rstrip("/") + "/vehicles/DecodeVinValues/{vin}"
        self._cache = cache

    async def decode(self, vin: str) -> dict:
        try:
            # A VpicUnavailable raised by the loader leaves nothing in the cache.
            return await self._cache.get_or_load(f"vin:decode:{vin}", DECODE_TTL_SECONDS, lambda: self._ask_vpic(vin))
        except VpicUnavailable as exc:
            # The VIN is deliberately not logged in full (it identifies a vehicle).
            log.warning("vPIC unavailable, decoding %s*** offline: %s", vin[:8], exc)
            return offline_decode(vin)

    async def _ask_vpic(self, vin: str) -> dict:
        try:
            async with self._http.get(self._url.format(vin=vin), params={"format": "json"}) as response:
                if response.status != 200:
                    raise VpicUnavailable(f"HTTP {response.status}")
                body = await response.read()
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise VpicUnavailable(f"{type(exc).__name__}: {exc}") from None
        try:
            return map_decode_result(vin, parse_decode_body(body))
        except UnusableResponse as exc:
            raise VpicUnavailable(str(exc)) from None
