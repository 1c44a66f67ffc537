"""Redis: the client of a service, and a cache-aside helper with TTLs and explicit invalidation.

Keys are namespaced by the service's prefix, so several suites (or test runs) share one Redis.
A Redis outage degrades to a cache miss: reads go to the database, writes still succeed.
"""

from __future__ import annotations

import logging
from typing import Any, AsyncIterator, Awaitable, Callable, Protocol

import orjson
from aiohttp import web

from . import edge_cache
from .http.app import SERVICE_NAME, add_readiness_check
from .http.json import dumps
from .outage import OutageLog
from .redis_pipeline import PipelinedRedis, RedisFailure
from .transactions import after_commit

log = logging.getLogger("motovault.cache")

# Every key has a generation beside it, replaced (a random token, as the edge's version tokens) on
# each invalidation. A miss reads the generation with the value and stores what it loaded only if
# the generation is still the same: a load that raced a committed change (read before the commit,
# stored after its invalidation) would otherwise bring back the pre-change value for its TTL.
GENERATION_SUFFIX = "#gen"
# Keys that differ only after this mark (one list in each unit system) share one generation, so
# invalidating them all replaces one token instead of one per key.
GENERATION_GROUP = "|"
GENERATION_SECONDS = edge_cache.TOKEN_SECONDS  # far longer than any entry
_STORE_IF_SAME_GENERATION = """
if (redis.call('GET', KEYS[2]) or '') == ARGV[3] then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
  return 1
end
return 0
"""
# One command for user_changed(): the keys to drop, then their generations (a new token each), then
# the edge's version key of the user if there is one (a new token too). A pipeline of its DEL and
# SETs cost the client twice the CPU: each command packed and each reply parsed on its own.
_INVALIDATE = """
local dropped, generations = tonumber(ARGV[1]), tonumber(ARGV[2])
if dropped > 0 then redis.call('DEL', unpack(KEYS, 1, dropped)) end
for i = dropped + 1, dropped + generations do redis.call('SET', KEYS[i], ARGV[3], 'EX', ARGV[4]) end
if #KEYS > dropped + generations then redis.call('SET', KEYS[#KEYS], ARGV[5], 'EX', ARGV[6]) end
return 1
"""

# The commands on every request's path (cache reads and invalidations, the edge's rate limits and
# response cache) go through one pipelined connection; the edge's others through redis-py
# (shared.redis_client.REDIS).
REDIS_PIPELINE = web.AppKey("redis_pipeline", PipelinedRedis)
CACHE = web.AppKey("cache", "Cache")


class Cache:
    def __init__(self, client: PipelinedRedis, prefix: str, *, edge_prefix: str | None = None,
                 scope: str | None = None) -> None:
        self._redis = client
        self._prefix = prefix
        # Where the edge's response cache finds this service's version token per user.
        self._edge_prefix = edge_prefix
        self._scope = scope
        self._outage = OutageLog("Redis (cache)", log)
        self._store_if_same_generation = client.register_script(_STORE_IF_SAME_GENERATION)
        self._invalidate = client.register_script(_INVALIDATE)

    def key(self, *parts: str) -> str:
        return self._prefix + ":".join(parts)

    async def get_or_load(self, key: str, ttl_seconds: int, load: Callable[[], Awaitable[Any]]) -> Any:
        """The cached JSON value under `key`, or `load()`'s result, stored for `ttl_seconds`."""
        full_key = self._prefix + key
        generation_key = _generation_key(full_key)
        reachable = True
        try:
            cached, generation = await self._redis.mget(full_key, generation_key)
            self._outage.succeeded()
            if cached is not None:
                return orjson.loads(cached)
        except RedisFailure as exc:
            self._outage.failed(exc)
            reachable = False
        value = await load()
        # Store what a later hit returns: the JSON form, so hits and misses answer alike.
        encoded = dumps(value)
        if reachable:  # a write right after a failed read would only wait for the same timeout
            try:
                await self._store_if_same_generation(keys=[full_key, generation_key],
                                                     args=[encoded, ttl_seconds, generation or b""])
            except RedisFailure as exc:
                self._outage.failed(exc)
        return orjson.loads(encoded)

    def invalidate_after_commit(self, user_id: str, *keys: str) -> None:
        """Inside a use case's transaction: user_changed() once it has committed.

        Invalidating earlier would let a concurrent read cache the state that is about to change.
        """
        after_commit(lambda: self.user_changed(user_id, *keys), once_per=(id(self), user_id, keys))

    async def user_changed(self, user_id: str, *keys: str) -> None:
        """After a committed change of the user's data: drop `keys` and the edge's cached answers.

        One round trip and one command: the deletes and the new version tokens (a load in flight
        must not store what it read before the change).
        """
        dropped = [self._prefix + k for k in keys]
        generations = list(dict.fromkeys(_generation_key(k) for k in dropped))
        edge = ([edge_cache.version_key(self._edge_prefix, self._scope, user_id)]
                if self._edge_prefix is not None and self._scope is not None else [])
        if not dropped and not edge:
            return
        try:
            await self._invalidate(keys=[*dropped, *generations, *edge],
                                   args=[len(dropped), len(generations), edge_cache.new_token(), GENERATION_SECONDS,
                                         edge_cache.new_token(), edge_cache.TOKEN_SECONDS])
            self._outage.succeeded()
        except RedisFailure as exc:
            # Both caches bound a stale answer by their TTLs.
            self._outage.failed(exc)


def _generation_key(full_key: str) -> str:
    return full_key.partition(GENERATION_GROUP)[0] + GENERATION_SUFFIX


class RedisSettings(Protocol):
    redis_url: str
    redis_prefix: str


# How long a Redis command may take before it counts as an outage.
SOCKET_TIMEOUT = 2.0


def add_redis(app: web.Application, settings: RedisSettings) -> None:
    """The pipelined connection and the cache on it: all a feature service asks of Redis."""
    async def redis_context(app: web.Application) -> AsyncIterator[None]:
        pipeline = PipelinedRedis(settings.redis_url, timeout=SOCKET_TIMEOUT)
        app[REDIS_PIPELINE] = pipeline
        # Feature services say where the edge's version tokens live; the edge itself has none.
        app[CACHE] = Cache(pipeline, settings.redis_prefix, edge_prefix=getattr(settings, "edge_cache_prefix", None),
                           scope=app[SERVICE_NAME])
        yield
        await pipeline.aclose()

    app.cleanup_ctx.append(redis_context)
    add_readiness_check(app, "redis", lambda: app[REDIS_PIPELINE].ping())
