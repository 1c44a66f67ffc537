"""Redis cache-aside and object storage against the real servers."""

import asyncio

import aiohttp
import asyncpg
import pytest
import redis.asyncio as redis

from shared.cache import Cache
from shared.edge_cache import TOKEN_SECONDS, version_key
from shared.db import migrate
from shared.settings import ObjectStorageSettings
from shared.storage import DeletionSweeper, ObjectStore, StorageUnavailable, schedule_deletion
from shared.redis_client import redis_client
from shared.redis_pipeline import PipelinedRedis
from shared.testing.infra import REDIS_URL

from .probe import MIGRATIONS as PROBE_MIGRATIONS


@pytest.fixture
async def cache(infra):
    client = PipelinedRedis(REDIS_URL, timeout=2)
    yield Cache(client, infra.redis_prefix + "cache-test:", edge_prefix=infra.redis_prefix + "edge-cache:",
                scope="probe")
    await client.aclose()


async def test_cache_aside_loads_once_then_serves_until_the_user_changes_something(cache, infra):
    loads = []

    async def load():
        loads.append(1)
        return {"n": len(loads)}

    assert await cache.get_or_load("k", 60, load) == {"n": 1}
    assert await cache.get_or_load("k", 60, load) == {"n": 1}
    token_key = version_key(infra.redis_prefix + "edge-cache:", "probe", "alice")
    await cache.user_changed("alice", "k")
    assert await cache.get_or_load("k", 60, load) == {"n": 2}
    # The same round trip gave the edge a new version token for the user, each time a new one.
    client = redis.from_url(REDIS_URL)
    first = await client.get(token_key)
    await cache.user_changed("alice")
    second = await client.get(token_key)
    assert first and second and first != second
    assert 0 < await client.ttl(token_key) <= TOKEN_SECONDS
    await client.aclose()


async def test_a_load_that_raced_a_change_is_not_cached(cache):
    # A read misses and loads; before it stores, a write commits and invalidates. Storing the
    # loaded (pre-change) value then would serve it for the whole TTL: a write that was
    # acknowledged would be missing from the list for minutes.
    database = {"rows": ["old"]}

    async def load_while_a_write_commits():
        seen = list(database["rows"])
        database["rows"].append("new")  # the write commits...
        await cache.user_changed("alice", "raced")  # ...and invalidates, after its commit
        return seen

    async def load():
        return list(database["rows"])

    assert await cache.get_or_load("raced", 60, load_while_a_write_commits) == ["old"]  # what it read
    assert await cache.get_or_load("raced", 60, load) == ["old", "new"]
    assert await cache.get_or_load("raced", 60, lambda: pytest.fail("cached by now")) == ["old", "new"]


async def test_keys_of_one_group_share_a_generation_and_a_change_to_any_drops_them_all(cache):
    """"list|metric" and "list|imperial" share one generation: a change replaces one token for
    both, and a load of any of them that raced a change to one is not stored."""
    database = {"rows": ["old"]}

    async def load():
        return list(database["rows"])

    assert await cache.get_or_load("list|imperial", 60, load) == ["old"]  # cached

    async def load_while_a_write_commits():
        seen = list(database["rows"])
        database["rows"].append("new")
        await cache.user_changed("alice", "list|imperial")  # one key of the group is enough
        return seen

    assert await cache.get_or_load("list|metric", 60, load_while_a_write_commits) == ["old"]  # a miss, raced
    for units in ("metric", "imperial"):  # neither the raced load nor the other unit's entry was kept
        assert await cache.get_or_load(f"list|{units}", 60, load) == ["old", "new"]
        assert await cache.get_or_load(f"list|{units}", 60, lambda: pytest.fail("cached by now")) == ["old", "new"]


async def test_cache_falls_back_to_the_loader_when_redis_is_down():
    client = PipelinedRedis("redis://127.0.0.1:1/0", timeout=0.2)
    cache = Cache(client, "down:")

    async def load():
        return [1, 2]

    assert await cache.get_or_load("k", 60, load) == [1, 2]
    await cache.user_changed("alice", "k")  # logged, not raised
    await client.aclose()


def store_for(endpoint: str, bucket: str, public: str | None = None) -> ObjectStore:
    settings = ObjectStorageSettings(
        s3_endpoint_url=endpoint, s3_public_endpoint_url=public, s3_access_key="k", s3_secret_key="s", s3_bucket=bucket
    )
    return ObjectStore(settings.storage())


async def test_storage_put_presign_get_delete(s3_endpoint, infra):
    store = store_for(s3_endpoint, f"mvt-{infra.run_id}-store")
    await store.ensure_bucket()
    await store.put("a/b.txt", b"hello", "text/plain")
    async with aiohttp.ClientSession() as http:
        async with http.get(store.presigned_get("a/b.txt")) as response:
            assert response.status == 200
            assert await response.read() == b"hello"
    await store.delete("a/b.txt", "never/existed")
    assert await store.head("a/b.txt") is None


async def test_presigned_urls_use_the_public_endpoint_and_expire(s3_endpoint, infra):
    store = store_for(s3_endpoint, f"mvt-{infra.run_id}-pub", public="https://files.example.test")
    url = store.presigned_get("x.jpg", expires_in=120)
    assert url.startswith("https://files.example.test/")
    assert "X-Amz-Expires=120" in url
    upload = store.presigned_upload("x.jpg", "image/jpeg", max_bytes=5_000_000, expires_in=600)
    assert upload.url.startswith("https://files.example.test/")
    import base64
    import json

    policy = json.loads(base64.b64decode(upload.fields["policy"]))
    assert ["content-length-range", 1, 5_000_000] in policy["conditions"]
    assert {"Content-Type": "image/jpeg"} in policy["conditions"]


async def test_storage_down_raises_storage_unavailable():
    store = store_for("http://127.0.0.1:1", "nowhere")
    with pytest.raises(StorageUnavailable):
        await store.put("k", b"x", "text/plain")


async def test_scheduled_deletions_wait_for_storage_then_happen(infra, s3_endpoint):
    dsn = await infra.create_database("sweeper")
    await migrate(dsn, PROBE_MIGRATIONS)
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
    try:
        live = store_for(s3_endpoint, f"mvt-{infra.run_id}-sweep")
        await live.ensure_bucket()
        await live.put("receipts/1.jpg", b"jpeg", "image/jpeg")
        async with pool.acquire() as conn, conn.transaction():
            await schedule_deletion(conn, "receipts/1.jpg")

        down = DeletionSweeper(pool, store_for("http://127.0.0.1:1", f"mvt-{infra.run_id}-sweep"))
        with pytest.raises(StorageUnavailable):
            await down.sweep_once()
        assert await pool.fetchval("SELECT count(*) FROM storage_deletions") == 1  # still queued

        assert await DeletionSweeper(pool, live).sweep_once() == 1
        assert await live.head("receipts/1.jpg") is None
        assert await pool.fetchval("SELECT count(*) FROM storage_deletions") == 0
    finally:
        await pool.close()



async def test_more_concurrent_commands_than_connections_wait_for_one_instead_of_failing(infra):
    """redis-py's default pool raises "Too many connections" beyond its size; ours waits."""
    client = redis_client(REDIS_URL, max_connections=4)
    try:
        key = infra.redis_prefix + "concurrent"
        answers = await asyncio.gather(*(client.incr(key) for _ in range(200)))
        assert sorted(answers) == list(range(1, 201))
    finally:
        await client.aclose()


async def test_a_failed_connection_gives_its_place_back():
    """With Redis unreachable every command fails at once with a connection error, the tenth as
    the first: none waits for a place a failed attempt kept."""
    client = redis_client("redis://127.0.0.1:1/0", max_connections=2)
    try:
        for _ in range(10):
            with pytest.raises(redis.ConnectionError) as failure:
                await client.get("anything")
            assert "came free" not in str(failure.value)
    finally:
        await client.aclose()
