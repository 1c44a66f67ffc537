"""Sending a forwarded request to one instance of a pool: timeouts, retries, ejection, metrics."""

from __future__ import annotations

import asyncio
import logging
import random
import time

import aiohttp
from aiohttp import web
from multidict import CIMultiDict
from prometheus_client import CollectorRegistry, Counter, Histogram
from yarl import URL

from shared.http.errors import BadGateway, GatewayTimeout, PayloadTooLarge

from .request_body import BodyLimit
from .routing import Instance, Pool
from .settings import EdgeSettings
from .upstream_client import LeanClient, LeanResponse

log = logging.getLogger("motovault.edge.proxy")

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Answers meaning "this instance could not serve it" (RFC 9110 §15.6): retried and counted for ejection.
RETRYABLE_STATUSES = frozenset({502, 503, 504})
# Either client's answer: the same status, reason, headers, read(), content, release() and close().
UpstreamResponse = aiohttp.ClientResponse | LeanResponse


class UpstreamMetrics:
    """Per route and version, so a canary's errors and latency can be compared with the current one."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter("edge_upstream_requests_total", "Requests forwarded, by route, version and outcome",
                                ["route", "version", "outcome"], registry=registry)
        self.latency = Histogram("edge_upstream_response_seconds", "Time until the upstream's response headers",
                                 ["route", "version"], registry=registry)

        # Looking a labelled child up costs more than counting (prometheus_client hashes and locks);
        # the combinations are few (routes x versions x outcomes), so each is looked up once.
        self._children: dict[tuple[str, str, str], tuple[Counter, Histogram]] = {}

    def observe(self, route: str, version: str, outcome: str, started: float) -> None:
        key = (route, version, outcome)
        children = self._children.get(key)
        if children is None:
            children = self._children[key] = (self.requests.labels(*key), self.latency.labels(route, version))
        children[0].inc()
        children[1].observe(time.perf_counter() - started)


class Upstream:
    """Forwards through the lean client when given one, else through the aiohttp session (which
    health probes and the docs use in any case)."""

    def __init__(self, session: aiohttp.ClientSession, settings: EdgeSettings, metrics: UpstreamMetrics,
                 client: LeanClient | None = None) -> None:
        self.session = session
        self._client = client
        self._response_timeout = settings.upstream_timeout
        self._retries = settings.upstream_retries
        self._backoff_base = settings.retry_backoff_base
        self._backoff_max = settings.retry_backoff_max
        self._metrics = metrics

    async def send(self, request: web.Request, route_name: str, version: str, pool: Pool,
                   headers: CIMultiDict[str], body: object,
                   limit: BodyLimit | None) -> UpstreamResponse:
        """The response headers of the first instance that could serve the request."""
        # Only a request the service can safely see twice is retried: idempotent and bodiless
        # (a streamed body is consumed by the first attempt).
        attempts = 1 + (self._retries if request.method in IDEMPOTENT and body is None else 0)
        started = time.perf_counter()
        instance: Instance | None = None
        for attempt in range(attempts):
            instance = pool.pick(avoid=instance)
            last_try = attempt + 1 == attempts
            try:
                # Bounds the wait for the response headers: pool, connect, sending the body, service time.
                async with asyncio.timeout(self._response_timeout):
                    if self._client is not None:
                        response = await self._client.request(request.method, instance.url, str(request.rel_url),
                                                              headers, body)
                    else:
                        response = await self.session.request(
                            request.method, URL(instance.url + str(request.rel_url), encoded=True),
                            headers=headers, data=body, allow_redirects=False,
                        )
            except TimeoutError:
                # Not retried: the request's time is spent; another try would double the wait.
                pool.failed(instance)
                self._metrics.observe(route_name, version, "timeout", started)
                log.warning("Upstream %s (%s) timed out on %s %s", pool.name, instance.url, request.method, request.path)
                raise GatewayTimeout(f"The {route_name} service did not answer in time") from None
            except (aiohttp.ClientError, PayloadTooLarge) as exc:
                if limit is not None and limit.exceeded:
                    raise PayloadTooLarge("Request body too large") from None
                pool.failed(instance)
                log.warning("Upstream %s (%s) failed: %s: %s", pool.name, instance.url, type(exc).__name__, exc)
                if last_try:
                    self._metrics.observe(route_name, version, "error", started)
                    raise BadGateway(f"The {route_name} service is unavailable") from None
                await self._backoff(attempt)
                continue
            if response.status in RETRYABLE_STATUSES:
                pool.failed(instance)
                if not last_try:
                    response.release()
                    await self._backoff(attempt)
                    continue
            else:
                pool.succeeded(instance)
            self._metrics.observe(route_name, version, str(response.status), started)
            return response
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _backoff(self, attempt: int) -> None:
        # Full jitter (Envoy's policy): spreads the retries of many clients hitting one failure.
        await asyncio.sleep(random.uniform(0, min(self._backoff_max, self._backoff_base * 2 ** attempt)))
