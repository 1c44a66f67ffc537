"""Token verification at the edge: the attack cases of reference A.3 and the JWKS cache rules."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time

import pytest

from shared.testing.waiting import eventually

from .conftest import ISSUER

NOW = int(time.time())


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segments(token: str) -> list[str]:
    return token.split(".")


def unsigned(issuer, alg: str) -> str:
    header = b64(json.dumps({"alg": alg, "typ": "JWT", "kid": "test-current"}).encode())
    return f"{header}.{segments(issuer.token())[1]}."


def hs256_with_public_key(issuer) -> str:
    """Algorithm confusion: HMAC keyed with the RSA public key, which a naive verifier would accept."""
    public_pem = issuer.keys["current"].as_pem(private=False)
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "test-current"}).encode())
    signing_input = f"{header}.{segments(issuer.token())[1]}"
    signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def tampered_signature(issuer) -> str:
    header, payload, signature = segments(issuer.token())
    middle = len(signature) // 2
    flipped = "A" if signature[middle] != "A" else "B"
    return f"{header}.{payload}.{signature[:middle]}{flipped}{signature[middle + 1:]}"


def tampered_payload(issuer) -> str:
    header, _, signature = segments(issuer.token())
    forged = segments(issuer.token(sub="auth0|mallory"))[1]
    return f"{header}.{forged}.{signature}"


INVALID_TOKENS = {
    "expired": lambda i: i.token(exp=NOW - 120, iat=NOW - 600),
    "missing exp": lambda i: i.token(exp=None),
    "not yet valid": lambda i: i.token(nbf=NOW + 600),
    "wrong issuer": lambda i: i.token(iss="https://other-tenant.eu.auth0.com/"),
    "issuer without trailing slash": lambda i: i.token(iss=ISSUER.rstrip("/")),
    "wrong audience": lambda i: i.token(aud="https://other.api"),
    "audience array without ours": lambda i: i.token(aud=["https://other.api", ISSUER + "userinfo"]),
    "missing sub": lambda i: i.token(sub=None),
    "alg none": lambda i: unsigned(i, "none"),
    "alg nOnE": lambda i: unsigned(i, "nOnE"),
    "HS256 signed with the public key": hs256_with_public_key,
    "unknown kid": lambda i: i.token(key="stranger"),
    "missing kid": lambda i: i.token(header={"kid": None}),
    "foreign key under a known kid": lambda i: i.token(key="stranger", header={"kid": "test-current"}),
    "jku pointing at the attacker's keys": lambda i: i.token(key="stranger", header={"jku": i.url + "/evil.json"}),
    "tampered signature": tampered_signature,
    "tampered payload": tampered_payload,
    "garbage": lambda i: "not-a-jwt",
    "five segments (JWE)": lambda i: "a.b.c.d.e",
}


def assert_unauthorized(response, body, *, invalid: bool = True) -> None:
    assert response.status == 401
    challenge = response.headers.get("WWW-Authenticate", "")
    assert challenge.startswith("Bearer")
    assert ('error="invalid_token"' in challenge) is invalid
    assert body["statusCode"] == 401 and body["error"] == "Unauthorized"
    assert body["requestId"] == response.headers["X-Request-Id"]


@pytest.mark.parametrize("case", INVALID_TOKENS)
async def test_invalid_tokens_are_refused_before_the_upstream(edge, issuer, case):
    client, upstream = await edge()
    token = INVALID_TOKENS[case](issuer)
    response = await client.get("/api/vehicles", headers={"Authorization": f"Bearer {token}"})
    assert_unauthorized(response, await response.json())
    assert upstream.requests == []


async def test_missing_token_is_challenged_without_error_code(edge):
    client, upstream = await edge()
    for headers in ({}, {"Authorization": "Bearer"}):
        response = await client.get("/api/fuel-logs", headers=headers)
        assert response.status == 401
    response = await client.get("/api/vehicles")
    assert_unauthorized(response, await response.json(), invalid=False)
    assert upstream.requests == []


async def test_other_schemes_and_unknown_api_paths_need_a_token(edge, issuer):
    client, upstream = await edge()
    basic = await client.get("/api/vehicles", headers={"Authorization": "Basic YWxpY2U6c2VjcmV0"})
    assert_unauthorized(basic, await basic.json())
    # Unknown routes under /api do not reveal themselves to anonymous callers...
    unknown = await client.get("/api/no-such-thing")
    assert unknown.status == 401
    # ...and answer 404 to authenticated ones.
    known_user = await client.get("/api/no-such-thing", headers={"Authorization": f"Bearer {issuer.token()}"})
    assert known_user.status == 404
    assert upstream.requests == []


async def test_valid_token_variants_are_accepted(edge, issuer):
    client, upstream = await edge()
    accepted = {
        "audience array": issuer.token(),
        "audience string": issuer.token(aud="https://api.motovault.test"),
        "expired within the 30 s leeway": issuer.token(exp=int(time.time()) - 10),
        "at+jwt type (RFC 9068)": issuer.token(header={"typ": "at+jwt"}),
    }
    for name, token in accepted.items():
        response = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status == 200, name
        assert await response.json() == {"userId": "auth0|alice"}


async def test_unknown_kid_refetch_is_rate_limited(edge, issuer):
    client, _ = await edge()
    assert (await client.get("/api/auth/me", headers={"Authorization": f"Bearer {issuer.token()}"})).status == 200
    assert issuer.fetches == 1
    # Within the cooldown a made-up kid costs the issuer nothing.
    for _ in range(3):
        response = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {issuer.token(key='stranger')}"})
        assert response.status == 401
    assert issuer.fetches == 1


async def test_concurrent_unknown_kid_requests_share_one_fetch(edge, issuer):
    client, _ = await edge(jwks_refetch_cooldown=0.3)
    assert (await client.get("/api/auth/me", headers={"Authorization": f"Bearer {issuer.token()}"})).status == 200
    await asyncio.sleep(0.35)  # past the cooldown: the next unknown kid may trigger a fetch
    issuer.delay = 0.3
    stranger = {"Authorization": f"Bearer {issuer.token(key='stranger')}"}
    responses = await asyncio.gather(*(client.get("/api/auth/me", headers=stranger) for _ in range(50)))
    assert [r.status for r in responses] == [401] * 50
    assert issuer.fetches == 2


async def test_rotated_key_is_fetched_once_and_accepted_by_all_waiting_requests(edge, issuer):
    client, _ = await edge(jwks_refetch_cooldown=0.3)
    assert (await client.get("/api/auth/me", headers={"Authorization": f"Bearer {issuer.token()}"})).status == 200
    await asyncio.sleep(0.35)
    issuer.published = [issuer.keys["current"], issuer.keys["next"]]  # Auth0 publishes the next key
    issuer.delay = 0.3
    rotated = {"Authorization": f"Bearer {issuer.token(key='next')}"}
    responses = await asyncio.gather(*(client.get("/api/auth/me", headers=rotated) for _ in range(50)))
    assert [r.status for r in responses] == [200] * 50
    assert issuer.fetches == 2


async def test_issuer_outage_keeps_the_last_good_keys(edge, issuer):
    client, _ = await edge(jwks_cache_ttl=0.1, jwks_refetch_cooldown=0.1)
    valid = {"Authorization": f"Bearer {issuer.token()}"}
    assert (await client.get("/api/auth/me", headers=valid)).status == 200
    assert issuer.fetches == 1

    issuer.failing = True  # the issuer answers 503
    await asyncio.sleep(0.15)
    assert (await client.get("/api/auth/me", headers=valid)).status == 200

    async def refresh_attempted() -> bool:
        return issuer.fetches >= 2

    await eventually(refresh_attempted, timeout=3)
    assert (await client.get("/api/auth/me", headers=valid)).status == 200

    await issuer.client.close()  # now the issuer is gone altogether
    await asyncio.sleep(0.15)
    for _ in range(2):
        assert (await client.get("/api/auth/me", headers=valid)).status == 200
        await asyncio.sleep(0.15)
    stranger = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {issuer.token(key='stranger')}"})
    assert stranger.status == 401


async def test_a_key_removed_from_the_jwks_stops_verifying(edge, issuer):
    client, _ = await edge(jwks_cache_ttl=0.1, jwks_refetch_cooldown=0.1)
    old = {"Authorization": f"Bearer {issuer.token()}"}
    assert (await client.get("/api/auth/me", headers=old)).status == 200
    issuer.published = [issuer.keys["next"]]
    await asyncio.sleep(0.15)

    async def old_key_revoked() -> bool:
        return (await client.get("/api/auth/me", headers=old)).status == 401

    await eventually(old_key_revoked, timeout=3)
    new = {"Authorization": f"Bearer {issuer.token(key='next')}"}
    assert (await client.get("/api/auth/me", headers=new)).status == 200


async def test_ready_reports_redis_and_signing_keys(edge, issuer):
    client, _ = await edge()
    response = await client.get("/ready")
    assert response.status == 200, await response.text()
    assert (await response.json())["checks"] == {"redis": "ok", "jwks": "ok"}


async def test_not_ready_without_signing_keys(edge, issuer):
    issuer.failing = True
    client, _ = await edge()
    response = await client.get("/ready")
    assert response.status == 503
    checks = (await response.json())["checks"]
    assert checks["redis"] == "ok" and checks["jwks"].startswith("unavailable")
