"""Wiring of the accounts service: nothing connects until the app starts."""

from pathlib import Path

from aiohttp import web

from shared.db import add_database
from shared.events.wiring import add_events
from shared.http.app import base_app

from .api import routes
from .consumers import consumers
from .settings import AccountsSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: AccountsSettings) -> web.Application:
    app = base_app("accounts", settings)
    add_database(app, settings, MIGRATIONS)
    add_events(app, settings, "accounts", consumers(app))
    app.add_routes(routes)
    return app
