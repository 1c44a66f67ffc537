"""Routing and forwarding: what reaches a service, what comes back, and upstream trouble."""

from __future__ import annotations

import asyncio
import os

import aiohttp
import pytest
from multidict import CIMultiDict
from yarl import URL

from services.edge.request_body import WHOLE_BODY_BYTES
from services.edge.upstream_headers import AssertionCache, client_response_headers
from shared.identity import IdentitySigner, IdentityVerifier
from shared.testing.infra import IDENTITY_SECRET, free_port

from .conftest import UPSTREAM_NAMES


def bearer(issuer, sub: str = "auth0|alice") -> dict[str, str]:
    return {"Authorization": f"Bearer {issuer.token(sub=sub)}"}


async def test_request_is_forwarded_with_the_verified_identity_only(edge, issuer):
    client, upstream = await edge()
    forged = IdentitySigner(IDENTITY_SECRET).sign("auth0|mallory")  # even a validly signed one
    headers = {
        **bearer(issuer),
        "X-User-Id": "auth0|mallory",
        "X-MotoVault-Identity": forged,
        "X-User": "mallory",
        "X-Auth-User": "mallory",
        "X-Forwarded-User": "mallory",
        "X-Request-Id": "req-0123456789",
        "X-Forwarded-For": "203.0.113.9",
        "Connection": "keep-alive, X-Hop-Secret",
        "X-Hop-Secret": "for-the-edge-only",
        "Accept-Language": "de-CH",
    }
    response = await client.post("/api/vehicles?make=VW&note=a%20b", json={"vin": "1HGCM82633A004352"}, headers=headers)

    assert response.status == 201
    assert await response.json() == {"method": "POST", "rawPath": "/api/vehicles?make=VW&note=a%20b",
                                     "bodyLength": len(b'{"vin": "1HGCM82633A004352"}')}
    assert response.headers["X-Upstream"] == upstream.url
    assert response.headers["X-Request-Id"] == "req-0123456789"

    seen = upstream.last["headers"]
    assert IdentityVerifier(IDENTITY_SECRET).verify(seen["X-MotoVault-Identity"]).user_id == "auth0|alice"
    assert seen.getall("X-MotoVault-Identity") == [seen["X-MotoVault-Identity"]]
    for spoofable in ("X-User-Id", "X-User", "X-Auth-User", "X-Forwarded-User", "Authorization", "X-Hop-Secret"):
        assert spoofable not in seen, spoofable
    assert upstream.last["body"] == b'{"vin": "1HGCM82633A004352"}'
    assert seen["X-Request-Id"] == "req-0123456789"
    assert seen["X-Forwarded-For"] == "203.0.113.9, 127.0.0.1"
    assert seen["X-Forwarded-Proto"] == "http"
    assert seen["X-Forwarded-Host"] == f"{client.host}:{client.port}"
    assert seen["Accept-Language"] == "de-CH"
    assert seen["Content-Type"] == "application/json"


async def test_each_prefix_reaches_its_own_service(edge, echo, issuer):
    services = {name: await echo() for name in UPSTREAM_NAMES}
    client, _ = await edge(**{f"upstream_{name}": upstream.url for name, upstream in services.items()})
    paths = {
        "vehicles": "/api/vehicles/8d0c/documents?sort=-createdAt",
        "fuel_logs": "/api/fuel-logs/vehicle/8d0c/stats",
        "stations": "/api/stations/photo/Aap%2FQ%3D%3D?maxwidth=400",
        "maintenance": "/api/maintenance/upcoming/8d0c",
        "notifications": "/api/notifications/deliveries?status=failed",
        "accounts": "/api/account/deletion",
    }
    for name, path in paths.items():
        response = await client.get(URL(path, encoded=True), headers=bearer(issuer))  # sent as written
        assert response.status == 200, name
        assert [seen["raw_path"] for seen in services[name].requests] == [path]  # byte for byte
    # A look-alike prefix is no route of ours.
    assert (await client.get("/api/vehiclesX", headers=bearer(issuer))).status == 404


async def test_instances_of_a_service_take_turns(edge, echo, issuer):
    first, second = await echo(), await echo()
    client, _ = await edge(upstream_vehicles=f"{first.url}, {second.url}")
    for _ in range(4):
        assert (await client.get("/api/vehicles", headers=bearer(issuer))).status == 200
    assert (len(first.requests), len(second.requests)) == (2, 2)


async def test_each_user_gets_an_assertion_of_their_own(edge, issuer):
    client, upstream = await edge()
    for sub in ("auth0|alice", "auth0|bob", "auth0|alice"):
        assert (await client.get("/api/vehicles", headers=bearer(issuer, sub))).status == 200
    verifier = IdentityVerifier(IDENTITY_SECRET)
    users = [verifier.verify(seen["headers"]["X-MotoVault-Identity"]).user_id for seen in upstream.requests]
    assert users == ["auth0|alice", "auth0|bob", "auth0|alice"]


def test_assertions_are_signed_once_per_user_and_renewed_after_30_seconds():
    class CountingSigner:
        calls = 0

        def sign(self, user_id: str) -> str:
            self.calls += 1
            return f"{user_id}#{self.calls}"

    now = [1000.0]
    signer = CountingSigner()
    cache = AssertionCache(signer, clock=lambda: now[0])  # type: ignore[arg-type]
    assert [cache.get("alice"), cache.get("alice"), cache.get("bob")] == ["alice#1", "alice#1", "bob#2"]
    now[0] += 29.9
    assert cache.get("alice") == "alice#1"
    now[0] += 0.2  # 30.1 s after signing: half of the assertion's 60 s life is used up
    assert cache.get("alice") == "alice#3"
    assert signer.calls == 3


async def test_large_bodies_stream_through_both_ways(edge, issuer):
    # Larger than the edge's own 1 MiB body limit: the edge streams it, it does not read it.
    client, upstream = await edge()
    payload = os.urandom(3 * 1024 * 1024)
    response = await client.put("/api/vehicles/8d0c/image", data=payload,
                                headers={**bearer(issuer), "Content-Type": "image/jpeg"})
    assert response.status == 200
    assert (await response.json())["bodyLength"] == len(payload)
    assert upstream.last["body"] == payload
    assert upstream.last["headers"]["Content-Type"] == "image/jpeg"


async def test_compressed_responses_pass_through_untouched(edge, issuer):
    client, _ = await edge()
    response = await client.get("/api/stations/gzip", headers={**bearer(issuer), "Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert await response.json() == {"compressed": True}


async def test_unreachable_upstream_is_502(edge, issuer):
    client, _ = await edge(upstream_vehicles=f"http://127.0.0.1:{free_port()}")
    response = await client.get("/api/vehicles", headers=bearer(issuer))
    assert response.status == 502
    body = await response.json()
    assert body["statusCode"] == 502 and body["error"] == "Bad Gateway"
    assert body["requestId"] == response.headers["X-Request-Id"]


async def test_slow_upstream_is_504(edge, issuer):
    client, upstream = await edge(upstream_timeout=0.3)
    started = asyncio.get_running_loop().time()
    response = await client.get("/api/vehicles/slow", headers=bearer(issuer))
    assert response.status == 504
    assert asyncio.get_running_loop().time() - started < 2
    body = await response.json()
    assert body["statusCode"] == 504 and body["error"] == "Gateway Timeout"
    upstream.release_slow.set()


async def test_upstream_dying_mid_body_cuts_the_client_connection(edge, issuer):
    client, _ = await edge()
    # A large answer streams: its status line is relayed before the service dies.
    response = await client.get(f"/api/vehicles/truncated?promise={WHOLE_BODY_BYTES + 1}", headers=bearer(issuer))
    assert response.status == 200  # the status line was already relayed
    with pytest.raises(aiohttp.ClientPayloadError):
        await asyncio.wait_for(response.read(), 5)  # a clean end of body would leave the client waiting


async def test_upstream_dying_mid_small_body_is_a_502(edge, issuer):
    client, _ = await edge()
    # A small answer is read whole before anything is sent, so the client gets a clear error.
    response = await client.get("/api/vehicles/truncated?promise=100000", headers=bearer(issuer))
    assert response.status == 502
    assert (await response.json())["message"] == "The service's answer was cut short"


async def test_api_health_probes_every_service(edge, issuer):
    client, _ = await edge()
    healthy = await client.get("/api/health")  # public: no token
    assert healthy.status == 200
    assert (await healthy.json())["checks"] == {name: "ok" for name in UPSTREAM_NAMES}

    down, _ = await edge(upstream_stations=f"http://127.0.0.1:{free_port()}")
    degraded = await down.get("/api/health")
    assert degraded.status == 503
    checks = (await degraded.json())["checks"]
    assert checks["stations"].startswith("unavailable")
    assert all(checks[name] == "ok" for name in UPSTREAM_NAMES if name != "stations")


def test_hop_by_hop_headers_are_dropped_from_responses():
    class Upstream:
        headers = CIMultiDict([
            ("Content-Type", "application/json"), ("Connection", "keep-alive, X-Internal-Hop"),
            ("Keep-Alive", "timeout=75"), ("Transfer-Encoding", "chunked"), ("X-Internal-Hop", "1"),
            ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"),
        ])

    relayed = client_response_headers(Upstream())  # type: ignore[arg-type]
    assert list(relayed.items()) == [("Content-Type", "application/json"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")]


async def test_platform_endpoints_are_public(edge):
    client, _ = await edge()
    for path in ("/health", "/metrics"):
        assert (await client.get(path)).status == 200, path


async def test_signed_photo_urls_pass_without_a_token_and_without_identity(edge, issuer):
    client, upstream = await edge()
    forged = IdentitySigner(IDENTITY_SECRET).sign("auth0|mallory")
    response = await client.get("/api/stations/photo-signed/Aap?exp=1&sig=abc",
                                headers={"X-MotoVault-Identity": forged, "X-User-Id": "auth0|mallory"})
    assert response.status == 200
    seen = upstream.last["headers"]
    assert "X-MotoVault-Identity" not in seen and "X-User-Id" not in seen  # the service checks the signature
    assert (await client.get("/api/stations/photo/Aap")).status == 401  # the unsigned route still needs a token


async def test_the_calendar_feed_passes_without_a_token_and_without_identity(edge):
    client, upstream = await edge()
    forged = IdentitySigner(IDENTITY_SECRET).sign("auth0|mallory")
    response = await client.get("/api/notifications/calendar/feed/motovault.ics?token=secret-token",
                                headers={"X-MotoVault-Identity": forged})
    assert response.status == 200
    assert upstream.last["path"] == "/api/notifications/calendar/feed/motovault.ics"
    assert "X-MotoVault-Identity" not in upstream.last["headers"]  # the service checks the token
    assert (await client.get("/api/notifications/calendar")).status == 401  # making the URL needs a token
    assert (await client.get("/api/notifications/calendar/feedX")).status == 401


async def test_a_cookie_set_by_an_upstream_never_reaches_another_request(edge, echo, issuer):
    upstream = await echo()
    # By host name: a cookie jar ignores cookies of bare IP addresses, as a container's name is not one.
    client, _ = await edge(upstream_vehicles=upstream.url.replace("127.0.0.1", "localhost"))
    first = await client.get("/api/vehicles/set-cookie", headers=bearer(issuer))
    assert first.headers["Set-Cookie"].startswith("session=alice-secret")  # relayed to its client
    client.session.cookie_jar.clear()  # Bob's client never saw it
    await client.get("/api/vehicles/next", headers=bearer(issuer, "auth0|bob"))
    assert "Cookie" not in upstream.last["headers"]  # the edge kept no cookie jar of its own
