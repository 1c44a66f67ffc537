"""Auth0 authorization code + PKCE through the edge: redirect, state in Redis, code exchange (stand-in)."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from aiohttp import web
from yarl import URL

from services.edge.pkce import PKCE
from shared.redis_client import REDIS
from shared.testing.standin import Reply

FIXTURES = Path(__file__).parent / "fixtures" / "auth0"
APP_CALLBACK = "https://app.motovault.test/callback"


async def pkce_edge(edge, standin, reply, **overrides):
    sent: list[dict] = []

    async def token(request: web.Request) -> web.StreamResponse:
        sent.append(await request.json())
        return web.Response(status=reply.status, body=reply.body, headers={"Content-Type": "application/json"})

    auth0 = await standin({"/oauth/token": token})
    settings = dict(auth0_domain="motovault-test.eu.auth0.com", auth0_base_url=auth0.url, auth0_client_id="client-123",
                    auth0_allowed_redirects=f"{APP_CALLBACK}, https://other.motovault.test/cb",
                    rate_limit_login="1000/minute")
    settings.update(overrides)
    client, _ = await edge(**settings)
    return client, auth0, sent


async def start_login(client, redirect_uri=APP_CALLBACK) -> URL:
    response = await client.get("/api/auth/authorize", params={"redirect_uri": redirect_uri}, allow_redirects=False)
    assert response.status == 302, await response.text()
    return URL(response.headers["Location"])


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


async def test_authorize_redirects_to_auth0_and_callback_exchanges_the_code(edge, standin):
    client, auth0, sent = await pkce_edge(edge, standin, Reply.fixture(FIXTURES / "oauth_token_authorization_code_docs_example.json"))
    location = await start_login(client)
    assert str(location.with_query(None)) == auth0.url + "/authorize"
    query = location.query
    assert query["response_type"] == "code" and query["client_id"] == "client-123"
    assert query["audience"] == "https://api.motovault.test" and query["redirect_uri"] == APP_CALLBACK
    assert query["code_challenge_method"] == "S256" and "openid" in query["scope"].split()
    assert len(query["state"]) >= 32

    callback = await client.get("/api/auth/callback", params={"code": "auth-code-1", "state": query["state"]})
    assert callback.status == 200
    assert await callback.json() == {"accessToken": "eyJz93a...k4laUWw", "tokenType": "Bearer", "expiresIn": 86400,
                                     "idToken": "eyJ0XAi...4faeEoQ", "refreshToken": "GEbRxBN...edjnXbL"}
    [form] = sent
    assert form["grant_type"] == "authorization_code" and form["code"] == "auth-code-1"
    assert form["redirect_uri"] == APP_CALLBACK and form["client_id"] == "client-123"
    # The verifier sent at the exchange is the one whose S256 challenge went to /authorize.
    assert 43 <= len(form["code_verifier"]) <= 128
    assert s256(form["code_verifier"]) == query["code_challenge"]

    # A state is good for one exchange only.
    replay = await client.get("/api/auth/callback", params={"code": "auth-code-1", "state": query["state"]})
    assert replay.status == 400
    assert len(sent) == 1


async def test_each_login_gets_its_own_state_and_verifier(edge, standin):
    client, _, _ = await pkce_edge(edge, standin, Reply.fixture(FIXTURES / "oauth_token_authorization_code_docs_example.json"))
    first, second = (await start_login(client)).query, (await start_login(client)).query
    assert first["state"] != second["state"]
    assert first["code_challenge"] != second["code_challenge"]


async def test_redirect_uri_outside_the_allow_list_is_refused(edge, standin):
    client, auth0, sent = await pkce_edge(edge, standin, Reply.fixture(FIXTURES / "oauth_token_authorization_code_docs_example.json"))
    for uri in ("https://evil.example/callback", APP_CALLBACK + "/../x", APP_CALLBACK + "?next=evil", ""):
        response = await client.get("/api/auth/authorize", params={"redirect_uri": uri}, allow_redirects=False)
        assert response.status == 400, uri
        assert "Location" not in response.headers
    assert (await start_login(client, "https://other.motovault.test/cb")).query["redirect_uri"] == "https://other.motovault.test/cb"


async def test_default_redirect_uri_is_used_when_none_given(edge, standin):
    client, _, _ = await pkce_edge(edge, standin, Reply.fixture(FIXTURES / "oauth_token_authorization_code_docs_example.json"),
                                   auth0_allowed_redirects="", auth0_redirect_uri=APP_CALLBACK)
    response = await client.get("/api/auth/authorize", allow_redirects=False)
    assert response.status == 302
    assert URL(response.headers["Location"]).query["redirect_uri"] == APP_CALLBACK


async def test_unknown_state_is_400_without_calling_auth0(edge, standin):
    client, _, sent = await pkce_edge(edge, standin, Reply.fixture(FIXTURES / "oauth_token_authorization_code_docs_example.json"))
    response = await client.get("/api/auth/callback", params={"code": "c", "state": "made-up-state"})
    assert response.status == 400
    missing = await client.get("/api/auth/callback", params={"state": "x"})
    assert missing.status == 400
    assert sent == []


async def test_expired_state_is_400(edge, standin):
    client, _, sent = await pkce_edge(edge, standin, Reply.fixture(FIXTURES / "oauth_token_authorization_code_docs_example.json"))
    state = (await start_login(client)).query["state"]
    app = client.server.app
    key = app[PKCE]._prefix + state
    assert await app[REDIS].ttl(key) > 0  # stored with a lifetime
    await app[REDIS].expire(key, 0)  # what the TTL does after auth0_state_ttl seconds
    response = await client.get("/api/auth/callback", params={"code": "c", "state": state})
    assert response.status == 400
    assert sent == []


async def test_refused_code_is_401_and_auth0_outage_is_502(edge, standin):
    client, _, sent = await pkce_edge(edge, standin, Reply.fixture(FIXTURES / "oauth_token_error_403_invalid_grant.json", status=403))
    state = (await start_login(client)).query["state"]
    refused = await client.get("/api/auth/callback", params={"code": "stale", "state": state})
    assert refused.status == 401
    assert len(sent) == 1

    broken, _, _ = await pkce_edge(edge, standin, Reply.text('{"error":"server_error"}', status=500))
    state = (await start_login(broken)).query["state"]
    outage = await broken.get("/api/auth/callback", params={"code": "c", "state": state})
    assert outage.status == 502


async def test_redis_down_answers_503_not_500(edge, standin):
    client, _, _ = await pkce_edge(edge, standin, Reply.fixture(FIXTURES / "oauth_token_authorization_code_docs_example.json"),
                                   redis_url="redis://127.0.0.1:1/0")
    response = await client.get("/api/auth/authorize", params={"redirect_uri": APP_CALLBACK}, allow_redirects=False)
    assert response.status == 503
