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


def rs256_signed(issuer, extra_header: dict) -> str:
    """Properly signed with the published key, with a header joserfc itself would not write."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    header = b64(json.dumps({"alg": "RS256", "kid": "test-current", **extra_header}).encode())
    signing_input = f"{header}.{segments(issuer.token())[1]}".encode()
    signature = issuer.keys["current"].private_key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input.decode()}.{b64(signature)}"


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
    "bad base64url": lambda i: "eyJhbGciOiJSUzI1NiJ9!.e30.c2ln",
    "oversized": lambda i: i.token(padding="x" * 3500),
    "iat far in the future": lambda i: i.token(iat=NOW + 3600, exp=NOW + 3900),
    "lifetime above the cap": lambda i: i.token(iat=NOW - 10, exp=NOW + 2 * 86_400),
    "unknown crit extension": lambda i: rs256_signed(i, {"crit": ["exp-ext"], "exp-ext": 1}),
    "embedded jwk of the attacker": lambda i: i.token(
        key="stranger", header={"jwk": i.keys["stranger"].as_dict(private=False)}),
    "x5u pointing at the attacker": lambda i: i.token(key="stranger", header={"x5u": i.url + "/evil.pem"}),
    "x5c chain of the attacker": lambda i: i.token(key="stranger", header={"x5c": ["MIIB"]}),
    "kid path traversal": lambda i: i.token(key="stranger", header={"kid": "../../dev/null"}),
    "kid SQL injection": lambda i: i.token(key="stranger", header={"kid": "x' OR '1'='1"}),
    "kid shell metacharacters": lambda i: i.token(key="stranger", header={"kid": "$(touch /tmp/pwned);`id`"}),
    "ID token (aud is the client id)": lambda i: i.token(aud="Xj3kClientId", nonce="n-0S6"),
    "ID-token typ": lambda i: i.token(header={"typ": "id_token+jwt"}),
    "typ of another kind": lambda i: rs256_signed(i, {"typ": "dpop+jwt"}),
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


async def test_a_header_beyond_the_parser_limit_is_400_not_500(edge, issuer):
    client, upstream = await edge()
    response = await client.get("/api/vehicles", headers={"Authorization": f"Bearer {issuer.token(padding='x' * 9000)}"})
    assert response.status == 400
    assert upstream.requests == []


async def test_expiry_boundary_exp_equal_to_now_is_refused(edge, issuer):
    client, _ = await edge(jwt_leeway=0)
    response = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {issuer.token(exp=int(time.time()))}"})
    assert_unauthorized(response, await response.json())


async def test_a_key_of_another_type_under_the_jwks_is_refused(edge, issuer):
    from joserfc import jwt as jose_jwt
    from joserfc.jwk import ECKey

    ec_key = ECKey.generate_key("P-256", parameters={"kid": "test-ec"})
    issuer.extra_jwks = [ec_key.as_dict(private=False, use="sig", alg="ES256")]
    client, _ = await edge()
    claims = {"iss": ISSUER, "aud": "https://api.motovault.test", "sub": "auth0|mallory",
              "iat": int(time.time()), "exp": int(time.time()) + 300}
    for alg in ("ES256", "RS256"):  # honest header, and one lying about the algorithm
        token = jose_jwt.encode({"alg": "ES256", "kid": "test-ec"}, claims, ec_key, algorithms=["ES256"])
        if alg == "RS256":
            header, payload, signature = token.split(".")
            token = ".".join([b64(json.dumps({"alg": "RS256", "kid": "test-ec"}).encode()), payload, signature])
        response = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert_unauthorized(response, await response.json())


async def test_two_authorization_headers_and_query_tokens_are_refused(edge, issuer):
    client, upstream = await edge()
    token = issuer.token()
    twice = await client.get("/api/vehicles", headers=[("Authorization", f"Bearer {token}"),
                                                        ("Authorization", f"Bearer {token}")])
    assert_unauthorized(twice, await twice.json())
    for name in ("access_token", "token", "jwt"):
        in_query = await client.get(f"/api/vehicles?{name}={token}")
        assert_unauthorized(in_query, await in_query.json(), invalid=False)
    assert upstream.requests == []


async def test_many_tokens_while_the_jwks_fetch_fails_never_crash(edge, issuer):
    client, _ = await edge(jwks_refetch_cooldown=0)
    valid = {"Authorization": f"Bearer {issuer.token()}"}
    assert (await client.get("/api/auth/me", headers=valid)).status == 200
    issuer.failing = True
    issuer.delay = 0.05
    requests = []
    for n in range(30):
        token = issuer.token(key="stranger", header={"kid": f"made-up-{n}"}) if n % 2 else issuer.token(sub=f"auth0|u{n}")
        requests.append(client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}))
    statuses = [r.status for r in await asyncio.gather(*requests)]
    assert statuses == [401 if n % 2 else 200 for n in range(30)]


async def test_verified_tokens_are_cached_until_expiry(edge, issuer, monkeypatch):
    from services.edge import auth

    decoded = []
    real_decode = auth.jwt.decode
    monkeypatch.setattr(auth.jwt, "decode", lambda *a, **k: decoded.append(1) or real_decode(*a, **k))
    client, _ = await edge()
    token = {"Authorization": f"Bearer {issuer.token()}"}
    for _ in range(5):
        assert (await client.get("/api/auth/me", headers=token)).status == 200
    assert len(decoded) == 1


def test_the_verified_token_cache_expires_entries_and_is_bounded():
    from services.edge.auth import VerifiedTokens

    class Keys:
        published = {"k1"}

        def cached(self, kid):
            return object() if kid in self.published else None

    keys = Keys()
    cache = VerifiedTokens(max_entries=2)
    now = time.time()
    cache.put("expired", {"sub": "a"}, now - 1, "k1")
    cache.put("valid", {"sub": "b"}, now + 60, "k1")
    assert cache.get("expired", keys) is None
    assert cache.get("valid", keys) == {"sub": "b"}
    cache.put("other", {"sub": "c"}, now + 60, "k1")
    cache.put("third", {"sub": "d"}, now + 60, "k1")  # evicts the least recently used
    assert cache.get("valid", keys) is None and cache.get("third", keys) == {"sub": "d"}
    keys.published = set()  # the key was revoked: cached verifications die with it
    assert cache.get("third", keys) is None
