"""Wiring of the maintenance service: nothing connects until the app starts."""

from pathlib import Path

from aiohttp import web

from shared.cache import add_redis
from shared.db import add_database
from shared.events.wiring import add_events
from shared.http.app import base_app

from .api import routes
from .export_api import routes as export_routes
from .consumers import consumers
from .settings import MaintenanceSettings
from .sweeper import add_due_sweeper

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: MaintenanceSettings) -> web.Application:
    app = base_app("maintenance", settings)
    add_database(app, settings, MIGRATIONS)
    add_redis(app, settings)
    add_events(app, settings, "maintenance", consumers(app))
    add_due_sweeper(app, settings.due_sweep_interval)
    app.add_routes(export_routes)
    app.add_routes(routes)
    return app
