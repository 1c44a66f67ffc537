"""The events the accounts service consumes: each service's confirmation that it purged a user."""

from __future__ import annotations

import logging
import uuid

import asyncpg
from aiohttp import web

from shared.events import Event
from shared.events.consumer import EventHandler

from . import use_cases

log = logging.getLogger("motovault.accounts.consumers")


def consumers(app: web.Application) -> dict[str, EventHandler]:
    async def on_purged(conn: asyncpg.Connection, event: Event) -> None:
        user_id = event.data.get("userId") or event.user_id
        service = event.data.get("service") or event.producer
        if not user_id or not service:
            log.warning("%s %s names no user or service; ignored", event.routing_key, event.id)
            return
        deletion_id = uuid.UUID(event.data["deletionId"]) if event.data.get("deletionId") else None
        await use_cases.service_purged(conn, user_id, deletion_id, service)

    return {"account.purged.v1": on_purged}
