"""Personal access tokens at the edge: created once, listed without secrets, used like the owner's
JWT with their scope enforced, expired and revoked ones refused at once on every instance, and a
database outage answered 503.

Each test gets its own database from the session's `infra` (dropped at the end) and its own
Redis prefix under the session's, so runs sharing the machine never meet.
"""

from __future__ import annotations

import hashlib
import uuid
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from services.edge.access_tokens import PREFIX, check_scope, is_access_token, new_token, token_hash
from shared.http.errors import Forbidden
from shared.identity import IdentityVerifier
from shared.testing.infra import IDENTITY_SECRET, free_port
from shared.testing.tcp_proxy import TcpProxy

from .conftest import OWNER, bearer


async def create(client, auth, scope="read-write", name="home assistant", **extra) -> dict:
    response = await client.post("/api/auth/tokens", json={"name": name, "scope": scope, **extra}, headers=auth)
    assert response.status == 201, await response.text()
    return await response.json()


async def test_created_token_is_shown_once_and_only_its_hash_is_stored(pat_edge, login):
    client, _ = await pat_edge()
    created = await create(client, login(), scope="read", name="garage script", expiresInDays=7)
    token = created["token"]
    assert token.startswith("mvp_") and len(token) >= len("mvp_") + 43
    assert created["name"] == "garage script" and created["scope"] == "read"
    assert created["lastUsedAt"] is None

    listed = await (await client.get("/api/auth/tokens", headers=login())).json()
    assert [t["id"] for t in listed] == [created["id"]]
    assert set(listed[0]) == {"id", "name", "scope", "createdAt", "expiresAt", "lastUsedAt"}
    assert token not in str(listed)

    conn = await asyncpg.connect(pat_edge.database_url)
    try:
        row = await conn.fetchrow("SELECT * FROM access_tokens")
    finally:
        await conn.close()
    assert bytes(row["token_hash"]) == hashlib.sha256(token.encode()).digest()
    assert token not in str(dict(row))
    # Another user sees none of alice's tokens.
    assert await (await client.get("/api/auth/tokens", headers=login("auth0|bob"))).json() == []


async def test_token_acts_as_its_owner_on_a_proxied_get(pat_edge, login):
    client, upstream = await pat_edge()
    token = (await create(client, login(), scope="read"))["token"]
    response = await client.get("/api/vehicles", headers=bearer(token))
    assert response.status == 200
    seen = upstream.last["headers"]
    assert IdentityVerifier(IDENTITY_SECRET).verify(seen["X-MotoVault-Identity"]).user_id == OWNER
    assert "Authorization" not in seen  # the token itself never travels on
    me = await client.get("/api/auth/me", headers=bearer(token))
    assert await me.json() == {"userId": OWNER}
    listed = await (await client.get("/api/auth/tokens", headers=login())).json()
    assert listed[0]["lastUsedAt"] is not None


async def test_read_only_token_cannot_write(pat_edge, login):
    client, upstream = await pat_edge()
    read_only = (await create(client, login(), scope="read"))["token"]
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        response = await client.request(method, "/api/vehicles/1", json={}, headers=bearer(read_only))
        assert response.status == 403, method
        body = await response.json()
        assert body["statusCode"] == 403 and body["message"] == "This access token is read-only"
        assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]
    assert upstream.requests == []  # refused at the edge
    # An edge route refuses the write the same way.
    ai = await client.post("/api/ai/generate", json={"prompt": "hi"}, headers=bearer(read_only))
    assert ai.status == 403
    read_write = (await create(client, login(), scope="read-write"))["token"]
    assert (await client.post("/api/vehicles", json={}, headers=bearer(read_write))).status == 201


async def test_expired_token_is_refused(pat_edge, login):
    client, _ = await pat_edge()
    created = await create(client, login(), expiresInDays=1)
    conn = await asyncpg.connect(pat_edge.database_url)
    try:
        await conn.execute("UPDATE access_tokens SET expires_at = now() - interval '1 second' WHERE id = $1",
                           uuid.UUID(created["id"]))
    finally:
        await conn.close()
    response = await client.get("/api/vehicles", headers=bearer(created["token"]))
    assert response.status == 401
    assert (await response.json())["message"] == "Token expired"


async def test_revocation_is_immediate_on_every_instance(pat_edge, login):
    first, _ = await pat_edge()
    second, _ = await pat_edge()
    created = await create(first, login())
    auth = bearer(created["token"])
    # Both instances have verified it (and the lookup is now cached in the shared Redis).
    assert (await first.get("/api/vehicles", headers=auth)).status == 200
    assert (await second.get("/api/vehicles", headers=auth)).status == 200

    assert (await first.delete(f"/api/auth/tokens/{created['id']}", headers=login())).status == 204
    for client in (second, first):
        response = await client.get("/api/vehicles", headers=auth)
        assert response.status == 401
        assert (await response.json())["message"] == "Token revoked"
    assert await (await second.get("/api/auth/tokens", headers=login())).json() == []
    # Gone is gone: revoking again, or someone else's token, is a 404.
    assert (await second.delete(f"/api/auth/tokens/{created['id']}", headers=login())).status == 404


async def test_revoking_someone_elses_token_is_not_found(pat_edge, login):
    client, _ = await pat_edge()
    created = await create(client, login())
    assert (await client.delete(f"/api/auth/tokens/{created['id']}", headers=login("auth0|bob"))).status == 404
    assert (await client.delete("/api/auth/tokens/not-a-uuid", headers=login())).status == 404
    assert (await client.get("/api/vehicles", headers=bearer(created["token"]))).status == 200


async def test_a_lookup_racing_a_revocation_cannot_cache_the_token_back(pat_edge, login):
    """A lookup that read the row just before the revocation committed writes its answer after it."""
    from services.edge.auth import ACCESS_TOKEN_STORE

    client, _ = await pat_edge()
    created = await create(client, login())
    store = client.app[ACCESS_TOKEN_STORE]
    digest = token_hash(created["token"])
    stale = await store._load(digest)  # the racing lookup's read: still live
    await store.revoke(OWNER, uuid.UUID(created["id"]))
    await store._remember(digest, stale)  # ...and its write, arriving late
    assert (await client.get("/api/vehicles", headers=bearer(created["token"]))).status == 401


async def test_an_access_token_cannot_manage_access_tokens(pat_edge, login):
    client, _ = await pat_edge()
    created = await create(client, login())
    auth = bearer(created["token"])
    attempts = [
        client.post("/api/auth/tokens", json={"name": "more", "scope": "read-write"}, headers=auth),
        client.get("/api/auth/tokens", headers=auth),
        client.delete(f"/api/auth/tokens/{created['id']}", headers=auth),
    ]
    for attempt in attempts:
        response = await attempt
        assert response.status == 403
        assert (await response.json())["message"].startswith("Access tokens cannot manage access tokens")
    assert len(await (await client.get("/api/auth/tokens", headers=login())).json()) == 1


async def test_token_shares_its_owners_rate_limit(pat_edge, login):
    client, _ = await pat_edge(rate_limit_default="3/minute")
    token = (await create(client, login(), scope="read"))["token"]
    assert (await client.get("/api/vehicles", headers=login())).status == 200
    assert (await client.get("/api/vehicles", headers=bearer(token))).status == 200
    assert (await client.get("/api/vehicles", headers=login())).status == 200
    assert (await client.get("/api/vehicles", headers=bearer(token))).status == 429
    assert (await client.get("/api/vehicles", headers=login())).status == 429
    assert (await client.get("/api/vehicles", headers=login("auth0|bob"))).status == 200


async def test_database_down_answers_503_for_token_lookups_only(pat_edge, login):
    target = urlsplit(pat_edge.database_url)
    proxy = TcpProxy(target.hostname, target.port)
    await proxy.start()
    proxied = urlunsplit(target._replace(netloc=f"{target.username}@127.0.0.1:{proxy.port}"))
    client, _ = await pat_edge(database_url=proxied)
    token = (await create(client, login()))["token"]  # never looked up yet: not in the cache

    await proxy.cut()
    response = await client.get("/api/vehicles", headers=bearer(token))
    assert response.status == 503
    assert (await response.json())["statusCode"] == 503
    listing = await client.get("/api/auth/tokens", headers=login())
    assert listing.status == 503
    # JWT traffic does not depend on the token database.
    assert (await client.get("/api/vehicles", headers=login())).status == 200


async def test_redis_down_lookups_use_the_database_and_revocation_waits_for_redis(pat_edge, login):
    """Without the revoked marker another instance could keep trusting its cached lookup: refuse, 503."""
    client, _ = await pat_edge(redis_url=f"redis://127.0.0.1:{free_port()}/0")
    created = await create(client, login())
    auth = bearer(created["token"])
    assert (await client.get("/api/vehicles", headers=auth)).status == 200
    response = await client.delete(f"/api/auth/tokens/{created['id']}", headers=login())
    assert response.status == 503 and "Retry-After" in response.headers
    # Nothing was revoked: the owner retries once Redis is back.
    assert (await client.get("/api/vehicles", headers=auth)).status == 200
    assert len(await (await client.get("/api/auth/tokens", headers=login())).json()) == 1


@pytest.mark.parametrize("body, field", [
    ({"name": "x", "scope": "admin"}, "scope"),
    ({"scope": "read"}, "name"),
    ({"name": "", "scope": "read"}, "name"),
    ({"name": "x", "scope": "read", "expiresInDays": 0}, "expiresInDays"),
    ({"name": "x", "scope": "read", "expiresInDays": 366}, "expiresInDays"),
    ({"name": "x", "scope": "read", "expiresInDays": "30"}, "expiresInDays"),
])
async def test_bad_input_is_a_400_naming_the_field(pat_edge, login, body, field):
    client, _ = await pat_edge()
    response = await client.post("/api/auth/tokens", json=body, headers=login())
    assert response.status == 400
    assert [d["field"] for d in (await response.json())["details"]] == [field]


async def test_unknown_token_and_a_gateway_without_tokens(pat_edge, edge, login):
    client, _ = await pat_edge()
    response = await client.get("/api/vehicles", headers=bearer(new_token()))
    assert response.status == 401 and (await response.json())["message"] == "Invalid token"
    plain, _ = await edge()  # no EDGE_DATABASE_URL: tokens are off
    response = await plain.get("/api/vehicles", headers=bearer(new_token()))
    assert response.status == 401
    assert (await plain.post("/api/auth/tokens", json={"name": "x", "scope": "read"}, headers=login())).status == 501


@pytest.mark.pure
def test_token_format_and_hash():
    first, second = new_token(), new_token()
    assert first != second and is_access_token(first) and first.startswith(PREFIX)
    assert not is_access_token("eyJhbGciOiJSUzI1NiJ9.e30.sig")
    assert token_hash(first) == hashlib.sha256(first.encode()).digest() != token_hash(second)


@pytest.mark.pure
@pytest.mark.parametrize("method, allowed", [("GET", True), ("HEAD", True), ("OPTIONS", True),
                                             ("POST", False), ("PUT", False), ("PATCH", False), ("DELETE", False)])
def test_read_scope_allows_only_reads(method, allowed):
    claims = {"sub": OWNER, "pat_id": "x", "pat_scope": "read"}
    if allowed:
        check_scope(method, claims)
    else:
        with pytest.raises(Forbidden):
            check_scope(method, claims)
    check_scope(method, {**claims, "pat_scope": "read-write"})  # never refused
