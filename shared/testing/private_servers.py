"""A PostgreSQL cluster and a Redis server of a test's own, which the test may stop and restart.

The machine's servers are shared with other runs and with CI, so a test of an outage must never
stop them: these run from a temporary folder on free ports, with nothing kept after `remove()`.

PostgreSQL refuses to run as root: as root, the cluster belongs to the `postgres` system user
(Debian's package creates it) and its commands run through `runuser`.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import tempfile
from pathlib import Path

import redis.asyncio as redis

from .infra import free_port
from .waiting import eventually

PG_BIN = Path(os.environ.get("MOTOVAULT_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
PG_OS_USER = "postgres"
START_TIMEOUT = 30.0


async def _run(*args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    output = (await process.communicate())[0].decode(errors="replace")
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({process.returncode}):\n{output}")
    return output


class PrivatePostgres:
    """`initdb` into a temporary folder, trust authentication, 127.0.0.1 on a free port."""

    def __init__(self, bin_dir: Path = PG_BIN) -> None:
        self.bin_dir = bin_dir
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="mvt-pg-"))
        self.data = self.folder / "data"
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self._as_owner: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.folder, PG_OS_USER, PG_OS_USER)
            self._as_owner = ["runuser", "-u", PG_OS_USER, "--"]

    async def create(self) -> PrivatePostgres:
        await _run(*self._as_owner, str(self.bin_dir / "initdb"), "-D", str(self.data), "-U", "postgres",
                   "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync")
        settings = {
            "port": self.port,
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.folder}'",
            # A clean stop (`-m fast`) writes everything out anyway; only an OS crash would need
            # fsync, and the machine's disk is shared with other runs.
            "fsync": "off",
            "shared_buffers": "'32MB'",
        }
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        await self.start()
        return self

    async def start(self) -> None:
        """Start and wait until it accepts connections."""
        await _run(*self._as_owner, str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-l",
                   str(self.folder / "server.log"), "-w", "-t", str(int(START_TIMEOUT)), "start")

    async def stop(self, mode: str = "fast") -> None:
        """`fast`: roll back open transactions, close every connection, write a shutdown checkpoint."""
        await _run(*self._as_owner, str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w",
                   "stop")

    def server_log(self) -> str:
        path = self.folder / "server.log"
        return path.read_text(errors="replace")[-20_000:] if path.exists() else ""

    async def remove(self) -> None:
        """Stop it if it runs (immediately: nothing is kept) and delete the folder."""
        try:
            if (self.data / "postmaster.pid").exists():
                await self.stop("immediate")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


class PrivateRedis:
    """`redis-server` on 127.0.0.1 and a free port, without persistence: a restart starts empty,
    which is what a lost cache node looks like."""

    def __init__(self, executable: str = "redis-server") -> None:
        self.executable = executable
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="mvt-redis-"))
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: asyncio.subprocess.Process | None = None

    async def start(self) -> PrivateRedis:
        """Start (again, on the same port) and wait until it answers PING."""
        self._process = await asyncio.create_subprocess_exec(
            self.executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", str(self.folder), "--logfile", str(self.folder / "server.log"),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
        client = redis.from_url(self.url, socket_connect_timeout=1)

        async def answers() -> bool:
            if self._process.returncode is not None:
                raise AssertionError(f"redis-server exited ({self._process.returncode}): {self.server_log()}")
            try:
                return bool(await client.ping())
            except (redis.ConnectionError, OSError):
                return False

        try:
            await eventually(answers, START_TIMEOUT, interval=0.05)
        finally:
            await client.aclose()
        return self

    async def stop(self) -> None:
        if self._process is not None and self._process.returncode is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self._process.wait(), 10)
            except asyncio.TimeoutError:
                self._process.kill()
                await self._process.wait()

    def server_log(self) -> str:
        path = self.folder / "server.log"
        return path.read_text(errors="replace")[-5_000:] if path.exists() else ""

    async def remove(self) -> None:
        try:
            await self.stop()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
