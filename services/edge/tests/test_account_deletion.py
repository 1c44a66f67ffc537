"""DELETE /api/account at the edge: it needs an interactive login, and the accounts service's 202
revokes and removes the user's personal access tokens before the answer is relayed."""

from __future__ import annotations

import asyncpg

from shared.testing.infra import free_port

from .conftest import OWNER, bearer
from .test_access_tokens import create


async def token_rows(pat_edge, user: str) -> int:
    conn = await asyncpg.connect(pat_edge.database_url)
    try:
        return await conn.fetchval("SELECT count(*) FROM access_tokens WHERE user_id = $1", user)
    finally:
        await conn.close()


async def test_an_accepted_deletion_revokes_the_users_tokens_on_every_instance(pat_edge, login):
    first, upstream = await pat_edge()
    second, _ = await pat_edge()
    mine = [await create(first, login(), name=f"script {n}") for n in range(2)]
    other = await create(first, login("auth0|bob"))
    for client in (first, second):  # both instances have the lookups cached
        for token in mine:
            assert (await client.get("/api/vehicles", headers=bearer(token["token"]))).status == 200

    upstream.fail_with = [202]  # the accounts service accepts the deletion
    response = await first.delete("/api/account", headers=login())
    assert response.status == 202
    assert upstream.last["method"] == "DELETE" and upstream.last["path"] == "/api/account"

    for client in (second, first):
        for token in mine:
            refused = await client.get("/api/vehicles", headers=bearer(token["token"]))
            assert refused.status == 401 and (await refused.json())["message"] == "Token revoked"
    assert await token_rows(pat_edge, OWNER) == 0  # removed, not only revoked
    assert (await second.get("/api/vehicles", headers=bearer(other["token"]))).status == 200
    assert await token_rows(pat_edge, "auth0|bob") == 1


async def test_a_refused_or_other_answer_keeps_the_tokens(pat_edge, login):
    client, upstream = await pat_edge()
    token = await create(client, login())
    upstream.fail_with = [500]
    assert (await client.delete("/api/account", headers=login())).status == 500
    assert (await client.get("/api/account/deletion", headers=login())).status == 200  # not a deletion
    assert (await client.delete("/api/account/deletion", headers=login())).status == 200  # another path
    assert (await client.get("/api/vehicles", headers=bearer(token["token"]))).status == 200
    assert await token_rows(pat_edge, OWNER) == 1


async def test_an_access_token_cannot_delete_the_account(pat_edge, login):
    client, upstream = await pat_edge()
    token = await create(client, login(), scope="read-write")
    response = await client.delete("/api/account", headers=bearer(token["token"]))
    assert response.status == 403
    assert "insufficient_scope" in response.headers["WWW-Authenticate"]
    assert upstream.requests == []  # the accounts service never heard of it
    assert (await client.get("/api/vehicles", headers=bearer(token["token"]))).status == 200


async def test_without_redis_the_revocation_answers_503_and_a_repeat_finishes_it(pat_edge, login):
    down, upstream = await pat_edge(redis_url=f"redis://127.0.0.1:{free_port()}/0")
    token = await create(down, login())
    upstream.fail_with = [202]
    response = await down.delete("/api/account", headers=login())
    assert response.status == 503 and "Retry-After" in response.headers
    assert "deletion has started" in (await response.json())["message"]
    assert await token_rows(pat_edge, OWNER) == 1  # nothing half done

    up, upstream = await pat_edge()  # Redis is back (another instance, the same database)
    upstream.fail_with = [202]  # the accounts service answers 202 again while the deletion is pending
    assert (await up.delete("/api/account", headers=login())).status == 202
    assert await token_rows(pat_edge, OWNER) == 0
    assert (await up.get("/api/vehicles", headers=bearer(token["token"]))).status == 401


async def test_without_personal_access_tokens_the_deletion_is_relayed(edge, issuer):
    client, upstream = await edge()
    upstream.fail_with = [202]
    response = await client.delete("/api/account", headers={"Authorization": f"Bearer {issuer.token(sub=OWNER)}"})
    assert response.status == 202
    assert (await client.delete("/api/account")).status == 401  # no token
