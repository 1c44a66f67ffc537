"""A child process of a test, its combined output kept for failure messages."""

from __future__ import annotations

import asyncio
import signal


class WatchedProcess:
    """Reads the process's stdout (stderr merged into it) as it comes, so a full pipe never
    blocks the child, and stops it with a signal, killing it if it does not exit in time."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.output = bytearray()
        self._reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        while chunk := await self.process.stdout.read(65536):
            self.output += chunk

    @property
    def running(self) -> bool:
        return self.process.returncode is None

    def log(self, last_chars: int = 20_000) -> str:
        return self.output.decode(errors="replace")[-last_chars:]

    def error_lines(self) -> list[str]:
        """The JSON log lines at level ERROR."""
        return [line for line in self.output.decode(errors="replace").splitlines() if '"level":"ERROR"' in line]

    async def stop(self, signum: int = signal.SIGTERM, timeout: float = 20.0) -> int:
        if self.process.returncode is None:
            self.process.send_signal(signum)
        try:
            await asyncio.wait_for(self.process.wait(), timeout)
        finally:
            if self.process.returncode is None:
                self.process.kill()
                await self.process.wait()
            await asyncio.wait_for(self._reader, 10)
        return self.process.returncode
