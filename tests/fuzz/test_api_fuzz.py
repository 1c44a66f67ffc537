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
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

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
        # A fill-up for a vehicle fuel_logs does not know waits this long for its vehicle.created
        # (2.5 s by default, for the projection's lag) before its 404: the fuzzer's made-up vehicle
        # ids would spend minutes there. Here the lag is milliseconds.
        "FUEL_LOGS_VEHICLE_WAIT_SECONDS": "0.3",
    }
    async with running_suite(infra, stand_ins, tmp_path_factory.mktemp("fuzz"), name="fuzz", extra_env=overrides) as running:
        yield running


async def schemathesis(location: str, base_url: str, token: str, har: Path, *options: str) -> tuple[int, str]:
    """Run the CLI; every request and answer lands in the HAR file `har`, its output in
    `schemathesis.log` beside it as it runs (FUZZ_LOG=path puts it elsewhere, to follow a run)."""
    log_path = Path(os.environ.get("FUZZ_LOG", har.parent / "schemathesis.log"))
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            str(VENV_BIN / "schemathesis"), "--config-file", str(CONFIG), "--no-color", "run", location,
            "--url", base_url, "-H", f"Authorization: Bearer {token}", "--checks", CHECKS,
            "--report", "har", "--report-har-path", str(har), *options,
            cwd=har.parent, stdout=log, stderr=asyncio.subprocess.STDOUT,
        )
        await process.wait()
    return process.returncode, log_path.read_text(errors="replace")


UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
# Answers only an id taken from a created vehicle can give (a generated UUID names nothing): the
# stateful phase followed the links from creating a vehicle to reading and deleting it, and to
# creating what belongs to it in another service. (Which of the linked operations a bounded run
# reaches varies; these it reached in every run.)
THROUGH_LINKS = [
    [("POST", "/api/vehicles", 201)],
    [("GET", f"/api/vehicles/{UUID}", 200)],
    [("DELETE", f"/api/vehicles/{UUID}", 204)],
    [("POST", "/api/maintenance/records", 201), ("POST", "/api/maintenance/schedules", 201)],  # either
    # Fill-ups of a created vehicle (a schema whose volumes are above zero generates ones the service
    # takes).
    [("POST", "/api/fuel-logs", 201)],
]
# What follows from a fill-up, in a stateful run over creating vehicles and everything of fill-ups
# alone: among the whole API's operations a bounded run follows a new fill-up's links too rarely
# to count on it. (Schemathesis then reads the deleted fill-up again and expects its 404.) It
# reads and changes them since the decimals' JSON numbers are documented with their places
# (multipleOf): before, most fill-ups it generated had floats of many places and were refused.
FILL_UP_THROUGH_LINKS = [
    [("POST", "/api/fuel-logs", 201)],
    [("GET", f"/api/fuel-logs/{UUID}", 200)],
    [("PUT", f"/api/fuel-logs/{UUID}", 200)],
    [("DELETE", f"/api/fuel-logs/{UUID}", 204)],
]


def answered(har: Path) -> set[tuple[str, str, int]]:
    """(method, path, status) of every exchange in the HAR file."""
    entries = json.loads(har.read_text())["log"]["entries"]
    return {(entry["request"]["method"], urlsplit(entry["request"]["url"]).path, entry["response"]["status"])
            for entry in entries}


async def token_of(suite, username: str) -> str:
    """A dev-issuer token of a user of its own."""
    async with aiohttp.ClientSession() as http:
        user = await log_in(http, suite.edge, username)
    return user.headers["Authorization"].removeprefix("Bearer ")


async def test_the_merged_document_holds_under_fuzzing(suite, tmp_path):
    token = await token_of(suite, "fuzzer")
    har = tmp_path / "exchanges.har"
    # Not DELETE /api/account: it would wipe the fuzzer's own vehicles in the middle of the
    # sequences that follow links from them (tests/e2e/test_account_deletion.py covers it).
    code, output = await schemathesis(suite.edge + "/api/docs", suite.edge, token, har,
                                      "--phases", "coverage,fuzzing,stateful",
                                      "--exclude-operation-id", "accounts.delete_account")
    assert code == 0, output
    assert_reached(har, THROUGH_LINKS, output)


async def test_the_stateful_phase_reads_changes_and_deletes_fill_ups(suite, tmp_path):
    token = await token_of(suite, "fill-up-fuzzer")
    har = tmp_path / "exchanges.har"
    code, output = await schemathesis(suite.edge + "/api/docs", suite.edge, token, har,
                                      "--phases", "stateful", "--include-path-regex", "^/api/(vehicles$|fuel-logs)")
    assert code == 0, output
    assert_reached(har, FILL_UP_THROUGH_LINKS, output)


def assert_reached(har: Path, expected: list[list[tuple[str, str, int]]], output: str) -> None:
    """Each group of `expected` answers (method, path pattern, status) was got at least once."""
    seen = answered(har)
    unreached = [options for options in expected
                 if not any(m == method and s == status and re.fullmatch(path, p)
                            for method, path, status in options for m, p, s in seen)]
    assert not unreached, f"the stateful phase never got these answers: {unreached}\n{output}"


async def test_each_services_document_is_what_the_edge_publishes(suite):
    """The fuzzed document is the services' own: every operation of each service's /openapi.json is
    in /api/docs unchanged, but for the links to other services that only the merged one carries."""
    async with aiohttp.ClientSession() as http:
        async with http.get(suite.edge + "/api/docs") as response:
            merged = await response.json()
        assert merged["x-unavailable"] == []
        for service in ("vehicles", "fuel_logs", "stations", "maintenance", "notifications", "accounts"):
            async with http.get(f"http://127.0.0.1:{suite.ports[service]}/openapi.json") as response:
                own = await response.json()
            assert own["paths"], service
            for path, operations in own["paths"].items():
                for method, operation in operations.items():
                    published = merged["paths"][path][method]
                    assert without_links(published) == without_links(operation), f"{service}: {method} {path}"
                    for status, response in operation["responses"].items():
                        assert response.get("links", {}).items() <= published["responses"][status].get("links", {}).items()


def without_links(operation: dict) -> dict:
    responses = {status: {key: value for key, value in response.items() if key != "links"}
                 for status, response in operation["responses"].items()}
    return {key: value for key, value in operation.items() if key not in ("responses", "security")} | {"responses": responses}
