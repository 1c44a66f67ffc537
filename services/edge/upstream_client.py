"""A lean HTTP/1.1 client for forwarding: keep-alive pools per upstream, one write per request.

The edge's default (EDGE_UPSTREAM_CLIENT=aiohttp falls back to aiohttp's session). Most of what
aiohttp's ClientSession spends on a forward is its own bookkeeping (request and response objects, URL and header merging, tracing, cookie and
timer plumbing), none of which a proxy needs: it already has the method, the target and the
headers. Measured by bench/forward_cost.py, this client sends a forward for about half the
session's CPU; the session is a fifth of the edge's whole cost per forward. It keeps only what
a forward uses and reuses aiohttp's own connection protocol (`ResponseHandler`: the C response
parser, flow control, read timeouts, payload errors), so answers and failures look to the rest of
the edge exactly as with the session: `status`, `reason`, `headers`, `read()`,
`content.iter_any()`, `release()`, `close()`, and aiohttp's exceptions.

`ResponseHandler` and `_serialize_headers` are aiohttp internals; aiohttp is pinned and
services/edge/tests/test_upstream_client.py covers what this module relies on.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections import deque
from typing import AsyncIterable

import aiohttp
from aiohttp.client_proto import ResponseHandler
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.http_writer import _serialize_headers
from aiohttp.streams import StreamReader
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

# Like aiohttp's session: a body-carrying method without a body says so with Content-Length: 0.
BODYLESS_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Idle connections older than this are closed rather than reused: an upstream closes its own idle
# ones after a while (aiohttp's server: 75 s), and a request written as it does so is lost.
IDLE_SECONDS = 15.0
READ_CHUNK_BYTES = 2 ** 16


class UpstreamProtocolError(aiohttp.ClientConnectionError):
    """The upstream's answer was no valid HTTP/1.1 response."""


class _Connection(ResponseHandler):
    """One keep-alive connection: aiohttp's protocol plus what the pool needs to know."""

    def __init__(self, loop: asyncio.AbstractEventLoop, read_timeout: float) -> None:
        super().__init__(loop)
        self.idle_since = 0.0
        self.head_mode = False
        self.set_response_params(read_timeout=read_timeout, auto_decompress=False, read_bufsize=READ_CHUNK_BYTES)

    def expect(self, head: bool, read_timeout: float) -> None:
        # An answer to HEAD has no body whatever its Content-Length says: the parser must know.
        if head != self.head_mode:
            self.head_mode = head
            self.set_response_params(read_timeout=read_timeout, auto_decompress=False, skip_payload=head,
                                     read_bufsize=READ_CHUNK_BYTES)

    def reusable(self, now: float) -> bool:
        return self.is_connected() and not self.should_close and now - self.idle_since < IDLE_SECONDS


class _Origin:
    """Where one base URL points, parsed once: address, Host header, path prefix, idle connections."""

    def __init__(self, base_url: str) -> None:
        url = URL(base_url)
        self.host = url.raw_host or ""
        self.port = url.port or (443 if url.scheme == "https" else 80)
        self.tls = url.scheme == "https"
        self.host_header = url.raw_authority
        self.path_prefix = url.raw_path.rstrip("/")
        self.idle: deque[_Connection] = deque()


class LeanResponse:
    """The answer's status and headers; the body is read from `content` (aiohttp's StreamReader)."""

    __slots__ = ("status", "reason", "headers", "content", "_client", "_origin", "_connection")

    def __init__(self, client: LeanClient, origin: _Origin, connection: _Connection,
                 status: int, reason: str, headers: CIMultiDictProxy[str], content: StreamReader) -> None:
        self.status = status
        self.reason = reason
        self.headers = headers
        self.content = content
        self._client = client
        self._origin = origin
        self._connection: _Connection | None = connection

    async def read(self) -> bytes:
        return await self.content.read()

    def release(self) -> None:
        """Done with the answer: the connection goes back to its pool if the body was read to its end."""
        connection, self._connection = self._connection, None
        if connection is not None:
            self._client._give_back(self._origin, connection, self.content.is_eof())

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            self._client._give_back(self._origin, connection, reusable=False)


class LeanClient:
    def __init__(self, *, connect_timeout: float, read_timeout: float, max_connections: int) -> None:
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._max_idle = max_connections
        self._slots = asyncio.Semaphore(max_connections)  # connections in use at once, as the session's limit
        self._origins: dict[str, _Origin] = {}
        self._tls: ssl.SSLContext | None = None
        self._closed = False

    async def request(self, method: str, base_url: str, target: str, headers: CIMultiDict[str],
                      body: object) -> LeanResponse:
        """Send one request and wait for the answer's headers (the caller bounds that wait).

        `body` is None, bytes, an aiohttp StreamReader (sent as the Content-Length in `headers`
        says) or an async iterable of bytes (sent chunked when `headers` has no Content-Length).
        """
        origin = self._origins.get(base_url)
        if origin is None:
            origin = self._origins[base_url] = _Origin(base_url)
        await self._slots.acquire()
        connection: _Connection | None = None
        try:
            connection = await self._connection(origin)
            connection.expect(method == "HEAD", self._read_timeout)
            await self._send(connection, method, origin, target, headers, body)
            try:
                message, payload = await connection.read()
            except HttpProcessingError as exc:
                raise UpstreamProtocolError(f"Invalid response: {exc.message}") from None
        except BaseException:
            if connection is not None:
                connection.close()
            self._slots.release()
            raise
        return LeanResponse(self, origin, connection, message.code, message.reason, message.headers, payload)

    async def close(self) -> None:
        self._closed = True
        for origin in self._origins.values():
            while origin.idle:
                origin.idle.pop().close()

    async def _connection(self, origin: _Origin) -> _Connection:
        loop = asyncio.get_running_loop()
        now = loop.time()
        while origin.idle:
            connection = origin.idle.pop()  # the most recent: the least likely to be closing
            if connection.reusable(now):
                return connection
            connection.close()  # broken, closed by the upstream, or idle too long: never reused
        try:
            async with asyncio.timeout(self._connect_timeout):
                _, connection = await loop.create_connection(
                    lambda: _Connection(loop, self._read_timeout), origin.host, origin.port,
                    ssl=self._tls_context() if origin.tls else None,
                )
        except TimeoutError:
            raise aiohttp.ConnectionTimeoutError(f"Connection timeout to {origin.host_header}") from None
        except OSError as exc:
            raise aiohttp.ClientOSError(exc.errno, f"Cannot connect to {origin.host_header}: {exc.strerror}") from None
        # As aiohttp's connector: a streamed body's small writes must not wait for the previous ACK.
        sock = connection.transport.get_extra_info("socket") if connection.transport is not None else None
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection

    async def _send(self, connection: _Connection, method: str, origin: _Origin, target: str,
                    headers: CIMultiDict[str], body: object) -> None:
        # Completed in place, not copied: the headers were built for this forward alone (a retry
        # on another instance sets these again).
        headers["Host"] = origin.host_header
        chunked = False
        if isinstance(body, bytes):
            headers["Content-Length"] = str(len(body))
        elif body is None:
            if method not in BODYLESS_METHODS and "Content-Length" not in headers:
                headers["Content-Length"] = "0"
        elif "Content-Length" not in headers:
            chunked = True
            headers["Transfer-Encoding"] = "chunked"
        # Validates the request line and every header against CR/LF injection, as the session does.
        head = _serialize_headers(f"{method} {origin.path_prefix}{target} HTTP/1.1", headers)
        transport = connection.transport
        if transport is None:
            raise aiohttp.ServerDisconnectedError()
        if isinstance(body, bytes):
            transport.write(head + body)  # one write, one segment for a small request
        else:
            transport.write(head)
            if body is not None:
                await self._stream_body(connection, body, chunked)
        connection.start_timeout()

    @staticmethod
    async def _stream_body(connection: _Connection, body: object, chunked: bool) -> None:
        """Stops at a lost connection without raising: the upstream may have answered before it
        closed (a 413, say), and reading the answer then tells either that or why it failed."""
        chunks = body.iter_any() if isinstance(body, StreamReader) else body
        assert isinstance(chunks, AsyncIterable)
        try:
            async for chunk in chunks:
                if connection.transport is None:
                    return
                if chunk:
                    connection.transport.write(b"%x\r\n%b\r\n" % (len(chunk), chunk) if chunked else chunk)
                    await connection._drain_helper()  # backpressure: the upstream reads at its own pace
            if chunked and connection.transport is not None:
                connection.transport.write(b"0\r\n\r\n")
        except ConnectionError:
            return

    def _give_back(self, origin: _Origin, connection: _Connection, reusable: bool) -> None:
        self._slots.release()
        if reusable and not self._closed and not connection.should_close and len(origin.idle) < self._max_idle:
            connection.idle_since = asyncio.get_running_loop().time()
            origin.idle.append(connection)
        else:
            connection.close()

    def _tls_context(self) -> ssl.SSLContext:
        if self._tls is None:
            self._tls = ssl.create_default_context()
        return self._tls
