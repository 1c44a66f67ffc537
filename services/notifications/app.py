"""Wiring of the notifications service: nothing connects until the app starts."""

from pathlib import Path

from aiohttp import web

from shared.cache import add_redis
from shared.db import add_database
from shared.events.wiring import add_events
from shared.http.app import base_app

from .api import FEED_PREFIX, routes
from .consumers import consumers
from .outbound import add_outbound
from .settings import NotificationsSettings
from .subscriber_bindings import add_subscriber_bindings
from .sweeper import add_expiry_sweeper
from .worker import add_delivery_worker

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: NotificationsSettings) -> web.Application:
    # Calendar apps cannot send a bearer token: the feed's secret URL is its own check.
    app = base_app("notifications", settings, public_prefixes=(FEED_PREFIX,))
    add_database(app, settings, MIGRATIONS)
    add_redis(app, settings)
    add_outbound(app, settings.allowed_networks, timeout=settings.http_timeout, max_redirects=settings.max_redirects)
    add_delivery_worker(app, settings)  # before the consumer starts: handlers wake it
    add_events(app, settings, "notifications", consumers(app), on_demand=add_subscriber_bindings(app))
    add_expiry_sweeper(app, settings.expiry_sweep_interval)
    app.add_routes(routes)
    return app
