"""Stand-ins for the edge's neighbours: a JWKS issuer and an upstream service that records requests.

Both are real aiohttp servers on real ports, so the edge's HTTP paths (JWKS fetch, proxy pool)
run exactly as in production.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from joserfc import jwt
from joserfc.jwk import RSAKey

from services.edge.app import create_app
from services.edge.settings import UPSTREAM_NAMES, EdgeSettings
from shared.testing.infra import IDENTITY_SECRET, REDIS_URL, free_port

ISSUER = "https://motovault-test.eu.auth0.com/"
AUDIENCE = "https://api.motovault.test"
BIG_BODY_LIMIT = 16 * 1024 * 1024


def base_url(client: TestClient) -> str:
    return f"http://{client.host}:{client.port}"


@pytest.fixture(scope="session")
def signing_keys() -> dict[str, RSAKey]:
    """Test RSA keys, made once: `current` is published from the start, `next` only after a rotation."""
    return {
        name: RSAKey.generate_key(2048, parameters={"kid": f"test-{name}"})
        for name in ("current", "next", "stranger")
    }


class StandInIssuer:
    """Serves a JWKS like Auth0's /.well-known/jwks.json and counts how often it is fetched."""

    def __init__(self, keys: dict[str, RSAKey]) -> None:
        self.keys = keys
        self.published = [keys["current"]]
        self.extra_jwks: list[dict[str, Any]] = []  # published as given (keys of other types)
        self.fetches = 0
        self.delay = 0.0  # makes concurrent requests overlap with a fetch
        self.failing = False  # answer 503, as an issuer in trouble would
        self.url = ""
        self.client: TestClient | None = None
        self.app = web.Application()
        self.app.router.add_get("/.well-known/jwks.json", self._jwks)

    async def _jwks(self, request: web.Request) -> web.Response:
        self.fetches += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.failing:
            raise web.HTTPServiceUnavailable()
        keys = [key.as_dict(private=False, use="sig", alg="RS256") for key in self.published]
        return web.json_response({"keys": keys + self.extra_jwks})

    @property
    def jwks_url(self) -> str:
        return self.url + "/.well-known/jwks.json"

    def token(self, key: str = "current", header: dict[str, Any] | None = None, **claims: Any) -> str:
        """An access token as Auth0 would issue it; claims and header fields passed as None are left out."""
        signing_key = self.keys[key]
        now = int(time.time())
        body = {"iss": ISSUER, "aud": [AUDIENCE, ISSUER + "userinfo"], "sub": "auth0|alice",
                "iat": now, "exp": now + 300, "scope": "openid profile"}
        body.update(claims)
        body = {k: v for k, v in body.items() if v is not None}
        protected = {"alg": "RS256", "kid": signing_key.kid, **(header or {})}
        protected = {k: v for k, v in protected.items() if v is not None}
        return jwt.encode(protected, body, signing_key, algorithms=["RS256"])


@pytest.fixture
async def issuer(serve, signing_keys) -> StandInIssuer:
    stand_in = StandInIssuer(signing_keys)
    stand_in.client = await serve(stand_in.app)
    stand_in.url = base_url(stand_in.client)
    return stand_in


@dataclass
class Echo:
    """An upstream service that records what reached it and answers with what it saw."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    release_slow: asyncio.Event = field(default_factory=asyncio.Event)
    url: str = ""
    ready_calls: int = 0
    # Statuses to answer instead of echoing, consumed one per request (e.g. [503, 503]).
    fail_with: list[int] = field(default_factory=list)

    def app(self) -> web.Application:
        app = web.Application(client_max_size=BIG_BODY_LIMIT)
        app.router.add_get("/ready", self._ready)
        app.router.add_route("*", "/{tail:.*}", self._echo)
        return app

    async def _ready(self, request: web.Request) -> web.Response:
        self.ready_calls += 1
        return web.json_response({"status": "ready"})

    async def _echo(self, request: web.Request) -> web.Response:
        body = await request.read()
        seen = {
            "method": request.method,
            "path": request.path,
            "raw_path": request.raw_path,
            "headers": request.headers.copy(),
            "body": body,
        }
        self.requests.append(seen)
        if self.fail_with:
            return web.json_response({"message": "failing"}, status=self.fail_with.pop(0))
        if request.path.endswith("/slow"):
            await asyncio.wait_for(self.release_slow.wait(), 5)
        elif request.path.endswith("/gzip"):
            return web.Response(body=gzip.compress(b'{"compressed": true}'),
                                headers={"Content-Encoding": "gzip", "Content-Type": "application/json"})
        elif request.path.endswith("/set-cookie"):
            return web.json_response({"set": True}, headers={"Set-Cookie": "session=alice-secret; Path=/"})
        elif "/cacheable" in request.path:
            if "wait" in request.query:  # answers once the test lets it
                await asyncio.wait_for(self.release_slow.wait(), 5)
            # Grants the edge what the query says (shared/edge_cache.py); counts what it served.
            grant = {"MotoVault-Edge-Cache": request.query["grant"]} if "grant" in request.query else {}
            if "link" in request.query:  # a page of a list (shared/http/paging.py)
                grant["Link"] = f'<{request.path}?cursor=next>; rel="next"'
            status = int(request.query.get("status", 200))
            size = int(request.query.get("size", 0))
            return web.json_response({"served": len(self.requests), "path": request.path_qs, "pad": "x" * size},
                                     status=status, headers=grant)
        elif request.path.endswith("/big-json"):
            return web.json_response({"items": [{"id": i, "make": "Volkswagen"} for i in range(200)]})
        elif request.path.endswith("/download"):
            size = int(request.query["bytes"])
            chunk = b"\0" * 65536
            response = web.StreamResponse(headers={"Content-Length": str(size), "Content-Type": "application/octet-stream"})
            await response.prepare(request)
            for _ in range(size // len(chunk)):
                await response.write(chunk)
            await response.write(b"\0" * (size % len(chunk)))
            return response
        elif request.path.endswith("/truncated"):
            # Promises more than it sends, then drops the connection: a service dying mid-response.
            response = web.StreamResponse(headers={"Content-Length": request.query.get("promise", "100000")})
            await response.prepare(request)
            await response.write(b"x" * 1000)
            await asyncio.sleep(0.05)
            request.transport.abort()
            return response
        return web.json_response(
            {"method": request.method, "rawPath": request.raw_path, "bodyLength": len(body)},
            status=201 if request.method == "POST" else 200,
            headers={"X-Upstream": self.url},
        )

    @property
    def last(self) -> dict[str, Any]:
        assert self.requests, "the upstream received no request"
        return self.requests[-1]


@pytest.fixture
async def echo(serve):
    """Start an echo upstream; call it again for another instance."""
    started: list[Echo] = []

    async def start() -> Echo:
        upstream = Echo()
        client = await serve(upstream.app())
        upstream.url = base_url(client)
        started.append(upstream)
        return upstream

    yield start
    for upstream in started:
        upstream.release_slow.set()  # let a parked slow handler finish before its server stops


def route_table(tmp_path, permissions: dict[str, list[str]]) -> str:
    """A route table file whose vehicles route requires `permissions` (method -> names)."""
    table = {"pools": {}, "routes": [
        {"name": "vehicles", "prefix": "/api/vehicles", "versions": {"current": "vehicles"}, "permissions": permissions},
        {"name": "stations", "prefix": "/api/stations", "versions": {"current": "stations"}},
    ]}
    path = tmp_path / "routes.json"
    path.write_text(json.dumps(table))
    return str(path)


def edge_settings(**overrides: Any) -> EdgeSettings:
    run = uuid.uuid4().hex[:12]
    values: dict[str, Any] = dict(
        host="127.0.0.1",
        port=free_port(),
        identity_secret=IDENTITY_SECRET,
        redis_url=REDIS_URL,
        redis_prefix=f"mv:test:edge:{run}:",  # tests share the machine's Redis
        response_cache_prefix=f"mv:test:edge-cache:{run}:",
        jwt_audience=AUDIENCE,
        upstream_timeout=5.0,
        upstream_connect_timeout=1.0,
        health_probe_timeout=1.0,
        shutdown_timeout=1.0,
    )
    values.update(overrides)
    return EdgeSettings(**values)


@pytest.fixture
def start_edge(serve):
    """Start an edge on the port its settings name (the dev issuer's own JWKS URL depends on it)."""

    async def start(settings: EdgeSettings) -> TestClient:
        return await serve(create_app(settings), port=settings.port)

    return start


@pytest.fixture
async def edge(start_edge, issuer, echo):
    """An edge verifying the stand-in issuer's tokens, with every service pointing at one echo upstream."""

    async def start(**overrides: Any):
        upstream = await echo()
        values: dict[str, Any] = {"jwks_url": issuer.jwks_url, "jwt_issuer": ISSUER}
        values.update({f"upstream_{name}": upstream.url for name in UPSTREAM_NAMES})
        values.update(overrides)
        return await start_edge(edge_settings(**values)), upstream

    return start


# --- personal access tokens (test_access_tokens.py, test_account_deletion.py) -----------------

OWNER = "auth0|alice"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def pat_edge(edge, infra):
    """Start edges with personal access tokens on, sharing one database and one Redis prefix."""
    database_url = await infra.create_database("edge")
    prefix = f"{infra.redis_prefix}edge:{uuid.uuid4().hex[:8]}:"

    async def start(**overrides):
        values = {"database_url": database_url, "redis_prefix": prefix, **overrides}
        client, upstream = await edge(**values)
        return client, upstream

    start.database_url = database_url
    return start


@pytest.fixture
def login(issuer):
    return lambda sub=OWNER: bearer(issuer.token(sub=sub))
