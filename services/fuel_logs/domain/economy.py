"""Fuel economy by the tank-to-tank method (peers.md §3.1, §3.2), in canonical units.

Chain order is by position on the odometer, not by date, so entries typed in late still land
where they belong. An entry without an odometer reading sits at the previous entry's position
(by date) plus its trip distance. Walking the chain:
- a full fill is an anchor; the first usable one is only a baseline (no figure);
- a partial fill gives no figure; its fuel is carried into the next full fill;
- a full fill closes the interval from the anchor: distance = position difference, fuel = all
  fuel added after the anchor up to and including this fill; the figure belongs to this fill;
- a missed fill-up before an entry breaks the chain: no figure, carried fuel dropped; the entry
  is the new anchor if it is full, else there is no anchor until the next full fill;
- distance <= 0 or fuel <= 0 gives no figure (the fill still re-anchors, its fuel dropped).
The average is total distance over total fuel of the closed intervals, never a mean of figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Iterable

ZERO = Decimal(0)


@dataclass(frozen=True)
class Fill:
    id: str
    date_time: datetime
    odometer: Decimal | None
    trip_distance: Decimal | None
    fuel: Decimal
    is_full: bool = True
    missed_previous: bool = False


@dataclass(frozen=True)
class Interval:
    opened_by: str
    closed_by: str
    distance: Decimal
    fuel: Decimal


def positions(fills: Iterable[Fill]) -> dict[str, Decimal]:
    """Each fill's place on the odometer: its reading, or derived from its trip distance."""
    by_date = sorted(fills, key=lambda f: (f.date_time, f.id))
    result: dict[str, Decimal] = {}
    previous: Decimal | None = None
    pending: list[Fill] = []  # leading fills without any earlier reading
    for fill in by_date:
        if fill.odometer is not None:
            previous = fill.odometer
            # Place the leading trip-only fills backwards from the first reading.
            back = previous
            following = fill
            for earlier in reversed(pending):
                back -= following.trip_distance or ZERO
                result[earlier.id] = back
                following = earlier
            pending = []
        elif previous is not None:
            previous += fill.trip_distance or ZERO
        else:
            pending.append(fill)
            continue
        result[fill.id] = previous
    # No reading at all: trips alone place the fills, from an arbitrary origin.
    running = ZERO
    for fill in pending:
        running += fill.trip_distance or ZERO
        result[fill.id] = running
    return result


def chain(fills: Iterable[Fill]) -> list[tuple[Fill, Decimal]]:
    """Fills in odometer order; same position: by date, then id, so input order never matters."""
    fills = list(fills)
    placed = positions(fills)
    return sorted(((f, placed[f.id]) for f in fills), key=lambda fp: (fp[1], fp[0].date_time, fp[0].id))


def intervals(fills: Iterable[Fill]) -> list[Interval]:
    closed: list[Interval] = []
    anchor: tuple[Fill, Decimal] | None = None
    carried = ZERO
    for fill, position in chain(fills):
        if fill.missed_previous:
            carried = ZERO
            anchor = (fill, position) if fill.is_full else None
            continue
        if anchor is None:
            if fill.is_full:
                anchor, carried = (fill, position), ZERO
            continue
        carried += fill.fuel
        if not fill.is_full:
            continue
        distance = position - anchor[1]
        if distance > 0 and carried > 0:
            closed.append(Interval(anchor[0].id, fill.id, distance, carried))
        anchor, carried = (fill, position), ZERO
    return closed


def resets_chain(fill: Fill) -> bool:
    """After this fill the walk's state is fixed whatever came before: (it, nothing carried) for a
    full fill, (no anchor, nothing carried) for a missed partial one. See `intervals`."""
    return fill.is_full or fill.missed_previous


def closes_interval(fill: Fill) -> bool:
    """Whether `fill` can have a figure at all: a full fill that follows no missed fill-up."""
    return fill.is_full and not fill.missed_previous


def closing_interval(target: Fill, preceding: Iterable[Fill]) -> Interval | None:
    """The interval `target` closes, from the fills before it in chain order.

    `preceding` must hold every fill before `target` in its chain back to and including the
    nearest one that `resets_chain` (or all of them if none does); earlier fills may be there
    too and change nothing. Every fill must have an odometer reading: without one, positions
    depend on dates across the whole chain and only `intervals` over all fills can tell.
    """
    fills = [*preceding, target]
    if any(f.odometer is None for f in fills):
        raise ValueError("a window of the chain needs odometer readings; use intervals() on the whole chain")
    return next((i for i in intervals(fills) if i.closed_by == target.id), None)


def totals(closed: Iterable[Interval]) -> tuple[Decimal, Decimal]:
    distance = fuel = ZERO
    for interval in closed:
        distance += interval.distance
        fuel += interval.fuel
    return distance, fuel
