"""Rate limits: exact across two edge instances, headers, route classes, client keys, Redis down."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from services.edge.ratelimit import LocalLimiter, Policy
from shared.testing.infra import free_port

from .conftest import UPSTREAM_NAMES, edge_settings


def bearer(issuer, sub="auth0|alice"):
    return {"Authorization": f"Bearer {issuer.token(sub=sub)}"}


async def test_limit_holds_exactly_across_two_edge_instances(edge, issuer):
    shared = dict(redis_prefix=f"mv:test:edge:{uuid.uuid4().hex[:12]}:", rate_limit_default="30/hour")
    first, upstream = await edge(**shared)
    second, _ = await edge(**shared, **{f"upstream_{name}": upstream.url for name in UPSTREAM_NAMES})
    auth = bearer(issuer)
    requests = [(first if n % 2 else second).get("/api/vehicles", headers=auth) for n in range(100)]
    statuses = [r.status for r in await asyncio.gather(*requests)]
    assert statuses.count(200) == 30 and statuses.count(429) == 70
    # Another user has a bucket of their own.
    assert (await first.get("/api/vehicles", headers=bearer(issuer, "auth0|bob"))).status == 200


async def test_headers_on_200_and_429(edge, issuer):
    client, _ = await edge(rate_limit_default="2/minute")
    auth = bearer(issuer)
    first = await client.get("/api/vehicles", headers=auth)
    assert first.status == 200
    assert first.headers["RateLimit-Policy"] == '"default";q=2;w=60'
    assert first.headers["RateLimit"].startswith('"default";r=1;t=')
    assert 0 < int(first.headers["RateLimit"].rsplit("t=", 1)[1]) <= 60
    assert (first.headers["X-RateLimit-Limit"], first.headers["X-RateLimit-Remaining"]) == ("2", "1")
    assert time.time() < int(first.headers["X-RateLimit-Reset"]) <= time.time() + 61
    assert "Retry-After" not in first.headers
    second = await client.get("/api/vehicles", headers=auth)
    assert second.status == 200 and second.headers["X-RateLimit-Remaining"] == "0"
    refused = await client.get("/api/vehicles", headers=auth)
    assert refused.status == 429
    body = await refused.json()
    assert body["statusCode"] == 429 and body["error"] == "Too Many Requests"
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert refused.headers["RateLimit"].startswith('"default";r=0;')
    assert 1 <= int(refused.headers["Retry-After"]) <= 30  # one slot frees every 30 s
    assert refused.headers["Access-Control-Allow-Origin"] == "*"


async def test_login_is_limited_per_client_ip_through_trusted_proxies(start_edge, echo):
    upstream = await echo()
    client = await start_edge(edge_settings(dev_issuer=True, rate_limit_login="2/hour", trusted_proxies=1,
                                            upstream_vehicles=upstream.url))

    async def login(forwarded_for: str) -> int:
        response = await client.post("/api/auth/login", json={"username": "alice"},
                                     headers={"X-Forwarded-For": forwarded_for})
        return response.status

    # The proxy in front appends the real client; what the client itself wrote before it is ignored.
    assert [await login(f"{spoof}, 198.51.100.7") for spoof in ("1.1.1.1", "2.2.2.2", "3.3.3.3")] == [200, 200, 429]
    assert await login("198.51.100.8") == 200  # another client


async def test_without_trusted_proxies_forwarded_for_is_ignored(start_edge):
    client = await start_edge(edge_settings(dev_issuer=True, rate_limit_login="1/hour"))
    first = await client.post("/api/auth/login", json={"username": "a"}, headers={"X-Forwarded-For": "1.1.1.1"})
    second = await client.post("/api/auth/login", json={"username": "a"}, headers={"X-Forwarded-For": "2.2.2.2"})
    assert (first.status, second.status) == (200, 429)


async def test_redis_down_fails_open_with_the_local_backstop(edge, issuer):
    client, upstream = await edge(redis_url=f"redis://127.0.0.1:{free_port()}/0", rate_limit_default="3/hour")
    statuses = [(await client.get("/api/vehicles", headers=bearer(issuer))).status for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert len(upstream.requests) == 3


async def test_redis_down_fails_closed_when_configured(edge, issuer):
    client, upstream = await edge(redis_url=f"redis://127.0.0.1:{free_port()}/0", rate_limit_fail_open=False)
    response = await client.get("/api/vehicles", headers=bearer(issuer))
    assert response.status == 503
    assert response.headers["Retry-After"] == "1"
    assert upstream.requests == []
    assert (await client.get("/api/health")).status == 200  # health is never rate limited


@pytest.mark.parametrize("text, expected", [("1000000/minute", (1_000_000, 60)), ("10/second", (10, 1)),
                                            ("5/day", (5, 86_400)), ("100/30s", (100, 30))])
def test_policy_format(text, expected):
    policy = Policy.parse("default", text)
    assert (policy.limit, policy.window) == expected


@hypothesis_settings(max_examples=50, deadline=None)
@given(limit=st.integers(1, 50), burst=st.integers(1, 120))
def test_local_limiter_allows_exactly_the_quota_in_a_burst(limit, burst):
    policy = Policy("default", limit, 3600)
    limiter = LocalLimiter()
    decisions = [limiter.decide(policy, "k") for _ in range(burst)]
    allowed = [d for d in decisions if d.allowed]
    assert len(allowed) == min(limit, burst)
    assert [d.remaining for d in allowed] == list(range(limit - 1, limit - 1 - len(allowed), -1))
    assert all(d.retry_after > 0 for d in decisions if not d.allowed)
