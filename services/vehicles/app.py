"""Wiring of the vehicles service: nothing connects until the app starts."""

from pathlib import Path

from aiohttp import web

from shared.cache import add_redis
from shared.db import add_database
from shared.events.wiring import add_events
from shared.http.app import base_app
from shared.storage import add_storage

from .api import routes
from .consumers import consumers
from .settings import VehiclesSettings
from .vin_decoder import add_vin_decoder

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: VehiclesSettings) -> web.Application:
    app = base_app("vehicles", settings)
    add_database(app, settings, MIGRATIONS)
    add_redis(app, settings)
    add_storage(app, settings.storage())
    add_vin_decoder(app, settings.vpic_base_url, settings.vpic_timeout)
    add_events(app, settings, "vehicles", consumers(app))
    app.add_routes(routes)
    return app
