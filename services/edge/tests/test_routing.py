"""Resilient routing: retries only for idempotent requests, ejection, timeouts, body limits, big downloads."""

from __future__ import annotations

import asyncio
import tracemalloc


from services.edge.routing import Pool
from shared.testing.infra import free_port


def bearer(issuer):
    return {"Authorization": f"Bearer {issuer.token()}"}


async def test_idempotent_requests_are_retried_on_another_instance(edge, echo, issuer):
    first, second = await echo(), await echo()
    client, _ = await edge(upstream_vehicles=f"{first.url},{second.url}", upstream_retries=1)
    first.fail_with = [503]
    response = await client.get("/api/vehicles", headers=bearer(issuer))
    assert response.status == 200
    assert (len(first.requests), len(second.requests)) == (1, 1)


async def test_a_post_is_never_repeated(edge, echo, issuer):
    first, second = await echo(), await echo()
    client, _ = await edge(upstream_vehicles=f"{first.url},{second.url}", upstream_retries=3)
    first.fail_with, second.fail_with = [503], [503]
    response = await client.post("/api/vehicles", json={"vin": "x"}, headers=bearer(issuer))
    assert response.status == 503
    assert len(first.requests) + len(second.requests) == 1


async def test_a_dead_instance_is_ejected_and_traffic_continues(edge, echo, issuer):
    alive = await echo()
    dead = f"http://127.0.0.1:{free_port()}"
    client, _ = await edge(upstream_vehicles=f"{dead},{alive.url}", upstream_retries=1, eject_after_failures=2)
    # POSTs are not retried: until the dead one is ejected, its turns answer 502.
    statuses = [(await client.post("/api/vehicles", json={}, headers=bearer(issuer))).status for _ in range(4)]
    assert statuses.count(502) == 2
    # Ejected now: every request lands on the live instance.
    statuses = [(await client.post("/api/vehicles", json={}, headers=bearer(issuer))).status for _ in range(6)]
    assert statuses == [201] * 6
    # GETs were never at risk: a failed try moves on to the other instance.
    assert (await client.get("/api/vehicles", headers=bearer(issuer))).status == 200


def test_an_ejected_instance_comes_back_after_its_time():
    now = [0.0]
    pool = Pool("p", ["http://a", "http://b"], eject_after=2, eject_seconds=10, clock=lambda: now[0])
    a = pool.instances[0]
    pool.failed(a)
    pool.failed(a)
    assert {pool.pick().url for _ in range(4)} == {"http://b"}
    now[0] = 10.5
    assert {pool.pick().url for _ in range(4)} == {"http://a", "http://b"}
    pool.failed(pool.instances[1]); pool.failed(pool.instances[1])
    pool.failed(a); pool.failed(a)
    assert pool.pick().url in {"http://a", "http://b"}  # all ejected: still answer something


async def test_slow_upstream_answers_504_within_the_timeout(edge, issuer):
    client, upstream = await edge(upstream_timeout=0.3, upstream_retries=2)
    started = asyncio.get_running_loop().time()
    response = await client.get("/api/vehicles/slow", headers=bearer(issuer))
    assert response.status == 504
    assert asyncio.get_running_loop().time() - started < 1.5  # no retry doubles the wait
    assert len(upstream.requests) == 1
    upstream.release_slow.set()


async def test_request_bodies_over_the_limit_are_413(edge, issuer):
    client, upstream = await edge(proxy_max_body_bytes=1000)
    with_length = await client.post("/api/vehicles", data=b"x" * 1001, headers=bearer(issuer))
    assert with_length.status == 413

    async def chunks():
        for _ in range(5):
            yield b"y" * 400

    chunked = await client.post("/api/vehicles", data=chunks(), headers=bearer(issuer))
    assert chunked.status == 413
    assert all(len(seen["body"]) <= 1000 for seen in upstream.requests)
    assert (await client.post("/api/vehicles", data=b"x" * 1000, headers=bearer(issuer))).status == 201


async def test_a_100_mb_download_streams_with_bounded_memory(edge, issuer):
    client, _ = await edge()
    size = 100 * 1024 * 1024
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        response = await client.get(f"/api/vehicles/download?bytes={size}", headers=bearer(issuer))
        received = 0
        async for chunk in response.content.iter_chunked(1 << 16):
            received += len(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status == 200 and received == size
    # Upstream, edge and client share this process: all together stay far below the body size.
    assert peak < 16 * 1024 * 1024, peak


async def test_per_version_metrics_are_exported(edge, issuer):
    client, _ = await edge()
    assert (await client.get("/api/vehicles", headers=bearer(issuer))).status == 200
    metrics = await (await client.get("/metrics")).text()
    assert 'edge_upstream_requests_total{outcome="200",route="vehicles",version="current"} 1.0' in metrics
