"""The object store makes its boto3 clients on first use, once, against the real S3 server (moto).

A service that never touches storage must not pay for boto3 (about 25 MB of RSS, bench/memory.py).
"""

import asyncio
import subprocess
import sys

import aiohttp
import asyncpg
import pytest

from shared.db import migrate
from shared.settings import ObjectStorageSettings
from shared.storage import DeletionSweeper, ObjectStore, StorageUnavailable, schedule_deletion

from .probe import MIGRATIONS as PROBE_MIGRATIONS


class CountingStore(ObjectStore):
    """Counts how often the clients are made (the real ones, talking to the real server)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.made = 0

    def _new_clients(self):
        self.made += 1
        return super()._new_clients()


def counting_store(endpoint: str, bucket: str) -> CountingStore:
    settings = ObjectStorageSettings(s3_endpoint_url=endpoint, s3_access_key="k", s3_secret_key="s", s3_bucket=bucket)
    return CountingStore(settings.storage())


def test_services_and_an_unused_store_do_not_import_boto3():
    code = (
        "import sys\n"
        "import services.vehicles.app, services.fuel_logs.app\n"
        "from shared.settings import ObjectStorageSettings\n"
        "from shared.storage import ObjectStore\n"
        "settings = ObjectStorageSettings(s3_endpoint_url='http://127.0.0.1:1', s3_access_key='k',\n"
        "                                 s3_secret_key='s', s3_bucket='unused')\n"
        "ObjectStore(settings.storage())\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore', 's3transfer')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


async def test_concurrent_first_uses_make_one_set_of_clients(s3_endpoint, infra):
    bucket = f"mvt-{infra.run_id}-lazy-ping"
    await counting_store(s3_endpoint, bucket).ready()
    store = counting_store(s3_endpoint, bucket)
    # Pings skip the bucket check: eight worker threads race to make the clients.
    await asyncio.gather(*(store.ping() for _ in range(8)))
    assert store.made == 1


async def test_the_first_uses_make_the_bucket_once_and_reuse_the_clients(s3_endpoint, infra):
    store = counting_store(s3_endpoint, f"mvt-{infra.run_id}-lazy")
    assert not store.has_clients
    # The bucket does not exist yet: the first use makes it, once, whoever comes first.
    await asyncio.gather(*(store.put(f"k/{n}.txt", b"%d" % n, "text/plain") for n in range(8)))
    assert store.made == 1
    assert store.has_clients
    heads = await asyncio.gather(*(store.head(f"k/{n}.txt") for n in range(8)))
    assert [h["ContentLength"] for h in heads] == [1] * 8
    async with aiohttp.ClientSession() as http, http.get(store.presigned_get("k/3.txt")) as response:
        assert response.status == 200 and await response.read() == b"3"
    assert store.made == 1


async def test_a_presign_before_any_call_makes_the_clients_once(s3_endpoint, infra):
    store = counting_store(s3_endpoint, f"mvt-{infra.run_id}-lazy-sign")
    url = store.presigned_get("never.txt", expires_in=60)
    assert url.startswith(s3_endpoint) and "X-Amz-Expires=60" in url
    assert store.made == 1
    await store.ready()  # makes the bucket with the same clients
    upload = store.presigned_upload("up.jpg", "image/jpeg", max_bytes=100)
    form = aiohttp.FormData({**upload.fields})
    form.add_field("file", b"jpeg", filename="up.jpg", content_type="image/jpeg")
    async with aiohttp.ClientSession() as http, http.post(upload.url, data=form) as response:
        assert response.status in (200, 201, 204), await response.text()
    assert (await store.head("up.jpg"))["ContentLength"] == 4
    assert store.made == 1


async def test_the_sweeper_makes_no_client_until_something_is_queued(infra, s3_endpoint):
    dsn = await infra.create_database("lazy_sweeper")
    await migrate(dsn, PROBE_MIGRATIONS)
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
    try:
        store = counting_store(s3_endpoint, f"mvt-{infra.run_id}-lazy-sweep")
        sweeper = DeletionSweeper(pool, store)
        assert await sweeper.sweep_once() == 0
        assert not store.has_clients and store.made == 0

        async with pool.acquire() as conn, conn.transaction():
            await schedule_deletion(conn, "gone/1.jpg")
        assert await sweeper.sweep_once() == 1
        assert store.made == 1
        assert await pool.fetchval("SELECT count(*) FROM storage_deletions") == 0
    finally:
        await pool.close()


async def test_storage_down_the_first_use_fails_fast_and_a_later_one_makes_the_bucket(s3_endpoint, infra):
    class RecordingStore(CountingStore):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.calls: list[str] = []

        async def _call(self, method, **kwargs):
            self.calls.append(method)
            return await super()._call(method, **kwargs)

    settings = ObjectStorageSettings(s3_endpoint_url="http://127.0.0.1:1", s3_access_key="k", s3_secret_key="s",
                                     s3_bucket=f"mvt-{infra.run_id}-lazy-down")
    down = RecordingStore(settings.storage())
    with pytest.raises(StorageUnavailable):
        await down.put("k.txt", b"x", "text/plain")
    # Unreachable: no bucket creation is tried after the failed check, and no put either.
    assert down.calls == ["head_bucket"]

    up = counting_store(s3_endpoint, f"mvt-{infra.run_id}-lazy-down")
    await up.put("k.txt", b"x", "text/plain")  # the bucket did not exist: made on this first use
    assert (await up.head("k.txt"))["ContentLength"] == 1


async def test_load_clients_makes_them_without_reaching_storage():
    from shared.testing.infra import free_port

    store = counting_store(f"http://127.0.0.1:{free_port()}", "mvt-nowhere")  # nothing listens there
    await asyncio.gather(store.load_clients(), store.load_clients())
    assert store.made == 1 and store.has_clients
    url = store.presigned_get("some/key.png", 60)  # signing is offline: works with storage down
    assert "some/key.png" in url and "X-Amz-Signature=" in url
