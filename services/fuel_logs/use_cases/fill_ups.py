"""Fill-ups: record, read, update and delete one; the caller's list and a vehicle's fill-ups."""

from __future__ import annotations

import uuid
from typing import Any, Mapping

from shared.cache import Cache
from shared.errors import ConflictError, NotFoundError
from shared.events import enqueue, publish_after_commit
from shared.paging import Page, PageOf
from shared.storage import DeletionSweeper, schedule_deletion
from shared.transactions import Database, after_commit, single_statement, transaction

from .. import events, repository
from ..cache_keys import LIST_TTL_SECONDS, list_cache_key, list_cache_keys
from ..domain.economy import Interval, closes_interval, closing_interval, resets_chain
from ..domain.fill_ups import (
    FuelLogInput, FuelLogUpdate, check_rules, check_update_keeps_required, entered_values, new_fill_up_row,
    stored_values, updated_values, vehicle_default_fuel_type,
)
from ..domain.lists import FILL_UP_ORDER
from ..domain.odometer_check import conflict_details, conflict_message, odometer_conflict
from ..domain.units import UnitSystem
from ..domain.views import StoredFillUp, economy_by_fill, fill_from_row, fuel_log_views, is_electric
from ..vehicle_wait import ProjectionWatch
from .vehicles import live_vehicle


async def _check_odometer(
    conn: Database, user_id: str, vehicle_id: uuid.UUID, fuel_log_id: uuid.UUID, stored: Mapping[str, Any],
    max_daily_distance: int | None, system: UnitSystem,
) -> None:
    """Refuse (409, with the fill-up in the way) a reading that contradicts the vehicle's other
    fill-ups; `max_daily_distance` None: the caller confirmed it, nothing is read."""
    if max_daily_distance is None or stored.get("odometer_reading") is None:
        return
    previous, following = await repository.odometer_neighbours(
        conn, user_id, vehicle_id, stored["date_time"], fuel_log_id)
    conflict = odometer_conflict(stored["odometer_reading"], stored["date_time"], previous, following,
                                 max_daily_distance)
    if conflict is not None:
        raise ConflictError(conflict_message(conflict, max_daily_distance, system),
                            details=conflict_details(conflict, max_daily_distance, system))


async def record_fill_up(
    db: Database, cache: Cache, watch: ProjectionWatch, user_id: str, fill_up: FuelLogInput, system: UnitSystem,
    *, max_daily_distance: int | None,
) -> StoredFillUp:
    """Record a fill-up; one whose odometer contradicts the vehicle's other fill-ups is refused
    unless the body confirms it (`confirmOdometer`)."""
    entered = entered_values(fill_up)
    check_rules(entered)  # before waiting for the vehicle: bad input is refused at once
    record = _record_named_fuel if fill_up.fuel_type is not None else _record_vehicle_fuel
    bound = None if fill_up.confirm_odometer else max_daily_distance
    for first_try in (True, False):
        saved = await record(db, cache, user_id, fill_up.vehicle_id, entered, system, bound)
        if saved is not None:
            return saved
        if first_try:
            # Unknown to the projection: a vehicle created a moment ago may not have arrived yet.
            await live_vehicle(db, watch, user_id, fill_up.vehicle_id)
    raise NotFoundError("Vehicle not found")  # deleted while we waited


async def _record_named_fuel(
    db: Database, cache: Cache, user_id: str, vehicle_id: uuid.UUID, entered: dict, system: UnitSystem,
    max_daily_distance: int | None,
) -> StoredFillUp | None:
    """The fuel type is given, so nothing needs reading first but the odometer's neighbours (one
    indexed read, none when confirmed or without a reading): one statement writes the fill-up
    (while its vehicle is held) and its event, with no BEGIN and COMMIT round trips, and reads
    the start of its chain for the interval it closes. The check reads outside that statement:
    two racing fill-ups of one vehicle may both pass it, which a typo guard can afford."""
    row = new_fill_up_row(uuid.uuid4(), user_id, vehicle_id, stored_values(entered, system))
    async with single_statement(db) as conn:
        await _check_odometer(conn, user_id, vehicle_id, row["id"], row, max_daily_distance, system)
        stored, chain_start = await repository.insert_fuel_log_announced(
            conn, row, events.fuel_log_created(row), with_chain_start=reads_chain_window(row))
        if stored is None:
            return None
        publish_after_commit()  # the statement wrote its event's outbox row
        cache.invalidate_after_commit(user_id, *list_cache_keys(user_id))
        return StoredFillUp(stored, await closing_of(conn, stored, chain_start))


async def _record_vehicle_fuel(
    db: Database, cache: Cache, user_id: str, vehicle_id: uuid.UUID, entered: dict, system: UnitSystem,
    max_daily_distance: int | None,
) -> StoredFillUp | None:
    """No fuel type given: the vehicle's, read (and held) first."""
    async with transaction(db) as conn:
        vehicle = await repository.lock_live_vehicle(conn, user_id, vehicle_id)
        if vehicle is None:
            return None
        entered = {**entered, "fuel_type": vehicle_default_fuel_type(vehicle["fuel_type"])}
        check_rules(entered)
        values = stored_values(entered, system)
        await _check_odometer(conn, user_id, vehicle_id, uuid.UUID(int=0), values, max_daily_distance, system)
        row = await repository.insert_fuel_log(conn, user_id, vehicle_id, values)
        await enqueue(conn, events.fuel_log_created(row))
        cache.invalidate_after_commit(user_id, *list_cache_keys(user_id))
        return StoredFillUp(row, await closing_of(conn, row))


async def list_fill_ups(
    db: Database, cache: Cache, user_id: str, system: UnitSystem, page: Page | None = None
) -> PageOf[dict[str, Any]]:
    """The caller's fill-ups as responses, newest first, from the cache when it has them; a page
    is cut out of that whole list by keyset (economy needs every fill of a chain)."""

    async def load() -> list[dict[str, Any]]:
        return fuel_log_views(await repository.list_for_user(db, user_id), system)

    return FILL_UP_ORDER.slice(await cache.get_or_load(list_cache_key(user_id, system), LIST_TTL_SECONDS, load), page)


async def get_fill_up(db: Database, user_id: str, fuel_log_id: uuid.UUID) -> StoredFillUp:
    row = await owned_fill_up(db, user_id, fuel_log_id)
    return StoredFillUp(row, await closing_of(db, row))


async def update_fill_up(
    db: Database, cache: Cache, user_id: str, fuel_log_id: uuid.UUID, patch: FuelLogUpdate, system: UnitSystem,
    *, max_daily_distance: int | None,
) -> StoredFillUp:
    """Change the fields sent (in `system`), keeping the others. A changed reading or time is
    checked against the vehicle's other fill-ups like a new one (`confirmOdometer` skips it); an
    edit that leaves both alone is not, so an old confirmed reading never blocks a note's edit."""
    sent = entered_values(patch, only_sent=True)
    check_update_keeps_required(sent)
    async with transaction(db) as conn:
        row = await owned_fill_up(conn, user_id, fuel_log_id, for_update=True)
        values = updated_values(row, sent, system)
        if (values["odometer_reading"], values["date_time"]) != (row["odometer_reading"], row["date_time"]):
            bound = None if patch.confirm_odometer else max_daily_distance
            await _check_odometer(conn, user_id, row["vehicle_id"], fuel_log_id, values, bound, system)
        updated = await repository.update_fuel_log(conn, user_id, fuel_log_id, values)
        await enqueue(conn, events.fuel_log_updated(updated))
        cache.invalidate_after_commit(user_id, *list_cache_keys(user_id))
        return StoredFillUp(updated, await closing_of(conn, updated))


async def delete_fill_up(
    db: Database, cache: Cache, sweeper: DeletionSweeper, user_id: str, fuel_log_id: uuid.UUID
) -> None:
    """Delete a fill-up and its receipt."""
    async with transaction(db) as conn:
        row = await repository.delete_fuel_log(conn, user_id, fuel_log_id)
        if row is None:
            raise NotFoundError("Fuel log not found")
        if row["receipt_key"]:
            await schedule_deletion(conn, row["receipt_key"])
            sweep_after_commit(sweeper)
        await enqueue(conn, events.fuel_log_deleted(row))
        cache.invalidate_after_commit(user_id, *list_cache_keys(user_id))


async def vehicle_fill_ups(
    db: Database, watch: ProjectionWatch, user_id: str, vehicle_id: uuid.UUID
) -> list[dict[str, Any]]:
    """The fill-ups of the caller's vehicle, newest first; the vehicle may be on its way."""
    await live_vehicle(db, watch, user_id, vehicle_id)
    return await repository.list_for_vehicle(db, user_id, vehicle_id)


async def vehicle_fill_up_views(
    db: Database, watch: ProjectionWatch, user_id: str, vehicle_id: uuid.UUID, system: UnitSystem,
    page: Page | None = None,
) -> PageOf[dict[str, Any]]:
    """The vehicle's fill-ups as responses, economy computed over all of them, then cut to the page."""
    return FILL_UP_ORDER.slice(fuel_log_views(await vehicle_fill_ups(db, watch, user_id, vehicle_id), system), page)


async def owned_fill_up(db: Database, user_id: str, fuel_log_id: uuid.UUID, *, for_update: bool = False) -> dict:
    """The caller's fill-up; another user's is not theirs to know about, so not found either."""
    row = await repository.get_fuel_log(db, user_id, fuel_log_id, for_update=for_update)
    if row is None:
        raise NotFoundError("Fuel log not found")
    return row


def reads_chain_window(row: Mapping[str, Any]) -> bool:
    """Whether closing_of() reads the fill-ups before `row` by odometer (chain_before)."""
    target = fill_from_row(row)
    return closes_interval(target) and target.odometer is not None


async def closing_of(db: Database, row: dict, chain_start: repository.ChainStart | None = None) -> Interval | None:
    """The interval a stored fill-up closes, read from the few fill-ups before it in its chain,
    so that its cost does not grow with the vehicle's history; `chain_start`, the first of them
    when its insert read them."""
    target = fill_from_row(row)
    if not closes_interval(target):
        return None  # only a full fill closes an interval; nothing before it needs reading
    if target.odometer is not None:
        before = (row["odometer_reading"], row["date_time"], row["id"])
        window = await repository.chain_before(
            db, row["user_id"], row["vehicle_id"], is_electric(row), before,
            until=lambda r: resets_chain(fill_from_row(r)), start=chain_start,
        )
        if window is not None:
            return closing_interval(target, map(fill_from_row, window))
    # Trip-only fill-ups in the chain: positions depend on the whole history, so read all of it.
    siblings = await repository.list_for_vehicle(db, row["user_id"], row["vehicle_id"])
    return economy_by_fill(siblings).get(str(row["id"]))


def sweep_after_commit(sweeper: DeletionSweeper) -> None:
    """Files queued for deletion: start the sweeper early, once the queue entries are committed."""

    async def wake() -> None:
        sweeper.wake()

    after_commit(wake)
