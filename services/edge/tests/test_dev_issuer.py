"""The local dev issuer: login, its JWKS, and tokens verified through the same HTTP JWKS path."""

from __future__ import annotations

import base64
import json
import stat

from shared.identity import IdentityVerifier
from shared.testing.infra import IDENTITY_SECRET

from .conftest import edge_settings


def claims_of(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


async def login(client, username: str = "alice") -> str:
    response = await client.post("/api/auth/login", json={"username": username})
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["tokenType"] == "Bearer" and body["expiresIn"] == 3600
    return body["accessToken"]


async def test_dev_login_token_is_accepted_and_proxied(start_edge, echo):
    upstream = await echo()
    settings = edge_settings(dev_issuer=True, upstream_vehicles=upstream.url)
    client = await start_edge(settings)

    token = await login(client)
    claims = claims_of(token)
    assert claims["sub"] == "dev|alice"
    assert claims["iss"] == f"http://127.0.0.1:{settings.port}/dev/" == settings.jwt_issuer
    assert claims["aud"] == settings.jwt_audience
    assert claims["exp"] - claims["iat"] == 3600
    auth = {"Authorization": f"Bearer {token}"}

    me = await client.get("/api/auth/me", headers=auth)
    assert me.status == 200 and await me.json() == {"userId": "dev|alice"}
    proxied = await client.get("/api/vehicles", headers=auth)
    assert proxied.status == 200
    assert IdentityVerifier(IDENTITY_SECRET).verify(upstream.last["headers"]["X-MotoVault-Identity"]).user_id == "dev|alice"

    jwks = await (await client.get("/dev/.well-known/jwks.json")).json()
    [key] = jwks["keys"]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig"
    assert "d" not in key and "p" not in key  # public half only
    assert settings.jwks_url == f"http://127.0.0.1:{settings.port}/dev/.well-known/jwks.json"


async def test_dev_tokens_from_another_key_are_refused(start_edge):
    first = await start_edge(edge_settings(dev_issuer=True, jwt_issuer="http://127.0.0.1/dev-shared/"))
    second = await start_edge(edge_settings(dev_issuer=True, jwt_issuer="http://127.0.0.1/dev-shared/"))
    token = await login(first)
    response = await second.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status == 401


async def test_edges_sharing_a_key_file_accept_each_others_tokens(start_edge, tmp_path):
    key_file = tmp_path / "keys" / "dev-issuer.pem"
    shared = dict(dev_issuer=True, dev_issuer_key_file=str(key_file), jwt_issuer="http://127.0.0.1/dev-shared/")
    first = await start_edge(edge_settings(**shared))
    second = await start_edge(edge_settings(**shared))
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    token = await login(first, "bob")
    response = await second.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status == 200 and await response.json() == {"userId": "dev|bob"}
    first_jwks = await (await first.get("/dev/.well-known/jwks.json")).json()
    second_jwks = await (await second.get("/dev/.well-known/jwks.json")).json()
    assert first_jwks == second_jwks


async def test_login_validates_the_user_name(start_edge):
    client = await start_edge(edge_settings(dev_issuer=True))
    response = await client.post("/api/auth/login", json={"username": "../../etc passwd"})
    assert response.status == 400
    body = await response.json()
    assert body["details"][0]["field"] == "username"
    assert (await client.post("/api/auth/login", data="alice")).status == 415


async def test_login_without_dev_issuer_is_not_implemented(edge):
    client, _ = await edge()
    response = await client.post("/api/auth/login", json={"username": "alice"})
    assert response.status == 501
    body = await response.json()
    assert body["statusCode"] == 501 and body["error"] == "Not Implemented"
    assert (await client.get("/dev/.well-known/jwks.json")).status == 404


async def test_me_needs_a_token(edge):
    client, _ = await edge()
    response = await client.get("/api/auth/me")
    assert response.status == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
