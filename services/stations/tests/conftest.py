"""Fixtures of the stations tests: a Places stand-in answering real bodies, and the service."""

from __future__ import annotations

import json
import struct
import uuid
import zlib
from pathlib import Path

import asyncpg
import pytest

from services.stations.app import create_app
from services.stations.provider import PLACES
from services.stations.settings import StationsSettings
from shared.testing.standin import Reply
from shared.testing.database import in_transaction

FIXTURES = Path(__file__).parent / "fixtures"
SEARCH_PATH = "/v1/places:searchNearby"
TEXT_PATH = "/v1/places:searchText"
PHOTO_PATH = "/v1/places/{place}/photos/{photo}/media"
API_KEY = "test-places-key-never-leaves-the-server"

# Near the two places of search_nearby_new_assembled.json (London): Treats Sandwich Bar is
# about 40 m away, The Big Chill about 600 m, so distance order is the reverse of the fixture's.
NEAR_TREATS = {"latitude": 51.5076, "longitude": -0.1232}
BIG_CHILL = "ChIJIV_fiKsFdkgR7r3H5JTovw4"
TREATS = "ChIJZf2Jlc4EdkgRPLwdn9LZgwY"


def tiny_png(width: int = 2, height: int = 1) -> bytes:
    """A valid PNG, made here so the stand-in serves real image bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


PNG = tiny_png()


def fixture_reply(name: str, status: int = 200) -> Reply:
    return Reply.fixture(FIXTURES / name, status=status)


def google_error(code: int, status: str, message: str) -> Reply:
    """The google.rpc error model the Places API (New) answers with (fixtures README §2)."""
    body = {"error": {"code": code, "message": message, "status": status, "details": [{
        "@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": status, "domain": "googleapis.com",
        "metadata": {"service": "places.googleapis.com"}}]}}
    return Reply.text(json.dumps(body), status=code)


@pytest.fixture
async def places(standin):
    """The Places API stand-in: searchNearby answers the assembled real capture; photos a PNG."""
    return await standin({
        SEARCH_PATH: fixture_reply("search_nearby_new_assembled.json"),
        # Text Search (New) lists places in the same shape as searchNearby (the Place resource).
        TEXT_PATH: fixture_reply("search_nearby_new_assembled.json"),
        PHOTO_PATH: Reply(body=PNG, content_type="image/png"),
    })


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def start_stations(backed_settings, serve, places):
    """Start the service against the stand-in; overrides change settings. The breaker runs on a
    fake clock (`client.clock`), so tests move time instead of sleeping."""

    async def start(**overrides):
        values = await backed_settings("stations")
        values.update(
            # Each test its own cache namespace: cache hits must come from the test itself.
            redis_prefix=f"{values['redis_prefix']}{uuid.uuid4().hex[:8]}:",
            places_base_url=places.url,
            places_api_key=API_KEY,
            # Generous: a loaded machine must not turn a normal answer into a timeout.
            places_timeout=3.0,
            breaker_failure_threshold=3,
            breaker_reset_timeout=30,
        )
        values.update(overrides)
        settings = StationsSettings(**values)
        app = create_app(settings)
        clock = FakeClock()
        app[PLACES].breaker.clock = clock
        client = await serve(app)
        client.settings, client.clock, client.places = settings, clock, places
        return client

    return start


@pytest.fixture
async def stations(start_stations):
    return await start_stations()


async def search(client, user_headers, **body):
    response = await client.post("/api/stations/search", json={**NEAR_TREATS, "radius": 2000, **body},
                                 headers=user_headers)
    assert response.status == 200, await response.text()
    return await response.json()


async def run_handler(settings, handler, event):
    """Apply an event handler in its own transaction, as the consumer does (without the inbox)."""
    return await in_transaction(settings.database_url, lambda conn: handler(conn, event))


async def fetch(settings, sql, *args):
    conn = await asyncpg.connect(settings.database_url)
    try:
        return await conn.fetch(sql, *args)
    finally:
        await conn.close()


