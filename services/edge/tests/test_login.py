"""POST /api/auth/login with Auth0's password-realm grant (stand-in, real bodies) and /api/auth/verify."""

from __future__ import annotations

import json
from pathlib import Path

from aiohttp import web

from shared.testing.standin import Reply

FIXTURES = Path(__file__).parent / "fixtures" / "auth0"


async def auth0_edge(edge, standin, reply):
    sent: list[dict] = []

    async def token(request: web.Request) -> web.StreamResponse:
        sent.append(await request.json())
        return web.Response(status=reply.status, body=reply.body, headers={"Content-Type": "application/json", **reply.headers})

    auth0 = await standin({"/oauth/token": token})
    client, _ = await edge(auth0_domain="motovault-test.eu.auth0.com", auth0_base_url=auth0.url,
                           auth0_client_id="client-123", auth0_client_secret="s3cret", rate_limit_login="100/minute")
    return client, sent


async def test_password_realm_login_returns_the_access_token(edge, standin):
    client, sent = await auth0_edge(edge, standin, Reply.fixture(FIXTURES / "oauth_token_password_grant_docs_example.json"))
    response = await client.post("/api/auth/login", json={"username": "alice@example.com", "password": "pw"})
    assert response.status == 200
    assert await response.json() == {"accessToken": "eyJz93a...k4laUWw", "tokenType": "Bearer", "expiresIn": 86400}
    [form] = sent
    assert form["grant_type"] == "http://auth0.com/oauth/grant-type/password-realm"
    assert form["realm"] == "Username-Password-Authentication"
    assert form["audience"] == "https://api.motovault.test"  # else Auth0 returns an opaque token
    assert (form["client_id"], form["client_secret"], form["username"]) == ("client-123", "s3cret", "alice@example.com")


async def test_wrong_password_is_401_and_brute_force_lock_is_429(edge, standin):
    client, _ = await auth0_edge(edge, standin, Reply.fixture(FIXTURES / "oauth_token_error_403_invalid_grant.json", status=403))
    wrong = await client.post("/api/auth/login", json={"username": "alice@example.com", "password": "nope"})
    assert wrong.status == 401
    assert (await wrong.json())["message"] == "Wrong email or password."

    locked_reply = Reply.fixture(FIXTURES / "oauth_token_error_429_too_many_attempts_docs_shape.json", status=429)
    locked_reply.headers = {"Retry-After": "120"}
    locked, _ = await auth0_edge(edge, standin, locked_reply)
    response = await locked.post("/api/auth/login", json={"username": "alice@example.com", "password": "x"})
    assert response.status == 429 and response.headers["Retry-After"] == "120"


async def test_login_body_is_validated(edge, standin):
    client, sent = await auth0_edge(edge, standin, Reply.fixture(FIXTURES / "oauth_token_password_grant_docs_example.json"))
    response = await client.post("/api/auth/login", json={"username": "alice"})
    assert response.status == 400
    assert sent == []


async def test_verify_returns_claims_of_valid_tokens_only(edge, issuer):
    client, _ = await edge()
    token = issuer.token(sub="auth0|carol")
    by_body = await client.post("/api/auth/verify", json={"token": token})
    assert by_body.status == 200
    body = await by_body.json()
    assert body["valid"] is True and body["claims"]["sub"] == "auth0|carol"
    by_header = await client.post("/api/auth/verify", headers={"Authorization": f"Bearer {token}"})
    assert (await by_header.json())["claims"]["sub"] == "auth0|carol"
    expired = await client.post("/api/auth/verify", json={"token": issuer.token(exp=1, iat=0)})
    assert expired.status == 401 and expired.headers["WWW-Authenticate"].startswith("Bearer")
    assert (await client.post("/api/auth/verify", data=json.dumps({}), headers={"Content-Type": "application/json"})).status == 401
