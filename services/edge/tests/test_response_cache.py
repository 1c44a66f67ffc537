"""The edge's response cache (services/edge/response_cache.py, shared/edge_cache.py): what a
service marks is answered from Redis until the user's version token changes; nothing else is."""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import uuid

import aiohttp
import redis.asyncio as redis
from aiohttp import web

from services.edge.app import create_app
from shared.cache import Cache
from shared.testing.infra import REDIS_URL, free_port
from shared.testing.waiting import eventually

from .conftest import ISSUER, UPSTREAM_NAMES, edge_settings, route_table

GRANT = "grant=max-age=60"


def bearer(issuer, sub="auth0|alice"):
    return {"Authorization": f"Bearer {issuer.token(sub=sub)}"}


async def get_json(client, path, headers):
    response = await client.get(path, headers=headers)
    assert response.status == 200, await response.text()
    return response, await response.json()


async def start(edge, **overrides):
    # Unique per test: a port number comes back in a later test or run, and a rate-limit bucket
    # spent under it ("3/hour") outlives the test in Redis.
    run = uuid.uuid4().hex
    values = dict(redis_prefix=f"mv:test:edge:rc{run}:", response_cache_prefix=f"mv:test:edge-cache:{run}:")
    values.update(overrides)
    client, upstream = await edge(**values)
    client.edge_cache_prefix = values["response_cache_prefix"]
    return client, upstream


async def test_a_marked_answer_is_served_by_the_edge_until_the_user_changes_something(edge, issuer):
    client, upstream = await start(edge)
    alice = bearer(issuer)
    path = f"/api/vehicles/cacheable?{GRANT}"
    first, body = await get_json(client, path, alice)
    assert first.headers["X-Edge-Cache"] == "miss"
    assert "MotoVault-Edge-Cache" not in first.headers  # the grant is for the edge alone
    second, again = await get_json(client, path, alice)
    assert second.headers["X-Edge-Cache"] == "hit"
    assert again == body and len(upstream.requests) == 1
    # Hits are still rate limited, stamped and traced like any answer.
    assert "RateLimit" in second.headers and second.headers["X-Request-Id"]
    assert second.headers["Content-Type"].startswith("application/json")

    service = Cache(redis.from_url(REDIS_URL), "unused:", edge_prefix=client.edge_cache_prefix, scope="vehicles")
    await service.user_changed("auth0|alice")
    third, fresh = await get_json(client, path, alice)
    assert third.headers["X-Edge-Cache"] == "miss" and fresh["served"] == 2
    assert len(upstream.requests) == 2
    # Another service's token does not touch this route's entries.
    other = Cache(redis.from_url(REDIS_URL), "unused:", edge_prefix=client.edge_cache_prefix, scope="fuel_logs")
    await other.user_changed("auth0|alice")
    fourth, _ = await get_json(client, path, alice)
    assert fourth.headers["X-Edge-Cache"] == "hit" and len(upstream.requests) == 2


async def test_entries_are_per_user_and_per_query(edge, issuer):
    client, upstream = await start(edge)
    await get_json(client, f"/api/vehicles/cacheable?{GRANT}", bearer(issuer))
    bob, body = await get_json(client, f"/api/vehicles/cacheable?{GRANT}", bearer(issuer, "auth0|bob"))
    assert bob.headers["X-Edge-Cache"] == "miss" and body["served"] == 2
    metric, body = await get_json(client, f"/api/vehicles/cacheable?{GRANT}&units=metric", bearer(issuer))
    assert metric.headers["X-Edge-Cache"] == "miss" and body["path"].endswith("units=metric")
    assert len(upstream.requests) == 3


async def test_unmarked_failed_or_large_answers_are_never_kept(edge, issuer):
    client, upstream = await start(edge, response_cache_max_bytes=2048)
    alice = bearer(issuer)
    for path, status in [("/api/vehicles/cacheable", 200),                      # no grant
                         (f"/api/vehicles/cacheable?{GRANT}&status=404", 404),  # not a 200
                         (f"/api/vehicles/cacheable?{GRANT}&size=4096", 200),   # over the size cap
                         ("/api/vehicles/cacheable?grant=max-age=oops", 200)]:  # malformed grant
        for _ in range(2):
            response = await client.get(path, headers=alice)
            assert response.status == status
            assert response.headers.get("X-Edge-Cache") != "hit"
    assert len(upstream.requests) == 8


async def test_no_cache_from_the_client_goes_to_the_service_and_refreshes_the_entry(edge, issuer):
    client, upstream = await start(edge)
    alice = bearer(issuer)
    path = f"/api/vehicles/cacheable?{GRANT}"
    await get_json(client, path, alice)
    fresh, body = await get_json(client, path, {**alice, "Cache-Control": "no-cache"})
    assert fresh.headers["X-Edge-Cache"] == "miss" and body["served"] == 2
    hit, cached = await get_json(client, path, alice)
    assert hit.headers["X-Edge-Cache"] == "hit" and cached["served"] == 2


async def test_writes_and_anonymous_requests_bypass_the_cache(edge, issuer):
    client, upstream = await start(edge)
    alice = bearer(issuer)
    path = f"/api/vehicles/cacheable?{GRANT}"
    for _ in range(2):
        response = await client.put(path, headers=alice, json={})
        assert response.status == 200 and "X-Edge-Cache" not in response.headers
    for _ in range(2):
        assert (await client.get(path)).status == 401  # never answered from a cache without a token
    assert len(upstream.requests) == 2


async def test_a_hit_is_compressed_for_clients_that_accept_gzip(edge, issuer):
    client, _ = await start(edge)
    alice = bearer(issuer)
    path = f"/api/vehicles/cacheable?{GRANT}&size=5000"
    _, body = await get_json(client, path, alice)
    response = await client.get(path, headers={**alice, "Accept-Encoding": "gzip"}, auto_decompress=False)
    assert response.headers["X-Edge-Cache"] == "hit"
    assert response.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(await response.read())) == body


async def test_the_rate_limit_still_applies_to_hits(edge, issuer):
    client, upstream = await start(edge, rate_limit_default="3/hour")
    alice = bearer(issuer)
    path = f"/api/vehicles/cacheable?{GRANT}"
    statuses = [(await client.get(path, headers=alice)).status for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert len(upstream.requests) == 1


async def test_permissions_are_checked_before_a_hit(edge, issuer, tmp_path):
    client, _ = await start(edge, route_table_file=route_table(tmp_path, {"GET": ["read:vehicles"]}))
    path = f"/api/vehicles/cacheable?{GRANT}"
    reader = {"Authorization": f"Bearer {issuer.token(permissions=['read:vehicles'])}"}
    await get_json(client, path, reader)
    assert (await client.get(path, headers=reader)).headers["X-Edge-Cache"] == "hit"
    same_user_without = {"Authorization": f"Bearer {issuer.token(permissions=[])}"}
    assert (await client.get(path, headers=same_user_without)).status == 403


async def test_redis_down_means_no_cache_not_an_error(edge, issuer):
    client, upstream = await start(edge, redis_url=f"redis://127.0.0.1:{free_port()}/0")
    alice = bearer(issuer)
    for _ in range(2):
        response, _ = await get_json(client, f"/api/vehicles/cacheable?{GRANT}", alice)
        assert "X-Edge-Cache" not in response.headers
    assert len(upstream.requests) == 2


async def test_the_cache_can_be_switched_off(edge, issuer):
    client, upstream = await start(edge, response_cache=False)
    for _ in range(2):
        response, _ = await get_json(client, f"/api/vehicles/cacheable?{GRANT}", bearer(issuer))
        assert "X-Edge-Cache" not in response.headers and "MotoVault-Edge-Cache" not in response.headers
    assert len(upstream.requests) == 2


async def test_requests_refused_for_missing_permissions_still_count_against_the_limit(edge, issuer, tmp_path):
    client, _ = await start(edge, route_table_file=route_table(tmp_path, {"GET": ["read:vehicles"]}),
                            rate_limit_default="2/hour")
    without = {"Authorization": f"Bearer {issuer.token(permissions=[])}"}
    statuses = [(await client.get(f"/api/vehicles/cacheable?{GRANT}", headers=without)).status for _ in range(3)]
    assert statuses == [403, 403, 429]


async def test_a_page_of_a_list_is_never_answered_from_the_cache(edge, issuer):
    client, upstream = await start(edge)
    alice = bearer(issuer)
    # The whole list is kept; the same path with paging parameters is another entry.
    whole, _ = await get_json(client, f"/api/vehicles/cacheable?{GRANT}", alice)
    assert whole.headers["X-Edge-Cache"] == "miss"
    paged, body = await get_json(client, f"/api/vehicles/cacheable?{GRANT}&limit=2", alice)
    assert paged.headers["X-Edge-Cache"] == "miss" and body["path"].endswith("limit=2")
    # An answer carrying a Link (a page with a next one) is not kept, even when marked: the
    # entry holds only the body, and the Link reaches the client on every answer.
    for _ in range(2):
        page, _ = await get_json(client, f"/api/vehicles/cacheable?{GRANT}&limit=2&link=1", alice)
        assert page.headers["X-Edge-Cache"] == "miss"
        assert page.headers["Link"] == '</api/vehicles/cacheable?cursor=next>; rel="next"'
    assert len(upstream.requests) == 4



async def test_a_client_gone_before_its_answer_is_written_is_no_error_and_the_answer_is_kept(issuer, echo, caplog):
    """Phones drop connections: the edge, writing a cacheable answer itself, finds the client gone.
    That is not an error to log with a traceback (it was, twice per request), and the answer is
    still kept for the next request. Served as run_app serves it, where a client going away does
    not cancel its handler (aiohttp's TestServer cancels it)."""
    upstream = await echo()
    settings = edge_settings(jwks_url=issuer.jwks_url, jwt_issuer=ISSUER,
                             **{f"upstream_{name}": upstream.url for name in UPSTREAM_NAMES})
    runner = web.AppRunner(create_app(settings))
    await runner.setup()
    await web.TCPSite(runner, settings.host, settings.port).start()
    alice = bearer(issuer)
    path = f"/api/vehicles/cacheable?{GRANT}&wait=1"
    try:
        with caplog.at_level(logging.INFO):
            reader, writer = await asyncio.open_connection(settings.host, settings.port)
            writer.write(f"GET {path} HTTP/1.1\r\nHost: edge\r\n"
                         f"Authorization: {alice['Authorization']}\r\n\r\n".encode())
            await writer.drain()

            async def forwarded() -> bool:
                return len(upstream.requests) == 1

            await eventually(forwarded)
            writer.close()  # gone while the service answers
            await writer.wait_closed()
            await asyncio.sleep(0.1)  # the edge sees the connection closed
            upstream.release_slow.set()
            async with aiohttp.ClientSession() as session:

                async def kept() -> bool:
                    async with session.get(f"http://{settings.host}:{settings.port}{path}", headers=alice) as response:
                        return response.headers.get("X-Edge-Cache") == "hit"

                await eventually(kept)
        assert len(upstream.requests) == 1
        errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
        assert not errors, [record.getMessage() for record in errors]
        assert any("went away" in record.getMessage() for record in caplog.records)
    finally:
        await runner.cleanup()
