"""redis-py's asyncio client for the edge's commands off the request path: access-token lookups,
PKCE state, traffic-shifting weights. Feature services do not import it (shared.redis_pipeline
carries all they ask of Redis; redis-py's package costs 6 MB resident to import).
"""

from __future__ import annotations

import asyncio
from typing import AsyncIterator

import redis.asyncio as redis
from aiohttp import web

from .cache import SOCKET_TIMEOUT, RedisSettings

REDIS = web.AppKey("redis", redis.Redis)


# Connections one process opens to Redis at most. A command finding them all busy waits for one
# (up to the socket timeout) instead of failing: redis-py's default pool raises "Too many
# connections" at its 101st concurrent command, which under load read as a Redis outage.
MAX_CONNECTIONS = 64


class WaitingConnectionPool(redis.ConnectionPool):
    """redis-py's pool, with a command that finds every connection busy waiting for one. redis-py's
    BlockingConnectionPool does that too, but takes a condition, a timeout and a lock on every
    command (a fifth more CPU per GET, 20 % of it on the edge's cached reads); here an
    uncontended semaphore costs nothing."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._free = asyncio.Semaphore(self.max_connections)

    async def get_connection(self, *_args, **_kwargs):
        if self._free.locked():
            try:
                async with asyncio.timeout(SOCKET_TIMEOUT):
                    await self._free.acquire()
            except TimeoutError:
                raise redis.ConnectionError("No Redis connection came free") from None
        else:
            await self._free.acquire()  # returns at once
        try:
            # No await between taking a connection and marking it in use: no lock needed.
            connection = self.get_available_connection()
        except BaseException:
            self._free.release()
            raise
        try:
            await self.ensure_connection(connection)
        except BaseException:
            await self.release(connection)  # gives the permit back too
            raise
        return connection

    async def release(self, connection) -> None:
        try:
            await super().release(connection)
        finally:
            self._free.release()


def redis_client(url: str, *, max_connections: int = MAX_CONNECTIONS) -> redis.Redis:
    # RESP2 unless the URL says otherwise: its replies parse for a tenth less CPU than RESP3's
    # (redis-py 8's default), and nothing here needs RESP3's types.
    pool = WaitingConnectionPool.from_url(url, max_connections=max_connections, socket_timeout=SOCKET_TIMEOUT,
                                          socket_connect_timeout=SOCKET_TIMEOUT, protocol=2)
    return redis.Redis.from_pool(pool)  # the client owns the pool: aclose() closes both


def add_redis_client(app: web.Application, settings: RedisSettings) -> None:
    async def client_context(app: web.Application) -> AsyncIterator[None]:
        client = redis_client(settings.redis_url)
        app[REDIS] = client
        yield
        await client.aclose()

    app.cleanup_ctx.append(client_context)
