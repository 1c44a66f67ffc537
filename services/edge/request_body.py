"""The body policy of a forwarded request: the size limit, and read whole or streamed."""

from __future__ import annotations

from typing import AsyncIterator

import aiohttp
from aiohttp import web

from shared.http.errors import PayloadTooLarge

# Bodies (requests and answers) up to this size are read whole and sent in one write; larger ones
# stream chunk by chunk.
WHOLE_BODY_BYTES = 262_144


class BodyLimit:
    """Counts a streamed request body (chunked ones carry no Content-Length) against the limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.exceeded = False

    async def stream(self, content: aiohttp.StreamReader) -> AsyncIterator[bytes]:
        sent = 0
        async for chunk in content.iter_any():
            sent += len(chunk)
            if sent > self.limit:
                self.exceeded = True
                raise PayloadTooLarge("Request body too large")
            yield chunk


async def request_body(request: web.Request, max_bytes: int) -> tuple[object, BodyLimit | None]:
    """What to send upstream (None, bytes or a stream), and the limit counting a stream."""
    if not request.body_exists:
        return None, None
    if request.content_length is not None:
        if request.content_length > max_bytes:
            raise PayloadTooLarge("Request body too large")
        if request.content_length <= WHOLE_BODY_BYTES:
            return await request.read(), None  # one write upstream instead of a streamed payload
        return request.content, None  # the server reads exactly Content-Length bytes
    limit = BodyLimit(max_bytes)
    return limit.stream(request.content), limit
