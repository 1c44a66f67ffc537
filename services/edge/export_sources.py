"""The services' parts of the account export: their NDJSON streams, opened before the first byte.

Each feature service answers `GET /api/<prefix>/export` for the signed-in user with NDJSON read
from one snapshot (shared/export_stream.py). The edge opens every stream before it answers, so a
service that cannot be reached is a 503 with nothing sent; it then reads them one after the other.
A stream waiting its turn is not read, so it has no read timeout (the service waits on TCP
back-pressure); a stream being read must give a line within the upstream timeout.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import aiohttp
from multidict import CIMultiDict
from yarl import URL

from shared.http.errors import ServiceUnavailable
from shared.http.json import loads

from .routing import Pool

log = logging.getLogger("motovault.edge.export")

# A line is one record; its fields are bounded by the services' inputs, far below this.
MAX_LINE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Source:
    """One service's part: the route whose pool serves it and the path of its export."""

    route: str
    path: str
    units: dict[str, str] | None = None  # the archive's unit system -> this service's, if it takes one


class TruncatedPart(Exception):
    """A service's stream ended or broke before its end line: the archive must not look whole."""


class PartStream:
    """The lines of one service's export, one at a time, with a one-line look-ahead."""

    def __init__(self, source: Source, response: aiohttp.ClientResponse, read_timeout: float) -> None:
        self.source = source
        self._response = response
        self._read_timeout = read_timeout
        self._peeked: dict[str, Any] | None = None

    async def peek(self) -> dict[str, Any]:
        if self._peeked is None:
            self._peeked = await self._read()
        return self._peeked

    async def next(self) -> dict[str, Any]:
        line = await self.peek()
        self._peeked = None
        return line

    async def _read(self) -> dict[str, Any]:
        try:
            async with asyncio.timeout(self._read_timeout):
                raw = await self._response.content.readuntil(b"\n")
        except (aiohttp.ClientError, asyncio.IncompleteReadError, ValueError, TimeoutError) as exc:
            raise TruncatedPart(f"the {self.source.route} export broke off: {type(exc).__name__}") from exc
        if not raw.endswith(b"\n"):
            raise TruncatedPart(f"the {self.source.route} export ended without its end line")
        line = loads(raw)
        if not isinstance(line, dict) or "kind" not in line:
            raise TruncatedPart(f"the {self.source.route} export sent a line without a kind")
        return line

    def close(self) -> None:
        self._response.close()


async def open_part(session: aiohttp.ClientSession, pool: Pool, source: Source, headers: CIMultiDict[str],
                    query: dict[str, str], *, attempts: int, connect_timeout: float,
                    read_timeout: float) -> PartStream:
    """The service's export stream from the first instance that answers 200; 503 otherwise."""
    instance = None
    for _ in range(attempts):
        instance = pool.pick(avoid=instance)
        url = URL(instance.url + source.path).with_query(query)
        try:
            async with asyncio.timeout(read_timeout):  # bounds the wait for the answer's headers
                response = await session.get(
                    url, headers=headers, allow_redirects=False, read_bufsize=MAX_LINE_BYTES,
                    timeout=aiohttp.ClientTimeout(total=None, sock_connect=connect_timeout, sock_read=None),
                )
        except (aiohttp.ClientError, TimeoutError) as exc:
            pool.failed(instance)
            log.warning("Export: %s (%s) unreachable: %s", pool.name, instance.url, type(exc).__name__)
            continue
        if response.status == 200:
            pool.succeeded(instance)
            return PartStream(source, response, read_timeout)
        body = await response.text()
        response.release()
        if response.status < 500:
            # The service refused what the edge asked (a bug, not an outage): say so, do not retry.
            log.error("Export: %s answered %s: %s", pool.name, response.status, body[:500])
            raise ServiceUnavailable(f"The {source.route} service could not export your data")
        pool.failed(instance)
        log.warning("Export: %s (%s) answered %s", pool.name, instance.url, response.status)
    raise ServiceUnavailable(f"The {source.route} service is unavailable; try the export again later",
                             headers={"Retry-After": "30"})

