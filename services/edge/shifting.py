"""Gradual traffic shifting: per route, weights across upstream versions, sticky per user.

A user's version is a pure function of (route, user, weights): a stable hash of route and user
picks a bucket in 0..9999, and the buckets are cut in version order by the weights (percent,
two decimals). So 0 % and 100 % are exact, the same user always lands on the same version while
the weights stay, and raising a canary's share only moves users onto it (never back and forth).

Run-time changes: the weights live in Redis, hash `<prefix>shift:<route>` (field = version,
value = percent), shared by every edge instance, e.g.

    redis-cli HSET mv:edge:shift:vehicles current 90 canary 10

Each instance re-reads them at most every `shift_refresh_seconds`; without a hash (or with
Redis down) the route table file's weights apply.
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Callable

import redis.asyncio as redis
from redis.exceptions import RedisError

from .routing import Route

log = logging.getLogger("motovault.edge.shifting")

BUCKETS = 10_000


def bucket(route: str, user: str) -> int:
    digest = hashlib.blake2b(f"{route}\0{user}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % BUCKETS


def choose(weights: dict[str, float], slot: int) -> str:
    """The version owning `slot`; weights need not sum to 100 (they are normalised)."""
    total = sum(weight for weight in weights.values() if weight > 0)
    if total <= 0:
        return next(iter(weights))
    edge = 0.0
    chosen = None
    for version, weight in weights.items():
        if weight <= 0:
            continue
        chosen = version
        edge += weight * BUCKETS / total
        if slot < round(edge):
            return version
    return chosen  # type: ignore[return-value]  # rounding at the very top


class WeightStore:
    def __init__(self, client: redis.Redis | None, prefix: str, refresh_seconds: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._redis = client
        self._prefix = prefix
        self._refresh = refresh_seconds
        self._clock = clock
        self._cached: dict[str, tuple[dict[str, float], float]] = {}

    async def weights(self, route: Route) -> dict[str, float]:
        if len(route.versions) == 1 or self._redis is None:
            return route.weights
        cached = self._cached.get(route.name)
        now = self._clock()
        if cached is not None and now - cached[1] < self._refresh:
            return cached[0]
        weights = cached[0] if cached is not None else route.weights
        try:
            stored = await self._redis.hgetall(f"{self._prefix}shift:{route.name}")
            weights = self._parse(route, stored) or route.weights
        except RedisError as exc:
            log.warning("Reading traffic weights of %s failed (%s); keeping the last ones", route.name, exc)
        self._cached[route.name] = (weights, now)
        return weights

    @staticmethod
    def _parse(route: Route, stored: dict[bytes, bytes]) -> dict[str, float]:
        weights = {}
        for version in route.versions:  # the table's order, so buckets are cut the same everywhere
            raw = stored.get(version.encode())
            if raw is None:
                continue
            try:
                weights[version] = max(0.0, float(raw))
            except ValueError:
                log.warning("Ignoring weight %r of %s/%s", raw, route.name, version)
        return weights
