"""Prices seen in fill-ups: the latest per station, fuel type and grade, whatever the event order."""

import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import aio_pika
import asyncpg

from services.stations.consumers import on_fill_up_deleted, on_fill_up_recorded
from shared.events import Event, new_event
from shared.testing.infra import AMQP_URL
from shared.testing.waiting import eventually, until_ready

from .conftest import BIG_CHILL, TREATS, fetch, run_handler, search

T0 = datetime(2026, 5, 1, 8, 0, tzinfo=timezone.utc)


def fill_up(kind: str, fuel_log_id: uuid.UUID, user: str = "alice", occurred_at: datetime = T0, **data) -> Event:
    if kind == "deleted":
        body = {"fuelLogId": str(fuel_log_id), "vehicleId": str(uuid.uuid4()), "stationPlaceId": data.get("station", TREATS)}
    else:
        body = {
            "fuelLogId": str(fuel_log_id), "vehicleId": str(uuid.uuid4()),
            "dateTime": data.get("date_time", T0).isoformat(), "odometerReading": 1200, "tripDistance": None,
            "fuelType": data.get("fuel_type", "gasoline"), "fuelGrade": data.get("grade", "87"),
            "fuelUnits": "12.500", "costPerUnit": data.get("price", "3.299"), "totalCost": "41.24",
            "isFullFill": True, "stationPlaceId": data.get("station", TREATS),
        }
    event = new_event(f"fuel_log.{kind}", body, producer="fuel_logs", user_id=user)
    # occurredAt orders the events of one fill-up; tests set it to replay any order.
    return Event(**{**{f: getattr(event, f) for f in Event.__dataclass_fields__}, "occurred_at": occurred_at})


HANDLER = {"created": on_fill_up_recorded, "updated": on_fill_up_recorded, "deleted": on_fill_up_deleted}


async def apply(client, *events: Event) -> None:
    for event in events:
        await run_handler(client.settings, HANDLER[event.type.split(".")[1]], event)


async def prices_at(client, headers, place_id=TREATS, **body) -> list[dict]:
    result = await search(client, headers, **body)
    return next(s["prices"] for s in result["stations"] if s["placeId"] == place_id)


def summary(prices):
    return [(p["fuelType"], p["fuelGrade"], p["costPerUnit"], p["seenAt"]) for p in prices]


async def test_a_fill_up_price_shows_in_search_with_its_date_and_unit(stations, identity):
    await apply(stations, fill_up("created", uuid.uuid4()))
    prices = await prices_at(stations, identity("alice"))
    assert prices == [{"fuelType": "gasoline", "fuelGrade": "87", "costPerUnit": 3.299, "unit": "gallon",
                       "seenAt": T0.isoformat()}]


async def test_the_same_fill_up_twice_records_one_price(stations, identity):
    fuel_log_id = uuid.uuid4()
    created = fill_up("created", fuel_log_id)
    redelivered_copy = fill_up("created", fuel_log_id)  # another event id, same fill-up
    await apply(stations, created, created, redelivered_copy)
    rows = await fetch(stations.settings, "SELECT cost_per_unit FROM observed_prices WHERE fuel_log_id = $1", fuel_log_id)
    assert [str(r["cost_per_unit"]) for r in rows] == ["3.299"]
    assert len(await prices_at(stations, identity("alice"))) == 1


async def test_an_older_fill_up_arriving_later_does_not_replace_a_newer_price(stations, identity):
    newer = fill_up("created", uuid.uuid4(), price="3.459", date_time=T0 + timedelta(days=2))
    older = fill_up("created", uuid.uuid4(), price="3.199", date_time=T0)
    await apply(stations, newer, older)
    assert summary(await prices_at(stations, identity("alice"))) == \
        [("gasoline", "87", 3.459, (T0 + timedelta(days=2)).isoformat())]


async def test_latest_price_is_kept_per_fuel_type_and_grade(stations, identity):
    await apply(
        stations,
        fill_up("created", uuid.uuid4(), price="3.299", grade="87"),
        fill_up("created", uuid.uuid4(), price="3.899", grade="93"),
        fill_up("created", uuid.uuid4(), price="4.109", fuel_type="diesel", grade="#2"),
        fill_up("created", uuid.uuid4(), price="0.4321", fuel_type="electric", grade=None),
    )
    prices = await prices_at(stations, identity("alice"))
    assert sorted(summary(prices), key=str) == sorted([
        ("gasoline", "87", 3.299, T0.isoformat()), ("gasoline", "93", 3.899, T0.isoformat()),
        ("diesel", "#2", 4.109, T0.isoformat()), ("electric", None, 0.4321, T0.isoformat()),
    ], key=str)
    assert {p["unit"] for p in prices if p["fuelType"] == "electric"} == {"kWh"}
    diesel_only = await prices_at(stations, identity("alice"), fuelType="diesel")
    assert summary(diesel_only) == [("diesel", "#2", 4.109, T0.isoformat())]


async def test_update_replaces_and_moves_and_an_older_update_is_ignored(stations, identity):
    fuel_log_id = uuid.uuid4()
    await apply(
        stations,
        fill_up("created", fuel_log_id, occurred_at=T0),
        fill_up("updated", fuel_log_id, price="3.999", station=BIG_CHILL, occurred_at=T0 + timedelta(minutes=5)),
        # An earlier correction delivered late: must not undo the later one.
        fill_up("updated", fuel_log_id, price="3.111", occurred_at=T0 + timedelta(minutes=1)),
    )
    alice = identity("alice")
    assert await prices_at(stations, alice, TREATS) == []
    assert summary(await prices_at(stations, alice, BIG_CHILL)) == [("gasoline", "87", 3.999, T0.isoformat())]


async def test_delete_forgets_the_price_even_before_created_arrives(stations, identity):
    kept, deleted, early_deleted = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await apply(
        stations,
        fill_up("created", kept, price="3.100", date_time=T0),
        fill_up("created", deleted, price="3.500", date_time=T0 + timedelta(days=1)),
        fill_up("deleted", deleted, occurred_at=T0 + timedelta(hours=1)),
        fill_up("deleted", early_deleted, occurred_at=T0 + timedelta(hours=1)),
        fill_up("created", early_deleted, price="9.999", date_time=T0 + timedelta(days=3)),  # late
    )
    assert summary(await prices_at(stations, identity("alice"))) == [("gasoline", "87", 3.1, T0.isoformat())]


async def test_prices_belong_to_their_user(stations, identity):
    await apply(stations, fill_up("created", uuid.uuid4(), user="alice"))
    assert await prices_at(stations, identity("bob")) == []


async def test_a_station_seen_only_in_a_fill_up_becomes_known(stations, identity):
    await apply(stations, fill_up("created", uuid.uuid4(), station="ChIJfillUpOnlyStation"))
    rows = await fetch(stations.settings, "SELECT user_id, latitude FROM known_stations WHERE place_id = $1",
                       "ChIJfillUpOnlyStation")
    assert [(r["user_id"], r["latitude"]) for r in rows] == [("alice", None)]


async def test_fill_up_events_through_the_broker_record_one_price(stations, identity):
    await until_ready(stations)
    connection = await aio_pika.connect(AMQP_URL)
    try:
        channel = await connection.channel()
        exchange = await channel.declare_exchange(
            stations.settings.events_exchange, aio_pika.ExchangeType.TOPIC, durable=True)
        event = fill_up("created", uuid.uuid4(), price="3.777")
        for _ in range(2):  # an exact redelivery: the inbox drops the second
            await exchange.publish(aio_pika.Message(event.to_json(), message_id=str(event.id)),
                                   routing_key=event.routing_key)
    finally:
        await connection.close()

    async def recorded() -> bool:
        rows = await fetch(stations.settings, "SELECT 1 FROM inbox WHERE event_id = $1", event.id)
        return len(rows) == 1

    await eventually(recorded)
    rows = await fetch(stations.settings, "SELECT cost_per_unit FROM observed_prices WHERE user_id = 'alice'")
    assert [str(r["cost_per_unit"]) for r in rows] == ["3.777"]


async def test_a_batch_writes_its_prices_at_once_as_its_events_one_by_one_would(stations, identity):
    """A consumer's batch writes the prices of its fill-ups in one statement before its commit
    (use_cases.record_price): the latest event of each fill-up wins, a deletion in the same batch
    still wins, and a fill-up of a user purged later in the batch does not come back."""
    from services.stations.consumers import consumers
    from shared.events.batch import Batch, Delivery

    handlers = consumers(None)
    changed, kept, dropped, purged, after_purge = (uuid.uuid4() for _ in range(5))
    deletion = new_event("account.deletion_requested", {"userId": "carol"}, producer="accounts", user_id="carol")
    events = [
        fill_up("created", changed, price="3.299", occurred_at=T0),
        fill_up("updated", changed, price="3.459", occurred_at=T0 + timedelta(minutes=5)),
        fill_up("updated", changed, price="9.999", occurred_at=T0 + timedelta(minutes=1)),  # older, late
        fill_up("created", kept, user="bob", price="3.100"),
        fill_up("created", dropped, price="3.000"),
        fill_up("deleted", dropped, occurred_at=T0 + timedelta(minutes=1)),
        fill_up("created", purged, user="carol", occurred_at=deletion.occurred_at - timedelta(minutes=1)),
        deletion,
        fill_up("created", after_purge, user="carol", occurred_at=deletion.occurred_at + timedelta(minutes=1)),
    ]
    pool = await asyncpg.create_pool(stations.settings.database_url, min_size=1, max_size=2)
    try:
        await Batch([Delivery(None, event, handlers[event.routing_key]) for event in events]).apply(pool)
    finally:
        await pool.close()
    rows = await fetch(stations.settings, "SELECT user_id, fuel_log_id, cost_per_unit, deleted FROM observed_prices")
    assert {(r["user_id"], r["fuel_log_id"], r["cost_per_unit"], r["deleted"]) for r in rows} == {
        ("alice", changed, Decimal("3.459"), False), ("bob", kept, Decimal("3.100"), False),
        ("alice", dropped, None, True), ("carol", after_purge, Decimal("3.299"), False)}
    known = await fetch(stations.settings, "SELECT DISTINCT user_id, place_id FROM known_stations")
    assert {(r["user_id"], r["place_id"]) for r in known} == {("alice", TREATS), ("bob", TREATS), ("carol", TREATS)}
