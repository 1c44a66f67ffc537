"""A stand-in for Anthropic's Messages API that streams the recorded SSE answer of the edge's own
tests, holding back after the first words so a test can see the answer arrive in parts."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from typing import AsyncIterator

from aiohttp import web

from shared.testing.standin import StandIn
from tests.suite import ROOT

STREAM = ROOT / "services" / "edge" / "tests" / "fixtures" / "anthropic" / "messages_stream.txt"
FIRST_WORDS = "Hello"
PAUSE_AFTER_FIRST_WORDS = 2.0


async def stream_answer(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    await response.prepare(request)
    for event in STREAM.read_text().split("\n\n"):
        if event.strip():
            await response.write((event + "\n\n").encode())
            if f'"text": "{FIRST_WORDS}"' in event:
                await asyncio.sleep(PAUSE_AFTER_FIRST_WORDS)
    await response.write_eof()
    return response


@asynccontextmanager
async def running_anthropic() -> AsyncIterator[StandIn]:
    stand_in = await StandIn({"/v1/messages": stream_answer}).start()
    try:
        yield stand_in
    finally:
        await stand_in.stop()
