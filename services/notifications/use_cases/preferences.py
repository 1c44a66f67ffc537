"""Per-user lead time, quiet hours and time zone; the calendar feed's secret, revocable URL."""

from __future__ import annotations

import hashlib
import secrets

import asyncpg

from shared.errors import NotFoundError
from shared.transactions import Database, connection, transaction

from .. import repository
from ..domain.inputs import PreferencesInput
from .common import now

FEED_NOT_FOUND = "Calendar feed not found"


async def get_preferences(db: Database, user_id: str) -> asyncpg.Record | None:
    async with connection(db) as conn:
        return await repository.get_preferences(conn, user_id)


async def update_preferences(db: Database, user_id: str, body: PreferencesInput) -> asyncpg.Record:
    """Change the fields sent; `quietHours: null` turns quiet hours off."""
    async with transaction(db) as conn:
        current = await repository.get_preferences(conn, user_id)
        lead = body.lead_days if body.lead_days is not None else (current["lead_days"] if current else 14)
        zone = body.timezone or (current["timezone"] if current else "UTC")
        if "quiet_hours" in body.model_fields_set:
            start, end = (body.quiet_hours.start, body.quiet_hours.end) if body.quiet_hours else (None, None)
        else:
            start, end = (current["quiet_start"], current["quiet_end"]) if current else (None, None)
        return await repository.save_preferences(conn, user_id, lead, start, end, zone)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def new_calendar_token(db: Database, user_id: str) -> str:
    """A new secret token for the user's feed; the previous URL stops working. Only its hash is
    stored, so the token is shown this once."""
    token = secrets.token_urlsafe(32)
    async with transaction(db) as conn:
        await repository.set_calendar_token_hash(conn, user_id, _token_hash(token))
    return token


async def revoke_calendar_token(db: Database, user_id: str) -> None:
    async with transaction(db) as conn:
        await repository.set_calendar_token_hash(conn, user_id, None)


async def calendar_feed(db: Database, token: str) -> bytes:
    """The feed of whoever holds the token; an unknown or revoked token is not found."""
    async with connection(db) as conn:
        user_id = await repository.user_of_calendar(conn, _token_hash(token))
        if user_id is None:
            raise NotFoundError(FEED_NOT_FOUND)
        due, documents = await repository.calendar_items(conn, user_id)
        names = await repository.vehicle_names(conn, user_id)
    # Imported with the first feed asked for: icalendar is 2 MB resident that most of the
    # process's life (consuming events, sending reminders) does not use.
    from ..domain.calendar import feed

    return feed(due, documents, names, now())
