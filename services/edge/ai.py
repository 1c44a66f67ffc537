"""POST /api/ai/generate: Anthropic's Messages API with the server-side key.

Body: {"prompt": str, "system": str?, "maxTokens": int? (capped by EDGE_AI_MAX_TOKENS),
"stream": bool?}. Plain answers relay Anthropic's JSON; streamed ones relay its SSE events as
they arrive. Upstream 429 -> 429 (Retry-After passed on), 529 overloaded -> 503, timeout -> 504,
anything else -> 502. Prompts are never logged. The strict per-user limit is the `ai` rate class.
"""

from __future__ import annotations

import logging
from asyncio import timeout as asyncio_timeout

import aiohttp
from aiohttp import web
from pydantic import Field

from shared.http.errors import ApiError, BadGateway, GatewayTimeout, ServiceUnavailable
from shared.http.json import json_response
from shared.http.openapi import documented
from shared.http.validation import parse_body
from shared.models import ApiModel

from .settings import EdgeSettings

log = logging.getLogger("motovault.edge.ai")

AI_HTTP = web.AppKey("ai_http", aiohttp.ClientSession)


class GenerateInput(ApiModel):
    prompt: str = Field(min_length=1, max_length=20_000)
    system: str | None = Field(default=None, max_length=10_000)
    max_tokens: int | None = Field(default=None, ge=1, alias="maxTokens")
    stream: bool = False


def add_ai(app: web.Application, settings: EdgeSettings) -> None:
    url = settings.anthropic_base_url.rstrip("/") + "/v1/messages"

    async def session_context(app: web.Application):
        # total=None: a stream may run long; the wait for the answer's headers is bounded below.
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=5, sock_read=settings.ai_timeout)
        # Shared by every user's requests: no cookie the provider sets may carry over to the next.
        async with aiohttp.ClientSession(timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()) as session:
            app[AI_HTTP] = session
            yield

    async def generate(request: web.Request) -> web.StreamResponse:
        body = await parse_body(request, GenerateInput)  # a bad body is a 400 in every configuration
        if settings.anthropic_api_key is None:
            raise ServiceUnavailable("AI generation is not configured")
        payload = {
            "model": settings.anthropic_model,
            "max_tokens": min(body.max_tokens or settings.ai_max_tokens, settings.ai_max_tokens),
            "messages": [{"role": "user", "content": body.prompt}],
        }
        if body.system:
            payload["system"] = body.system
        if body.stream:
            payload["stream"] = True
        headers = {"x-api-key": settings.anthropic_api_key.get_secret_value(),
                   "anthropic-version": settings.anthropic_version}
        try:
            async with asyncio_timeout(settings.ai_timeout):
                upstream = await app[AI_HTTP].post(url, json=payload, headers=headers)
        except TimeoutError:
            raise GatewayTimeout("The AI provider did not answer in time") from None
        except aiohttp.ClientError as exc:
            log.warning("Anthropic request failed: %s", type(exc).__name__)
            raise BadGateway("The AI provider is unavailable") from None
        try:
            if upstream.status != 200:
                raise upstream_error(upstream)
            if not body.stream:
                return json_response(await upstream.json(content_type=None))
            response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store"})
            await response.prepare(request)
            async for chunk in upstream.content.iter_any():
                await response.write(chunk)  # each event reaches the client as Anthropic sends it
            await response.write_eof()
            return response
        finally:
            upstream.release()

    app.cleanup_ctx.append(session_context)
    documented(summary="Generate text with Anthropic (plain JSON or SSE when stream is true)", body=GenerateInput,
               responses={200: "The model's answer", 429: "Rate limited", 503: "Not configured, or the model is overloaded",
                          504: "The model did not answer in time"})(generate)
    app.router.add_post("/api/ai/generate", generate)


def upstream_error(upstream: aiohttp.ClientResponse) -> ApiError:
    log.warning("Anthropic answered HTTP %s", upstream.status)
    if upstream.status == 429:
        return ApiError("The AI provider's rate limit was reached; retry later", status=429,
                        headers={"Retry-After": upstream.headers.get("retry-after", "30")})
    if upstream.status == 529:
        return ServiceUnavailable("The AI provider is overloaded; retry later", headers={"Retry-After": "30"})
    return BadGateway("The AI provider refused the request")


