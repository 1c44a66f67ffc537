"""NHTSA vPIC, the VIN decoder the service asks first: one decode request, read into our fields.

Anything short of a usable decode answer (vPIC down, slower than the configured timeout, an
error status, a body that is not a decode result) raises VpicUnavailable; the decode_vin use
case then answers offline.
"""

from __future__ import annotations

import asyncio
from typing import AsyncIterator

import aiohttp
from aiohttp import web

from shared.http.client import add_http_client

from .domain.vpic import UnusableResponse, map_decode_result, parse_decode_body

VPIC_HTTP = web.AppKey("vpic_http", aiohttp.ClientSession)
VIN_DECODER = web.AppKey("vin_decoder", "VinDecoder")


def add_vin_decoder(app: web.Application, base_url: str, timeout: float) -> None:
    add_http_client(app, VPIC_HTTP, total_timeout=timeout)

    async def decoder_context(app: web.Application) -> AsyncIterator[None]:
        app[VIN_DECODER] = VinDecoder(app[VPIC_HTTP], base_url)
        yield

    app.cleanup_ctx.append(decoder_context)


class VpicUnavailable(Exception):
    pass


class VinDecoder:
    def __init__(self, http: aiohttp.ClientSession, base_url: str) -> None:
        self._http = http
        self._url = base_url.rstrip("/") + "/vehicles/DecodeVinValues/{vin}"

    async def decode(self, vin: str) -> dict:
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
