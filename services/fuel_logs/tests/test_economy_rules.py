"""Tank-to-tank economy and unit conversions: table tests of each rule, hypothesis for the invariants."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.fuel_logs.domain.economy import Fill, Interval, intervals, totals
from services.fuel_logs.domain.stats import vehicle_stats
from services.fuel_logs.domain.units import UnitSystem, distance_from, distance_in, efficiency, fuel_from, fuel_in, price_from, price_in

pytestmark = pytest.mark.pure

START = datetime(2026, 1, 1, tzinfo=UTC)


def fill(n: int, odometer, fuel, full=True, missed=False, trip=None, day=None) -> Fill:
    return Fill(
        id=f"f{n:03d}",
        date_time=START + timedelta(days=n if day is None else day),
        odometer=None if odometer is None else D(str(odometer)),
        trip_distance=None if trip is None else D(str(trip)),
        fuel=D(str(fuel)),
        is_full=full,
        missed_previous=missed,
    )


def figures(fills) -> list[tuple[str, str, D, D]]:
    return [(i.opened_by, i.closed_by, i.distance, i.fuel) for i in intervals(fills)]


@pytest.mark.parametrize(
    ("name", "fills", "expected"),
    [
        ("first fill is only a baseline", [fill(1, 1000, 10)], []),
        ("two full fills close one interval, figure on the closing fill",
         [fill(1, 1000, 10), fill(2, 1300, 10)], [("f001", "f002", D(300), D(10))]),
        ("partial fills carry their fuel into the next full fill",
         [fill(1, 1000, 10), fill(2, 1150, 4, full=False), fill(3, 1300, 6)], [("f001", "f003", D(300), D(10))]),
        ("a partial before any full fill has no anchor",
         [fill(1, 900, 5, full=False), fill(2, 1000, 10), fill(3, 1300, 10)], [("f002", "f003", D(300), D(10))]),
        ("a missed full fill breaks the chain and re-anchors",
         [fill(1, 1000, 10), fill(2, 1300, 10, missed=True), fill(3, 1600, 12)], [("f002", "f003", D(300), D(12))]),
        ("a missed partial leaves no anchor until the next full fill",
         [fill(1, 1000, 10), fill(2, 1100, 4, full=False, missed=True), fill(3, 1300, 10), fill(4, 1600, 10)],
         [("f003", "f004", D(300), D(10))]),
        ("carried fuel is dropped at a missed fill",
         [fill(1, 1000, 10), fill(2, 1100, 4, full=False), fill(3, 1300, 10, missed=True), fill(4, 1500, 8)],
         [("f003", "f004", D(200), D(8))]),
        ("equal odometers give no figure, the second fill re-anchors",
         [fill(1, 1000, 10), fill(2, 1000, 3), fill(3, 1300, 10)], [("f002", "f003", D(300), D(10))]),
        ("entered out of date order: odometer order decides",
         [fill(1, 1000, 10, day=1), fill(2, 1600, 10, day=10), fill(3, 1300, 8, day=20)],
         [("f001", "f003", D(300), D(8)), ("f003", "f002", D(300), D(10))]),
        ("a trip distance places a fill without odometer",
         [fill(1, 1000, 10), fill(2, None, 8, trip=250), fill(3, 1500, 10)],
         [("f001", "f002", D(250), D(8)), ("f002", "f003", D(250), D(10))]),
        ("trip distances alone make a chain",
         [fill(1, None, 10, trip=300), fill(2, None, 9, trip=270)], [("f001", "f002", D(270), D(9))]),
        ("leading trip-only fills are placed back from the first reading by its trip distance",
         [fill(1, None, 10, trip=100), fill(2, None, 9, trip=270), fill(3, 1500, 10, trip=230)],
         [("f001", "f002", D(270), D(9)), ("f002", "f003", D(230), D(10))]),
        ("a first reading without trip distance cannot link the trips before it: no figure, re-anchor",
         [fill(1, None, 10, trip=100), fill(2, None, 9, trip=270), fill(3, 1500, 10), fill(4, 1800, 10)],
         [("f001", "f002", D(270), D(9)), ("f003", "f004", D(300), D(10))]),
    ],
)
def test_tank_to_tank_rules(name, fills, expected):
    assert figures(fills) == expected, name
    assert figures(list(reversed(fills))) == expected, name  # insertion order never matters


def test_average_is_total_distance_over_total_fuel_not_a_mean_of_figures():
    rows = [_row(fill(1, 1000, 10)), _row(fill(2, 1300, 10)), _row(fill(3, 1500, 5))]
    stats = vehicle_stats(rows, UnitSystem.IMPERIAL)
    # Figures 30 and 40 MPG; their mean would be 35, the distance-weighted average is 500/15.
    assert stats["averageEfficiency"] == D("33.33")
    assert (stats["bestEfficiency"], stats["worstEfficiency"]) == (D("40.00"), D("30.00"))
    assert stats["totalDistance"] == D("500.0") and stats["totalFuelUnits"] == D("25.000")


# 300 miles on 10 US gallons (30 MPG US), worked out by hand with the exact constants:
# 300 mi = 482.8032 km; 10 US gal = 37.85411784 L = 8.326741846... imperial gal.
@pytest.mark.parametrize(
    ("system", "electric", "expected"),
    [
        (UnitSystem.IMPERIAL, False, D("30")),
        (UnitSystem.UK, False, D("300") / (D("37.85411784") / D("4.54609"))),  # 36.0285 MPG (UK)
        (UnitSystem.METRIC, False, D("37.85411784") / D("482.8032") * 100),  # 7.8405 L/100 km
        (UnitSystem.METRIC_KML, False, D("482.8032") / D("37.85411784")),  # 12.7543 km/L
        (UnitSystem.IMPERIAL, True, D("30")),  # mi/kWh
        (UnitSystem.UK, True, D("30")),
        (UnitSystem.METRIC, True, D("10") / D("482.8032") * 100),  # kWh/100 km
        (UnitSystem.METRIC_KML, True, D("48.28032")),  # km/kWh
    ],
)
def test_every_unit_system_uses_the_exact_constants(system, electric, expected):
    assert efficiency(D(300), D(10), system, electric) == expected


def test_known_rounded_figures():
    assert round(efficiency(D(300), D(10), UnitSystem.UK, False), 4) == D("36.0285")
    assert round(efficiency(D(300), D(10), UnitSystem.METRIC, False), 4) == D("7.8405")
    # The published rule of thumb: L/100 km = 235.2146 / MPG(US).
    assert round(efficiency(D(300), D(10), UnitSystem.METRIC, False) * 30, 4) == D("235.2146")


@pytest.mark.parametrize(
    ("entered", "system"),
    [(D("40.000"), UnitSystem.METRIC), (D("37.854"), UnitSystem.UK), (D("0.001"), UnitSystem.METRIC_KML),
     (D("12.5"), UnitSystem.IMPERIAL)],
)
def test_quantities_round_trip_to_what_was_entered(entered, system):
    assert round(fuel_in(fuel_from(entered, system, False), system, False), 3) == entered
    assert round(distance_in(distance_from(entered * 1000, system), system), 1) == entered * 1000
    # A price per litre becomes an exact price per gallon, and back exactly.
    assert price_in(price_from(D("1.859"), system, False), system, False) == D("1.859")


def test_litres_and_km_are_stored_as_us_gallons_and_miles():
    assert fuel_from(D("3.785411784"), UnitSystem.METRIC, False) == D(1)
    assert distance_from(D("1.609344"), UnitSystem.METRIC) == D(1)
    assert price_from(D("1"), UnitSystem.METRIC, False) == D("3.785411784")
    assert fuel_from(D("55.5"), UnitSystem.METRIC, True) == D("55.5")  # kWh stay kWh


def test_no_figure_for_non_positive_distance_or_fuel():
    assert efficiency(D(0), D(10), UnitSystem.IMPERIAL, False) is None
    assert efficiency(D(100), D(0), UnitSystem.METRIC, False) is None


def _row(f: Fill, electric: bool = False) -> dict:
    return {"id": f.id, "vehicle_id": "v", "date_time": f.date_time, "odometer_reading": f.odometer,
            "trip_distance": f.trip_distance, "fuel_units": f.fuel, "is_full_fill": f.is_full,
            "missed_previous": f.missed_previous, "fuel_type": "electric" if electric else "gasoline",
            "total_cost": (f.fuel * D("3.5")).quantize(D("0.01"))}


# Fills with odometers, trip distances or both, any flags, dates that may disagree with odometers.
fill_strategy = st.builds(
    lambda odo, trip, fuel, full, missed, day: (odo, trip, fuel, full, missed, day),
    st.one_of(st.none(), st.integers(0, 5_000)),
    st.integers(1, 800),
    st.decimals(D("0.001"), D("40"), places=3),
    st.booleans(),
    st.booleans(),
    st.integers(0, 400),
)


def _fills(specs) -> list[Fill]:
    return [fill(n, odo, fuel, full, missed, trip=trip, day=day) for n, (odo, trip, fuel, full, missed, day) in enumerate(specs)]


@settings(max_examples=300, deadline=None)
@given(st.lists(fill_strategy, max_size=25), st.randoms(use_true_random=False))
def test_invariants(specs, rnd: random.Random):
    fills = _fills(specs)
    closed = intervals(fills)
    # No negative, zero or infinite figure.
    for interval in closed:
        assert interval.distance > 0 and interval.fuel > 0
        for system in UnitSystem:
            figure = efficiency(interval.distance, interval.fuel, system, False)
            assert figure is not None and figure.is_finite() and figure > 0
    # Order of insertion does not change results.
    shuffled = list(fills)
    rnd.shuffle(shuffled)
    assert intervals(shuffled) == closed
    # The average is total distance over total fuel of the closed intervals, within the figures' range.
    stats = vehicle_stats([_row(f) for f in shuffled], UnitSystem.IMPERIAL)
    distance, fuel = totals(closed)
    if closed:
        average = distance / fuel
        assert stats["averageEfficiency"] == average.quantize(D("0.01"), rounding=ROUND_HALF_UP)
        per_interval = [i.distance / i.fuel for i in closed]
        assert min(per_interval) <= average <= max(per_interval)
        assert fuel <= sum(f.fuel for f in fills)
    else:
        assert stats["averageEfficiency"] is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 600), st.decimals(D("0.5"), D("30"), places=3)), min_size=1, max_size=20))
def test_all_full_fills_with_rising_odometers_close_every_interval(steps):
    odometer, fills = 10_000, []
    for n, (driven, fuel) in enumerate(steps):
        odometer += driven
        fills.append(fill(n, odometer, fuel))
    closed = intervals(fills)
    assert len(closed) == len(fills) - 1
    assert totals(closed) == (fills[-1].odometer - fills[0].odometer, sum(f.fuel for f in fills[1:]))


def test_interval_is_a_value():
    assert Interval("a", "b", D(1), D(1)) == Interval("a", "b", D(1), D(1))
