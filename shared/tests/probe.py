"""A tiny service built only from the platform, to test the platform without business rules."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import asyncpg
from aiohttp import web
from pydantic import Field

from shared.cache import add_redis
from shared.db import POOL, add_database
from shared.errors import ConflictError, DependencyUnavailable, InvalidInput, NotFoundError
from shared.events import Event, enqueue, new_event
from shared.transactions import after_commit, transaction
from shared.events.wiring import add_events
from shared.http.app import base_app
from shared.http.json import json_response
from shared.http.middleware import current_user
from shared.http.validation import parse_body
from shared.models import ApiModel
from shared.settings import BackedServiceSettings, settings_config

MIGRATIONS = Path(__file__).parent / "probe_migrations"
routes = web.RouteTableDef()


class ProbeSettings(BackedServiceSettings):
    model_config = settings_config("PROBE_")


class ThingInput(ApiModel):
    name: str = Field(min_length=1, max_length=50)
    size: int = Field(default=1, ge=1)


class Rollback(Exception):
    pass


@routes.post("/things")
async def create_thing(request: web.Request) -> web.Response:
    thing = await parse_body(request, ThingInput)
    event = new_event("thing.created", {"name": thing.name}, producer="probe", user_id=current_user(request))
    try:
        async with transaction(request.app[POOL]) as conn:
            await conn.execute("INSERT INTO things (id, name) VALUES ($1, $2)", uuid.uuid4(), thing.name)
            await enqueue(conn, event)
            if request.query.get("rollback"):
                raise Rollback
    except Rollback:
        return json_response({"rolledBack": True}, status=409)
    return json_response({"eventId": str(event.id)}, status=201)


DOMAIN_ERRORS = {
    "missing": lambda: NotFoundError("Thing not found"),
    "taken": lambda: ConflictError("That name is taken"),
    "invalid": lambda: InvalidInput.field("name", "Must not be a number"),
    "down": lambda: DependencyUnavailable("Storage is down", retry_after=7),
}


@routes.get("/domain-error/{kind}")
async def domain_error(request: web.Request) -> web.Response:
    raise DOMAIN_ERRORS[request.match_info["kind"]]()


@routes.get("/boom")
async def boom(request: web.Request) -> web.Response:
    raise RuntimeError("secret internal detail")


async def record_effect(conn: asyncpg.Connection, event: Event) -> None:
    await conn.execute("INSERT INTO effects (event_id, name) VALUES ($1, $2)", event.id, event.data["name"])


async def fail_while_told(conn: asyncpg.Connection, event: Event) -> None:
    """Fails as long as `failures_left` says so for the event's name (a row per scenario)."""
    remaining = await conn.fetchval("SELECT remaining FROM failures_left WHERE name = $1", event.data["name"])
    if remaining is None or remaining != 0:
        raise RuntimeError(f"told to fail ({remaining} left)")
    await record_effect(conn, event)


async def record_slowly(conn: asyncpg.Connection, event: Event) -> None:
    await asyncio.sleep(0.5)
    await record_effect(conn, event)


async def fail_like_a_lost_database(conn: asyncpg.Connection, event: Event) -> None:
    remaining = await conn.fetchval("SELECT remaining FROM failures_left WHERE name = $1", event.data["name"])
    if remaining is None or remaining != 0:
        raise ConnectionRefusedError("database went away")
    await record_effect(conn, event)


AFTER_COMMIT_SEEN: list[str] = []


async def record_then_announce(conn: asyncpg.Connection, event: Event) -> None:
    await record_effect(conn, event)

    async def announce() -> None:
        # Runs after the commit: the effect must already be visible from another connection.
        visible = await asyncpg.connect(str(event.data["dsn"]))
        try:
            count = await visible.fetchval("SELECT count(*) FROM effects WHERE event_id = $1", event.id)
        finally:
            await visible.close()
        AFTER_COMMIT_SEEN.append(f"{event.data['name']}:{count}")

    after_commit(announce)


HANDLERS = {
    "thing.created.v1": record_effect,
    "thing.fragile.v1": fail_while_told,
    "thing.slow.v1": record_slowly,
    "thing.announced.v1": record_then_announce,
    "thing.outage.v1": fail_like_a_lost_database,
}


def create_probe_app(settings: ProbeSettings, handlers=HANDLERS) -> web.Application:
    app = base_app("probe", settings)
    add_database(app, settings, MIGRATIONS)
    add_redis(app, settings)
    add_events(app, settings, "probe", handlers)
    app.add_routes(routes)
    return app
