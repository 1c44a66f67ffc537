"""HTTP handlers of the fuel logs service, one module per resource."""

from aiohttp import web

from . import csv_io, export, fill_ups, receipts


def all_routes() -> list[web.RouteDef]:
    # Vehicle-scoped paths first, so `/api/fuel-logs/{id}` never shadows them.
    return [*export.routes, *csv_io.routes, *fill_ups.vehicle_routes, *receipts.routes, *fill_ups.routes]
