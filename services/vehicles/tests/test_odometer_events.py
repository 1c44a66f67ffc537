"""The odometer log follows fill-ups and maintenance records by their events, and the vehicle's
odometer is derived from it: the latest-dated reading, on the same date the higher one."""

import itertools
import json
import uuid
from datetime import timedelta

from shared.testing.waiting import eventually, until_ready

from .conftest import create_vehicle
from .odometer_helpers import (
    apply, day, fill_up_event, log_of, odometer_of, outbox_updates, record_created_event,
)


# Whatever order (and redelivery) the events of one vehicle come in, its log and odometer end so.
SETTLED = {(((1550, day(2).isoformat(), "fill_up"), (1400, day(1).isoformat(), "maintenance_record")), 1550)}


async def sources_of_a_new_vehicle(vehicles, headers, user: str, plate: str) -> tuple[str, list, object]:
    """A new vehicle; the events of a fill-up created then updated, of a record, and of a fill-up
    deleted; and the created event of that deleted fill-up, which must never show."""
    fuel_log_id, gone_id = str(uuid.uuid4()), str(uuid.uuid4())  # ids are unique across vehicles
    vid = (await create_vehicle(vehicles, headers, licensePlate=plate))["id"]
    first = fill_up_event("created", vid, user, 1500, day(1), fuel_log_id=fuel_log_id)
    events = [
        first,
        fill_up_event("updated", vid, user, 1550.7, day(2), fuel_log_id=fuel_log_id,
                      occurred_at=first.occurred_at + timedelta(seconds=1)),
        record_created_event(vid, user, 1400, day(1)),
        fill_up_event("deleted", vid, user, fuel_log_id=gone_id),
    ]
    return vid, events, fill_up_event("created", vid, user, 9000, day(3), fuel_log_id=gone_id)


async def settled_states(vehicles, headers, user: str, count: int, deliver) -> set:
    """For each order of the first `count` source events, a new vehicle whose events `deliver(events,
    created_of_deleted, order)` hands to the consumer: the set of (log, odometer) they end in."""
    outcomes = set()
    for order in itertools.permutations(range(count)):
        vid, events, created_of_deleted = await sources_of_a_new_vehicle(
            vehicles, headers, user, f"{user[-5:]}-{''.join(map(str, order))}")
        await deliver(events, created_of_deleted, order)
        log = await log_of(vehicles, headers, vid)
        outcomes.add((tuple((e["reading"], e["date"], e["source"]) for e in log),
                      await odometer_of(vehicles, headers, vid)))
    return outcomes


async def test_any_order_and_redelivery_give_the_same_log(start_vehicles, identity):
    # No broker in these tests (see conftest): the outbox keeps what the handlers emit, for inspection.
    vehicles = await start_vehicles()

    async def one_by_one(events, created_of_deleted, order):
        for index in order:
            await apply(vehicles, events[index])
        await apply(vehicles, created_of_deleted)  # a fill-up deleted before its created event arrives
        for index in reversed(order):  # redelivered, in yet another order
            await apply(vehicles, events[index])

    assert await settled_states(vehicles, identity("auth0|odo"), "auth0|odo", 4, one_by_one) == SETTLED


async def test_the_latest_dated_reading_is_current_even_when_lower(start_vehicles, identity):
    vehicles = await start_vehicles()
    alice = identity("auth0|odo-latest")
    vehicle = await create_vehicle(vehicles, alice, licensePlate="L-1")
    vid = vehicle["id"]
    await apply(vehicles, fill_up_event("created", vid, "auth0|odo-latest", 5000, day(1)))
    await apply(vehicles, fill_up_event("created", vid, "auth0|odo-latest", 4000, day(-10)))  # older: no change
    assert await odometer_of(vehicles, alice, vid) == 5000
    # A replaced odometer: its service accepted the reading, so the log takes it and it is current.
    await apply(vehicles, record_created_event(vid, "auth0|odo-latest", 12, day(2)))
    assert await odometer_of(vehicles, alice, vid) == 12
    # Same date: the higher reading.
    await apply(vehicles, fill_up_event("created", vid, "auth0|odo-latest", 30, day(2)))
    assert await odometer_of(vehicles, alice, vid) == 30
    assert [e["reading"] for e in await log_of(vehicles, alice, vid)] == [30, 12, 5000, 4000]


async def test_deleting_a_fill_up_removes_its_reading_and_lowers_the_odometer(start_vehicles, identity):
    vehicles = await start_vehicles()
    alice = identity("auth0|odo-delete")
    vehicle = await create_vehicle(vehicles, alice, licensePlate="D-1", odometerReading=1000)
    vid = vehicle["id"]
    typo_id = str(uuid.uuid4())
    await apply(vehicles, fill_up_event("created", vid, "auth0|odo-delete", 1200, day(1)))
    await apply(vehicles, fill_up_event("created", vid, "auth0|odo-delete", 12_500, day(2), fuel_log_id=typo_id))
    assert await odometer_of(vehicles, alice, vid) == 12_500
    before = len(await outbox_updates(vehicles))
    await apply(vehicles, fill_up_event("deleted", vid, "auth0|odo-delete", fuel_log_id=typo_id))
    assert await odometer_of(vehicles, alice, vid) == 1200
    updates = await outbox_updates(vehicles)
    assert len(updates) == before + 1 and json.loads(updates[-1])["data"]["odometerReading"] == 1200
    assert typo_id not in [e["sourceId"] for e in await log_of(vehicles, alice, vid)]
    await apply(vehicles, fill_up_event("deleted", vid, "auth0|odo-delete", fuel_log_id=typo_id))  # again: nothing
    assert len(await outbox_updates(vehicles)) == before + 1


async def test_an_update_replaces_the_reading_and_an_older_update_does_not(start_vehicles, identity):
    vehicles = await start_vehicles()
    alice = identity("auth0|odo-update")
    vid = (await create_vehicle(vehicles, alice, licensePlate="U-1"))["id"]
    fid = str(uuid.uuid4())
    created = fill_up_event("created", vid, "auth0|odo-update", 21_000, day(1), fuel_log_id=fid)
    fixed = fill_up_event("updated", vid, "auth0|odo-update", 2_100, day(1), fuel_log_id=fid,
                          occurred_at=created.occurred_at + timedelta(minutes=1))
    cleared = fill_up_event("updated", vid, "auth0|odo-update", None, day(1), fuel_log_id=fid,
                            occurred_at=created.occurred_at + timedelta(minutes=2))
    await apply(vehicles, created)
    await apply(vehicles, fixed)
    assert await odometer_of(vehicles, alice, vid) == 2_100
    await apply(vehicles, created)  # the older state, redelivered late
    assert await odometer_of(vehicles, alice, vid) == 2_100
    await apply(vehicles, cleared)  # now a trip-distance fill-up: no reading in the log
    assert await log_of(vehicles, alice, vid) == [] and await odometer_of(vehicles, alice, vid) == 0


async def test_imported_sources_are_marked_import(start_vehicles, identity):
    vehicles = await start_vehicles()
    alice = identity("auth0|odo-import")
    vid = (await create_vehicle(vehicles, alice, licensePlate="I-1"))["id"]
    fid, rid = str(uuid.uuid4()), str(uuid.uuid4())
    await apply(vehicles, fill_up_event("created", vid, "auth0|odo-import", 800, day(-30), fuel_log_id=fid,
                                        imported=True),
                record_created_event(vid, "auth0|odo-import", 900, day(-20), record_id=rid, imported=True),
                fill_up_event("created", vid, "auth0|odo-import", 950, day(-10), imported=False))
    log = await log_of(vehicles, alice, vid)
    assert [(e["source"], e["sourceKind"]) for e in log] == [
        ("fill_up", "fill_up"), ("import", "maintenance_record"), ("import", "fill_up")]
    assert log[2]["sourceId"] == fid and log[1]["sourceId"] == rid and log[2]["dateTime"] is not None
    await apply(vehicles, fill_up_event("deleted", vid, "auth0|odo-import", fuel_log_id=fid))  # goes with its source
    assert len(await log_of(vehicles, alice, vid)) == 2


async def test_a_change_emits_vehicle_updated_and_nothing_else_does(start_vehicles, identity):
    vehicles = await start_vehicles()
    alice = identity("auth0|odo-events")
    vehicle = await create_vehicle(vehicles, alice, vin="1HGCM82633A004352", odometerReading=1000)
    vid = vehicle["id"]
    await apply(vehicles, fill_up_event("created", vid, "auth0|odo-events", 1200.5, day(1)))
    await apply(vehicles, fill_up_event("created", vid, "auth0|odo-events", 1100, day(-3)))  # older: no change
    await apply(vehicles, fill_up_event("created", vid, "auth0|odo-events", None, day(2)))  # trip-distance fill-up
    await apply(vehicles, record_created_event(vid, "auth0|odo-events", 1200, day(1)))  # same day, lower
    bodies = await outbox_updates(vehicles)
    assert len(bodies) == 1
    assert json.loads(bodies[0])["data"]["odometerReading"] == 1200 and vid in bodies[0].decode()
    assert await odometer_of(vehicles, alice, vid) == 1200
    log = await log_of(vehicles, alice, vid)
    assert [(e["reading"], e["source"]) for e in log][2:] == [(1000, "initial"), (1100, "fill_up")]
    assert sorted(e["source"] for e in log[:2]) == ["fill_up", "maintenance_record"]


async def test_events_touch_only_the_named_users_live_vehicle(start_vehicles, identity):
    vehicles = await start_vehicles()
    alice = identity("auth0|odo-owner")
    vehicle = await create_vehicle(vehicles, alice, licensePlate="O-1", odometerReading=10)
    vid = vehicle["id"]
    await apply(vehicles, fill_up_event("created", vid, "auth0|someone-else", 99_999, day(1)))
    await apply(vehicles, fill_up_event("deleted", vid, "auth0|someone-else"))
    await apply(vehicles, fill_up_event("created", "not-a-uuid", "auth0|odo-owner", 99_999, day(1)))
    await apply(vehicles, fill_up_event("created", str(uuid.uuid4()), "auth0|odo-owner", 99_999, day(1)))
    await apply(vehicles, fill_up_event("created", vid, "auth0|odo-owner", "garbage", day(1)))
    bad_date = fill_up_event("created", vid, "auth0|odo-owner", 500, day(1))
    bad_date.data["dateTime"] = "yesterday"
    await apply(vehicles, bad_date)
    assert await odometer_of(vehicles, alice, vid) == 10
    await vehicles.delete(f"/api/vehicles/{vid}", headers=alice)
    await apply(vehicles, fill_up_event("created", vid, "auth0|odo-owner", 500, day(1)))
    assert await outbox_updates(vehicles) == []


async def test_a_manual_edit_can_lower_it_and_later_dated_events_raise_it_again(start_vehicles, identity):
    vehicles = await start_vehicles()
    alice = identity("auth0|odo-manual")
    vehicle = await create_vehicle(vehicles, alice, licensePlate="M-2", odometerReading=50_000)
    vid = vehicle["id"]
    await vehicles.put(f"/api/vehicles/{vid}", json={"odometerReading": 5_000}, headers=alice)
    assert await odometer_of(vehicles, alice, vid) == 5_000
    # The PUT corrected today's initial reading (a typo at creation) rather than adding beside it.
    assert [(e["reading"], e["source"]) for e in await log_of(vehicles, alice, vid)] == [(5_000, "manual")]
    await apply(vehicles, record_created_event(vid, "auth0|odo-manual", 4_900, day(-5)))  # earlier: no change
    assert await odometer_of(vehicles, alice, vid) == 5_000
    await apply(vehicles, record_created_event(vid, "auth0|odo-manual", 5_100, day(1)))
    assert await odometer_of(vehicles, alice, vid) == 5_100
    await vehicles.put(f"/api/vehicles/{vid}", json={"color": "Red", "odometerReading": 5_100}, headers=alice)
    assert len(await log_of(vehicles, alice, vid)) == 3  # the same odometer sent back adds nothing


async def test_through_the_broker_a_reading_reaches_the_cached_list(start_vehicles, identity, event_tap, infra):
    exchange = infra.new_exchange()
    updates = await event_tap(exchange, "vehicle.updated.v1")
    vehicles = await start_vehicles(events_exchange=exchange)
    await until_ready(vehicles)
    alice = identity("auth0|odo-broker")
    vehicle = await create_vehicle(vehicles, alice, licensePlate="B-1", odometerReading=100)
    assert [v["odometerReading"] for v in await (await vehicles.get("/api/vehicles", headers=alice)).json()] == [100]

    event = fill_up_event("created", vehicle["id"], "auth0|odo-broker", 777.9, day(1))
    await event_tap.publish(exchange, event)
    await event_tap.publish(exchange, event)  # a redelivery: the inbox makes it a no-op

    async def list_shows_the_reading():
        listed = await (await vehicles.get("/api/vehicles", headers=alice)).json()
        return listed[0]["odometerReading"] == 777

    await eventually(list_shows_the_reading)

    async def update_published():
        return len(updates) >= 1

    await eventually(update_published)
    assert updates[0].data["odometerReading"] == 777 and updates[0].data["vehicleId"] == vehicle["id"]
    assert len(updates) == 1


async def test_many_readings_of_a_vehicle_in_one_batch_derive_it_once(start_vehicles, identity):
    """A batch of fill-ups of one vehicle (one consumer transaction): one derivation, one vehicle.updated."""
    vehicles = await start_vehicles()
    alice = identity("auth0|batch")
    vehicle = await create_vehicle(vehicles, alice, licensePlate="BATCH-1", odometerReading=100)
    other = await create_vehicle(vehicles, alice, licensePlate="BATCH-2", odometerReading=100)
    batch = [fill_up_event("created", vehicle["id"], "auth0|batch", reading, day(offset))
             for reading, offset in ((1200, 1), (1500, 3), (1300, 2))]
    batch.append(fill_up_event("created", other["id"], "auth0|batch", 700, day(1)))
    updates_before = len(await outbox_updates(vehicles))
    await apply(vehicles, *batch)
    assert await odometer_of(vehicles, alice, vehicle["id"]) == 1500
    assert await odometer_of(vehicles, alice, other["id"]) == 700
    assert len(await outbox_updates(vehicles)) - updates_before == 2  # one per vehicle, not one per reading


async def test_one_batch_in_any_order_gives_the_log_its_events_give_one_by_one(start_vehicles, identity):
    """A batch's readings are written together before its commit (use_cases._OdometerWork): within
    it too the newest event of a source wins, a source deleted in the batch stays deleted whatever
    came first, and a repeated event changes nothing."""
    vehicles = await start_vehicles()

    async def in_one_batch(events, created_of_deleted, order):
        events = [*events, created_of_deleted]
        await apply(vehicles, *(events[index] for index in order), events[0])

    assert await settled_states(vehicles, identity("auth0|odo-batch"), "auth0|odo-batch", 5, in_one_batch) == SETTLED


async def test_an_initial_reading_gives_way_to_a_higher_earlier_one(start_vehicles, identity):
    """A vehicle created today with a rough odometer takes last week's higher fill-up; an import of
    older, lower history leaves it alone."""
    vehicles = await start_vehicles()
    alice = identity("auth0|odo-initial")
    stale = (await create_vehicle(vehicles, alice, licensePlate="S-1", odometerReading=900))["id"]
    await apply(vehicles, fill_up_event("created", stale, "auth0|odo-initial", 1_000, day(-9)),
                fill_up_event("created", stale, "auth0|odo-initial", 1_900, day(-2)))
    assert await odometer_of(vehicles, alice, stale) == 1_900
    log = await log_of(vehicles, alice, stale)
    assert [(e["reading"], e["source"], e["superseded"]) for e in log] == [
        (900, "initial", True), (1_900, "fill_up", False), (1_000, "fill_up", False)]
    current = (await create_vehicle(vehicles, alice, licensePlate="S-2", odometerReading=50_000))["id"]
    await apply(vehicles, fill_up_event("created", current, "auth0|odo-initial", 20_000, day(-900), imported=True))
    assert await odometer_of(vehicles, alice, current) == 50_000
    assert not any(e["superseded"] for e in await log_of(vehicles, alice, current))


async def test_a_records_edit_and_deletion_move_its_reading(start_vehicles, identity):
    vehicles = await start_vehicles()
    alice = identity("auth0|odo-record")
    vid = (await create_vehicle(vehicles, alice, licensePlate="R-1"))["id"]
    rid = str(uuid.uuid4())
    created = record_created_event(vid, "auth0|odo-record", 61_000, day(1), record_id=rid)
    await apply(vehicles, record_created_event(vid, "auth0|odo-record", 5_000, day(-1)), created)
    assert await odometer_of(vehicles, alice, vid) == 61_000
    await apply(vehicles, record_created_event(vid, "auth0|odo-record", 6_100, day(1), record_id=rid,
                                               action="updated",
                                               occurred_at=created.occurred_at + timedelta(seconds=1)))
    assert await odometer_of(vehicles, alice, vid) == 6_100
    await apply(vehicles, record_created_event(vid, "auth0|odo-record", None, record_id=rid, action="deleted"))
    assert await odometer_of(vehicles, alice, vid) == 5_000
    assert [e["source"] for e in await log_of(vehicles, alice, vid)] == ["maintenance_record"]


async def test_a_purge_in_the_batch_leaves_no_reading_of_the_user_behind(start_vehicles, identity):
    """Readings are written at the end of the batch (use_cases._OdometerWork), after a purge the
    batch also holds: those of the purged user's vehicles find no vehicle and are left out, while
    another user's in the same batch are written."""
    from shared.events import new_event

    vehicles = await start_vehicles()
    leaving, staying = identity("auth0|odo-leaving"), identity("auth0|odo-staying")
    gone = await create_vehicle(vehicles, leaving, licensePlate="GONE-1")
    kept = await create_vehicle(vehicles, staying, licensePlate="KEPT-1")
    deletion = new_event("account.deletion_requested", {"userId": "auth0|odo-leaving"}, producer="accounts",
                         user_id="auth0|odo-leaving")
    await apply(vehicles, fill_up_event("created", gone["id"], "auth0|odo-leaving", 2000, day(1)),
                fill_up_event("created", kept["id"], "auth0|odo-staying", 3000, day(1)), deletion)
    assert (await vehicles.get(f"/api/vehicles/{gone['id']}", headers=leaving)).status == 404
    assert await odometer_of(vehicles, staying, kept["id"]) == 3000
    assert [e["reading"] for e in await log_of(vehicles, staying, kept["id"])] == [3000]
