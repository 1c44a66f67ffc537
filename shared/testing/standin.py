"""Local HTTP servers standing in for third-party APIs (vPIC, Google Places, Auth0, Anthropic).

A stand-in answers with real response bodies (the fixtures), counts calls per path, and can be
told to fail: an error status, a delay longer than the caller's timeout, or a broken body.

    standin = await start_standin({"/api/vehicles/DecodeVinValues/{vin}": Reply.fixture(path)})
    standin.routes["..."] = Reply(status=500)   # change behaviour mid-test
    assert standin.calls["/api/vehicles/DecodeVinValues/{vin}"] == 1
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Awaitable, Callable

from aiohttp import web

from .infra import free_port



@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def fixture(cls, path: Path | str, status: int = 200, content_type: str = "application/json") -> Reply:
        return cls(status=status, body=Path(path).read_bytes(), content_type=content_type)

    @classmethod
    def text(cls, body: str, status: int = 200, content_type: str = "application/json") -> Reply:
        return cls(status=status, body=body.encode(), content_type=content_type)


Responder = Reply | Callable[[web.Request], Awaitable[web.StreamResponse]]


class StandIn:
    def __init__(self, routes: dict[str, Responder]) -> None:
        self.routes = dict(routes)
        self.calls: Counter[str] = Counter()
        self.requests: list[web.Request] = []
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._runner: web.AppRunner | None = None

    async def start(self) -> StandIn:
        app = web.Application()
        for pattern in self.routes:
            app.router.add_route("*", pattern, self._make_handler(pattern))
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _make_handler(self, pattern: str):
        async def handle(request: web.Request) -> web.StreamResponse:
            self.calls[pattern] += 1
            self.requests.append(request)
            responder = self.routes[pattern]
            if not isinstance(responder, Reply):
                return await responder(request)
            if responder.delay:
                await asyncio.sleep(responder.delay)
            return web.Response(
                status=responder.status, body=responder.body, headers={"Content-Type": responder.content_type,
                                                                       **responder.headers}
            )

        return handle
