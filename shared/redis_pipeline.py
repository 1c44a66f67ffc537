"""One Redis connection per process for the commands on every request's path, pipelined: the
commands issued in one turn of the event loop leave in one write, and their replies come back in
order on the same connection.

Why not redis-py for these: its asyncio client takes a pooled connection, polls the socket for
stale data, dispatches events and counts metrics around each command (60-70 µs of CPU on the
bench machine), and sends each command in its own write. Here a command alone costs about half
that, and 5 µs when 64 share a turn (bench/redis_client.py measures both side by side).
hiredis (the Redis project's C parser) packs the commands and parses the replies; what is written
here is the connection: a queue of waiting callers, one timer, reconnecting.

It speaks the subset of redis-py's client API that those paths use (`register_script`, `mget`,
`get`, `set`, `delete`, `ping`, `aclose`) and raises its own exceptions, all a `RedisFailure` (an
outage a `RedisUnavailable`). It does not import redis-py: a feature service talks to Redis only
through this connection, and redis-py's package costs 6 MB resident to import. The edge's other
commands stay on redis-py (`shared.redis_client`).
"""

from __future__ import annotations

import asyncio
import hashlib
import ssl
from collections import deque
from dataclasses import dataclass
from typing import Any, Sequence
from urllib.parse import parse_qs, unquote, urlsplit

import hiredis


class RedisFailure(Exception):
    """Whatever a command through the pipeline fails with."""


class RedisUnavailable(RedisFailure):
    """Redis is unreachable, the connection was lost, or a reply is overdue: an outage."""


class RedisTimeout(RedisUnavailable):
    pass


class RedisReplyError(RedisFailure):
    """Redis answered with an error reply (a wrong type, a failing script)."""


class NoScriptError(RedisReplyError):
    pass


@dataclass(frozen=True)
class RedisAddress:
    """Where a Redis URL points, read as redis-py reads it: `redis://` (TCP), `rediss://` (TLS) or
    `unix://`; user and password in the authority; the database as the path (`/2`) or `?db=2`."""

    host: str = "localhost"
    port: int = 6379
    path: str | None = None  # a Unix socket
    tls: bool = False
    username: str | None = None
    password: str | None = None
    db: int = 0

    @classmethod
    def parse(cls, url: str) -> RedisAddress:
        parts = urlsplit(url)
        if parts.scheme not in ("redis", "rediss", "unix"):
            raise ValueError("A Redis URL starts with redis://, rediss:// or unix://")
        query_db = parse_qs(parts.query).get("db", [""])[0]
        path_db = parts.path.lstrip("/") if parts.scheme != "unix" else ""
        credentials = {"username": unquote(parts.username) if parts.username else None,
                       "password": unquote(parts.password) if parts.password is not None else None}
        db = int(query_db or path_db or 0)
        if parts.scheme == "unix":
            return cls(path=unquote(parts.path), db=db, **credentials)
        return cls(host=unquote(parts.hostname) if parts.hostname else "localhost", port=parts.port or 6379,
                   tls=parts.scheme == "rediss", db=db, **credentials)


class _RespProtocol(asyncio.Protocol):
    """The connection: commands queued in a turn are written together at its end; each reply
    settles the oldest waiting caller. A reply overdue by `timeout` ends the connection, failing
    every caller still waiting (their replies could no longer be matched to them)."""

    def __init__(self, timeout: float) -> None:
        self._timeout = timeout
        self._reader = hiredis.Reader(replyError=RedisReplyError)
        self._waiting: deque[tuple[asyncio.Future, float]] = deque()  # (caller, deadline), in send order
        self._unsent: list[bytes] = []
        self._transport: asyncio.Transport | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._loop = asyncio.get_running_loop()
        self.lost: Exception | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]

    def send(self, packed: bytes) -> asyncio.Future:
        if self.lost is not None:
            raise self.lost
        future = self._loop.create_future()
        if not self._unsent:
            self._loop.call_soon(self._flush)
        self._unsent.append(packed)
        self._waiting.append((future, self._loop.time() + self._timeout))
        if self._timer is None:
            self._timer = self._loop.call_at(self._waiting[0][1], self._check_overdue)
        return future

    def _flush(self) -> None:
        unsent, self._unsent = self._unsent, []
        if self.lost is None and unsent:
            self._transport.write(b"".join(unsent))

    def data_received(self, data: bytes) -> None:
        self._reader.feed(data)
        while True:
            try:
                reply = self._reader.gets()
            except hiredis.ProtocolError as exc:
                self._end(RedisUnavailable(f"Redis sent what is not RESP: {exc}"))
                return
            if reply is False:
                return
            if not self._waiting:  # a reply nobody asked for: the stream is out of step
                self._end(RedisUnavailable("Redis sent a reply nobody waited for"))
                return
            future, _ = self._waiting.popleft()
            if future.done():
                continue  # its caller gave up (cancelled); the reply still had to be read
            if isinstance(reply, RedisReplyError):
                future.set_exception(_specific(reply))
            else:
                future.set_result(reply)

    def _check_overdue(self) -> None:
        self._timer = None
        if not self._waiting:
            return
        deadline = self._waiting[0][1]
        if self._loop.time() >= deadline:
            self._end(RedisTimeout("Timeout reading from Redis"))
        else:
            self._timer = self._loop.call_at(deadline, self._check_overdue)

    def connection_lost(self, exc: Exception | None) -> None:
        self._end(RedisUnavailable(f"Connection to Redis lost: {exc or 'closed by the server'}"))

    def _end(self, error: Exception) -> None:
        if self.lost is None:
            self.lost = error
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        waiting, self._waiting = self._waiting, deque()
        for future, _ in waiting:
            if not future.done():
                future.set_exception(error)
        if self._transport is not None:
            self._transport.abort()

    def close(self) -> None:
        self._end(RedisUnavailable("Connection to Redis closed"))


def _specific(error: RedisReplyError) -> RedisReplyError:
    message = str(error)
    return NoScriptError(message) if message.startswith("NOSCRIPT") else error


class PipelinedRedis:
    """A lazily opened, pipelined Redis connection; a lost one is opened again by the next command."""

    def __init__(self, url: str, *, timeout: float, connect_timeout: float | None = None) -> None:
        where = RedisAddress.parse(url)
        self._timeout = timeout
        self._connect_timeout = connect_timeout or timeout
        self._path = where.path
        self._address = (where.host, where.port)
        self._ssl = ssl.create_default_context() if where.tls else None
        self._setup: list[tuple[Any, ...]] = []
        if where.password is not None:
            self._setup.append(("AUTH", where.username, where.password) if where.username else ("AUTH", where.password))
        if where.db:
            self._setup.append(("SELECT", where.db))
        self._protocol: _RespProtocol | None = None
        self._connecting: asyncio.Task[_RespProtocol] | None = None

    async def execute_command(self, *args: Any) -> Any:
        protocol = self._protocol
        if protocol is None or protocol.lost is not None:
            protocol = await self._connected()
        return await protocol.send(hiredis.pack_command(args))

    async def _connected(self) -> _RespProtocol:
        # Callers arriving while a connect is under way wait for that one; shielded so that one
        # caller's cancellation does not abort the connect the others wait for.
        if self._connecting is None:
            self._connecting = asyncio.ensure_future(self._connect())
            self._connecting.add_done_callback(self._connect_done)
        return await asyncio.shield(self._connecting)

    def _connect_done(self, task: asyncio.Task) -> None:
        self._connecting = None
        if not task.cancelled() and task.exception() is None:
            self._protocol = task.result()

    async def _connect(self) -> _RespProtocol:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self._connect_timeout):
                if self._path is not None:
                    _, protocol = await loop.create_unix_connection(lambda: _RespProtocol(self._timeout), self._path)
                else:
                    _, protocol = await loop.create_connection(
                        lambda: _RespProtocol(self._timeout), *self._address, ssl=self._ssl)
        except (OSError, asyncio.TimeoutError) as exc:
            raise RedisUnavailable(f"Could not connect to Redis at {self._path or self._address}: {exc}") from exc
        try:
            for command in self._setup:
                await protocol.send(hiredis.pack_command(command))
        except BaseException:
            protocol.close()
            raise
        return protocol

    async def aclose(self) -> None:
        if self._connecting is not None:
            self._connecting.cancel()
        if self._protocol is not None:
            self._protocol.close()
            self._protocol = None

    # The subset of redis-py's commands the request paths use, with its reply types.

    async def ping(self) -> bool:
        return await self.execute_command("PING") == b"PONG"

    async def get(self, name: str) -> bytes | None:
        return await self.execute_command("GET", name)

    async def mget(self, *names: str) -> list[bytes | None]:
        return await self.execute_command("MGET", *names)

    async def set(self, name: str, value: Any, ex: int | None = None) -> bool:
        args = ("SET", name, value) if ex is None else ("SET", name, value, "EX", ex)
        return await self.execute_command(*args) == b"OK"

    async def delete(self, *names: str) -> int:
        return await self.execute_command("DEL", *names)

    def register_script(self, source: str) -> Script:
        return Script(self, source)


class Script:
    """A Lua script run by its SHA1 (EVALSHA); a server that does not know it yet (a restart, a
    flush) is sent the source once (EVAL), which also loads it."""

    def __init__(self, client: PipelinedRedis, source: str) -> None:
        self._client = client
        self._source = source
        self._sha = hashlib.sha1(source.encode()).hexdigest()

    async def __call__(self, keys: Sequence[Any] = (), args: Sequence[Any] = ()) -> Any:
        try:
            return await self._client.execute_command("EVALSHA", self._sha, len(keys), *keys, *args)
        except NoScriptError:
            return await self._client.execute_command("EVAL", self._source, len(keys), *keys, *args)
