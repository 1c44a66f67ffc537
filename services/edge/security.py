"""CORS and the security headers helmet sets by default, on every answer the edge gives.

Headers are added in on_response_prepare, so they reach error answers (a 401 the browser must be
able to read), streamed proxy responses and the platform's own endpoints alike. Preflights are
answered by a middleware placed before authentication: a browser never sends a token with them.
The header sets are built once at start; per request only the Origin decides.
"""

from __future__ import annotations

from aiohttp import web

from shared.http.middleware import USER_ID_KEY, Handler

from .settings import EdgeSettings

# helmet v8 defaults (reference A.7), CSP tightened for a JSON-only API.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Origin-Agent-Cluster": "?1",
    "Referrer-Policy": "no-referrer",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "X-DNS-Prefetch-Control": "off",
    "X-Download-Options": "noopen",
    "X-Frame-Options": "SAMEORIGIN",
    "X-Permitted-Cross-Domain-Policies": "none",
    "X-XSS-Protection": "0",
}
# What a browser script may read from our answers besides the CORS-safelisted headers.
EXPOSED_HEADERS = ", ".join([
    "X-Request-Id", "Retry-After", "RateLimit", "RateLimit-Policy",
    "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Content-Disposition",
    "Link",  # the next page of a list (README, Paging)
])
ALLOWED_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
ALLOWED_HEADERS = "Authorization, Content-Type, Accept, Accept-Language, X-Request-Id, Idempotency-Key"


class CorsPolicy:
    def __init__(self, allowed_origins: str, max_age: int) -> None:
        origins = {origin.strip().rstrip("/") for origin in allowed_origins.split(",") if origin.strip()}
        self.any_origin = "*" in origins
        self.origins = frozenset(origins - {"*"})
        self.max_age = str(max_age)

    def allow_origin(self, origin: str | None) -> str | None:
        """The Access-Control-Allow-Origin value for this request, None if not allowed."""
        if self.any_origin:
            return "*"  # never with credentials: the API takes bearer tokens, not cookies
        if origin is not None and origin in self.origins:
            return origin
        return None

    def response_headers(self, origin: str | None) -> dict[str, str]:
        allowed = self.allow_origin(origin)
        headers = {} if self.any_origin else {"Vary": "Origin"}
        if allowed is not None:
            headers["Access-Control-Allow-Origin"] = allowed
            headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        return headers

    def preflight(self, request: web.Request) -> web.Response:
        headers = {} if self.any_origin else {"Vary": "Origin"}
        allowed = self.allow_origin(request.headers.get("Origin"))
        if allowed is not None:
            requested = request.headers.get("Access-Control-Request-Headers")
            headers.update({
                "Access-Control-Allow-Origin": allowed,
                "Access-Control-Allow-Methods": ALLOWED_METHODS,
                # Echo what the browser asks for (as the cors package does); our list otherwise.
                "Access-Control-Allow-Headers": requested or ALLOWED_HEADERS,
                "Access-Control-Max-Age": self.max_age,
            })
        return web.Response(status=204, headers=headers)


def is_preflight(request: web.Request) -> bool:
    return request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers


def add_security(app: web.Application, settings: EdgeSettings) -> None:
    """Call before add_auth: the preflight middleware must run before authentication."""
    cors = CorsPolicy(settings.cors_allowed_origins, settings.cors_max_age)

    @web.middleware
    async def preflight_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if is_preflight(request):
            return cors.preflight(request)
        response = await handler(request)
        if isinstance(response, web.Response) and not response.prepared and should_compress(response):
            response.enable_compression()  # aiohttp picks gzip/deflate only if the client accepts it
        return response

    async def stamp_headers(request: web.Request, response: web.StreamResponse) -> None:
        headers = response.headers
        headers.update(SECURITY_HEADERS)
        if "Access-Control-Allow-Origin" not in headers:  # a preflight set its own
            headers.update(cors.response_headers(request.headers.get("Origin")))
        headers.popall("X-Powered-By", None)
        if USER_ID_KEY in request and "Cache-Control" not in headers:
            headers["Cache-Control"] = "no-store"  # personal data: no shared cache keeps it

    app.middlewares.append(preflight_middleware)
    app.on_response_prepare.append(stamp_headers)


def should_compress(response: web.Response) -> bool:
    body = response.body
    return (
        response.content_type == "application/json"
        and "Content-Encoding" not in response.headers
        and isinstance(body, (bytes, bytearray))
        and len(body) >= 1024
    )
