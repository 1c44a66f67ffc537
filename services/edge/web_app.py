"""The web app (web/, built into web/dist) served by the edge at `/`, beside an unchanged `/api`.

Served from a middleware, not from routes: it only answers requests the router found no route
for, so every `/api/*` route keeps precedence, an unknown `/api/...` path still gets the JSON 404
(and a wrong method the JSON 405), and the edge's OpenAPI document lists no catch-all route.

- `/assets/*` are content-hashed by Vite: cached for a year, immutable.
- A missing path with a file extension is a 404 (an HTML fallback would be run as a script).
- `index.html`, the service worker and the manifest must be revalidated: `no-cache`.
- Any other path is a client route of the single-page app: index.html.
- `/app-config.json` tells the app what this edge offers (sign-in flow, assistant).
- The app's own Content-Security-Policy replaces the API's `default-src 'none'`, which
  security.py stamps on every response: images and uploads may also reach the S3 public endpoint
  (EDGE_WEB_STORAGE_URL), where presigned GET redirects and presigned POST forms point.
- No build: one log line at start, and a 503 saying how to build it instead of a 500.
"""

from __future__ import annotations

import logging
from pathlib import Path

from aiohttp import web
from yarl import URL

from shared.http.json import json_response
from shared.http.middleware import Handler

from .settings import EdgeSettings

log = logging.getLogger("motovault.edge.web_app")

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# Icons and other unhashed files: a short cache, they rarely change.
SHORT_CACHE = "public, max-age=3600"
ALWAYS_REVALIDATED = frozenset({"index.html", "sw.js", "manifest.webmanifest"})
CONFIG_PATH = "/app-config.json"
BUILD_HINT = "The web app is not built. Build it with `scripts/install` (or `cd web && npm ci && npm run build`)."
WEB_APP_RESPONSE = web.RequestKey("web_app_response", bool)


def content_security_policy(storage_url: str | None) -> str:
    """What the built app needs and nothing more: its own scripts and styles (no inline code),
    blob: images (a vehicle image fetched with the bearer token), the S3 public endpoint."""
    storage = f" {URL(storage_url).origin()}" if storage_url else ""
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        f"img-src 'self' blob: data:{storage}",
        f"connect-src 'self'{storage}",
        "font-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


class WebApp:
    def __init__(self, root: Path, settings: EdgeSettings) -> None:
        self.root = root.resolve()
        self.config = {
            "signIn": "auth0" if settings.auth0_client_id else "dev",
            "assistant": settings.anthropic_api_key is not None,
        }

    @property
    def index(self) -> Path:
        return self.root / "index.html"

    def is_built(self) -> bool:
        return self.index.is_file()

    def file_for(self, path: str) -> Path | None:
        """The built file a URL path names, never one outside the build folder."""
        relative = path.lstrip("/")
        if not relative:
            return None
        candidate = (self.root / relative).resolve()
        if not candidate.is_relative_to(self.root) or not candidate.is_file():
            return None
        return candidate

    def answer(self, request: web.Request) -> web.StreamResponse:
        if request.path == CONFIG_PATH:
            return json_response(self.config, headers={"Cache-Control": REVALIDATE})
        found = self.file_for(request.path)
        if found is not None:
            return web.FileResponse(found, headers={"Cache-Control": cache_control(found, self.root)})
        if names_a_file(request.path):
            raise web.HTTPNotFound()
        if not self.is_built():
            return web.Response(status=503, text=BUILD_HINT + "\n", headers={"Cache-Control": REVALIDATE})
        return web.FileResponse(self.index, headers={"Cache-Control": REVALIDATE})


def names_a_file(path: str) -> bool:
    """Client routes have no extension; a missing `x.js`, `x.png` or `jwks.json` is a 404, since an
    HTML fallback would be read as a script, an image or JSON."""
    return "." in path.rsplit("/", 1)[-1]


def cache_control(file: Path, root: Path) -> str:
    relative = file.relative_to(root)
    if relative.parts[0] == "assets":
        return IMMUTABLE
    if relative.name in ALWAYS_REVALIDATED:
        return REVALIDATE
    return SHORT_CACHE


def is_app_request(request: web.Request) -> bool:
    """Only what the router left unanswered, outside /api, read-only."""
    path = request.path
    unmatched = request.match_info.http_exception is not None
    return unmatched and request.method in ("GET", "HEAD") and not (path == "/api" or path.startswith("/api/"))


def add_web_app(app: web.Application, settings: EdgeSettings) -> None:
    """Call after every route is added (the middleware runs last, innermost)."""
    web_app = WebApp(Path(settings.web_root), settings)
    policy = content_security_policy(settings.web_storage_url)

    async def report_build(app: web.Application) -> None:
        if not web_app.is_built():
            log.warning("No web app build at %s: / answers 503. %s", web_app.root, BUILD_HINT)

    @web.middleware
    async def web_app_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not is_app_request(request):
            return await handler(request)
        request[WEB_APP_RESPONSE] = True
        return web_app.answer(request)

    async def app_security_policy(request: web.Request, response: web.StreamResponse) -> None:
        # Runs after security.py's hook (registered later): the app's policy replaces the API's.
        if request.get(WEB_APP_RESPONSE):
            response.headers["Content-Security-Policy"] = policy

    app.on_startup.append(report_build)
    app.middlewares.append(web_app_middleware)
    app.on_response_prepare.append(app_security_policy)
