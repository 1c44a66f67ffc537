"""Each service runs as its own process (`python -m services.<name>`), creates its database in
local runs, reports ready, and stops cleanly on SIGTERM."""

import asyncio
import os
import signal
import sys

import aiohttp
import pytest

from shared.testing.environment import feature_service_env
from shared.testing.infra import database_url, free_port

FEATURE_SERVICES = ["vehicles", "fuel_logs", "stations", "maintenance", "notifications"]
# What each service's /ready checks: accounts uses no Redis.
READY_CHECKS = dict.fromkeys(FEATURE_SERVICES, {"database": "ok", "redis": "ok", "broker": "ok"}) | {
    "accounts": {"database": "ok", "broker": "ok"}}


def service_env(service: str, infra, s3_endpoint: str, port: int) -> dict[str, str]:
    db = f"mvt_{infra.run_id}_proc_{service}"
    infra.databases.append(db)
    # Not created beforehand: the service must create it (local-run behaviour).
    return {**os.environ, **feature_service_env(
        infra, service, port=port, database_url=database_url(db), exchange=infra.new_exchange(),
        s3_endpoint=s3_endpoint, CREATE_DATABASE="true")}


@pytest.mark.parametrize("service", READY_CHECKS)
async def test_service_process_starts_ready_and_stops_on_sigterm(service, infra, s3_endpoint):
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", f"services.{service}",
        env=service_env(service, infra, s3_endpoint, port),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    try:
        ready = await wait_ready(f"http://127.0.0.1:{port}", process)
        assert ready["checks"] == READY_CHECKS[service]
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        output = (await asyncio.wait_for(process.communicate(), 20))[0].decode()
    assert process.returncode == 0, output
    assert '"level":"ERROR"' not in output, output


async def wait_ready(base_url: str, process, timeout: float = 30.0) -> dict:
    async with aiohttp.ClientSession() as http:
        for _ in range(int(timeout / 0.1)):
            if process.returncode is not None:
                raise AssertionError(f"service exited early with {process.returncode}")
            try:
                async with http.get(base_url + "/ready") as response:
                    if response.status == 200:
                        return await response.json()
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("service never became ready")
