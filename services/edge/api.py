"""Handlers the edge answers itself: /api/auth/* and the public /api/health."""

from __future__ import annotations

import asyncio

import aiohttp
from aiohttp import web
from pydantic import Field

from shared.http.app import SETTINGS
from shared.http.errors import ApiError
from shared.http.json import json_response
from shared.http.middleware import current_user
from shared.http.validation import ApiModel, parse_body

from .dev_issuer import DEV_ISSUER, TOKEN_LIFETIME_SECONDS
from .proxy import PROXY, UPSTREAMS

routes = web.RouteTableDef()


class LoginInput(ApiModel):
    username: str = Field(pattern=r"^[A-Za-z0-9._@+-]{1,64}$")


@routes.post("/api/auth/login")
async def login(request: web.Request) -> web.Response:
    issuer = request.app.get(DEV_ISSUER)
    if issuer is None:
        # Auth0 login (password grant / code exchange) comes with the full edge.
        raise ApiError("Login through the edge is not available; sign in with the identity provider", status=501)
    credentials = await parse_body(request, LoginInput)
    token = issuer.mint(credentials.username)
    return json_response({"accessToken": token, "tokenType": "Bearer", "expiresIn": TOKEN_LIFETIME_SECONDS})


@routes.get("/api/auth/me")
async def me(request: web.Request) -> web.Response:
    return json_response({"userId": current_user(request)})


@routes.get("/api/health")
async def api_health(request: web.Request) -> web.Response:
    """Public readiness of the whole suite: every instance of every service answers /ready."""
    session = request.app[PROXY].session
    timeout = aiohttp.ClientTimeout(total=request.app[SETTINGS].health_probe_timeout)
    upstreams = request.app[UPSTREAMS]
    probes = {
        name: asyncio.gather(*(_probe(session, url, timeout) for url in upstream.urls))
        for name, upstream in upstreams.items()
    }
    results = dict(zip(probes, await asyncio.gather(*probes.values())))
    checks = {}
    for name, instance_results in results.items():
        failures = [f"{url}: {result}" for url, result in zip(upstreams[name].urls, instance_results) if result != "ok"]
        checks[name] = "ok" if not failures else "unavailable: " + "; ".join(failures)
    healthy = all(check == "ok" for check in checks.values())
    body = {"status": "ok" if healthy else "unavailable", "service": "edge", "checks": checks}
    return json_response(body, status=200 if healthy else 503)


async def _probe(session: aiohttp.ClientSession, base_url: str, timeout: aiohttp.ClientTimeout) -> str:
    try:
        async with session.get(base_url + "/ready", timeout=timeout) as response:
            return "ok" if response.status == 200 else f"HTTP {response.status}"
    except TimeoutError:
        return "timeout"
    except aiohttp.ClientError as exc:
        return type(exc).__name__
