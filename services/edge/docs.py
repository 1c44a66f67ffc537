"""GET /api/docs: the services' OpenAPI documents merged into one, plus the edge's own routes.

Each route of the table contributes the paths of its first (current) version's document under
its prefix (`/openapi.json` of the pool, first instance that answers). A service that is down is
left out and named in `x-unavailable` rather than failing the whole document. The merged
document is cached `docs_cache_seconds`; one with a service missing only a few seconds, so the
service reappears soon after it is back. Concurrent callers share one round of fetches.

Schema names two services both use with different shapes are prefixed with the route name
(`vehicles_Input`), and their $refs rewritten, so no service's model shadows another's.
"""

from __future__ import annotations

import asyncio
import copy
import time
from typing import Any, Callable

import aiohttp
from aiohttp import web

from shared.http.json import json_response, loads
from shared.http.openapi import MERGE_QUERY, OPENAPI_PATH, OPENAPI_VERSION, documented, openapi_document

from .auth import PUBLIC_API_PATHS, PUBLIC_API_PREFIXES
from .proxy import PROXY, ROUTES
from .routing import Pool, Route
from .settings import EdgeSettings

DOCS = web.AppKey("docs", "MergedDocs")
SCHEMA_PREFIX = "#/components/schemas/"
PARTIAL_CACHE_SECONDS = 5.0
BEARER = {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                         "description": "An Auth0 access token for our API (RS256)"}}

Document = dict[str, Any]


class MergedDocs:
    def __init__(self, app: web.Application, session_of: Callable[[], aiohttp.ClientSession],
                 routes: list[Route], settings: EdgeSettings) -> None:
        self._app = app
        self._session_of = session_of  # the proxy's session exists only once the app runs
        self._routes = routes
        self._timeout = aiohttp.ClientTimeout(total=settings.health_probe_timeout)
        self._cache_seconds = settings.docs_cache_seconds
        self._own: Document | None = None
        self._result: tuple[Document, float] | None = None  # (document, valid until)
        self._inflight: asyncio.Task[Document] | None = None

    async def document(self) -> Document:
        if self._result is not None and time.monotonic() < self._result[1]:
            return self._result[0]
        if self._inflight is None:
            self._inflight = asyncio.create_task(self._build())
        # Shielded: one caller going away must not cancel the fetches others wait for.
        return await asyncio.shield(self._inflight)

    async def _build(self) -> Document:
        try:
            pools = {id(route_pool(route)): route_pool(route) for route in self._routes}
            fetched = await asyncio.gather(*(self._fetch(pool) for pool in pools.values()))
            documents = dict(zip(pools, fetched))
            merged = self._skeleton()
            unavailable = []
            for route in self._routes:
                document = documents[id(route_pool(route))]
                if document is None:
                    unavailable.append(route.name)
                else:
                    merge_into(merged, document, route)
            merged["x-unavailable"] = unavailable
            lifetime = self._cache_seconds if not unavailable else min(self._cache_seconds, PARTIAL_CACHE_SECONDS)
            self._result = (merged, time.monotonic() + lifetime)
            return merged
        finally:
            self._inflight = None

    def _skeleton(self) -> Document:
        if self._own is None:  # the edge's router is final once requests arrive
            self._own = openapi_document(self._app, "edge")
        own = copy.deepcopy(self._own)
        for path, operations in own["paths"].items():
            if path in PUBLIC_API_PATHS:
                for operation in operations.values():
                    operation["security"] = []
        return {
            "openapi": OPENAPI_VERSION,
            "info": {"title": "MotoVault API", "version": "1.0.0"},
            "security": [{"bearerAuth": []}],
            "paths": own["paths"],
            "components": {"schemas": own["components"]["schemas"], "securitySchemes": BEARER},
        }

    async def _fetch(self, pool: Pool) -> Document | None:
        session = self._session_of()
        for url in pool.urls:  # the first instance that answers will do
            try:
                async with session.get(url + OPENAPI_PATH, params=MERGE_QUERY, timeout=self._timeout) as response:
                    if response.status != 200:
                        continue
                    document = loads(await response.read())
            except (aiohttp.ClientError, TimeoutError, ValueError):
                continue
            if isinstance(document, dict) and isinstance(document.get("paths"), dict):
                return document
        return None


def route_pool(route: Route) -> Pool:
    """The version the docs describe: the table's first (the current one, not a canary)."""
    return next(iter(route.versions.values()))


def merge_into(merged: Document, document: Document, route: Route) -> None:
    schemas = merged["components"]["schemas"]
    theirs = (document.get("components") or {}).get("schemas") or {}
    renamed = {name: f"{route.name}_{name}" for name, schema in theirs.items()
               if name in schemas and schemas[name] != schema}
    document = rewrite_refs(document, renamed) if renamed else document
    for name, schema in ((document.get("components") or {}).get("schemas") or {}).items():
        schemas[renamed.get(name, name)] = schema
    for path, operations in document["paths"].items():
        if not (path == route.prefix or path.startswith(route.prefix + "/")):
            continue  # the edge does not forward it, so clients cannot call it
        if path.startswith(PUBLIC_API_PREFIXES):
            for operation in operations.values():
                operation["security"] = []
        merged["paths"].setdefault(path, {}).update(operations)


def rewrite_refs(node: Any, renamed: dict[str, str]) -> Any:
    if isinstance(node, dict):
        result = {key: rewrite_refs(value, renamed) for key, value in node.items()}
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(SCHEMA_PREFIX) and ref[len(SCHEMA_PREFIX):] in renamed:
            result["$ref"] = SCHEMA_PREFIX + renamed[ref[len(SCHEMA_PREFIX):]]
        return result
    if isinstance(node, list):
        return [rewrite_refs(item, renamed) for item in node]
    return node


@documented(summary="The merged OpenAPI document of the whole API")
async def api_docs(request: web.Request) -> web.Response:
    return json_response(await request.app[DOCS].document())


def add_docs(app: web.Application, settings: EdgeSettings) -> None:
    """After add_proxy: the docs follow its route table and use its session."""
    app[DOCS] = MergedDocs(app, lambda: app[PROXY].upstream.session, app[ROUTES], settings)
    app.router.add_get("/api/docs", api_docs)
