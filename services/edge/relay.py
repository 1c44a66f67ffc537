"""Sending a service's answer on to the client: small ones whole, large ones streamed."""

from __future__ import annotations

import logging

import aiohttp
from aiohttp import web
from multidict import MultiMapping

from shared.http.errors import BadGateway
from shared.http.middleware import REQUEST_ID_HEADER, REQUEST_ID_KEY

from .request_body import WHOLE_BODY_BYTES
from .response_cache import CACHE_STATUS_HEADER, CachedRead, ResponseCache
from .upstream import UpstreamResponse
from .upstream_headers import client_response_headers

log = logging.getLogger("motovault.edge.relay")

COMPRESS_MIN_BYTES = 1024


def is_small(upstream: UpstreamResponse) -> bool:
    length = upstream.headers.get("Content-Length")
    return length is not None and length.isdigit() and int(length) <= WHOLE_BODY_BYTES


def should_compress(headers: MultiMapping[str]) -> bool:
    """JSON the service sent uncompressed and not tiny: worth gzip when the client accepts it."""
    if "Content-Encoding" in headers or not headers.get("Content-Type", "").startswith("application/json"):
        return False
    length = headers.get("Content-Length")
    return length is None or (length.isdigit() and int(length) >= COMPRESS_MIN_BYTES)


async def relay_whole(request: web.Request, upstream: UpstreamResponse,
                      cache: ResponseCache | None, cached_read: CachedRead | None) -> web.StreamResponse:
    """A small answer (length known and bounded): read whole and sent in one write, which costs
    far less than relaying chunks; kept in the response cache when the service allowed it."""
    try:
        body = await upstream.read()
    except (aiohttp.ClientError, TimeoutError, ConnectionError) as exc:
        log.warning("Reading an answer from upstream failed: %s: %s", type(exc).__name__, exc)
        raise BadGateway("The service's answer was cut short") from None
    finally:
        upstream.release()
    headers = client_response_headers(upstream)
    headers.popall("Content-Length", None)  # the body's own length, compressed or not
    if cached_read is not None:
        headers[CACHE_STATUS_HEADER] = "miss"
    headers[REQUEST_ID_HEADER] = request[REQUEST_ID_KEY]
    response = web.Response(status=upstream.status, reason=upstream.reason, body=body, headers=headers)
    if len(body) >= COMPRESS_MIN_BYTES and should_compress(response.headers):
        response.enable_compression()
    seconds = cache.storable(upstream, body) if cache is not None and cached_read is not None else 0
    if seconds:
        # The client has its answer first; keeping it costs the client no wait.
        await written_unless_gone(request, response)
        await cache.store(cached_read, headers, body, seconds)
    return response


async def written_unless_gone(request: web.Request, response: web.StreamResponse) -> None:
    """Send (the rest of) the answer; a client that went away meanwhile (a phone losing its
    network) is no error of ours: logged as info, and the request ends as if answered."""
    try:
        if not response.prepared:
            await response.prepare(request)
        await response.write_eof()
    except ConnectionResetError as exc:
        log.info("The client went away before its answer was sent: %s", exc)


async def relay_streamed(request: web.Request, route_name: str,
                         upstream: UpstreamResponse) -> web.StreamResponse:
    response = web.StreamResponse(status=upstream.status, reason=upstream.reason,
                                  headers=client_response_headers(upstream))
    if should_compress(response.headers):
        response.enable_compression()  # only if the client accepts an encoding
    # Set here: the request-id middleware runs after the headers have already been sent.
    response.headers[REQUEST_ID_HEADER] = request[REQUEST_ID_KEY]
    try:
        await response.prepare(request)
        async for chunk in upstream.content.iter_any():
            await response.write(chunk)
    except (aiohttp.ClientError, TimeoutError, ConnectionError) as exc:
        # The status line is out, so no error body can follow. Cutting the connection is the
        # only way to tell the client its body is incomplete (rather than ending it cleanly).
        log.warning("Relaying %s response failed mid-body: %s: %s", route_name, type(exc).__name__, exc)
        upstream.close()
        if request.transport is not None:
            request.transport.abort()
        return response
    finally:
        upstream.release()
    await written_unless_gone(request, response)
    return response
