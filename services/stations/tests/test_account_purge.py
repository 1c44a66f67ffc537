"""account.deletion_requested: stations removes the user's saved and known stations and observed
prices, confirms with one account.purged, and leaves other users alone."""

import uuid
from datetime import datetime, timezone

import orjson

from services.stations.consumers import consumers
from shared.events import new_event

from .conftest import TREATS, fetch, run_handler, search
from .test_prices import apply, fill_up

NO_BROKER = "amqp://guest:guest@127.0.0.1:1/"  # the outbox keeps what the purge enqueued, to be read
TABLES = ("saved_stations", "known_stations", "observed_prices")


async def test_purge_removes_the_users_stations_and_prices_only(start_stations, identity):
    stations = await start_stations(amqp_url=NO_BROKER)
    for user in ("alice", "bob"):
        await search(stations, identity(user))  # the stations found become known to the user
        saved = await stations.post("/api/stations/save", json={"placeId": TREATS}, headers=identity(user))
        assert saved.status == 201, await saved.text()
        await apply(stations, fill_up("created", uuid.uuid4(), user=user))

    async def counts(user: str) -> dict[str, int]:
        return {table: len(await fetch(stations.settings, f"SELECT 1 FROM {table} WHERE user_id = $1", user))
                for table in TABLES}

    before = await counts("bob")
    assert all(before.values()) and await counts("alice") == before
    # Committed by fuel_logs before its own purge, delivered here after ours: it must not bring back a price.
    late = fill_up("created", uuid.uuid4(), user="alice")
    late = type(late)(**{**{f: getattr(late, f) for f in type(late).__dataclass_fields__},
                         "occurred_at": datetime.now(timezone.utc)})
    request = new_event("account.deletion_requested", {"userId": "alice", "deletionId": "d-4"},
                        producer="accounts", user_id="alice")
    handlers = consumers(stations.server.app)
    await run_handler(stations.settings, handlers[request.routing_key], request)
    await run_handler(stations.settings, handlers[late.routing_key], late)

    assert await counts("alice") == dict.fromkeys(TABLES, 0)
    assert await counts("bob") == before
    outbox = await fetch(stations.settings, "SELECT routing_key, body FROM outbox")
    assert [row["routing_key"] for row in outbox] == ["account.purged.v1"]
    assert orjson.loads(outbox[0]["body"])["data"] == {"userId": "alice", "service": "stations", "deletionId": "d-4"}
    assert await (await stations.get("/api/stations/saved", headers=identity("alice"))).json() == []
