"""Schemathesis against the whole suite through the edge, as an outside fuzzer would (issue 14).

The suite runs as tests/e2e runs it (tests/suite.py: honcho, deploy/local.env isolated), with the
edge's rate limits out of the way and a real dev-issuer token. Schemathesis (its CLI, the pinned
version) reads the edge's merged document at /api/docs and runs three phases on it:
- coverage: boundary and invalid values of every documented parameter and body field;
- fuzzing: random valid and invalid requests per operation;
- stateful: sequences that follow the documents' OpenAPI links, so what POST /api/vehicles creates
  feeds fill-ups, records and schedules and their reads, updates and deletes.
Checks: no 5xx, status codes, content types and bodies as documented, invalid input rejected.
Bounded (examples per operation, a time budget, a fixed seed) so the run stays within minutes.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from shared.testing.standin import StandIn
from tests.suite import ROOT, VENV_BIN, log_in, running_stand_ins, running_suite

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

CONFIG = Path(__file__).parent / "schemathesis.toml"
ANTHROPIC_FIXTURES = ROOT / "services" / "edge" / "tests" / "fixtures" / "anthropic"
NO_LIMIT = "100000000/minute"
CHECKS = ",".join([
    "not_a_server_error", "status_code_conformance", "content_type_conformance",
    "response_schema_conformance", "negative_data_rejection",
])


@pytest.fixture(scope="module")
async def stand_ins():
    async with running_stand_ins() as running:
        yield running


async def anthropic_messages(request: web.Request) -> web.StreamResponse:
    """Anthropic's Messages API with its recorded answers: SSE when asked to stream, else JSON."""
    if (await request.json()).get("stream"):
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        await response.write((ANTHROPIC_FIXTURES / "messages_stream.txt").read_bytes())
        return response
    return web.Response(body=(ANTHROPIC_FIXTURES / "messages_ok.json").read_bytes(), content_type="application/json")


@pytest.fixture(scope="module")
async def anthropic():
    standin = await StandIn({"/v1/messages": anthropic_messages}).start()
    yield standin
    await standin.stop()


@pytest.fixture(scope="module")
async def suite(infra, stand_ins, anthropic, tmp_path_factory):
    overrides = {
        # Rate limits out of the way: the fuzzer's thousands of requests are the point.
        "EDGE_RATE_LIMIT_DEFAULT": NO_LIMIT, "EDGE_RATE_LIMIT_LOGIN": NO_LIMIT, "EDGE_RATE_LIMIT_AI": NO_LIMIT,
        # AI generation configured against the stand-in, so the route is tested, not "not configured".
        "EDGE_ANTHROPIC_API_KEY": "sk-ant-fuzz", "EDGE_ANTHROPIC_BASE_URL": anthropic.url,
    }
    async with running_suite(infra, stand_ins, tmp_path_factory.mktemp("fuzz"), "fuzz", overrides) as running:
        yield running


async def schemathesis(location: str, base_url: str, token: str, report: Path, *options: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        str(VENV_BIN / "schemathesis"), "--config-file", str(CONFIG), "--no-color", "run", location,
        "--url", base_url, "-H", f"Authorization: Bearer {token}", "--checks", CHECKS,
        "--report", "ndjson", "--report-ndjson-path", str(report), *options,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    return process.returncode, output.decode(errors="replace")


async def test_the_merged_document_holds_under_fuzzing(suite, tmp_path):
    async with aiohttp.ClientSession() as http:
        user = await log_in(http, suite.edge, "fuzzer")
    token = user.headers["Authorization"].removeprefix("Bearer ")
    code, output = await schemathesis(
        suite.edge + "/api/docs", suite.edge, token, tmp_path / "events.ndjson",
        "--phases", "coverage,fuzzing,stateful",
    )
    print(output)
    assert code == 0, output
