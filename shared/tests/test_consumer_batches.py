"""Consuming in batches: many events in one transaction, each failing alone.

The probe's consumer is stopped while the events are published, so that its next start finds the
whole prefetch window waiting and takes it as one batch.
"""

import asyncio
import re

from shared.events import new_event
from shared.events.deadletters import list_dead_letters
from shared.testing.infra import AMQP_URL
from shared.testing.waiting import eventually, until_ready

from .probe import create_probe_app
from .test_consumer import set_failures
from .test_outbox import effects


async def published_while_stopped(settings, serve, publish, events, failures: dict[str, int] | None = None):
    """Publish `events` while no consumer runs, then start one: it finds them all waiting."""
    first = await serve(create_probe_app(settings))
    await until_ready(first)  # migrates, declares the queue and its bindings
    for name, remaining in (failures or {}).items():
        await set_failures(settings, name, remaining)
    await first.close()
    for event in events:
        await publish(settings.events_exchange, event)
    client = await serve(create_probe_app(settings))
    client.settings = settings
    return client


async def largest_batch(client) -> int:
    metrics = await (await client.get("/metrics")).text()
    buckets = {float(le): float(n) for le, n in re.findall(r'events_batch_size_bucket\{le="([0-9.]+)"\} ([0-9.e+]+)', metrics)}
    total = float(re.search(r"events_batch_size_count ([0-9.e+]+)", metrics).group(1))
    # The smallest bucket bound that holds every batch.
    bounds = sorted(buckets)
    return next(int(bound) for bound in bounds if buckets[bound] == total)


def thing(kind: str, name: str):
    return new_event(kind, {"name": name}, producer="test", user_id="u1")


async def test_a_poison_event_in_a_batch_fails_alone(probe_settings, serve, publish):
    good = [thing("thing.created", f"good-{n}") for n in range(8)]
    poison = thing("thing.fragile", "poison")
    events = good[:4] + [poison] + good[4:]
    settings = await probe_settings()
    client = await published_while_stopped(settings, serve, publish, events, failures={"poison": -1})

    async def good_ones_applied() -> bool:
        return sorted(await effects(settings)) == sorted(f"good-{n}" for n in range(8))

    await eventually(good_ones_applied)
    assert await largest_batch(client) >= 4, "the waiting events were not taken as a batch"

    async def poison_parked() -> bool:
        return len(await list_dead_letters(AMQP_URL, settings.events_exchange, "probe")) == 1

    await eventually(poison_parked)
    assert "poison" not in await effects(settings)


async def test_a_duplicate_inside_one_batch_has_one_effect(probe_settings, serve, publish):
    twice = thing("thing.created", "twice")
    events = [thing("thing.created", "a"), twice, thing("thing.created", "b"), twice, thing("thing.created", "c")]
    settings = await probe_settings()
    client = await published_while_stopped(settings, serve, publish, events)

    async def all_applied() -> bool:
        return {"a", "b", "c", "twice"} <= set(await effects(settings))

    await eventually(all_applied)
    await asyncio.sleep(0.3)
    assert sorted(await effects(settings)) == ["a", "b", "c", "twice"]
    assert await largest_batch(client) >= 4


async def test_a_batch_interrupted_midway_applies_nothing_then_everything_once(probe_settings, serve, publish):
    """The database going away in the middle of a batch rolls the whole batch back: no event of
    it is half-applied, and every one is applied once when the database is back."""
    # The longest retry delay is what a database outage waits: long enough to look at the state.
    settings = await probe_settings(retry_delays_ms=[100, 1500])
    events = [thing("thing.created", "before"), thing("thing.outage", "outage"), thing("thing.created", "after")]
    client = await published_while_stopped(settings, serve, publish, events, failures={"outage": -1})
    await asyncio.sleep(0.5)
    assert await effects(settings) == []  # "before" was rolled back with the rest of its batch
    await set_failures(settings, "outage", 0)

    async def all_applied_once() -> bool:
        return sorted(await effects(settings)) == ["after", "before", "outage"]

    await eventually(all_applied_once, timeout=8)
    assert await largest_batch(client) >= 2

