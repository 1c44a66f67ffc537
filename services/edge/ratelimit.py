"""Cluster-wide rate limits: one Redis round trip (ratelimit.lua, GCRA) per request.

Key: the user (`sub`) when the request is authenticated, else the client IP, where
X-Forwarded-For is believed only through `trusted_proxies` hops. Route classes: `login`
(brute force), `ai` (strict), `default`. Answers carry `RateLimit-Policy` / `RateLimit`
(IETF draft-10) and `X-RateLimit-Limit/-Remaining/-Reset` (Reset = Unix time in seconds, as
express-rate-limit sent it); a 429 adds `Retry-After` (whole seconds, >= 1).

Proxied routes are counted by the proxy's pipeline (`checks_own_rate_limit`), which adds the
response-cache lookup of a user's GET to the same script: one Redis round trip decides and may
answer. Everything else is counted by the middleware here.

Redis down: fail-open (default) lets requests through an in-process limiter of the same
policy, per edge instance; fail-closed answers 503. After a Redis error the limiter stays
local for a second instead of paying a failed connection per request.
"""

from __future__ import annotations

import logging
import math
import re
import time
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from shared.cache import REDIS_PIPELINE
from shared.edge_cache import NO_VERSION
from shared.http.errors import ApiError, ServiceUnavailable
from shared.http.middleware import USER_ID_KEY, Handler
from shared.outage import OutageLog
from shared.redis_pipeline import PipelinedRedis, RedisFailure

from .settings import EdgeSettings

log = logging.getLogger("motovault.edge.ratelimit")

SCRIPT = Path(__file__).with_name("ratelimit.lua").read_text()
UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86_400}
DECISION_KEY = web.RequestKey("rate_limit_decision", "Decision")
RATE_LIMITER = web.AppKey("rate_limiter", "RateLimiter")
UNLIMITED_PATHS = frozenset({"/api/health"})
REDIS_PAUSE_SECONDS = 1.0
LOCAL_MAX_KEYS = 100_000


@dataclass(frozen=True)
class Policy:
    name: str
    limit: int
    window: float  # seconds

    @classmethod
    def parse(cls, name: str, text: str) -> "Policy":
        count, _, window = (part.strip() for part in text.partition("/"))
        seconds = UNITS.get(window) or float(re.sub(r"s$", "", window))
        if int(count) < 1 or seconds <= 0:
            raise ValueError(f"invalid rate limit {text!r}")
        return cls(name, int(count), seconds)

    @property
    def header(self) -> str:
        return f'"{self.name}";q={self.limit};w={math.ceil(self.window)}'


@dataclass(frozen=True)
class Decision:
    policy: Policy
    allowed: bool
    remaining: int
    reset: float  # seconds until the quota is whole again
    retry_after: float  # seconds until one more request is allowed (0 when allowed)

    def headers(self) -> dict[str, str]:
        reset = max(0, math.ceil(self.reset))
        headers = {
            "RateLimit-Policy": self.policy.header,
            "RateLimit": f'"{self.policy.name}";r={self.remaining};t={reset}',
            "X-RateLimit-Limit": str(self.policy.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(math.ceil(time.time() + self.reset)),
        }
        if not self.allowed:
            headers["Retry-After"] = str(max(1, math.ceil(self.retry_after)))
        return headers


class LocalLimiter:
    """The same GCRA in process memory: the backstop while Redis is unreachable."""

    def __init__(self) -> None:
        self._tat: dict[str, float] = {}

    def decide(self, policy: Policy, key: str) -> Decision:
        now = time.monotonic()
        if len(self._tat) >= LOCAL_MAX_KEYS:
            self._tat = {k: v for k, v in self._tat.items() if v > now}
        interval = policy.window / policy.limit
        tat = max(self._tat.get(key, now), now)
        new_tat = tat + interval
        allow_at = new_tat - policy.window
        if allow_at - now > 1e-6:  # a tolerance: (now + window) - window may round above now
            return Decision(policy, False, 0, tat - now, allow_at - now)
        self._tat[key] = new_tat
        # The epsilon absorbs float error: (window - interval) / interval must count limit - 1.
        return Decision(policy, True, int((now - allow_at) / interval + 1e-6), new_tat - now, 0)


@dataclass(frozen=True)
class CacheProbe:
    """Where the edge's cached answer to a request would be (shared/edge_cache.py)."""

    version_key: str
    entry_head: str
    entry_tail: str


@dataclass(frozen=True)
class CacheLookup:
    token: str  # the user's version token read with the entry: a miss is stored under it
    entry: bytes | None


class RateLimiter:
    def __init__(self, client: PipelinedRedis, settings: EdgeSettings) -> None:
        self._script = client.register_script(SCRIPT)
        self._prefix = settings.redis_prefix
        self._fail_open = settings.rate_limit_fail_open
        self._trusted_proxies = settings.trusted_proxies
        self._policies = {
            name: Policy.parse(name, getattr(settings, f"rate_limit_{name}")) for name in ("default", "login", "ai")
        }
        self._local = LocalLimiter()
        self._redis_paused_until = 0.0
        self._outage = OutageLog(f"Redis (rate limits, failing {'open' if self._fail_open else 'closed'})", log)

    def policy_for(self, path: str) -> Policy:
        if path.startswith("/api/auth/"):
            return self._policies["login"] if path != "/api/auth/me" else self._policies["default"]
        if path.startswith("/api/ai/"):
            return self._policies["ai"]
        return self._policies["default"]

    async def check(self, request: web.Request, probe: CacheProbe | None = None) -> CacheLookup | None:
        """Count the request against its quota (429 when spent); with a probe, also look up the cache."""
        user = request.get(USER_ID_KEY)
        identity = f"user:{user}" if user else f"ip:{client_ip(request, self._trusted_proxies)}"
        decision, lookup = await self.decide(self.policy_for(request.path), identity, probe)
        request[DECISION_KEY] = decision
        if not decision.allowed:
            raise ApiError("Too many requests; retry later", status=429, headers=decision.headers())
        return lookup

    async def decide(self, policy: Policy, identity: str,
                     probe: CacheProbe | None = None) -> tuple[Decision, CacheLookup | None]:
        # {identity} is a hash tag: on Redis Cluster all of a client's buckets share a slot.
        key = f"{self._prefix}rl:{policy.name}:{{{identity}}}"
        if time.monotonic() >= self._redis_paused_until:
            keys, args = [key], [policy.limit, int(policy.window * 1_000_000)]
            if probe is not None:
                keys.append(probe.version_key)
                args += [probe.entry_head, probe.entry_tail, NO_VERSION]
            try:
                reply = await self._script(keys=keys, args=args)
            except (RedisFailure, OSError) as exc:
                self._redis_paused_until = time.monotonic() + REDIS_PAUSE_SECONDS
                self._outage.failed(exc)
            else:
                self._outage.succeeded()
                allowed, remaining, reset_us, retry_us = reply[:4]
                decision = Decision(policy, bool(allowed), int(remaining), reset_us / 1e6, retry_us / 1e6)
                lookup = None
                if len(reply) > 4:
                    lookup = CacheLookup(reply[4].decode(), reply[5] if len(reply) > 5 and reply[5] else None)
                return decision, lookup
        if not self._fail_open:
            raise ServiceUnavailable("Rate limiting is unavailable; try again shortly", headers={"Retry-After": "1"})
        return self._local.decide(policy, key), None  # no Redis: no cache either


def client_ip(request: web.Request, trusted_proxies: int) -> str:
    """The address of the client: the peer, or the entry `trusted_proxies` hops back in X-Forwarded-For."""
    chain = [request.remote or "unknown"]
    if trusted_proxies:
        forwarded = [hop.strip() for value in request.headers.getall("X-Forwarded-For", [])
                     for hop in value.split(",") if hop.strip()]
        chain = forwarded + chain
    return chain[-(trusted_proxies + 1)] if len(chain) > trusted_proxies else chain[0]


def checks_own_rate_limit(handler: Handler) -> Handler:
    """Mark a handler that calls RateLimiter.check itself, for every request it serves."""
    handler.checks_own_rate_limit = True  # type: ignore[attr-defined]
    return handler


def add_rate_limits(app: web.Application, settings: EdgeSettings) -> None:
    """Call after add_auth: the limit is per user once the token is known."""

    async def limiter_context(app: web.Application):
        app[RATE_LIMITER] = RateLimiter(app[REDIS_PIPELINE], settings)
        yield

    @web.middleware
    async def rate_limit_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        path = request.path
        if not path.startswith("/api/") or path in UNLIMITED_PATHS:
            return await handler(request)
        if getattr(request.match_info.handler, "checks_own_rate_limit", False):
            return await handler(request)  # counted there, with a cache lookup in the same round trip
        await app[RATE_LIMITER].check(request)
        return await handler(request)

    async def stamp_headers(request: web.Request, response: web.StreamResponse) -> None:
        decision = request.get(DECISION_KEY)
        if decision is not None and "RateLimit" not in response.headers:
            response.headers.update(decision.headers())

    app.cleanup_ctx.append(limiter_context)
    app.middlewares.append(rate_limit_middleware)
    app.on_response_prepare.append(stamp_headers)
