"""All SQL of the notifications service. Every query a user causes names the user."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any

import asyncpg
import orjson

from shared.paging import Page

from .domain.lists import CHANNEL_ORDER, DELIVERY_ORDER

# --- projections of vehicles, documents and due maintenance -------------------------------------


async def upsert_vehicle(conn: asyncpg.Connection, vehicle_id: uuid.UUID, user_id: str, name: str) -> bool:
    """True if the vehicle is live; a late `created` never resurrects a tombstone."""
    row = await conn.fetchrow(
        """INSERT INTO vehicle_projection (vehicle_id, user_id, name) VALUES ($1, $2, $3)
           ON CONFLICT (vehicle_id) DO UPDATE SET name = EXCLUDED.name, updated_at = now()
           WHERE NOT vehicle_projection.deleted AND vehicle_projection.user_id = EXCLUDED.user_id
           RETURNING vehicle_id""",
        vehicle_id, user_id, name,
    )
    return row is not None


async def delete_vehicle(conn: asyncpg.Connection, vehicle_id: uuid.UUID, user_id: str) -> None:
    """Tombstone the vehicle and forget its documents, reminders and due maintenance."""
    await conn.execute(
        """INSERT INTO vehicle_projection (vehicle_id, user_id, name, deleted) VALUES ($1, $2, '', true)
           ON CONFLICT (vehicle_id) DO UPDATE SET deleted = true, updated_at = now()
           WHERE vehicle_projection.user_id = EXCLUDED.user_id""",
        vehicle_id, user_id,
    )
    await conn.execute(
        """DELETE FROM document_reminders WHERE document_id IN
           (SELECT document_id FROM documents WHERE vehicle_id = $1 AND user_id = $2)""", vehicle_id, user_id)
    await conn.execute("DELETE FROM documents WHERE vehicle_id = $1 AND user_id = $2", vehicle_id, user_id)
    await conn.execute("DELETE FROM due_maintenance WHERE vehicle_id = $1 AND user_id = $2", vehicle_id, user_id)


async def vehicle_is_live(conn: asyncpg.Connection, vehicle_id: uuid.UUID) -> bool:
    return not await conn.fetchval("SELECT deleted FROM vehicle_projection WHERE vehicle_id = $1", vehicle_id)


async def vehicle_name(conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID) -> str | None:
    return await conn.fetchval(
        "SELECT name FROM vehicle_projection WHERE vehicle_id = $1 AND user_id = $2 AND NOT deleted",
        vehicle_id, user_id)


async def vehicle_names(conn: asyncpg.Connection, user_id: str) -> dict[uuid.UUID, str]:
    rows = await conn.fetch("SELECT vehicle_id, name FROM vehicle_projection WHERE user_id = $1", user_id)
    return {row["vehicle_id"]: row["name"] for row in rows}


async def upsert_document(conn: asyncpg.Connection, user_id: str, values: dict[str, Any]) -> None:
    await conn.execute(
        """INSERT INTO documents (document_id, user_id, vehicle_id, title, kind, expires_on)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (document_id) DO UPDATE SET title = EXCLUDED.title, kind = EXCLUDED.kind,
               expires_on = EXCLUDED.expires_on
           WHERE documents.user_id = EXCLUDED.user_id""",
        values["document_id"], user_id, values["vehicle_id"], values["title"], values["kind"], values["expires_on"],
    )


async def delete_document(conn: asyncpg.Connection, user_id: str, document_id: uuid.UUID) -> None:
    await conn.execute("DELETE FROM documents WHERE document_id = $1 AND user_id = $2", document_id, user_id)
    await conn.execute("DELETE FROM document_reminders WHERE document_id = $1", document_id)


async def documents_to_remind(conn: asyncpg.Connection, today: date, limit: int) -> list[asyncpg.Record]:
    """Documents inside their owner's lead time and not yet reminded of for that expiry and lead."""
    return await conn.fetch(
        """SELECT d.*, coalesce(p.lead_days, 14) AS lead_days
           FROM documents d LEFT JOIN preferences p ON p.user_id = d.user_id
           WHERE d.expires_on IS NOT NULL
             AND d.expires_on - coalesce(p.lead_days, 14) <= $1
             AND NOT EXISTS (SELECT 1 FROM document_reminders r WHERE r.document_id = d.document_id
                             AND r.expires_on = d.expires_on AND r.lead_days = coalesce(p.lead_days, 14))
           ORDER BY d.expires_on LIMIT $2""",
        today, limit,
    )


async def claim_reminder(conn: asyncpg.Connection, document_id: uuid.UUID, expires_on: date, lead_days: int) -> bool:
    """True for the one sweep that takes this reminder, even when several sweep at once."""
    return await conn.fetchval(
        """INSERT INTO document_reminders (document_id, expires_on, lead_days) VALUES ($1, $2, $3)
           ON CONFLICT DO NOTHING RETURNING true""",
        document_id, expires_on, lead_days,
    ) is not None


async def upsert_due(conn: asyncpg.Connection, user_id: str, values: dict[str, Any]) -> None:
    """Keep a schedule's latest due point. An announcement (urgency and announced_on set) of the
    same cycle as the stored point stays when the point is restated without one; an event of an
    earlier cycle, or of a deleted schedule, changes nothing (events may come in any order)."""
    await conn.execute(
        """INSERT INTO due_maintenance (schedule_id, user_id, vehicle_id, category, subtypes, due_date,
                                        due_odometer, urgency, announced_on, due_cycle)
           SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10
           WHERE NOT EXISTS (SELECT 1 FROM deleted_schedules WHERE schedule_id = $1)
           ON CONFLICT (schedule_id) DO UPDATE SET category = EXCLUDED.category, subtypes = EXCLUDED.subtypes,
               due_date = EXCLUDED.due_date, due_odometer = EXCLUDED.due_odometer,
               urgency = CASE WHEN EXCLUDED.due_cycle IS NOT DISTINCT FROM due_maintenance.due_cycle
                              THEN coalesce(EXCLUDED.urgency, due_maintenance.urgency) ELSE EXCLUDED.urgency END,
               announced_on = CASE WHEN EXCLUDED.due_cycle IS NOT DISTINCT FROM due_maintenance.due_cycle
                              THEN coalesce(EXCLUDED.announced_on, due_maintenance.announced_on)
                              ELSE EXCLUDED.announced_on END,
               due_cycle = EXCLUDED.due_cycle
           WHERE due_maintenance.user_id = EXCLUDED.user_id
             AND (EXCLUDED.due_cycle IS NULL OR due_maintenance.due_cycle IS NULL
                  OR EXCLUDED.due_cycle >= due_maintenance.due_cycle)""",
        values["schedule_id"], user_id, values["vehicle_id"], values["category"], values["subtypes"],
        values["due_date"], values["due_odometer"], values.get("urgency"), values.get("announced_on"),
        values.get("due_cycle"),
    )


async def delete_schedule(conn: asyncpg.Connection, user_id: str, schedule_id: uuid.UUID) -> None:
    await conn.execute(
        "INSERT INTO deleted_schedules (schedule_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        schedule_id, user_id)
    await conn.execute("DELETE FROM due_maintenance WHERE schedule_id = $1 AND user_id = $2", schedule_id, user_id)


async def calendar_items(conn: asyncpg.Connection, user_id: str) -> tuple[list[asyncpg.Record], list[asyncpg.Record]]:
    # A due point with no date that has not fallen due (a distance still to drive) has no day to show.
    due = await conn.fetch(
        """SELECT * FROM due_maintenance WHERE user_id = $1 AND (due_date IS NOT NULL OR announced_on IS NOT NULL)
           ORDER BY schedule_id""", user_id)
    documents = await conn.fetch(
        "SELECT * FROM documents WHERE user_id = $1 AND expires_on IS NOT NULL ORDER BY expires_on, document_id",
        user_id)
    return due, documents


# --- preferences --------------------------------------------------------------------------------


async def get_preferences(conn: asyncpg.Connection, user_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM preferences WHERE user_id = $1", user_id)


async def save_preferences(conn: asyncpg.Connection, user_id: str, lead_days: int, quiet_start: time | None,
                           quiet_end: time | None, timezone: str) -> asyncpg.Record:
    return await conn.fetchrow(
        """INSERT INTO preferences (user_id, lead_days, quiet_start, quiet_end, timezone) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (user_id) DO UPDATE SET lead_days = $2, quiet_start = $3, quiet_end = $4, timezone = $5,
               updated_at = now()
           RETURNING *""",
        user_id, lead_days, quiet_start, quiet_end, timezone,
    )


async def set_calendar_token_hash(conn: asyncpg.Connection, user_id: str, token_hash: str | None) -> None:
    await conn.execute(
        """INSERT INTO preferences (user_id, calendar_token_hash) VALUES ($1, $2)
           ON CONFLICT (user_id) DO UPDATE SET calendar_token_hash = $2, updated_at = now()""",
        user_id, token_hash,
    )


async def user_of_calendar(conn: asyncpg.Connection, token_hash: str) -> str | None:
    return await conn.fetchval("SELECT user_id FROM preferences WHERE calendar_token_hash = $1", token_hash)


# --- channels and subscriptions -----------------------------------------------------------------


async def insert_channel(conn: asyncpg.Connection, user_id: str, kind: str, name: str, target: str,
                         secret: str | None, event_types: list[str] | None = None) -> asyncpg.Record:
    return await conn.fetchrow(
        """INSERT INTO channels (id, user_id, kind, name, target, secret, event_types)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *""",
        uuid.uuid4(), user_id, kind, name, target, secret, event_types or [],
    )


async def list_channels(conn: asyncpg.Connection, user_id: str, subscriptions: bool,
                        page: Page | None = None) -> list[asyncpg.Record]:
    """All, or one page (fetched one row long: CHANNEL_ORDER.trim tells whether more follow)."""
    operator = "=" if subscriptions else "<>"
    keyset = CHANNEL_ORDER.sql(page, 2)
    return await conn.fetch(
        f"""SELECT * FROM channels WHERE user_id = $1 AND kind {operator} 'subscription'{keyset.where}
            ORDER BY {CHANNEL_ORDER.order_by()}{keyset.limit}""",
        user_id, *keyset.parameters)


async def get_channel(conn: asyncpg.Connection, user_id: str, channel_id: uuid.UUID,
                      subscriptions: bool) -> asyncpg.Record | None:
    operator = "=" if subscriptions else "<>"
    return await conn.fetchrow(
        f"SELECT * FROM channels WHERE id = $1 AND user_id = $2 AND kind {operator} 'subscription'",
        channel_id, user_id)


async def update_channel(conn: asyncpg.Connection, user_id: str, channel_id: uuid.UUID, *, name: str,
                         enabled: bool, resume: bool) -> asyncpg.Record:
    return await conn.fetchrow(
        """UPDATE channels SET name = $3, enabled = $4,
               failures = CASE WHEN $5 THEN 0 ELSE failures END,
               paused_reason = CASE WHEN $5 THEN NULL ELSE paused_reason END
           WHERE id = $1 AND user_id = $2 RETURNING *""",
        channel_id, user_id, name, enabled, resume)


async def delete_channel(conn: asyncpg.Connection, user_id: str, channel_id: uuid.UUID, subscriptions: bool) -> bool:
    operator = "=" if subscriptions else "<>"
    return await conn.fetchval(
        f"DELETE FROM channels WHERE id = $1 AND user_id = $2 AND kind {operator} 'subscription' RETURNING true",
        channel_id, user_id) is not None


async def active_channels(conn: asyncpg.Connection, user_id: str) -> list[asyncpg.Record]:
    """The user's notification channels that are on. A paused one is included: its deliveries wait
    for the user to turn it on again, and then go."""
    return await conn.fetch(
        """SELECT * FROM channels WHERE user_id = $1 AND kind <> 'subscription' AND enabled
           ORDER BY created_at, id""", user_id)


async def subscribed_event_types(conn: asyncpg.Connection, event_types: list[str]) -> set[str]:
    """Those of the event types at least one subscription (on or off) names."""
    rows = await conn.fetch(
        """SELECT event_type FROM unnest($1::text[]) AS event_type
           WHERE EXISTS (SELECT 1 FROM channels WHERE kind = 'subscription' AND event_type = ANY(event_types))""",
        event_types)
    return {row["event_type"] for row in rows}


async def subscriptions_of(conn: asyncpg.Connection, user_ids: list[str]) -> dict[str, list[asyncpg.Record]]:
    """The live (enabled) subscriptions of each of the users, every user a key."""
    rows = await conn.fetch(
        """SELECT * FROM channels WHERE user_id = ANY($1::text[]) AND kind = 'subscription' AND enabled
           ORDER BY created_at, id""", user_ids)
    found: dict[str, list[asyncpg.Record]] = {user_id: [] for user_id in user_ids}
    for row in rows:
        found[row["user_id"]].append(row)
    return found


# --- deliveries ---------------------------------------------------------------------------------


def _delivery(row: asyncpg.Record | None) -> dict[str, Any] | None:
    """A delivery row as a dict, its JSONB payload decoded (asyncpg hands JSONB over as text)."""
    if row is None:
        return None
    return dict(row) | {"payload": orjson.loads(row["payload"])}


async def insert_delivery(conn: asyncpg.Connection, user_id: str, channel_id: uuid.UUID, key: str, kind: str,
                          payload: dict[str, Any], not_before: datetime) -> dict[str, Any] | None:
    """The new delivery, or None if its key exists (the same notification for the same channel)."""
    return _delivery(await conn.fetchrow(
        """INSERT INTO deliveries (id, user_id, channel_id, delivery_key, kind, payload, next_attempt_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (delivery_key) DO NOTHING RETURNING *""",
        uuid.uuid4(), user_id, channel_id, key, kind, orjson.dumps(payload).decode(), not_before,
    ))


async def claim_deliveries(conn: asyncpg.Connection, limit: int, lease_seconds: float) -> list[dict[str, Any]]:
    """Take due deliveries of live channels, lease them (another worker sees them again only if
    this one never records an outcome), with their channel's columns."""
    rows = await conn.fetch(
        """WITH due AS (
               SELECT d.id FROM deliveries d JOIN channels c ON c.id = d.channel_id
               WHERE d.status IN ('pending', 'retrying') AND d.next_attempt_at <= now()
                 AND (c.enabled AND c.paused_reason IS NULL OR d.kind = 'test')
               ORDER BY d.next_attempt_at LIMIT $1 FOR UPDATE OF d SKIP LOCKED)
           UPDATE deliveries d SET next_attempt_at = now() + make_interval(secs => $2)
           FROM due, channels c WHERE d.id = due.id AND c.id = d.channel_id
           RETURNING d.*, c.kind AS channel_kind, c.target, c.secret""",
        limit, lease_seconds,
    )
    return [_delivery(row) for row in rows]


async def mark_sent(conn: asyncpg.Connection, delivery_id: uuid.UUID, channel_id: uuid.UUID) -> None:
    await conn.execute(
        """UPDATE deliveries SET status = 'sent', attempts = attempts + 1, sent_at = now(), last_error = NULL
           WHERE id = $1""", delivery_id)
    await conn.execute("UPDATE channels SET failures = 0 WHERE id = $1", channel_id)


async def count_failure(conn: asyncpg.Connection, channel_id: uuid.UUID) -> int:
    """One more failed attempt of the channel in a row; how many now."""
    return await conn.fetchval(
        "UPDATE channels SET failures = failures + 1 WHERE id = $1 RETURNING failures", channel_id) or 0


async def pause_channel(conn: asyncpg.Connection, channel_id: uuid.UUID, reason: str) -> None:
    await conn.execute("UPDATE channels SET paused_reason = $2 WHERE id = $1", channel_id, reason)


async def mark_failed_attempt(conn: asyncpg.Connection, delivery_id: uuid.UUID, status: str, error: str,
                              next_attempt_at: datetime) -> None:
    await conn.execute(
        """UPDATE deliveries SET status = $2, attempts = attempts + 1, last_error = $3, next_attempt_at = $4
           WHERE id = $1""", delivery_id, status, error, next_attempt_at)


async def list_deliveries(conn: asyncpg.Connection, user_id: str, status: str | None,
                          page: Page) -> list[dict[str, Any]]:
    """One page of the log (fetched one row long: DELIVERY_ORDER.trim tells whether more follow)."""
    keyset = DELIVERY_ORDER.sql(page, 3)
    rows = await conn.fetch(
        f"""SELECT * FROM deliveries WHERE user_id = $1 AND ($2::text IS NULL OR status = $2){keyset.where}
            ORDER BY {DELIVERY_ORDER.order_by()}{keyset.limit}""", user_id, status, *keyset.parameters)
    return [_delivery(row) for row in rows]


async def get_delivery(conn: asyncpg.Connection, user_id: str, delivery_id: uuid.UUID) -> dict[str, Any] | None:
    return _delivery(await conn.fetchrow(
        "SELECT * FROM deliveries WHERE id = $1 AND user_id = $2", delivery_id, user_id))


async def requeue_delivery(conn: asyncpg.Connection, user_id: str, delivery_id: uuid.UUID) -> dict[str, Any] | None:
    return _delivery(await conn.fetchrow(
        """UPDATE deliveries SET status = 'pending', attempts = 0, last_error = NULL, next_attempt_at = now(),
               sent_at = NULL
           WHERE id = $1 AND user_id = $2 RETURNING *""", delivery_id, user_id))


# --- account deletion ---------------------------------------------------------------------------


async def purge_user(conn: asyncpg.Connection, user_id: str) -> None:
    """Remove everything of the user: deliveries, channels and subscriptions, preferences (with the
    calendar token's hash), and what was learnt from events (vehicles, documents and their
    reminders, due maintenance and deleted schedules' tombstones)."""
    await conn.execute("DELETE FROM deliveries WHERE user_id = $1", user_id)
    await conn.execute("DELETE FROM channels WHERE user_id = $1", user_id)
    await conn.execute("DELETE FROM preferences WHERE user_id = $1", user_id)
    await conn.execute(
        "DELETE FROM document_reminders WHERE document_id IN (SELECT document_id FROM documents WHERE user_id = $1)",
        user_id)
    await conn.execute("DELETE FROM documents WHERE user_id = $1", user_id)
    await conn.execute("DELETE FROM due_maintenance WHERE user_id = $1", user_id)
    await conn.execute("DELETE FROM deleted_schedules WHERE user_id = $1", user_id)
    await conn.execute("DELETE FROM vehicle_projection WHERE user_id = $1", user_id)
