"""GET /api/health: readiness of every instance of every service, probed at most every few seconds.

Load balancers and the benchmark harness call it often; answering from memory keeps it cheap.
Concurrent callers after the cache expires share one round of probes.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp

from .routing import Pool


class HealthProbe:
    def __init__(self, session_of, pools: dict[str, Pool], *, timeout: float, cache_seconds: float) -> None:
        self._session_of = session_of  # the proxy's session exists only once the app runs
        self._pools = pools
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._cache_seconds = cache_seconds
        self._result: tuple[bool, dict[str, Any]] | None = None
        self._probed_at = 0.0
        self._inflight: asyncio.Task[tuple[bool, dict[str, Any]]] | None = None

    async def status(self) -> tuple[bool, dict[str, Any]]:
        if self._result is not None and time.monotonic() - self._probed_at < self._cache_seconds:
            return self._result
        if self._inflight is None:
            self._inflight = asyncio.create_task(self._probe_all())
        # Shielded: one caller going away must not cancel the probes others wait for.
        return await asyncio.shield(self._inflight)

    async def _probe_all(self) -> tuple[bool, dict[str, Any]]:
        try:
            session = self._session_of()
            names = list(self._pools)
            results = await asyncio.gather(*(
                asyncio.gather(*(self._probe(session, url) for url in self._pools[name].urls)) for name in names
            ))
            checks = {}
            for name, instance_results in zip(names, results):
                failures = [f"{url}: {result}" for url, result in zip(self._pools[name].urls, instance_results)
                            if result != "ok"]
                checks[name] = "ok" if not failures else "unavailable: " + "; ".join(failures)
            self._result = (all(check == "ok" for check in checks.values()), checks)
            self._probed_at = time.monotonic()
            return self._result
        finally:
            self._inflight = None

    async def _probe(self, session: aiohttp.ClientSession, base_url: str) -> str:
        try:
            async with session.get(base_url + "/ready", timeout=self._timeout) as response:
                return "ok" if response.status == 200 else f"HTTP {response.status}"
        except TimeoutError:
            return "timeout"
        except aiohttp.ClientError as exc:
            return type(exc).__name__
