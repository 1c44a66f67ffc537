"""The lean upstream client: keep-alive reuse, connections an upstream closed, chunked and streamed
answers, timeouts, and failures as Upstream.send's retry and error mapping expect them."""

from __future__ import annotations

import asyncio
from typing import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from multidict import CIMultiDict
from prometheus_client import CollectorRegistry
from pydantic import ValidationError

from services.edge.request_body import WHOLE_BODY_BYTES
from services.edge.routing import Pool
from services.edge.upstream import Upstream, UpstreamMetrics
from services.edge.upstream_client import LeanClient, LeanResponse
from shared.http.errors import BadGateway, GatewayTimeout
from shared.testing.infra import free_port

from .conftest import base_url, edge_settings



class Recorder:
    """An upstream answering on real sockets; remembers which connection each request came on."""

    def __init__(self) -> None:
        self.connections: list[tuple[str, int]] = []
        self.transports: list[asyncio.BaseTransport] = []
        self.bodies: list[bytes] = []
        self.chunked: list[bool] = []
        self.release = asyncio.Event()

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/chunked", self._chunked)
        app.router.add_get("/large", self._large)
        app.router.add_get("/stall", self._stall)
        app.router.add_get("/stall-mid-body", self._stall_mid_body)
        app.router.add_route("*", "/{tail:.*}", self._echo)
        return app

    def _seen(self, request: web.Request) -> None:
        self.connections.append(request.transport.get_extra_info("peername"))
        self.transports.append(request.transport)

    async def _echo(self, request: web.Request) -> web.Response:
        self._seen(request)
        self.bodies.append(await request.read())
        self.chunked.append("chunked" in request.headers.get("Transfer-Encoding", ""))
        return web.json_response({"method": request.method, "target": request.raw_path, "n": len(self.connections)})

    async def _chunked(self, request: web.Request) -> web.StreamResponse:
        self._seen(request)
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        for part in (b"first,", b"second,", b"third"):
            await response.write(part)
        await response.write_eof()
        return response

    async def _large(self, request: web.Request) -> web.StreamResponse:
        self._seen(request)
        size = 4 * WHOLE_BODY_BYTES
        response = web.StreamResponse(headers={"Content-Length": str(size)})
        await response.prepare(request)
        for _ in range(size // 65536):
            await response.write(b"z" * 65536)
        return response

    async def _stall(self, request: web.Request) -> web.Response:
        self._seen(request)
        await asyncio.wait_for(self.release.wait(), 5)
        return web.json_response({})

    async def _stall_mid_body(self, request: web.Request) -> web.StreamResponse:
        self._seen(request)
        response = web.StreamResponse(headers={"Content-Length": "2000"})
        await response.prepare(request)
        await response.write(b"x" * 1000)
        await asyncio.wait_for(self.release.wait(), 5)
        return response


@pytest.fixture
async def recorder(serve) -> AsyncIterator[tuple[Recorder, str]]:
    upstream = Recorder()
    client = await serve(upstream.app())
    yield upstream, base_url(client)
    upstream.release.set()


@pytest.fixture
async def lean() -> AsyncIterator[LeanClient]:
    client = LeanClient(connect_timeout=1.0, read_timeout=5.0, max_connections=8)
    yield client
    await client.close()


async def get(client: LeanClient, url: str, target: str = "/things", method: str = "GET",
              body: object = None) -> tuple[LeanResponse, bytes]:
    response = await client.request(method, url, target, CIMultiDict({"Accept": "application/json"}), body)
    try:
        return response, await response.read()
    finally:
        response.release()


def upstream_sender(client: LeanClient, retries: int = 1) -> Upstream:
    settings = edge_settings(dev_issuer=True, upstream_timeout=0.5, upstream_retries=retries, retry_backoff_base=0)
    return Upstream(None, settings, UpstreamMetrics(CollectorRegistry()), client)  # type: ignore[arg-type]


async def until_closed_by_peer(client: LeanClient) -> None:
    """Until the client has seen the upstream close its idle connection (a FIN takes a loop turn or two)."""
    idle = [connection for origin in client._origins.values() for connection in origin.idle]
    assert idle, "no idle connection to watch"
    for _ in range(200):
        if not any(connection.is_connected() for connection in idle):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the upstream's close never reached the client")


@pytest.mark.pure
async def test_requests_reuse_one_keep_alive_connection(recorder, lean):
    upstream, url = recorder
    answers = [await get(lean, url, f"/things/{n}?q=a%20b") for n in range(3)]
    assert [response.status for response, _ in answers] == [200, 200, 200]
    assert b'"target": "/things/2?q=a%20b"' in answers[2][1]
    assert answers[0][0].headers["Content-Type"] == "application/json; charset=utf-8"
    assert len(upstream.connections) == 3 and len(set(upstream.connections)) == 1


@pytest.mark.pure
async def test_a_base_url_path_prefixes_every_target(recorder, lean):
    _, url = recorder
    _, body = await get(lean, url + "/v2", "/things?x=1")
    assert b'"target": "/v2/things?x=1"' in body


@pytest.mark.pure
async def test_a_connection_the_upstream_closed_is_never_reused(recorder, lean):
    upstream, url = recorder
    await get(lean, url)
    upstream.transports[-1].close()  # as an upstream closing an idle keep-alive connection
    await until_closed_by_peer(lean)
    response, _ = await get(lean, url)
    assert response.status == 200
    assert len(set(upstream.connections)) == 2  # the second request came on a fresh connection


@pytest.mark.pure
async def test_an_unread_answer_closes_its_connection(recorder, lean):
    upstream, url = recorder
    response = await lean.request("GET", url, "/large", CIMultiDict(), None)
    response.release()  # as Upstream.send does with a 503 it retries elsewhere
    await get(lean, url)
    assert len(set(upstream.connections)) == 2


@pytest.mark.pure
async def test_chunked_answers_are_read_whole_and_the_connection_kept(recorder, lean):
    upstream, url = recorder
    response, body = await get(lean, url, "/chunked")
    assert response.status == 200 and "Content-Length" not in response.headers
    assert body == b"first,second,third"
    await get(lean, url)
    assert len(set(upstream.connections)) == 1


@pytest.mark.pure
async def test_an_answer_larger_than_the_whole_body_limit_streams(recorder, lean):
    upstream, url = recorder
    response = await lean.request("GET", url, "/large", CIMultiDict(), None)
    chunks = [chunk async for chunk in response.content.iter_any()]
    response.release()
    assert sum(len(chunk) for chunk in chunks) == 4 * WHOLE_BODY_BYTES
    assert max(len(chunk) for chunk in chunks) < 4 * WHOLE_BODY_BYTES  # it came piece by piece
    await get(lean, url)
    assert len(set(upstream.connections)) == 1  # read to its end: the connection serves on


@pytest.mark.pure
async def test_a_head_answer_has_no_body_and_the_connection_serves_on(recorder, lean):
    upstream, url = recorder
    response, body = await get(lean, url, method="HEAD")
    assert response.status == 200 and body == b"" and int(response.headers["Content-Length"]) > 0
    _, body = await get(lean, url)
    assert b'"method": "GET"' in body
    assert len(set(upstream.connections)) == 1


@pytest.mark.pure
async def test_request_bodies_bytes_streams_and_none(recorder, lean):
    upstream, url = recorder

    async def pieces():
        for piece in (b"ab", b"cd", b"ef"):
            yield piece

    await get(lean, url, method="POST", body=b'{"a": 1}')
    await get(lean, url, method="POST", body=pieces())
    await get(lean, url, method="POST")
    assert upstream.bodies == [b'{"a": 1}', b"abcdef", b""]
    assert upstream.chunked == [False, True, False]


@pytest.mark.pure
async def test_an_answer_that_stalls_mid_body_fails_the_read(recorder):
    _, url = recorder
    client = LeanClient(connect_timeout=1.0, read_timeout=0.2, max_connections=8)
    try:
        response = await client.request("GET", url, "/stall-mid-body", CIMultiDict(), None)
        with pytest.raises(aiohttp.ClientError):  # what relay_whole and relay_streamed catch
            await response.read()
        response.release()
        assert not client._origins[url].idle  # never reused
    finally:
        await client.close()


@pytest.mark.pure
async def test_a_slow_upstream_is_a_504_and_its_connection_dropped(recorder, lean):
    upstream, url = recorder
    sender = upstream_sender(lean)
    pool = Pool("things", [url])
    request = make_mocked_request("GET", "/stall")
    with pytest.raises(GatewayTimeout):
        await sender.send(request, "things", "current", pool, CIMultiDict(), None, None)
    assert len(upstream.connections) == 1  # a timeout is not retried
    upstream.release.set()
    response = await sender.send(make_mocked_request("GET", "/after"), "things", "current", pool,
                                 CIMultiDict(), None, None)
    response.release()
    assert response.status == 200
    assert len(set(upstream.connections)) == 2


@pytest.mark.pure
async def test_a_refused_connection_is_a_retryable_failure(lean):
    sender = upstream_sender(lean, retries=1)
    pool = Pool("things", [f"http://127.0.0.1:{free_port()}"])
    with pytest.raises(BadGateway):
        await sender.send(make_mocked_request("GET", "/x"), "things", "current", pool, CIMultiDict(), None, None)
    assert pool.instances[0].failures == 2  # both attempts counted towards ejection


class ClosesSecondRequest:
    """A raw upstream that drops a keep-alive connection when a second request arrives on it,
    as one closing an idle connection just as a request is written."""

    def __init__(self) -> None:
        self.requests_seen = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        on_this_connection = 0
        try:
            while (head := await reader.readuntil(b"\r\n\r\n")):
                self.requests_seen += 1
                on_this_connection += 1
                if on_this_connection == 2:
                    break
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
                assert head
        except asyncio.IncompleteReadError:
            pass
        writer.close()


@pytest.fixture
async def racy_upstream() -> AsyncIterator[tuple[ClosesSecondRequest, str]]:
    upstream = ClosesSecondRequest()
    server = await asyncio.start_server(upstream.handle, "127.0.0.1", 0)
    yield upstream, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    server.close()


@pytest.mark.pure
async def test_a_get_lost_on_a_closing_connection_is_retried_on_a_fresh_one(racy_upstream, lean):
    upstream, url = racy_upstream
    sender = upstream_sender(lean, retries=1)
    pool = Pool("things", [url])
    for path in ("/first", "/second"):
        response = await sender.send(make_mocked_request("GET", path), "things", "current", pool,
                                     CIMultiDict(), None, None)
        assert await response.read() == b"ok"
        response.release()
    assert upstream.requests_seen == 3  # the second GET was lost once, then answered on a new connection


@pytest.mark.pure
async def test_a_post_lost_on_a_closing_connection_is_not_repeated(racy_upstream, lean):
    upstream, url = racy_upstream
    sender = upstream_sender(lean, retries=1)
    pool = Pool("things", [url])
    response = await sender.send(make_mocked_request("POST", "/first"), "things", "current", pool,
                                 CIMultiDict(), b"{}", None)
    response.release()
    with pytest.raises(BadGateway):
        await sender.send(make_mocked_request("POST", "/second"), "things", "current", pool, CIMultiDict(), b"{}", None)
    assert upstream.requests_seen == 2


@pytest.mark.parametrize("client", ["lean", "aiohttp"])
async def test_the_edge_forwards_with_either_client(edge, issuer, client):
    edge_client, upstream = await edge(upstream_client=client)
    headers = {"Authorization": f"Bearer {issuer.token()}"}
    for _ in range(2):
        response = await edge_client.post("/api/vehicles?a=1", json={"vin": "x"}, headers=headers)
        assert response.status == 201
        assert (await response.json())["bodyLength"] == len(b'{"vin": "x"}')
    assert upstream.last["headers"]["Host"] == upstream.url.removeprefix("http://")


@pytest.mark.pure
def test_the_client_setting_takes_lean_or_aiohttp_only():
    assert edge_settings(dev_issuer=True).upstream_client == "lean"
    assert edge_settings(dev_issuer=True, upstream_client="aiohttp").upstream_client == "aiohttp"
    with pytest.raises(ValidationError):
        edge_settings(dev_issuer=True, upstream_client="curl")


@pytest.mark.pure
async def test_an_upload_the_upstream_drops_stops_and_is_a_502(lean):
    async def drop_after_head(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.transport.abort()  # a service dying while the body streams in

    server = await asyncio.start_server(drop_after_head, "127.0.0.1", 0)
    sent = 0

    async def upload():
        nonlocal sent
        chunk = b"u" * 65536
        for _ in range(1024):  # 64 MiB: far more than the socket buffers hold
            sent += 1
            yield chunk

    try:
        sender = upstream_sender(lean)
        pool = Pool("things", [f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"])
        with pytest.raises(BadGateway):
            await sender.send(make_mocked_request("PUT", "/upload"), "things", "current", pool,
                              CIMultiDict(), upload(), None)
        assert sent < 1024  # the rest of the upload was never read from the client
        assert lean._slots._value == 8  # the connection's slot came back
    finally:
        server.close()
