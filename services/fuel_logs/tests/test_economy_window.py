"""One fill-up's economy from a window of its chain equals the figure from the whole history.

create, GET one and PUT read only the fill-ups before the row in its chain back to the nearest
full or missed fill (repository.chain_before + economy.closing_interval); the vehicle list
computes every chain whole (stats.economy_by_fill). Both must always agree.
"""

from __future__ import annotations

import uuid
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from typing import AsyncIterator

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.fuel_logs import events, repository
from services.fuel_logs.domain.economy import Fill, closes_interval, closing_interval, resets_chain
from services.fuel_logs.domain.fill_ups import new_fill_up_row
from services.fuel_logs.domain.views import economy_by_fill, fill_from_row, is_electric
from services.fuel_logs.use_cases.fill_ups import closing_of, reads_chain_window

from .conftest import new_vehicle

START = datetime(2026, 1, 1, tzinfo=UTC)
USER = "auth0|window"

# Few distinct odometers and days: equal readings, and equal (reading, date) pairs decided by id.
row_spec = st.fixed_dictionaries({
    "odometer": st.integers(0, 10).map(lambda n: D(n * 50)),
    "day": st.integers(0, 3),
    "fuel": st.decimals(D("0.5"), D("30"), places=3),
    "full": st.booleans(),
    "missed": st.booleans(),
    "electric": st.booleans(),
    "trip_only": st.just(False),
    "trip": st.integers(1, 300).map(D),
})
# Some histories have a trip-only fill-up: the window is refused, the whole chain is read instead.
with_trip_only = row_spec.flatmap(lambda spec: st.booleans().map(lambda t: {**spec, "trip_only": t}))
histories = st.one_of(st.lists(row_spec, max_size=30), st.lists(with_trip_only, max_size=12))


@st.composite
def partial_runs(draw) -> list[dict]:
    """A run of partial fills longer than one batch of the backward walk (8, then 32), then a full fill."""
    electric, count = draw(st.booleans()), draw(st.integers(9, 45))
    same_chain = {"missed": False, "electric": electric, "trip_only": False}
    run = [{**draw(row_spec), **same_chain, "odometer": D(1000 + 10 * i), "full": False} for i in range(count)]
    closing = {**draw(row_spec), **same_chain, "odometer": D(1000 + 10 * count), "full": True}
    return draw(st.lists(row_spec, max_size=5)) + run + [closing]

def as_row(n: int, spec: dict, row_id: str | None = None) -> dict:
    return {
        "id": row_id or f"r{n:03d}", "vehicle_id": "v", "user_id": USER,
        "date_time": START + timedelta(days=spec["day"]),
        "odometer_reading": None if spec["trip_only"] else spec["odometer"],
        "trip_distance": spec["trip"] if spec["trip_only"] else None,
        "fuel_type": "electric" if spec["electric"] else "gasoline", "fuel_units": spec["fuel"],
        "is_full_fill": spec["full"], "missed_previous": spec["missed"],
    }


def window_before(target: dict, rows: list[dict]) -> list[Fill]:
    """What chain_before's SQL selects, written out plainly: the same chain, before the target
    in (odometer, date, id) order, nearest first, up to and including the first reset."""
    key = lambda r: (r["odometer_reading"], r["date_time"], str(r["id"]))  # noqa: E731
    earlier = sorted((r for r in rows if is_electric(r) == is_electric(target) and key(r) < key(target)),
                     key=key, reverse=True)
    window: list[Fill] = []
    for row in earlier:
        window.append(fill_from_row(row))
        if resets_chain(window[-1]):
            break
    return window


@pytest.mark.pure
@settings(max_examples=400, deadline=None)
@given(st.one_of(st.lists(row_spec, max_size=30), partial_runs()))
def test_window_figure_equals_whole_history_figure(specs):
    rows = [as_row(n, spec) for n, spec in enumerate(specs)]
    whole = economy_by_fill(rows)
    for row in rows:
        assert closing_interval(fill_from_row(row), window_before(row, rows)) == whole.get(row["id"])


@pytest.mark.pure
@settings(max_examples=300, deadline=None)
@given(st.one_of(st.lists(row_spec, max_size=30), partial_runs()))
def test_only_fills_that_can_close_an_interval_ever_have_a_figure(specs):
    # closing_of skips the window read for every other fill: this is what makes that safe.
    rows = [as_row(n, spec) for n, spec in enumerate(specs)]
    figures = economy_by_fill(rows)
    for row in rows:
        if not closes_interval(fill_from_row(row)):
            assert str(row["id"]) not in figures


@pytest.mark.pure
@settings(max_examples=100, deadline=None)
@given(st.lists(row_spec, min_size=1, max_size=20), st.data())
def test_fill_ups_beyond_the_window_change_nothing(specs, data):
    rows = [as_row(n, spec) for n, spec in enumerate(specs)]
    target = data.draw(st.sampled_from(rows))
    window = window_before(target, rows)
    same_chain = [fill_from_row(r) for r in rows if r is not target and is_electric(r) == is_electric(target)]
    assert closing_interval(fill_from_row(target), same_chain) == closing_interval(fill_from_row(target), window)


@pytest.mark.pure
def test_a_window_without_odometer_readings_is_refused():
    trip_only = Fill("b", START, None, D(100), D(5))
    with pytest.raises(ValueError):
        closing_interval(trip_only, [Fill("a", START, D(1000), None, D(5))])


def _values(spec: dict) -> dict:
    row = as_row(0, spec)
    return {c: row.get(c) for c in repository.COLUMNS} | {"cost_per_unit": D("3.5"), "total_cost": D("1.00")}


def stored_histories(test):
    """Histories to store (each example on a new vehicle of USER, new_vehicle_connection)."""
    examples = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    return examples(given(st.one_of(histories, partial_runs()))(test))


@asynccontextmanager
async def new_vehicle_connection(fuel_logs) -> AsyncIterator[tuple[asyncpg.Connection, uuid.UUID]]:
    vehicle_id = uuid.UUID(await new_vehicle(fuel_logs, USER))
    conn = await asyncpg.connect(fuel_logs.settings.database_url)
    try:
        yield conn, vehicle_id
    finally:
        await conn.close()


# Stored rows, real ids and the real queries: the SQL window, its batches and the trip-only fallback.
@stored_histories
async def test_stored_window_figure_equals_whole_history_figure(fuel_logs, specs):
    async with new_vehicle_connection(fuel_logs) as (conn, vehicle_id):
        rows = [await repository.insert_fuel_log(conn, USER, vehicle_id, _values(spec)) for spec in specs]
        whole = economy_by_fill(await repository.list_for_vehicle(conn, USER, vehicle_id))
        for row in rows:
            assert await closing_of(conn, row) == whole.get(str(row["id"]))
            if row["odometer_reading"] is None:
                continue
            # The SQL selects exactly the plain window (order included), or refuses a chain with trips.
            window = await repository.chain_before(
                conn, USER, vehicle_id, is_electric(row), (row["odometer_reading"], row["date_time"], row["id"]),
                until=lambda r: resets_chain(fill_from_row(r)),
            )
            has_trips = any(r["odometer_reading"] is None for r in rows if is_electric(r) == is_electric(row))
            assert (window is None) == has_trips
            if window is not None:
                assert [str(r["id"]) for r in window] == [f.id for f in window_before(row, rows)]


# A create reads the start of the chain in its insert statement (repository.ChainStart): the figure
# it answers equals the whole history's at that moment, and the rows equal a separate read's.
@stored_histories
async def test_the_chain_start_read_by_the_insert_gives_the_whole_history_figure(fuel_logs, specs):
    async with new_vehicle_connection(fuel_logs) as (conn, vehicle_id):
        started = 0
        for spec in specs:
            row = new_fill_up_row(uuid.uuid4(), USER, vehicle_id, _values(spec))
            stored, start = await repository.insert_fuel_log_announced(
                conn, row, events.fuel_log_created(row), with_chain_start=reads_chain_window(row))
            assert set(stored) == set((await repository.list_for_vehicle(conn, USER, vehicle_id))[0])
            whole = economy_by_fill(await repository.list_for_vehicle(conn, USER, vehicle_id))
            assert await closing_of(conn, stored, start) == whole.get(str(stored["id"]))
            if start is None:
                continue
            started += 1
            separate = await conn.fetch(repository._CHAIN_FIRST, vehicle_id, USER, is_electric(stored),
                                        stored["odometer_reading"], stored["date_time"], stored["id"],
                                        repository.CHAIN_FIRST_BATCH)
            assert start.trip_only == separate[0]["trip_only"]
            columns = repository._WINDOW_COLUMNS
            assert start.rows == [{k: r[k] for k in columns} for r in separate if r["id"] is not None]
        assert started == sum(1 for spec in specs if reads_chain_window(as_row(0, spec)))
