"""Per-vehicle fuel and cost statistics, with a monthly series for charts.

A vehicle's liquid fuel and electricity cannot share one economy figure: the statistics cover
liquid fuel when the vehicle has any liquid fill-up, else electricity (`fuelKind` says which).
Months are calendar months in UTC; a month's distance and efficiency come from the economy
intervals closed by a fill-up in that month, its fuel and cost from the fill-ups in it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC
from decimal import Decimal
from typing import Any, Mapping, Sequence

from .economy import ZERO, intervals, positions, totals
from .units import UnitSystem, distance_in, efficiency, fuel_in, labels, lower_is_better
from .views import fill_from_row, is_electric, rounded


def vehicle_stats(rows: Sequence[Mapping[str, Any]], system: UnitSystem) -> dict[str, Any]:
    electric = bool(rows) and all(is_electric(r) for r in rows)
    chosen = [r for r in rows if is_electric(r) == electric]
    fills = [fill_from_row(r) for r in chosen]
    closed = intervals(fills)
    closed_by = {i.closed_by: i for i in closed}
    interval_distance, interval_fuel = totals(closed)

    total_fuel = sum((r["fuel_units"] for r in chosen), ZERO)
    total_cost = sum((r["total_cost"] for r in chosen), ZERO)
    placed = positions(fills).values()
    tracked = max(placed) - min(placed) if placed else ZERO
    figures = [efficiency(i.distance, i.fuel, system, electric) for i in closed]
    best, worst = (min, max) if lower_is_better(system) else (max, min)
    fuel_out = fuel_in(total_fuel, system, electric)
    distance_out = distance_in(tracked, system)

    return {
        "fuelKind": "electric" if electric else "liquid",
        "logCount": len(chosen),
        "totalFuelUnits": rounded(fuel_out, 3),
        "totalCost": rounded(total_cost, 2),
        "averageCostPerUnit": rounded(total_cost / fuel_out, 3) if fuel_out > 0 else None,
        "totalDistance": rounded(distance_out, 1),
        "averageEfficiency": rounded(efficiency(interval_distance, interval_fuel, system, electric), 2),
        "bestEfficiency": rounded(best(figures), 2) if figures else None,
        "worstEfficiency": rounded(worst(figures), 2) if figures else None,
        "costPerDistance": rounded(total_cost / distance_out, 3) if distance_out > 0 else None,
        "monthly": _monthly(chosen, closed_by, system, electric),
        "unitLabels": labels(system, electric),
    }


def _monthly(rows, closed_by, system: UnitSystem, electric: bool) -> list[dict[str, Any]]:
    months: dict[str, dict[str, Decimal]] = defaultdict(
        lambda: {"fuel": ZERO, "cost": ZERO, "distance": ZERO, "interval_fuel": ZERO}
    )
    for row in rows:
        month = months[_month(row["date_time"])]
        month["fuel"] += row["fuel_units"]
        month["cost"] += row["total_cost"]
        interval = closed_by.get(str(row["id"]))
        if interval is not None:
            month["distance"] += interval.distance
            month["interval_fuel"] += interval.fuel
    return [
        {
            "month": key,
            "distance": rounded(distance_in(m["distance"], system), 1),
            "fuelUnits": rounded(fuel_in(m["fuel"], system, electric), 3),
            "cost": rounded(m["cost"], 2),
            "efficiency": rounded(efficiency(m["distance"], m["interval_fuel"], system, electric), 2),
        }
        for key, m in sorted(months.items())
    ]


def _month(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m")
