"""Security headers (helmet's defaults), CORS on every answer, compression, the cached /api/health."""

from __future__ import annotations

import asyncio

from .conftest import UPSTREAM_NAMES

HELMET = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "no-referrer",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-XSS-Protection": "0",
}


def assert_helmet(response) -> None:
    for name, value in HELMET.items():
        assert response.headers.get(name) == value, name
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert "X-Powered-By" not in response.headers


async def test_every_answer_carries_the_security_headers(edge, issuer):
    client, _ = await edge()
    auth = {"Authorization": f"Bearer {issuer.token()}"}
    answers = [
        await client.get("/api/health"),
        await client.get("/api/vehicles"),  # 401
        await client.get("/api/vehicles", headers=auth),  # streamed from the service
        await client.get("/api/nothing-here", headers=auth),  # 404
        await client.get("/health"),
    ]
    assert [r.status for r in answers] == [200, 401, 200, 404, 200]
    for response in answers:
        assert_helmet(response)
    assert answers[2].headers["Cache-Control"] == "no-store"  # personal data


async def test_preflight_needs_no_token(edge):
    client, upstream = await edge()
    response = await client.options("/api/vehicles", headers={
        "Origin": "https://app.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    })
    assert response.status == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "authorization" in response.headers["Access-Control-Allow-Headers"].lower()
    assert int(response.headers["Access-Control-Max-Age"]) > 0
    assert_helmet(response)
    assert upstream.requests == []


async def test_errors_carry_cors_headers(edge):
    client, _ = await edge()
    response = await client.get("/api/vehicles", headers={"Origin": "https://app.example"})
    assert response.status == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-Request-Id" in response.headers["Access-Control-Expose-Headers"]
    assert "Link" in response.headers["Access-Control-Expose-Headers"]  # a script pages lists by it


async def test_configured_origins_are_echoed_and_others_get_nothing(edge, issuer):
    client, _ = await edge(cors_allowed_origins="https://app.example, https://admin.example")
    auth = {"Authorization": f"Bearer {issuer.token()}"}
    allowed = await client.get("/api/vehicles", headers={**auth, "Origin": "https://admin.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://admin.example"
    assert allowed.headers["Vary"] == "Origin"
    stranger = await client.get("/api/vehicles", headers={**auth, "Origin": "https://evil.example"})
    assert stranger.status == 200 and "Access-Control-Allow-Origin" not in stranger.headers
    preflight = await client.options("/api/vehicles", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "DELETE"})
    assert "Access-Control-Allow-Origin" not in preflight.headers


async def test_json_answers_are_compressed_when_the_client_accepts_it(edge, issuer):
    client, _ = await edge()
    auth = {"Authorization": f"Bearer {issuer.token()}"}
    compressed = await client.get("/api/vehicles/big-json", headers={**auth, "Accept-Encoding": "gzip"})
    assert compressed.headers["Content-Encoding"] == "gzip"
    assert len((await compressed.json())["items"]) == 200  # the client decodes it
    plain = await client.get("/api/vehicles/big-json", headers={**auth, "Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    assert len((await plain.json())["items"]) == 200


async def test_api_health_is_compatible_and_cached(edge, echo):
    client, upstream = await edge(health_cache_seconds=60)
    answers = await asyncio.gather(*(client.get("/api/health") for _ in range(20)))
    for response in answers:
        body = await response.json()
        assert response.status == 200 and body["status"] == "ok"
        assert body["checks"] == {name: "ok" for name in UPSTREAM_NAMES}
    # One instance serves all four pools: one round of probes for twenty answers.
    assert upstream.ready_calls == len(UPSTREAM_NAMES)


async def test_api_health_probes_again_after_the_cache_expires(edge):
    client, upstream = await edge(health_cache_seconds=0.05)
    assert (await client.get("/api/health")).status == 200
    await asyncio.sleep(0.1)
    assert (await client.get("/api/health")).status == 200
    assert upstream.ready_calls == 2 * len(UPSTREAM_NAMES)
