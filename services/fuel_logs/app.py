"""Wiring of the fuel logs service."""

from pathlib import Path

from aiohttp import web

from shared.cache import add_redis
from shared.db import add_database
from shared.events.wiring import add_events
from shared.http.app import base_app
from shared.storage import add_storage

from .api import all_routes
from .consumers import consumers
from .settings import FuelLogsSettings
from .vehicle_wait import add_projection_watch

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: FuelLogsSettings) -> web.Application:
    app = base_app("fuel_logs", settings)
    add_database(app, settings, MIGRATIONS)
    add_redis(app, settings)
    add_storage(app, settings.storage())
    add_projection_watch(app, settings.database_url, settings.vehicle_wait_seconds, settings.vehicle_wait_poll_seconds)
    add_events(app, settings, "fuel_logs", consumers(app))
    app.add_routes(all_routes())
    return app
