"""The edge's response cache: a user's repeated GETs answered from Redis, without a second hop.

The contract with the services is in shared/edge_cache.py: a service marks an answer cacheable
and replaces the user's version token after every change, so an entry is never stale for longer
than the token write takes. The lookup rides in the rate-limit script (ratelimit.lua): a hit costs
the one Redis round trip every request pays anyway.

Per entry: the owning service (route name), the user, the traffic-shifting version the user is
sticky to, path and query (so a page, `?limit=…&cursor=…`, never meets the whole list's entry).
Not cached: anonymous requests, anything but GET, answers other than 200 JSON, answers with a
Link header (pages of a list), answers larger than `response_cache_max_bytes`, and requests sent
with `Cache-Control: no-cache` (which still refresh the entry).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import aiohttp
from aiohttp import web
from multidict import CIMultiDict
from prometheus_client import CollectorRegistry, Counter

from shared.edge_cache import EDGE_CACHE_HEADER, cacheable_seconds, entry_key_parts, version_key
from shared.http.middleware import REQUEST_ID_HEADER, REQUEST_ID_KEY
from shared.redis_pipeline import RedisFailure

from .ratelimit import CacheLookup, CacheProbe

log = logging.getLogger("motovault.edge.response_cache")

CACHE_STATUS_HEADER = "X-Edge-Cache"  # hit | miss: tells clients and benchmarks what answered
_SEPARATOR = b"\n"


@dataclass(frozen=True)
class CachedRead:
    """A user's GET looked up in the cache: the entry found, and where a miss is to be kept."""

    probe: CacheProbe
    lookup: CacheLookup


def encode_entry(content_type: str, body: bytes) -> bytes:
    return content_type.encode() + _SEPARATOR + body


def decode_entry(entry: bytes) -> tuple[str, bytes]:
    content_type, _, body = entry.partition(_SEPARATOR)
    return content_type.decode(), body


class ResponseCache:
    def __init__(self, client, prefix: str, max_bytes: int, registry: CollectorRegistry) -> None:
        self._redis = client
        self._prefix = prefix
        self._max_bytes = max_bytes
        self._lookups = Counter("edge_response_cache_total", "Cacheable GETs by outcome (hit, miss, bypass)",
                                ["route", "outcome"], registry=registry)

    def probe(self, request: web.Request, scope: str, user_id: str, variant: str) -> CacheProbe:
        head, tail = entry_key_parts(self._prefix, scope, user_id, variant, str(request.rel_url))
        return CacheProbe(version_key(self._prefix, scope, user_id), head, tail)

    @staticmethod
    def wants_fresh(request: web.Request) -> bool:
        directives = request.headers.get("Cache-Control", "").lower()
        return "no-cache" in directives or "no-store" in directives

    def answer(self, request: web.Request, route: str, read: CachedRead) -> web.Response | None:
        """The cached answer, unless there is none or the client asked for a fresh one."""
        fresh = self.wants_fresh(request)
        if read.lookup.entry is None or fresh:
            self._lookups.labels(route, "bypass" if fresh else "miss").inc()
            return None
        self._lookups.labels(route, "hit").inc()
        content_type, body = decode_entry(read.lookup.entry)
        return web.Response(body=body, headers={"Content-Type": content_type, CACHE_STATUS_HEADER: "hit",
                                                REQUEST_ID_HEADER: request[REQUEST_ID_KEY]})

    def storable(self, upstream: aiohttp.ClientResponse, body: bytes) -> int:
        """Seconds the answer (read whole) may be kept; 0: keep nothing."""
        seconds = cacheable_seconds(upstream.headers.get(EDGE_CACHE_HEADER))
        if not seconds or upstream.status != 200 or "Content-Encoding" in upstream.headers:
            return 0
        if "Link" in upstream.headers:
            # A page of a list: an entry keeps only the body, and a page served without its
            # Link would end the client's walk (services mark no page cacheable anyway).
            return 0
        if not upstream.headers.get("Content-Type", "").startswith("application/json"):
            return 0
        return seconds if len(body) <= self._max_bytes else 0

    async def store(self, read: CachedRead, headers: CIMultiDict[str], body: bytes, seconds: int) -> None:
        # Under the token read before forwarding: an answer racing a change is never served.
        key = read.probe.entry_head + read.lookup.token + read.probe.entry_tail
        try:
            await self._redis.set(key, encode_entry(headers.get("Content-Type", ""), body), ex=seconds)
        except RedisFailure as exc:
            log.warning("Could not cache an answer (%s: %s)", type(exc).__name__, exc)
