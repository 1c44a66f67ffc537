"""Wiring of the maintenance service (skeleton: its feature issue adds routes and event handlers)."""

from pathlib import Path

from aiohttp import web

from shared.cache import add_redis
from shared.db import add_database
from shared.events.wiring import add_events
from shared.http.app import base_app

from .settings import MaintenanceSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: MaintenanceSettings) -> web.Application:
    app = base_app("maintenance", settings)
    add_database(app, settings, MIGRATIONS)
    add_redis(app, settings)
    add_events(app, settings, "maintenance")
    return app
