"""Object storage on boto3 (S3, MinIO, or moto's server in local runs).

Two clients: one talks to the internal endpoint; the other only signs URLs, for the endpoint
clients can reach (inside containers `http://minio:9000` is not the browser's host). boto3 is
blocking, so every network call runs in a worker thread, off the event loop.

boto3 is imported and the clients are made on first use, not at start: importing boto3 costs a
process about 10 MB and an S3 client about 14 MB more (its service model), which a service pays
only once it touches storage (bench/memory.py measures it). The bucket is made on first use too.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, AsyncIterator

import asyncpg
from aiohttp import web
from pydantic import BaseModel, SecretStr

from .db import POOL
from .errors import DependencyUnavailable
from .tasks import cancel_and_wait, wait_set

if TYPE_CHECKING:
    from botocore.client import BaseClient

STORAGE = web.AppKey("storage", "ObjectStore")
SWEEPER = web.AppKey("storage_sweeper", "DeletionSweeper")
log = logging.getLogger("motovault.storage")


class StorageSettings(BaseModel):
    endpoint_url: str | None
    public_endpoint_url: str | None
    region: str
    access_key: str
    secret_key: SecretStr
    bucket: str
    timeout: float = 5.0


class StorageUnavailable(DependencyUnavailable):
    """Answers 503 through the error middleware; the cause stays in logs, not in the response."""

    def __init__(self, detail: str) -> None:
        super().__init__("Object storage is unavailable; try again later")
        self.detail = detail


@dataclass(frozen=True)
class PresignedUpload:
    url: str
    fields: dict[str, str]
    expires_in: int


@dataclass(frozen=True)
class _Clients:
    internal: BaseClient  # talks to storage
    signer: BaseClient  # only signs URLs, for the endpoint clients reach


class ObjectStore:
    def __init__(self, settings: StorageSettings) -> None:
        self.bucket = settings.bucket
        self._settings = settings
        self._clients: _Clients | None = None
        # A thread lock: clients are made in worker threads, or once in the loop by a presign.
        self._clients_lock = threading.Lock()
        self._bucket_ready = False
        self._bucket_lock = asyncio.Lock()

    @property
    def has_clients(self) -> bool:
        """Whether boto3 clients exist yet (they are made on first use)."""
        return self._clients is not None

    def _new_clients(self) -> _Clients:
        settings = self._settings
        return _Clients(
            internal=_client(settings, settings.endpoint_url, settings.timeout),
            signer=_client(settings, settings.public_endpoint_url or settings.endpoint_url, settings.timeout),
        )

    def _clients_now(self) -> _Clients:
        """The clients, made once under the lock; blocking (imports boto3 the first time)."""
        if self._clients is None:
            with self._clients_lock:
                if self._clients is None:
                    self._clients = self._new_clients()
        return self._clients

    async def _internal(self) -> BaseClient:
        clients = self._clients or await asyncio.to_thread(self._clients_now)
        return clients.internal

    async def _call(self, method: str, **kwargs: Any) -> Any:
        client = await self._internal()
        try:
            return await asyncio.to_thread(getattr(client, method), **kwargs)
        except _storage_errors() as exc:
            raise StorageUnavailable(f"object storage {method} failed: {exc}") from exc

    async def ensure_bucket(self) -> None:
        try:
            await self._call("head_bucket", Bucket=self.bucket)
        except StorageUnavailable as exc:
            from botocore.exceptions import ClientError  # loaded with the clients

            if not isinstance(exc.__cause__, ClientError):
                raise  # unreachable or timed out: creating would only wait as long again
            await self._call("create_bucket", Bucket=self.bucket)
        self._bucket_ready = True

    async def ready(self) -> None:
        """Make the clients and the bucket if not done yet; StorageUnavailable while storage is down.

        Every call that reaches storage goes through here. A handler that only presigns calls it
        first, so that the bucket exists before a browser uploads into it.
        """
        if self._bucket_ready:
            return
        async with self._bucket_lock:
            if not self._bucket_ready:
                await self.ensure_bucket()

    async def ping(self) -> None:
        await self._call("head_bucket", Bucket=self.bucket)

    async def load_clients(self) -> None:
        """Make the clients off the event loop if not made yet; before presigning from a handler,
        so the first signature does not block the loop on importing boto3 (no call to storage)."""
        if self._clients is None:
            await asyncio.to_thread(self._clients_now)

    def _signer(self) -> BaseClient:
        # Signing is offline; made here only if no async call made the clients before (once).
        return self._clients_now().signer

    def presigned_upload(
        self, key: str, content_type: str, max_bytes: int, expires_in: int = 900
    ) -> PresignedUpload:
        """A browser POST form whose policy pins the key and content type and caps the size."""
        post = self._signer().generate_presigned_post(
            Bucket=self.bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
            ExpiresIn=expires_in,
        )
        return PresignedUpload(url=post["url"], fields=post["fields"], expires_in=expires_in)

    def presigned_put(self, key: str, content_type: str, expires_in: int = 900) -> str:
        return self._signer().generate_presigned_url(
            "put_object",
            Params={"Bucket": self.bucket, "Key": key, "ContentType": content_type},
            ExpiresIn=expires_in,
        )

    def presigned_get(self, key: str, expires_in: int = 300) -> str:
        return self._signer().generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=expires_in
        )

    async def internal_get_url(self, key: str, expires_in: int = 300) -> str:
        """A presigned GET on the internal endpoint, for another service to fetch the object (the
        account export): the public endpoint may not be reachable from inside the cluster."""
        client = await self._internal()
        return client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=expires_in
        )

    async def head(self, key: str) -> dict[str, Any] | None:
        await self.ready()
        client = await self._internal()
        from botocore.exceptions import ClientError  # boto3 is loaded by now: no cost

        try:
            return await asyncio.to_thread(client.head_object, Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise StorageUnavailable(str(exc)) from exc
        except _storage_errors() as exc:
            raise StorageUnavailable(str(exc)) from exc

    async def download_url(self, key: str, expires_in: int) -> str | None:
        """A presigned GET for a stored object, or None while nothing has been uploaded under the key."""
        if await self.head(key) is None:
            return None
        return self.presigned_get(key, expires_in)

    async def put(self, key: str, body: bytes, content_type: str) -> None:
        await self.ready()
        await self._call("put_object", Bucket=self.bucket, Key=key, Body=body, ContentType=content_type)

    async def delete(self, *keys: str) -> None:
        # S3 deletes are idempotent: deleting a missing key succeeds, so event replays are safe.
        await self.ready()
        for start in range(0, len(keys), 1000):
            batch = [{"Key": k} for k in keys[start : start + 1000]]
            await self._call("delete_objects", Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})


def _storage_errors() -> tuple[type[Exception], ...]:
    # Only reached once a client exists, so botocore is already imported.
    from botocore.exceptions import BotoCoreError, ClientError

    return (BotoCoreError, ClientError)


def _client(settings: StorageSettings, endpoint: str | None, timeout: float) -> BaseClient:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=settings.region,
        aws_access_key_id=settings.access_key,
        aws_secret_access_key=settings.secret_key.get_secret_value(),
        config=Config(
            signature_version="s3v4",
            s3={"addressing_style": "path"},
            connect_timeout=timeout,
            read_timeout=timeout,
            retries={"max_attempts": 2, "mode": "standard"},
        ),
    )


async def schedule_deletion(conn: asyncpg.Connection, *keys: str) -> None:
    """Queue stored files for removal; call in the transaction that drops their references."""
    await conn.executemany(
        "INSERT INTO storage_deletions (key) VALUES ($1) ON CONFLICT (key) DO NOTHING", [(k,) for k in keys]
    )


class DeletionSweeper:
    """Removes queued files from storage; a batch stays queued while storage is unreachable."""

    def __init__(self, pool: asyncpg.Pool, store: ObjectStore, interval: float = 1.0) -> None:
        self._pool = pool
        self._store = store
        self._interval = interval
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="storage-sweeper")

    def wake(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        await cancel_and_wait(self._task)

    async def sweep_once(self, batch: int = 500) -> int:
        async with self._pool.acquire() as conn, conn.transaction():
            keys = await conn.fetch(
                "SELECT key FROM storage_deletions ORDER BY enqueued_at LIMIT $1 FOR UPDATE SKIP LOCKED", batch
            )
            if not keys:
                return 0
            await self._store.delete(*(row["key"] for row in keys))
            await conn.execute("DELETE FROM storage_deletions WHERE key = ANY($1::text[])", [r["key"] for r in keys])
        return len(keys)

    async def _run(self) -> None:
        while True:
            try:
                if await self.sweep_once():
                    continue
            except StorageUnavailable as exc:
                log.warning("Stored files not deleted yet, storage unavailable: %s", exc.detail)
            except (asyncpg.PostgresError, OSError, asyncpg.InterfaceError) as exc:
                log.warning("Storage sweeper: database unavailable: %s", exc)
            await wait_set(self._wake, self._interval)
            self._wake.clear()


def add_storage(app: web.Application, settings: StorageSettings, sweep_interval: float = 1.0) -> None:
    """Call after add_database: the deletion sweeper works from the service's database."""

    async def storage_context(app: web.Application) -> AsyncIterator[None]:
        # Nothing reaches storage here: the clients and the bucket are made on first use, so
        # storage down does not stop the service (uploads answer 503 until it is back) and a
        # process that never touches storage never loads boto3.
        store = ObjectStore(settings)
        app[STORAGE] = store
        sweeper = DeletionSweeper(app[POOL], store, sweep_interval)
        app[SWEEPER] = sweeper
        sweeper.start()
        yield
        await sweeper.stop()

    # Not a readiness check: a pod must keep serving everything else while storage is down.
    app.cleanup_ctx.append(storage_context)
